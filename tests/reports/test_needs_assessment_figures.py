"""The dashboard's EHC needs assessment figures, held equal to hand-counted ones across a pause of the clock.

Three requests of St Mary's, agreed to assess by Tom, seen on 1 July 2026 over January to June:

    P received 5 Jan, agreed 9 Feb: week 16 on 27 Apr, week 20 on 25 May. Advice asked 10 Feb, due 24 Mar:
      health's came 20 Mar (in time), the educational psychologist's 30 Mar (late). Decided to issue
      20 Apr (in time); final plan 27 May (late).
    Q received 12 Jan, agreed 16 Feb: week 16 on 4 May, week 20 on 1 Jun, advice asked 17 Feb due 31 Mar.
      The clock paused 2 to 16 Mar (14 days): week 16 moves to 18 May, week 20 to 15 Jun, the advice to
      14 Apr. Advice came 10 Apr, decided 12 May, plan 10 Jun: all in time only because of the pause.
    R received 19 Jan, agreed 23 Feb: week 16 on 11 May. Advice asked 24 Feb, due 7 Apr, never came: Tom
      went on without it on 14 Apr (late). Decided not to issue on 15 May (late).
    S received 2 Mar, agreed 6 Apr. Advice asked 7 Apr, due 19 May, still awaited on 1 July (late).
    T received 16 Mar, agreed 20 Apr, no advice asked yet: week 16 on 6 July; the clock paused since 29 June.
"""

import datetime as dt

import pytest

from casework.models import Outcome
from identity.models import OrganisationKind, Team
from tests.casework.conftest import verified_professional
from tests.reports.conftest import at, day, decided, filters, picked_up, scope_of, submitted
from tests.workflows import ehc_steps
from tests.workflows.conftest import JO, TOM, join, person
from workflows import ehc, reports
from workflows.models import NeedsAssessment

EP, HEALTH = "educational_psychology", "health"


def rows(table):
    return table.text_rows()[1:]


def agreed(school, tom, received: dt.date, agreed_on: dt.date) -> NeedsAssessment:
    case = submitted(school, "ehcp", received)
    picked_up(case, tom, received + dt.timedelta(days=1))
    decided(case, tom, agreed_on, Outcome.AGREED_TO_ASSESS)
    return NeedsAssessment.objects.get(assessment=case)


def ask(needs_assessment, on, kinds):
    with at(on):
        ehc_steps.advice_asked(ehc_steps.refreshed(needs_assessment), kinds)


def give(needs_assessment, kind, on):
    with at(on):
        ehc_steps.give(needs_assessment, kind)


def decide(needs_assessment, on, decision="issue"):
    with at(on):
        ehc.issue_decide(
            actor=needs_assessment.coordinator,
            needs_assessment=ehc_steps.refreshed(needs_assessment),
            decision=decision,
            reasons="Needs can be met from the school's own resources" if decision == "not_issue" else "",
            appeal_rights_given=decision == "not_issue",
        )


def issue_plan(needs_assessment, on):
    """Draft, the family's 'no further comments', and the final plan, all on one day."""
    with at(on):
        coordinator, fresh = needs_assessment.coordinator, ehc_steps.refreshed(needs_assessment)
        ehc.draft_plan_save(actor=coordinator, needs_assessment=fresh, sections=ehc_steps.DRAFT_SECTIONS)
        ehc.draft_plan_send(actor=coordinator, needs_assessment=fresh)
        ehc_steps.family_done(fresh)
        ehc.comment_period_close(actor=coordinator, needs_assessment=fresh)
        ehc.final_plan_issue(
            actor=coordinator,
            needs_assessment=ehc_steps.refreshed(fresh),
            sections={**ehc_steps.DRAFT_SECTIONS, "I": "Hillside Primary"},
        )


