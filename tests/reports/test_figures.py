"""Each report's figures against values worked out by hand from the case book in conftest.py.

Period 1 January to 30 June 2026, seen on 1 July 2026 at 12:00 UTC. Received in the period: A, B, C, D,
F (Early Help), E, G, H (EHCP) and K (Young Carers) — nine cases; I was received in November 2025 and L is
a draft. Closed in the period: A (14 Jan), D (22 Jan, withdrawn), E (27 Feb), G (2 Mar), H (13 Mar) and
K (16 Mar); I closed in December 2025.
"""

import datetime as dt

import pytest

from casework.models import Outcome
from identity.models import OrganisationKind, Team
from tests.reports.conftest import at, decided, filters, picked_up, scope_of
from tests.workflows.conftest import join
from workflows import reports, services

pytestmark = pytest.mark.django_db


def rows(table):
    return table.text_rows()[1:]


def test_status_now_counts_the_cases_received_in_the_period(casebook):
    """Of the nine received: C waits in the queue, B is under review, F is back with its author, six closed."""
    report = reports.status_now(scope_of(casebook.lee), filters())
    assert [(count.status, count.cases) for count in report.counts] == [
        ("submitted", 1),
        ("under_review", 1),
        ("returned", 1),
        ("closed", 6),
    ]
    assert rows(report.table())[-1] == ["Total", "9", "100.0"]


def test_weekly_volumes_count_received_decided_and_closed_by_monday_weeks(casebook):
    """Weeks start on Monday; the first is the week of 1 January (29 December). Withdrawn D closes, not decides."""
    report = reports.weekly_volumes(scope_of(casebook.lee), filters())
    assert report.weeks[0].week == dt.date(2025, 12, 29)
    assert report.weeks[-1].week == dt.date(2026, 6, 29)
    assert len(report.weeks) == 27
    busy = {
        week.week: (week.received, week.decided, week.closed)
        for week in report.weeks
        if any((week.received, week.decided, week.closed))
    }
    assert busy == {
        dt.date(2026, 1, 5): (2, 0, 0),  # A, E received
        dt.date(2026, 1, 12): (2, 1, 1),  # B, G received; A accepted on the 14th
        dt.date(2026, 1, 19): (1, 0, 1),  # D received and withdrawn
        dt.date(2026, 2, 2): (2, 0, 0),  # F, H received
        dt.date(2026, 2, 23): (0, 1, 1),  # E agreed on the 27th
        dt.date(2026, 3, 2): (0, 1, 1),  # G refused
        dt.date(2026, 3, 9): (1, 1, 1),  # K received; H agreed on the 13th
        dt.date(2026, 3, 16): (0, 1, 1),  # K support plan
        dt.date(2026, 6, 8): (1, 0, 0),  # C received
    }
    assert (report.received, report.decided, report.closed) == (9, 5, 6)


def test_outcomes_by_type_list_every_outcome_with_its_share_of_the_type(casebook):
    report = reports.outcomes_by_type(scope_of(casebook.lee), filters())
    assert rows(report.table()) == [
        ["EHAT", "Accepted for early help", "1", "50.0"],
        ["EHAT", "Signposted to another service", "0", "0.0"],
        ["EHAT", "Stepped up to children's social care", "0", "0.0"],
        ["EHAT", "Withdrawn", "1", "50.0"],
        ["EHAT", "Consent withdrawn by the family", "0", "0.0"],
        ["EHCP request", "Agreed to assess", "2", "66.7"],
        ["EHCP request", "Refused to assess", "1", "33.3"],
        ["EHCP request", "Withdrawn", "0", "0.0"],
        ["Young Carers", "Assessed with a support plan", "1", "100.0"],
        ["Young Carers", "No eligible needs", "0", "0.0"],
        ["Young Carers", "Withdrawn", "0", "0.0"],
        ["Total", "", "6", ""],
    ]


def test_times_to_first_pickup_decision_and_close_have_sql_medians_and_90th_percentiles(casebook):
    """First pick-up (claim or assignment) after submission, picked up in the period, in days:
    A 1, B 2, F 2 (assigned by Jo), E 2, G 7, H 1, K 1 — sorted 1 1 1 2 2 2 7: median 2, 90th (rank 7) 7.
    To decision (not withdrawn): A 9, K 7, H 39, G 49, E 53 — median 39, 90th (rank 5) 53.
    To close (D's 2 days too): 2 7 9 39 49 53 — median (9 + 39) / 2 = 24, 90th (rank 6) 53.
    A's second pick-up after its return and I's pick-up in 2025 do not count.
    """
    report = reports.times(scope_of(casebook.lee), filters())
    found = {item.measure: (item.cases, item.median, item.p90, round(item.mean, 2)) for item in report.milestones}
    assert found == {
        "claim": (7, 2.0, 7.0, round(16 / 7, 2)),
        "decision": (5, 39.0, 53.0, 31.4),
        "close": (6, 24.0, 53.0, 26.5),
    }


