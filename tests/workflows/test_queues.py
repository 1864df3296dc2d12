"""The work trays: a fixed number of queries whatever their length, filters, sorting and pages of 25."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.utils.html import escape

from identity.permissions import REVIEW_ASSESSMENT, revoke
from tests.casework.conftest import verified_professional
from tests.workflows import ehc_steps
from tests.workflows.annual_review_steps import current_review, meeting_recorded, plan_issued
from tests.workflows.conftest import JO, LEE, claimed, client_of, close_it, join, person, submitted, submitted_many
from workflows import annual_review, ehc, selectors, services

# Measured with 2 cases: session, user, device, teams (with those managed), roles, rights (2), tab counts
# (also the number of cases of an unfiltered tray), unread notifications and the page of cases; My work
# also reads the needs assessments the officer coordinates, with their count, in one more, and the annual
# reviews the officer holds, with their count, in one more again.
TRAY_QUERIES = {"queue": 10, "mine": 12}
# Team work, measured for a manager with no open case: the same reads as My work, over the teams managed.
TEAM_TRAY_QUERIES = 11


def listed(response) -> list[int]:
    """The cases on the page, in the order shown."""
    return [int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', response.content.decode())]


@pytest.mark.parametrize("count", [pytest.param(2, id="2-cases"), pytest.param(20, id="20-cases")])
@pytest.mark.parametrize("tray", ["queue", "mine"])
def test_work_tray_runs_a_fixed_number_of_queries(people, django_assert_max_num_queries, tray, count):
    """No query per row: 20 cases cost what 2 cost."""
    cases = submitted_many(count)
    if tray == "mine":
        for case in cases:
            services.assessment_claim(actor=people.priya, assessment=case)
    client = client_of(people.priya)
    with django_assert_max_num_queries(TRAY_QUERIES[tray]):
        response = client.get(f"/work/{tray}/")
    assert sorted(listed(response)) == sorted(case.pk for case in cases)


def test_work_tray_shows_25_cases_a_page(people):
    cases = submitted_many(26)
    client = client_of(people.priya)
    first = client.get("/work/queue/")
    assert "26 cases" in first.content.decode()
    assert listed(first) == [case.pk for case in cases[:25]]
    assert listed(client.get("/work/queue/?page=2")) == [cases[25].pk]


def test_the_queue_tab_counts_the_cases_the_queue_lists_and_a_filter_counts_its_own(people):
    """A case the team has no review right on is neither listed nor counted; a filtered list counts itself."""
    cases = submitted_many(3)
    revoke(cases[0].team.group, (REVIEW_ASSESSMENT,), cases[0])
    client = client_of(people.priya)

    unfiltered = client.get("/work/queue/").content.decode()
    assert "Team queue (2)" in unfiltered
    assert "2 cases" in unfiltered
    assert sorted(listed(client.get("/work/queue/"))) == sorted(case.pk for case in cases[1:])

    filtered = client.get("/work/queue/", {"q": cases[1].reference}).content.decode()
    assert "Team queue (2)" in filtered
    assert "1 case<" in filtered


NOW = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def three_cases(people):
    """Cases of all three teams, as the service manager sees them on Monday 9 March 2026.

    mia: EHAT submitted 2 February, due 2 March (overdue);
    noah: EHCP submitted 3 February, due 17 March, under review with Tom;
    ava: Young Carers from another school, submitted 16 February, due 16 March.
    """
    other_school = verified_professional(full_name="Dee Other")

    def on(day):
        return time_machine.travel(dt.datetime(2026, 2, day, 10, 0, tzinfo=dt.UTC), tick=False)

    with on(2):
        mia = submitted("ehat", first_name="Mia", last_name="Hart")
    with on(3):
        noah = claimed("ehcp", first_name="Noah", last_name="Smith")
    with on(16):
        ava = submitted("young_carers", author=other_school, first_name="Ava", last_name="Jones")
    assert [case.decision_due.isoformat() for case in (mia, noah, ava)] == ["2026-03-02", "2026-03-17", "2026-03-16"]
    with time_machine.travel(NOW, tick=False):
        yield {"mia": mia, "noah": noah, "ava": ava, "client": client_of(person(LEE))}


@pytest.mark.parametrize(
    "checks",
    [
        pytest.param([("", ["mia", "noah", "ava"])], id="none-oldest-first"),
        pytest.param([("kind=ehcp", ["noah"]), ("kind=young_carers", ["ava"])], id="kind"),
        pytest.param([("status=under_review", ["noah"]), ("status=submitted", ["mia", "ava"])], id="status"),
        pytest.param([("overdue=on", ["mia"])], id="overdue"),
        pytest.param([("due_within=7", ["mia", "ava"]), ("due_within=8", ["mia", "noah", "ava"])], id="due-within"),
        pytest.param(
            [("organisation={ava_organisation}", ["ava"]), ("organisation=no+such+school", [])], id="organisation"
        ),
        pytest.param(
            [
                ("q=hArT", ["mia"]),
                ("q=smi", ["noah"]),
                ("q={noah_reference}", ["noah"]),
                ("q={noah_reference_lower}", ["noah"]),
                ("q={noah_reference_part}", []),
            ],
            id="q-child-name-or-exact-reference",
        ),
        pytest.param(
            [
                ("sort=oldest", ["mia", "noah", "ava"]),
                ("sort=newest", ["ava", "noah", "mia"]),
                ("sort=due", ["mia", "ava", "noah"]),
                ("sort=child", ["ava", "mia", "noah"]),
            ],
            id="sort",
        ),
        pytest.param([("kind=ehat&overdue=on&sort=newest", ["mia"])], id="combined"),
    ],
)
def test_filters_and_sorting_return_the_right_rows(three_cases, checks):
    noah = three_cases["noah"]
    for query, expected in checks:
        query = query.format(
            noah_reference=noah.reference,
            noah_reference_lower=noah.reference.lower(),
            noah_reference_part=noah.reference[:-1],
            ava_organisation=three_cases["ava"].organisation.name[2:].upper().replace(" ", "+"),
        )
        response = three_cases["client"].get(f"/work/team/?{query}")
        assert response.status_code == 200
        assert listed(response) == [three_cases[name].pk for name in expected], query


def row_of(response, reference: str) -> str:
    rows = re.findall(r'<tr class="govuk-table__row">.*?</tr>', response.content.decode(), flags=re.S)
    return next(row for row in rows if reference in row)


def test_each_row_shows_the_child_the_dates_who_holds_it_and_whether_it_is_overdue(three_cases):
    """What an officer scans a tray for: whose case, from where, how long it has waited, who has it."""
    page = three_cases["client"].get("/work/team/")
    mia, noah, ava = (row_of(page, three_cases[name].reference) for name in ("mia", "noah", "ava"))
    assert f'href="/cases/{three_cases["mia"].pk}/">Mia Hart</a>' in mia
    assert "2 Feb 2026" in mia and "2 Mar 2026" in mia and "Overdue" in mia and "In the queue" in mia
    assert "Under review" in noah and "17 Mar 2026" in noah and "Overdue" not in noah
    assert escape(three_cases["noah"].assigned_to.full_name) in noah
    assert "Young Carers assessment" in ava and three_cases["ava"].organisation.name in ava


def test_a_submission_late_in_a_summer_evening_shows_the_uk_date(people):
    """23:30 UTC on 30 June is 00:30 on 1 July in Plymouth: the tray says 1 Jul, as the case page does."""
    with time_machine.travel(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), tick=False):
        case = submitted("ehat", first_name="Late", last_name="Evening")
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        row = row_of(client_of(people.priya).get("/work/queue/"), case.reference)
    assert "1 Jul 2026" in row and "30 Jun" not in row


def test_a_hostile_child_name_is_shown_as_text_in_the_tray(people):
    case = submitted("ehat", first_name="<script>alert(1)</script>", last_name="O'Neil & Co")
    row = row_of(client_of(people.priya).get("/work/queue/"), case.reference)
    assert "<script>" not in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Neil &amp; Co" in row


# ---------------------------------------------------------------- EHC needs assessments in My work and Team work


def needs_assessment_rows(response) -> str:
    """The needs assessments' table of a work tray page."""
    page = response.content.decode()
    start = page.index('id="needs-assessments"')
    return page[start : page.index("</table>", start)]