@pytest.fixture
def needs_assessments(demo_data):
    tom = person(TOM)
    school = verified_professional(full_name="Sam School")

    p = agreed(school, tom, day(1, 5), day(2, 9))
    ask(p, day(2, 10), (EP, HEALTH))
    give(p, HEALTH, day(3, 20))
    give(p, EP, day(3, 30))
    decide(p, day(4, 20))
    issue_plan(p, day(5, 27))

    q = agreed(school, tom, day(1, 12), day(2, 16))
    ask(q, day(2, 17), (EP,))
    with at(day(3, 2)):
        ehc.needs_assessment_clock_pause(actor=tom, needs_assessment=q, reason="child_away")
    with at(day(3, 16)):
        ehc.needs_assessment_clock_resume(actor=tom, needs_assessment=ehc_steps.refreshed(q))
    give(q, EP, day(4, 10))
    decide(q, day(5, 12))
    issue_plan(q, day(6, 10))

    r = agreed(school, tom, day(1, 19), day(2, 23))
    ask(r, day(2, 24), (EP,))
    with at(day(4, 14)):
        ehc.advice_close_unanswered(actor=tom, advice=ehc_steps.advice_of(r, EP), reason="No reply to three calls")
    decide(r, day(5, 15), decision="not_issue")

    s = agreed(school, tom, day(3, 2), day(4, 6))
    ask(s, day(4, 7), (EP,))

    t = agreed(school, tom, day(3, 16), day(4, 20))
    with at(day(6, 29)):
        ehc.needs_assessment_clock_pause(actor=tom, needs_assessment=t, reason="family_circumstances")

    found = {name: ehc_steps.refreshed(item) for name, item in {"p": p, "q": q, "r": r, "s": s, "t": t}.items()}
    return found


def test_the_pause_moved_q_s_dates_on_by_14_days(needs_assessments):
    """The hand count below rests on these dates."""
    q = needs_assessments["q"]
    assert (q.issue_decision_due, q.final_due) == (dt.date(2026, 5, 18), dt.date(2026, 6, 15))
    assert ehc_steps.advice_of(q, EP).due_on == dt.date(2026, 4, 14)
    p = needs_assessments["p"]
    assert (p.issue_decision_due, p.final_due) == (dt.date(2026, 4, 27), dt.date(2026, 5, 25))


def test_advice_returned_within_6_weeks_by_month_it_was_due(needs_assessments):
    """March: P's two (one late); April: Q's (in time after the pause) and R's that never came; May: S's, still
    awaited after its due date."""
    report = reports.ehcp_advice(scope_of(person(TOM)), filters())
    assert rows(report.table()) == [
        ["January 2026", "0", "0", "–"],
        ["February 2026", "0", "0", "–"],
        ["March 2026", "2", "1", "50.0"],
        ["April 2026", "2", "1", "50.0"],
        ["May 2026", "1", "0", "0.0"],
        ["June 2026", "0", "0", "–"],
        ["Total", "5", "2", "40.0"],
    ]


def test_advice_not_yet_due_is_not_counted(needs_assessments):
    """Seen on 18 May, S's advice (due 19 May, not yet come) is neither late nor in time."""
    seen_early = reports.ReportFilters(
        date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 5, 31), now=dt.datetime(2026, 5, 18, 12, tzinfo=dt.UTC)
    )
    assert reports.ehcp_advice(scope_of(person(TOM)), seen_early).cases == 0


def test_decisions_whether_to_issue_within_16_weeks_by_month_of_decision(needs_assessments):
    """April: P in time; May: Q in time (after the pause) and R's decision not to issue, late."""
    report = reports.ehcp_issue_decisions(scope_of(person(TOM)), filters())
    assert [(month.month.month, month.cases, month.within) for month in report.months if month.cases] == [
        (4, 1, 1),
        (5, 2, 1),
    ]
    assert (report.cases, report.within, round(report.percent, 1)) == (3, 2, 66.7)


def test_final_plans_within_20_weeks_read_from_the_needs_assessment(needs_assessments):
    """May: P's plan two days late; June: Q's in time because the pause moved week 20 on."""
    report = reports.ehcp_plans(scope_of(person(TOM)), filters())
    assert [(month.month.month, month.cases, month.within) for month in report.months if month.cases] == [
        (5, 1, 0),
        (6, 1, 1),
    ]
    assert rows(report.table())[-1] == ["Total", "2", "1", "50.0"]