def test_time_in_state_follows_the_history_and_counts_returns_and_open_cases_to_now(casebook):
    """Days per case in each state, from the history rows (LEAD to the next row; the last one to now):
    submitted: A 1+3, B 2, C 21 (to now), D 2, F 2, E 2, G 7, H 1+1, K 1 = 43 over 9 cases;
        sorted 1 2 2 2 2 2 4 7 21: median 2, 90th (rank 9) 21.
    under review: A 1+2, B 167 (15 Jan to now), F 2, E 51 (the pause does not change the state), G 42,
        H 1+31, K 6 = 303 over 7 cases; sorted 2 3 6 32 42 51 167: median 32, 90th (rank 7) 167.
    returned: A 2, H 5, F 145 (6 Feb to now) = 152 over 3 cases: median 5, 90th (rank 3) 145.
    """
    report = reports.time_in_state(scope_of(casebook.lee), filters())
    found = {item.measure: (item.cases, item.total, item.median, item.p90) for item in report.states}
    assert found == {
        "submitted": (9, 43.0, 2.0, 21.0),
        "under_review": (7, 303.0, 32.0, 167.0),
        "returned": (3, 152.0, 5.0, 145.0),
    }
    assert rows(report.table())[2] == ["Returned", "3", "152.0", "50.7", "5.0", "145.0"]


def test_returns_per_case_divide_returned_events_by_cases_received(casebook):
    """A and F (Early Help) and H (EHCP) were each returned once."""
    report = reports.returns_per_case(scope_of(casebook.lee), filters())
    assert rows(report.table()) == [
        ["EHAT", "5", "2", "0.40", "2", "40.0"],
        ["EHCP request", "3", "1", "0.33", "1", "33.3"],
        ["Young Carers", "1", "0", "0.00", "0", "0.0"],
        ["Total", "9", "3", "0.33", "3", "33.3"],
    ]


def test_return_reasons_group_the_returned_sections_by_title(casebook):
    """A asked for the reason and the voice sections, F for the reason, H for the areas of need."""
    report = reports.return_reasons(scope_of(casebook.lee), filters())
    assert report.returns == 3
    assert rows(report.table()) == [
        ["EHAT", "Reason for the assessment", "2", "66.7"],
        ["EHAT", "Voice of the child and family", "1", "33.3"],
        ["EHCP request", "Areas of need", "1", "33.3"],
    ]


def test_workload_counts_open_cases_per_officer_with_overdue_and_due_soon(casebook):
    """Priya holds B (due 10 Feb) and F (returned, due 2 Mar): both overdue. C, due 8 Jul, waits in the queue."""
    report = reports.workload(scope_of(casebook.lee), filters())
    assert rows(report.table()) == [
        ["Priya Shah", "2", "2", "0"],
        ["Not picked up (in the team queue)", "1", "0", "1"],
        ["Total", "3", "2", "1"],
    ]


def test_overdue_list_links_to_the_cases_most_overdue_first_and_shows_paused_clocks(casebook):
    """B: 141 days past 10 Feb; F: 121 days past 2 Mar, its clock paused since its return on 6 Feb."""
    report = reports.overdue(scope_of(casebook.lee), filters())
    assert report.count == 2
    table = report.table()
    assert rows(table) == [
        [casebook.b.reference, "EHAT", "Early Help hub", "Under review", "10 Feb 2026", "141", "Priya Shah", "Running"],
        [
            casebook.f.reference,
            "EHAT",
            "Early Help hub",
            "Returned",
            "2 Mar 2026",
            "121",
            "Priya Shah",
            "Paused since 6 Feb 2026",
        ],
    ]
    assert table.rows[0][0].href == f"/cases/{casebook.b.pk}/"


def test_due_soon_lists_open_cases_due_within_10_days(casebook):
    """C is due on 8 July, 7 days after today, and nobody has picked it up."""
    report = reports.due_soon(scope_of(casebook.lee), filters())
    assert rows(report.table()) == [
        [casebook.c.reference, "EHAT", "Early Help hub", "Submitted", "8 Jul 2026", "7", "Not picked up", "Running"]
    ]


def test_ehcp_decisions_within_6_weeks_by_month_count_recorded_pauses(casebook):
    """E's 14-day pause moved its due date to 2 Mar, so its decision on 27 Feb is in time; G (due 23 Feb,
    decided 2 Mar) is late; H (due 16 Mar, decided 13 Mar) is in time. I was decided in 2025."""
    assert casebook.e.decision_due == dt.date(2026, 3, 2)
    report = reports.ehcp_decisions(scope_of(casebook.lee), filters())
    assert rows(report.table()) == [
        ["January 2026", "0", "0", "–"],
        ["February 2026", "1", "1", "100.0"],
        ["March 2026", "2", "1", "50.0"],
        ["April 2026", "0", "0", "–"],
        ["May 2026", "0", "0", "–"],
        ["June 2026", "0", "0", "–"],
        ["Total", "3", "2", "66.7"],
    ]