@pytest.mark.parametrize("count", [pytest.param(1, id="1-needs-assessment"), pytest.param(4, id="4")])
def test_my_work_reads_the_needs_assessments_in_a_fixed_number_of_queries(people, django_assert_max_num_queries, count):
    """One query for the needs assessments however many there are, their stage and next date included."""
    running = [ehc_steps.agreed() for _ in range(count)]
    client = client_of(running[0].coordinator)
    with django_assert_max_num_queries(TRAY_QUERIES["mine"]):
        response = client.get("/work/mine/")
    rows = needs_assessment_rows(response)
    assert f"{count} running needs assessment" in rows
    assert sorted(int(pk) for pk in re.findall(r'href="/cases/(\d+)/needs-assessment/"', rows)) == sorted(
        needs_assessment.assessment_id for needs_assessment in running
    )


def test_my_work_shows_each_needs_assessment_with_its_stage_next_date_and_whether_it_is_overdue(people):
    """Tom coordinates two: one waiting for advice due 16 March (overdue on 20 March), one just agreed whose
    week-16 decision falls on 25 May; the one whose plan is issued has left his tray."""
    received = dt.date(2026, 2, 2)
    with ehc_steps.at(received):
        asking = ehc_steps.agreed()
    with ehc_steps.at(dt.date(2026, 2, 2)):
        waiting = ehc_steps.advice_asked()
    with ehc_steps.at(dt.date(2026, 2, 3)):
        finished = ehc_steps.finalising()
        ehc.final_plan_issue(
            actor=finished.coordinator,
            needs_assessment=finished,
            sections={**ehc_steps.DRAFT_SECTIONS, "I": "Hillside"},
        )
    with ehc_steps.at(dt.date(2026, 3, 20)):
        rows = needs_assessment_rows(client_of(asking.coordinator).get("/work/mine/"))
    assert "2 running needs assessments" in rows
    assert finished.assessment.reference not in rows
    waiting_row, asking_row = (
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r'<tr class="govuk-table__row">.*?</tr>', rows, flags=re.S)[1:]
    )
    assert waiting.assessment.reference in waiting_row
    assert "Waiting for advice" in waiting_row and "Advice due: 16 Mar 2026" in waiting_row
    assert "Overdue" in waiting_row
    assert asking.assessment.reference in asking_row
    assert "Asking for advice" in asking_row
    assert "Decision whether to issue (week 16): 25 May 2026" in asking_row and "Overdue" not in asking_row


