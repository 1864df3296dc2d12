"""The needs assessment's statutory dates: weeks 6, 16 and 20 from the request, advice, comments, pauses, holidays."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tests.workflows.conftest import claimed, close_it, fresh, join
from tests.workflows.ehc_steps import (
    advice_asked,
    advice_of,
    agreed,
    at,
    decided_to_issue,
    draft_sent,
    give,
    needs_assessment_of,
    refreshed,
)
from workflows import deadlines, ehc, ehc_dates, services
from workflows.models import ClockPause, PauseReason

D = dt.date


def test_weeks_6_16_and_20_count_calendar_weeks_from_the_request(db):
    """Received Monday 2 March 2026; Good Friday and Easter Monday fall inside and change nothing."""
    dates = ehc_dates.statutory_dates(D(2026, 3, 2))
    assert dates == ehc_dates.StatutoryDates(
        decision_to_assess_due=D(2026, 4, 13), issue_decision_due=D(2026, 6, 22), final_due=D(2026, 7, 20)
    )


def test_a_pause_moves_only_the_dates_still_ahead_of_it(db):
    """Paused 1 to 31 May 2026 (30 days): week 6 (13 April) had passed, weeks 16 and 20 move 30 days on."""
    dates = ehc_dates.statutory_dates(D(2026, 3, 2), [(D(2026, 5, 1), D(2026, 5, 31))])
    assert dates.decision_to_assess_due == D(2026, 4, 13)
    assert (dates.issue_decision_due, dates.final_due) == (D(2026, 7, 22), D(2026, 8, 19))


def test_two_pauses_add_up(db):
    pauses = [(D(2026, 3, 10), D(2026, 3, 20)), (D(2026, 6, 1), D(2026, 6, 8))]
    dates = ehc_dates.statutory_dates(D(2026, 3, 2), pauses)
    assert dates.decision_to_assess_due == D(2026, 4, 23)
    assert (dates.issue_decision_due, dates.final_due) == (D(2026, 7, 9), D(2026, 8, 6))


def test_advice_is_due_6_weeks_after_it_was_asked_for_and_comments_15_days_after_the_draft(db):
    assert ehc_dates.advice_due(D(2026, 4, 14)) == D(2026, 5, 26)
    assert ehc_dates.comments_due(D(2026, 6, 24)) == D(2026, 7, 9)


@pytest.mark.parametrize(
    ("due", "work_by"),
    [
        pytest.param(D(2026, 12, 25), D(2026, 12, 24), id="week-20-on-christmas-day-2026"),
        pytest.param(D(2026, 12, 28), D(2026, 12, 24), id="substitute-boxing-day-back-over-christmas"),
        pytest.param(D(2026, 8, 31), D(2026, 8, 28), id="week-16-on-the-summer-bank-holiday"),
        pytest.param(D(2027, 3, 29), D(2027, 3, 25), id="advice-due-on-easter-monday-2027"),
        pytest.param(D(2026, 7, 19), D(2026, 7, 17), id="a-sunday"),
        pytest.param(D(2026, 7, 20), D(2026, 7, 20), id="a-working-day-stays"),
    ],
)
def test_the_last_working_day_before_a_statutory_date_skips_bank_holidays(demo_data, due, work_by):
    assert ehc_dates.work_by(due, deadlines.bank_holidays()) == work_by


def test_a_needs_assessment_carries_the_dates_of_its_request(people):
    """Received 2 March 2026, agreed on 10 April: week 16 is 22 June, week 20 the request's 20 July."""
    needs_assessment = agreed(D(2026, 3, 2), D(2026, 4, 10))
    assert needs_assessment.received_on == D(2026, 3, 2)
    assert needs_assessment.agreed_to_assess_on == D(2026, 4, 10)
    assert (needs_assessment.issue_decision_due, needs_assessment.final_due) == (D(2026, 6, 22), D(2026, 7, 20))
    assert needs_assessment.assessment.decision_due == D(2026, 4, 13)