def test_the_figures_are_not_for_teams_without_ehcp_requests_nor_other_types_nor_other_filters(needs_assessments):
    """Jo's Early Help hub has no EHCP figures; choosing EHAT or health organisations leaves them out."""
    jo, tom = scope_of(person(JO)), scope_of(person(TOM))
    for build in (reports.ehcp_advice, reports.ehcp_issue_decisions, reports.ehcp_plans):
        assert build(jo, filters()).applies is False and build(jo, filters()).cases == 0
        assert build(tom, filters(kind="ehat")).applies is False
        assert build(tom, filters(organisation_kind=OrganisationKind.HEALTH)).cases == 0
        assert build(tom, filters(team=Team.objects.get(slug="send-statutory-assessment"))).cases > 0


def test_the_dashboard_and_its_tables_carry_the_three_figures(needs_assessments):
    board = reports.dashboard(scope_of(person(TOM)), filters())
    titles = [title for _, title, _ in board.tables()]
    assert titles[-4:] == [
        "EHCP decisions within 6 weeks",
        "EHC advice within 6 weeks",
        "EHC decisions whether to issue within 16 weeks",
        "EHC plans within 20 weeks",
    ]
    assert (board.ehcp_advice.within, board.ehcp_issue_decisions.within, board.ehcp_plans.within) == (2, 2, 1)


def test_each_figure_is_one_grouped_query(needs_assessments, django_assert_num_queries):
    """One grouped query each, not one per needs assessment (the team routes are remembered)."""
    scope = scope_of(person(TOM))
    reports.ehcp_plans(scope, filters())
    with django_assert_num_queries(3):
        reports.ehcp_advice(scope, filters())
        reports.ehcp_issue_decisions(scope, filters())
        reports.ehcp_plans(scope, filters())


# ---------------------------------------------------------------- running needs assessments in the lists


def test_the_overdue_list_holds_a_needs_assessment_whose_advice_is_late_linking_to_its_overview(needs_assessments):
    """S's advice was due on 19 May: 43 days late on 1 July. The finished ones (P, Q, R) are in no list."""
    report = reports.overdue(scope_of(person(TOM)), filters())
    s = needs_assessments["s"]
    assert report.count == 1
    assert rows(report.table()) == [
        [
            s.assessment.reference,
            "EHC needs assessment",
            "SEND statutory assessment team",
            "Waiting for advice (advice due)",
            "19 May 2026",
            "43",
            "Tom Evans",
            "Running",
        ]
    ]
    assert report.table().rows[0][0].href == f"/cases/{s.assessment_id}/needs-assessment/"


def test_the_due_soon_list_holds_a_needs_assessment_whose_week_16_is_near_marked_paused(needs_assessments):
    """T's decision whether to issue is due on 6 July, 5 days on; its clock has been paused since 29 June."""
    report = reports.due_soon(scope_of(person(TOM)), filters())
    t = needs_assessments["t"]
    assert rows(report.table()) == [
        [
            t.assessment.reference,
            "EHC needs assessment",
            "SEND statutory assessment team",
            "Asking for advice (week 16 decision due)",
            "6 Jul 2026",
            "5",
            "Tom Evans",
            "Paused since 29 Jun 2026",
        ]
    ]


def test_workload_counts_the_running_needs_assessments_of_their_coordinator(needs_assessments):
    """Tom coordinates S (overdue) and T (due soon); he holds no open case."""
    report = reports.workload(scope_of(person(TOM)), filters())
    assert rows(report.table()) == [["Tom Evans", "2", "1", "1"], ["Total", "2", "1", "1"]]


def test_the_lists_leave_needs_assessments_out_for_another_type_or_team(needs_assessments):
    tom, jo = scope_of(person(TOM)), scope_of(person(JO))
    assert reports.overdue(tom, filters(kind="ehat")).count == 0
    assert reports.workload(tom, filters(kind="young_carers")).officers == ()
    assert reports.overdue(jo, filters()).count == 0 and reports.due_soon(jo, filters()).count == 0
    assert reports.workload(jo, filters()).officers == ()


def test_a_colleague_sees_another_coordinators_needs_assessments_unnamed(needs_assessments):
    """An officer of the SEND team sees Tom's needs assessments in the lists as another officer's."""
    colleague = join("send-statutory-assessment")
    scope = scope_of(colleague)
    assert [case.holder for case in reports.overdue(scope, filters()).cases] == ["Another officer"]
    assert rows(reports.workload(scope, filters()).table())[0] == ["Other officers", "2", "1", "1"]