def test_a_paused_needs_assessment_is_marked_and_another_coordinators_is_not_in_my_work(people):
    """A paused clock shows beside the date; an officer sees only the needs assessments they coordinate."""
    mine = ehc_steps.agreed()
    ehc.needs_assessment_clock_pause(actor=mine.coordinator, needs_assessment=mine, reason="child_away")
    theirs = ehc_steps.agreed()
    manager = join("send-statutory-assessment", role="manager")
    ehc.coordinator_assign(actor=manager, needs_assessment=theirs, coordinator=join("send-statutory-assessment"))
    rows = needs_assessment_rows(client_of(mine.coordinator).get("/work/mine/"))
    assert "1 running needs assessment" in rows and "Clock paused" in rows
    assert mine.assessment.reference in rows and theirs.assessment.reference not in rows


def test_team_work_shows_the_teams_running_needs_assessments_with_their_coordinator(people):
    """A SEND team manager sees the team's running needs assessments, each with who coordinates it; the
    Early Help hub's manager sees none of them."""
    first = ehc_steps.agreed()
    second = ehc_steps.agreed()
    manager = join("send-statutory-assessment", role="manager")
    dana = join("send-statutory-assessment")
    ehc.coordinator_assign(actor=manager, needs_assessment=second, coordinator=dana)
    rows = needs_assessment_rows(client_of(manager).get("/work/team/"))
    assert "2 running needs assessments" in rows
    # Names are HTML-escaped on the page (a generated name may hold an apostrophe).
    assert escape(first.coordinator.full_name) in rows and escape(dana.full_name) in rows
    early_help = client_of(person(JO)).get("/work/team/").content.decode()
    assert "Your teams have no running needs assessment." in early_help