def test_a_pause_before_the_decision_to_assess_moves_weeks_6_16_and_20(people):
    """The child was away 10 March to 9 April (30 days) while the SEND team considered the request."""
    with at(D(2026, 3, 2)):
        assessment = claimed("ehcp")
    with at(D(2026, 3, 10)):
        services.clock_pause(actor=people.tom, assessment=assessment, reason=PauseReason.CHILD_AWAY)
    with at(D(2026, 4, 9)):
        services.clock_resume(actor=people.tom, assessment=assessment)
    with at(D(2026, 5, 1)):
        needs_assessment = needs_assessment_of(close_it(fresh(assessment)))
    assert needs_assessment.assessment.decision_due == D(2026, 5, 13)
    assert (needs_assessment.issue_decision_due, needs_assessment.final_due) == (D(2026, 7, 22), D(2026, 8, 19))


def test_a_pause_still_open_at_the_decision_to_assess_ends_with_it_and_moves_the_dates(people):
    with at(D(2026, 3, 2)):
        assessment = claimed("ehcp")
    with at(D(2026, 3, 10)):
        services.clock_pause(actor=people.tom, assessment=assessment, reason=PauseReason.FAMILY_CIRCUMSTANCES)
    with at(D(2026, 3, 20)):
        needs_assessment = needs_assessment_of(close_it(fresh(assessment)))
    assert (needs_assessment.issue_decision_due, needs_assessment.final_due) == (D(2026, 7, 2), D(2026, 7, 30))


def test_a_pause_while_advice_is_gathered_moves_week_16_week_20_and_the_advice_not_yet_given(people):
    """Advice asked for on 14 April 2026 (due 26 May); paused 1 to 31 May for a school closure."""
    needs_assessment = agreed(D(2026, 3, 2), D(2026, 4, 10))
    with at(D(2026, 4, 14)):
        needs_assessment = advice_asked(needs_assessment, kinds=("setting", "health"))
    assert advice_of(needs_assessment, "setting").due_on == D(2026, 5, 26)
    with at(D(2026, 4, 28)):
        give(needs_assessment, "health")
    with at(D(2026, 5, 1)):
        ehc.needs_assessment_clock_pause(
            actor=people.tom, needs_assessment=needs_assessment, reason=PauseReason.SCHOOL_CLOSED
        )
    with at(D(2026, 5, 31)):
        ehc.needs_assessment_clock_resume(actor=people.tom, needs_assessment=needs_assessment)
    needs_assessment = refreshed(needs_assessment)
    assert (needs_assessment.issue_decision_due, needs_assessment.final_due) == (D(2026, 7, 22), D(2026, 8, 19))
    assert advice_of(needs_assessment, "setting").due_on == D(2026, 6, 25)
    assert advice_of(needs_assessment, "health").due_on == D(2026, 5, 26)
    assert fresh(needs_assessment.assessment).final_due == D(2026, 8, 19)
    event = needs_assessment.assessment.events.filter(kind="clock_resumed").latest("pk")
    assert event.summary == "Paused from 1 May 2026 to 31 May 2026"
    assert {change["field"]: change["after"] for change in event.changes} == {
        "decision whether to issue due": "2026-07-22",
        "final plan due": "2026-08-19",
        "The school or setting advice due": "2026-06-25",
    }


def test_a_pause_after_the_decision_to_issue_moves_only_week_20(people):
    needs_assessment = agreed(D(2026, 3, 2), D(2026, 4, 10))
    with at(D(2026, 6, 1)):
        needs_assessment = decided_to_issue(needs_assessment)
        ehc.needs_assessment_clock_pause(
            actor=people.tom, needs_assessment=needs_assessment, reason=PauseReason.MISSED_APPOINTMENT
        )
    with at(D(2026, 6, 11)):
        ehc.needs_assessment_clock_resume(actor=people.tom, needs_assessment=needs_assessment)
    needs_assessment = refreshed(needs_assessment)
    assert needs_assessment.issue_decision_due == D(2026, 6, 22)
    assert needs_assessment.final_due == D(2026, 7, 30)