def test_ehcp_plans_within_20_weeks_by_month_of_issue(casebook):
    """I's plan on 20 Mar (due 23 Mar) and E's on 5 Jun (due 8 Jun after its pause) are in time; H's on
    26 Jun (due 22 Jun) is late."""
    assert (casebook.e.final_due, casebook.h.final_due, casebook.i.final_due) == (
        dt.date(2026, 6, 8),
        dt.date(2026, 6, 22),
        dt.date(2026, 3, 23),
    )
    report = reports.ehcp_plans(scope_of(casebook.lee), filters())
    assert [(month.month.month, month.cases, month.within) for month in report.months if month.cases] == [
        (3, 1, 1),
        (6, 2, 1),
    ]
    assert (report.cases, report.within, round(report.percent, 1)) == (3, 2, 66.7)


def test_team_manager_sees_only_the_teams_they_manage(casebook):
    """Jo manages the Early Help hub: five cases received, Priya's workload by name, no EHCP figures."""
    scope = scope_of(casebook.jo)
    assert scope.team_ids == {Team.objects.get(slug="early-help-hub").pk}
    assert reports.weekly_volumes(scope, filters()).received == 5
    assert reports.ehcp_decisions(scope, filters()).cases == 0
    assert [officer.name for officer in reports.workload(scope, filters()).officers] == [
        "Priya Shah",
        "Not picked up (in the team queue)",
    ]


def test_officer_sees_their_own_teams_figures(casebook):
    """Tom, an officer of the SEND team, sees its figures and nothing of the other teams' cases."""
    scope = scope_of(casebook.tom)
    assert scope.named_team_ids == frozenset()
    assert reports.weekly_volumes(scope, filters()).received == 3
    assert reports.ehcp_decisions(scope, filters()).within == 2
    assert reports.workload(scope, filters()).officers == ()
    assert reports.overdue(scope, filters()).count == 0


def test_officer_workload_names_only_themselves(casebook):
    """Priya (an Early Help officer, not a manager) sees her own row by name, a colleague's as 'other officers'."""
    colleague = join("early-help-hub")
    picked_up(casebook.c, colleague, dt.date(2026, 6, 30))
    scope = scope_of(casebook.priya)
    report = reports.workload(scope, filters())
    assert [(officer.name, officer.open) for officer in report.officers] == [
        ("Priya Shah", 2),
        ("Other officers", 1),
    ]
    assert not report.named
    assert [case.holder for case in reports.due_soon(scope, filters()).cases] == ["Another officer"]


def test_filters_narrow_by_type_team_and_organisation_type(casebook):
    """Type, team and organisation type each narrow every figure."""
    lee = scope_of(casebook.lee)
    assert reports.weekly_volumes(lee, filters(kind="ehcp")).received == 3
    assert reports.weekly_volumes(lee, filters(team=Team.objects.get(slug="young-carers"))).received == 1
    health = filters(organisation_kind=OrganisationKind.HEALTH)
    assert reports.weekly_volumes(lee, health).received == 1
    assert [row.name for row in reports.workload(lee, health).officers] == ["Not picked up (in the team queue)"]
    assert reports.ehcp_plans(lee, filters(kind="ehat")).applies is False
    assert [count.kind for count in reports.outcomes_by_type(lee, filters(kind="young_carers")).counts] == [
        "young_carers"
    ] * 3


def test_a_period_with_no_cases_has_zeros_and_no_medians(casebook):
    """Before any case: counts of nought, no medians, no percentages (a dash, never a division by zero)."""
    empty = reports.ReportFilters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31), now=filters().now)
    board = reports.dashboard(scope_of(casebook.lee), empty)
    assert board.volumes.received == 0
    assert all(item.median is None and item.cases == 0 for item in board.times.milestones)
    assert rows(board.ehcp_decisions.table())[-1] == ["Total", "0", "0", "–"]
    assert board.returns.per_case is None


def test_reopened_case_counts_once_on_its_latest_close(casebook):
    """Jo reopens A on 20 Jan and Priya signposts it on 23 Jan: A now closes in the week of 19 Jan, after
    18 days; its time under review gains the 3 days after reopening, and the days it was closed do not count."""
    with at(dt.date(2026, 1, 20)):
        services.assessment_reopen(actor=casebook.jo, assessment=casebook.a, reason="New information")
    decided(casebook.a, casebook.priya, dt.date(2026, 1, 23), Outcome.SIGNPOSTED)
    scope = scope_of(casebook.lee)
    weeks = {
        week.week: (week.received, week.decided, week.closed) for week in reports.weekly_volumes(scope, filters()).weeks
    }
    assert weeks[dt.date(2026, 1, 12)] == (2, 0, 0)
    assert weeks[dt.date(2026, 1, 19)] == (1, 1, 2)
    milestones = {item.measure: item for item in reports.times(scope, filters()).milestones}
    assert (milestones["decision"].median, milestones["close"].median) == (39.0, (18 + 39) / 2)
    states = {item.measure: item for item in reports.time_in_state(scope, filters()).states}
    assert states["under_review"].total == 306.0
    outcomes = {(count.kind, count.outcome): count.cases for count in reports.outcomes_by_type(scope, filters()).counts}
    assert (outcomes["ehat", "accepted"], outcomes["ehat", "signposted"]) == (0, 1)