def test_the_team_queue_lists_no_needs_assessment(people):
    ehc_steps.agreed()
    assert 'id="needs-assessments"' not in client_of(person(LEE)).get("/work/queue/").content.decode()


# ---------------------------------------------------------------- annual reviews of EHC plans in My work and Team work


def annual_review_rows(response) -> str:
    """The annual reviews' table of a work tray page (or the sentence saying there are none)."""
    page = response.content.decode()
    start = page.index('id="annual-reviews"')
    end = page.find("</table>", start)
    return page[start : end if end != -1 else page.index("</p>", start)]


def row_texts(rows: str) -> list[str]:
    """The body rows of a table, as the words a reader sees."""
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(r'<tr class="govuk-table__row">.*?</tr>', rows, flags=re.S)[1:]
    ]


def reviewed_pks(rows: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/cases/(\d+)/needs-assessment/annual-review/"', rows)]


@pytest.fixture
def four_reviews(people):
    """Tom holds four open annual reviews, seen on 20 February 2027:

    march    plan issued 2 Mar 2026: its meeting is due by 2 Mar 2027 (10 days on)
    january  plan issued 5 Jan 2026: its meeting was due by 5 Jan 2027 (overdue)
    decision plan issued 1 Feb 2026, meeting held 20 Jan 2027: the decision was due by 17 Feb 2027 (overdue)
    second   plan issued 1 Jan 2026, review 1 met 10 Dec 2026 and was decided: review 2 is due by 10 Dec 2027
    """
    march = plan_issued(dt.date(2026, 3, 2))
    january = plan_issued(dt.date(2026, 1, 5))
    decision = plan_issued(dt.date(2026, 2, 1))
    with ehc_steps.at(dt.date(2027, 1, 20)):
        meeting_recorded(current_review(decision), dt.date(2027, 1, 20))
    second = plan_issued(dt.date(2026, 1, 1))
    with ehc_steps.at(dt.date(2026, 12, 11)):
        review = meeting_recorded(current_review(second), dt.date(2026, 12, 10))
        annual_review.annual_review_decide(actor=review.holder, review=review, decision="keep")
    return {"march": march, "january": january, "decision": decision, "second": second}


def test_my_work_lists_every_open_annual_review_nearest_date_first_with_its_stage_and_overdue(four_reviews, people):
    """All four, the overdue first and the one due in ten months too; a decided review is not listed."""
    with ehc_steps.at(dt.date(2027, 2, 20)):
        rows = annual_review_rows(client_of(people.tom).get("/work/mine/"))
    assert "Annual reviews you hold" in rows
    assert "4 open annual reviews" in rows
    assert reviewed_pks(rows) == [
        four_reviews[name].assessment_id for name in ("january", "decision", "march", "second")
    ]
    january, decision, march, second = row_texts(rows)
    assert january.endswith("1 Waiting for the review meeting Meeting due by 5 Jan 2027 Overdue")
    assert four_reviews["january"].assessment.reference in january
    assert decision.endswith("1 Waiting for the council's decision Decision due by 17 Feb 2027 Overdue")
    assert march.endswith("1 Waiting for the review meeting Meeting due by 2 Mar 2027")
    assert second.endswith("2 Waiting for the review meeting Meeting due by 10 Dec 2027")


def test_an_annual_review_due_today_is_not_yet_overdue(people):
    issued = plan_issued(dt.date(2026, 3, 2))
    with ehc_steps.at(dt.date(2027, 3, 2)):
        (row,) = row_texts(annual_review_rows(client_of(people.tom).get("/work/mine/")))
    assert row.endswith("Meeting due by 2 Mar 2027")
    assert issued.assessment.reference in row


def test_the_review_row_names_the_child_and_links_to_the_review_page(people):
    issued = plan_issued(dt.date(2026, 3, 2))
    rows = annual_review_rows(client_of(people.tom).get("/work/mine/"))
    assert (
        f'href="/cases/{issued.assessment_id}/needs-assessment/annual-review/">{issued.assessment.child_name}'
        f'<span class="govuk-visually-hidden">: annual review 1 of {issued.assessment.reference}</span>'
    ) in rows


def test_a_review_handed_to_a_colleague_leaves_my_work_and_shows_in_theirs(people):
    mine = plan_issued(dt.date(2026, 3, 2))
    theirs = plan_issued(dt.date(2026, 3, 2))
    manager = join("send-statutory-assessment", role="manager")
    dana = join("send-statutory-assessment")
    annual_review.annual_review_assign(actor=manager, review=current_review(theirs), holder=dana)
    assert reviewed_pks(annual_review_rows(client_of(people.tom).get("/work/mine/"))) == [mine.assessment_id]
    assert reviewed_pks(annual_review_rows(client_of(dana).get("/work/mine/"))) == [theirs.assessment_id]


def test_an_officer_without_annual_reviews_is_told_so(people):
    ehc_steps.agreed()
    rows = annual_review_rows(client_of(people.priya).get("/work/mine/"))
    assert "You hold no open annual review." in rows


def test_a_ceased_plan_has_no_open_review_in_my_work(people):
    issued = plan_issued(dt.date(2026, 3, 2))
    with ehc_steps.at(dt.date(2027, 3, 1)):
        review = meeting_recorded(current_review(issued), dt.date(2027, 3, 1), recommendation="cease")
        annual_review.annual_review_decide(actor=review.holder, review=review, decision="cease")
        rows = annual_review_rows(client_of(people.tom).get("/work/mine/"))
    assert "You hold no open annual review." in rows


@pytest.mark.parametrize("count", [pytest.param(1, id="1-review"), pytest.param(4, id="4-reviews")])
def test_my_work_reads_the_annual_reviews_in_a_fixed_number_of_queries(people, django_assert_max_num_queries, count):
    """One query for the annual reviews however many there are, their child, number, stage and date included."""
    issued = [plan_issued(dt.date(2026, 3, 2)) for _ in range(count)]
    client = client_of(people.tom)
    with django_assert_max_num_queries(TRAY_QUERIES["mine"]):
        response = client.get("/work/mine/")
    assert sorted(reviewed_pks(annual_review_rows(response))) == sorted(plan.assessment_id for plan in issued)


def test_my_work_shows_the_25_nearest_reviews_with_the_total(people, monkeypatch):
    """Past the limit (25; here 2, to keep the test quick) the nearest are shown and the caption says how many."""
    monkeypatch.setattr(selectors, "ANNUAL_REVIEW_TRAY_LIMIT", 2)
    late = plan_issued(dt.date(2026, 5, 4))
    early = plan_issued(dt.date(2026, 3, 2))
    middle = plan_issued(dt.date(2026, 4, 1))
    rows = annual_review_rows(client_of(people.tom).get("/work/mine/"))
    assert "3 open annual reviews: the 2 with the nearest dates" in rows
    assert reviewed_pks(rows) == [early.assessment_id, middle.assessment_id]
    assert late.assessment.reference not in rows


def test_team_work_shows_the_teams_open_reviews_with_who_holds_each(people):
    """A SEND team manager sees every open review of the team's plans and its holder; the Early Help hub's
    manager sees none of them, and an officer's My work only their own."""
    toms = plan_issued(dt.date(2026, 3, 2))
    danas = plan_issued(dt.date(2026, 2, 2))
    manager = join("send-statutory-assessment", role="manager")
    dana = join("send-statutory-assessment")
    annual_review.annual_review_assign(actor=manager, review=current_review(danas), holder=dana)
    with ehc_steps.at(dt.date(2027, 2, 20)):
        rows = annual_review_rows(client_of(manager).get("/work/team/"))
    assert "Your teams' open annual reviews" in rows and "2 open annual reviews" in rows
    assert reviewed_pks(rows) == [danas.assessment_id, toms.assessment_id]
    dana_row, tom_row = row_texts(rows)
    assert dana_row.endswith(f"Meeting due by 2 Feb 2027 Overdue {dana.full_name}")
    assert tom_row.endswith("Meeting due by 2 Mar 2027 Tom Evans")
    early_help = annual_review_rows(client_of(person(JO)).get("/work/team/"))
    assert "Your teams have no open annual review." in early_help
    assert toms.assessment.reference not in early_help and danas.assessment.reference not in early_help


def test_team_work_reads_the_annual_reviews_in_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    """The team's reviews cost one query whatever their number: 4 cost what 1 costs."""
    manager = join("send-statutory-assessment", role="manager")
    client = client_of(manager)
    issued, counts = [], []
    for more in (1, 3):
        issued += [plan_issued(dt.date(2026, 3, 2)) for _ in range(more)]
        with django_assert_max_num_queries(TEAM_TRAY_QUERIES) as queries:
            response = client.get("/work/team/")
        counts.append(len(queries.captured_queries))
        assert sorted(reviewed_pks(annual_review_rows(response))) == sorted(plan.assessment_id for plan in issued)
    assert counts[0] == counts[1]


def test_the_team_queue_lists_no_annual_review(people):
    plan_issued(dt.date(2026, 3, 2))
    assert 'id="annual-reviews"' not in client_of(person(LEE)).get("/work/queue/").content.decode()


def test_the_tray_selector_gives_the_open_reviews_of_the_holder_or_the_managers_teams_only(people):
    """Straight from the selector: Tom's (not Dana's) in My work; the SEND manager's team both; Jo's none."""
    toms = plan_issued(dt.date(2026, 3, 2))
    danas = plan_issued(dt.date(2026, 2, 2))
    manager = join("send-statutory-assessment", role="manager")
    dana = join("send-statutory-assessment")
    annual_review.annual_review_assign(actor=manager, review=current_review(danas), holder=dana)
    mine = selectors.annual_reviews_for_tray(people.tom, "mine")
    assert ([row.needs_assessment.assessment_id for row in mine.rows], mine.count) == ([toms.assessment_id], 1)
    team = selectors.annual_reviews_for_tray(manager, "team")
    assert [row.needs_assessment.assessment_id for row in team.rows] == [danas.assessment_id, toms.assessment_id]
    assert selectors.annual_reviews_for_tray(person(JO), "team") == selectors.AnnualReviewTray([], 0)
    assert selectors.annual_reviews_for_tray(people.tom, "queue") == selectors.AnnualReviewTray([], 0)


def test_a_hostile_child_name_is_shown_as_text_in_the_annual_reviews(people):
    request = claimed("ehcp", first_name="<script>alert(1)</script>", last_name="O'Neil & Co")
    plan_issued(needs_assessment=ehc_steps.needs_assessment_of(close_it(request)))
    rows = annual_review_rows(client_of(people.tom).get("/work/mine/"))
    assert "<script>" not in rows
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Neil &amp; Co" in rows