def test_a_pause_during_the_comments_leaves_the_familys_15_days_as_they_were(people):
    needs_assessment = agreed(D(2026, 3, 2), D(2026, 4, 10))
    with at(D(2026, 6, 24)):
        needs_assessment = draft_sent(needs_assessment)
        ehc.needs_assessment_clock_pause(
            actor=people.tom, needs_assessment=needs_assessment, reason=PauseReason.CHILD_AWAY
        )
    assert needs_assessment.comments_due == D(2026, 7, 9)
    with at(D(2026, 7, 1)):
        ehc.needs_assessment_clock_resume(actor=people.tom, needs_assessment=needs_assessment)
    needs_assessment = refreshed(needs_assessment)
    assert (needs_assessment.comments_due, needs_assessment.final_due) == (D(2026, 7, 9), D(2026, 7, 27))


def test_week_20_on_christmas_day_is_worked_to_christmas_eve(people):
    """Received Friday 7 August 2026: week 16 is 27 November, week 20 Christmas Day, so the plan goes on the 24th."""
    needs_assessment = agreed(D(2026, 8, 7), D(2026, 9, 14))
    assert needs_assessment.final_due == D(2026, 12, 25)
    assert ehc.key_dates(needs_assessment) == [
        ("Decision whether to issue a plan (week 16)", D(2026, 11, 27), D(2026, 11, 27)),
        ("Final plan (week 20)", D(2026, 12, 25), D(2026, 12, 24)),
    ]


def test_a_pause_for_a_reason_outside_the_code_of_practice_is_refused(people):
    needs_assessment = agreed()
    with pytest.raises(ehc.TransitionRefused, match=r"Code of Practice 9\.42"):
        ehc.needs_assessment_clock_pause(
            actor=people.tom, needs_assessment=needs_assessment, reason=PauseReason.AWAITING_AGENCY
        )
    assert not ClockPause.objects.filter(assessment=needs_assessment.assessment, ended_on__isnull=True).exists()


def test_the_clock_is_worked_by_the_coordinator_or_a_send_manager_only(people):
    needs_assessment = agreed()
    other_officer = join("send-statutory-assessment")
    manager = join("send-statutory-assessment", role="manager")
    with pytest.raises(PermissionDenied):
        ehc.needs_assessment_clock_pause(
            actor=other_officer, needs_assessment=needs_assessment, reason=PauseReason.CHILD_AWAY
        )
    with pytest.raises(PermissionDenied):
        ehc.needs_assessment_clock_pause(
            actor=people.jo, needs_assessment=needs_assessment, reason=PauseReason.CHILD_AWAY
        )
    pause = ehc.needs_assessment_clock_pause(
        actor=manager, needs_assessment=needs_assessment, reason=PauseReason.CHILD_AWAY
    )
    assert pause.history.get().history_user == manager
    with pytest.raises(ehc.TransitionRefused, match="already paused"):
        ehc.needs_assessment_clock_pause(
            actor=people.tom, needs_assessment=needs_assessment, reason=PauseReason.CHILD_AWAY
        )


def test_resuming_a_clock_that_is_not_paused_is_refused(people):
    needs_assessment = agreed()
    with pytest.raises(ehc.TransitionRefused, match="not paused"):
        ehc.needs_assessment_clock_resume(actor=people.tom, needs_assessment=needs_assessment)


def test_the_comments_end_only_after_the_15th_day_when_the_family_have_not_said_they_are_done(people):
    """Sent Wednesday 24 June 2026: the family may comment up to and including Thursday 9 July."""
    needs_assessment = agreed(D(2026, 3, 2), D(2026, 4, 10))
    with at(D(2026, 6, 24)):
        needs_assessment = draft_sent(needs_assessment)
    with at(D(2026, 7, 9)), pytest.raises(ehc.TransitionRefused, match="until 9 July 2026"):
        ehc.comment_period_close(actor=people.tom, needs_assessment=needs_assessment)
    with at(D(2026, 7, 10)):
        needs_assessment = ehc.comment_period_close(actor=people.tom, needs_assessment=needs_assessment)
    assert needs_assessment.stage == "finalising"
