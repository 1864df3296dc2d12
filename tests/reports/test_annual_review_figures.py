"""Open annual reviews of EHC plans in the reports' overdue and due-soon lists and workload, held equal to
hand-counted figures.

Five plans of St Mary's requests, coordinated by Tom, seen on 1 March 2027:

    A issued 2 Feb 2026: review 1's meeting was due by 2 Feb 2027, 27 days overdue.
    B issued 5 Mar 2026: its meeting is due by 5 Mar 2027, 4 days on.
    F issued 11 Mar 2026: its meeting is due by 11 Mar 2027, 10 days on (the last day "due soon").
    C issued 2 Jan 2026, met 20 Jan 2027: the decision was due by 17 Feb 2027, 12 days overdue; handed to Dana.
    D issued 1 Jun 2026: its meeting is due by 1 Jun 2027, in no list and no load yet.
    E issued 2 Jan 2026, met 10 Jan 2027, ceased: no review open.
No request is open and no needs assessment is running.
"""

import datetime as dt

import pytest

from identity.models import Team
from tests.reports.conftest import scope_of
from tests.workflows.annual_review_steps import current_review, meeting_recorded, plan_issued
from tests.workflows.conftest import JO, TOM, join, person
from tests.workflows.ehc_steps import at
from workflows import annual_review, reports
from workflows.reports import ReportFilters

SEEN = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
SEND_TEAM = "SEND statutory assessment team"


def filters(**overrides) -> ReportFilters:
    return ReportFilters(date_from=dt.date(2026, 9, 1), date_to=dt.date(2027, 2, 28), now=SEEN, **overrides)


def rows(table):
    return table.text_rows()[1:]


@pytest.fixture
def plans(demo_data):
    a = plan_issued(dt.date(2026, 2, 2))
    b = plan_issued(dt.date(2026, 3, 5))
    f = plan_issued(dt.date(2026, 3, 11))
    c = plan_issued(dt.date(2026, 1, 2))
    with at(dt.date(2027, 1, 20)):
        meeting_recorded(current_review(c), dt.date(2027, 1, 20))
    manager = join("send-statutory-assessment", role="manager")
    dana = join("send-statutory-assessment")
    annual_review.annual_review_assign(actor=manager, review=current_review(c), holder=dana)
    d = plan_issued(dt.date(2026, 6, 1))
    e = plan_issued(dt.date(2026, 1, 2))
    with at(dt.date(2027, 1, 11)):
        review = meeting_recorded(current_review(e), dt.date(2027, 1, 10), recommendation="cease")
        annual_review.annual_review_decide(actor=review.holder, review=review, decision="cease")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "manager": manager, "dana": dana}


def test_the_overdue_list_holds_the_reviews_whose_meeting_or_decision_is_late_linking_to_the_review(plans):
    """A's meeting (27 days) and C's decision (12 days), the latest first; Tom, an officer, sees Dana's unnamed."""
    report = reports.overdue(scope_of(person(TOM)), filters())
    a, c = plans["a"].assessment, plans["c"].assessment
    assert report.count == 2
    assert rows(report.table()) == [
        [
            a.reference,
            "Annual review",
            SEND_TEAM,
            "Review 1: Waiting for the review meeting (meeting due)",
            "2 Feb 2027",
            "27",
            "Tom Evans",
            "Running",
        ],
        [
            c.reference,
            "Annual review",
            SEND_TEAM,
            "Review 1: Waiting for the council's decision (decision due)",
            "17 Feb 2027",
            "12",
            "Another officer",
            "Running",
        ],
    ]
    assert [row[0].href for row in report.table().rows] == [
        f"/cases/{a.pk}/needs-assessment/annual-review/",
        f"/cases/{c.pk}/needs-assessment/annual-review/",
    ]


def test_the_due_soon_list_holds_the_reviews_due_within_10_days_and_not_those_later(plans):
    """B (4 days) and F (10 days, the last day that counts); D, due in June, is in neither list."""
    report = reports.due_soon(scope_of(person(TOM)), filters())
    assert report.count == 2
    assert [(row[0], row[4], row[5]) for row in rows(report.table())] == [
        (plans["b"].assessment.reference, "5 Mar 2027", "4"),
        (plans["f"].assessment.reference, "11 Mar 2027", "10"),
    ]
    everything = {case.reference for case in reports.overdue(scope_of(person(TOM)), filters()).cases}
    everything |= {case.reference for case in report.cases}
    assert plans["d"].assessment.reference not in everything
    assert plans["e"].assessment.reference not in everything


def test_workload_counts_the_reviews_overdue_or_due_soon_by_holder(plans):
    """Tom holds A (overdue), B and F (due soon); Dana holds C (overdue), unnamed to Tom, named to the manager.
    D, due in June, is no load yet."""
    assert rows(reports.workload(scope_of(person(TOM)), filters()).table()) == [
        ["Tom Evans", "3", "1", "2"],
        ["Other officers", "1", "1", "0"],
        ["Total", "4", "2", "2"],
    ]
    assert rows(reports.workload(scope_of(plans["manager"]), filters()).table()) == [
        ["Tom Evans", "3", "1", "2"],
        [plans["dana"].full_name, "1", "1", "0"],
        ["Total", "4", "2", "2"],
    ]


def test_a_manager_sees_who_holds_each_overdue_review(plans):
    report = reports.overdue(scope_of(plans["manager"]), filters())
    assert [case.holder for case in report.cases] == ["Tom Evans", plans["dana"].full_name]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        pytest.param({}, 2, id="no-filter"),
        pytest.param({"kind": "ehcp"}, 2, id="ehcp"),
        pytest.param({"kind": "ehat"}, 0, id="another-type"),
        pytest.param({"organisation_kind": "school"}, 2, id="from-schools"),
        pytest.param({"organisation_kind": "health"}, 0, id="from-health"),
        pytest.param({"team": "send-statutory-assessment"}, 2, id="send-team"),
        pytest.param({"team": "early-help-hub"}, 0, id="another-team"),
    ],
)
def test_the_filters_apply_to_the_reviews_as_to_their_requests(plans, chosen, expected):
    if "team" in chosen:
        chosen = {**chosen, "team": Team.objects.get(slug=chosen["team"])}
    tom = scope_of(person(TOM))
    assert reports.overdue(tom, filters(**chosen)).count == expected
    assert reports.due_soon(tom, filters(**chosen)).count == expected
    assert reports.workload(tom, filters(**chosen)).open == 2 * expected


def test_another_teams_reader_sees_none_of_the_reviews(plans):
    jo = scope_of(person(JO))
    assert reports.overdue(jo, filters()).count == 0 and reports.due_soon(jo, filters()).count == 0
    assert reports.workload(jo, filters()).officers == ()


def test_each_list_reads_the_reviews_in_one_query(plans, django_assert_num_queries):
    """One query for the open cases, one for the needs assessments, one for the annual reviews."""
    scope = scope_of(person(TOM))
    with django_assert_num_queries(3):
        reports.overdue(scope, filters())
    with django_assert_num_queries(3):
        reports.workload(scope, filters())
