"""Deadlines: working days with England's bank holidays, the EHCP statutory clock, and pauses."""

import datetime as dt

import pytest
import time_machine

from tests.workflows.conftest import claimed, close_it, fresh, resubmit, return_it, submitted
from workflows import deadlines, services
from workflows.models import BankHoliday, ClockPause, PauseReason

D = dt.date


def at(day: dt.date, hour: int = 10):
    """Travel to a working hour of a day (UK time is UTC or UTC+1, so 10:00 UTC is that day everywhere)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC), tick=False)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(D(2026, 3, 6), 1, D(2026, 3, 9), id="friday-to-monday"),
        pytest.param(D(2026, 3, 7), 1, D(2026, 3, 9), id="from-a-saturday"),
        pytest.param(D(2026, 3, 2), 10, D(2026, 3, 16), id="two-working-weeks"),
        pytest.param(D(2026, 12, 24), 1, D(2026, 12, 29), id="christmas-and-substitute-boxing-day-2026"),
        pytest.param(D(2026, 12, 23), 5, D(2027, 1, 4), id="christmas-to-new-year-2027"),
        pytest.param(D(2027, 3, 25), 1, D(2027, 3, 30), id="good-friday-to-easter-monday-2027"),
        pytest.param(D(2027, 3, 22), 10, D(2027, 4, 7), id="two-weeks-across-easter-2027"),
        pytest.param(D(2026, 3, 2), 0, D(2026, 3, 2), id="no-days"),
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(demo_data, start, days, expected):
    assert deadlines.add_working_days(start, days, deadlines.bank_holidays()) == expected


def test_bank_holidays_come_from_the_fixture(demo_data):
    holidays = deadlines.bank_holidays()
    assert {D(2026, 12, 25), D(2026, 12, 28), D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29)} <= holidays
    assert not deadlines.is_working_day(D(2026, 12, 28), holidays)
    assert deadlines.is_working_day(D(2026, 12, 29), holidays)


def test_bank_holidays_are_read_once_and_again_after_any_change(demo_data, django_assert_num_queries):
    """Remembered between submissions; a day added or removed through Django counts from the next count."""
    assert D(2026, 5, 26) not in deadlines.bank_holidays()
    with django_assert_num_queries(0):
        deadlines.bank_holidays()
    BankHoliday.objects.create(date=D(2026, 5, 26), name="Council closure day")
    assert D(2026, 5, 26) in deadlines.bank_holidays()
    BankHoliday.objects.filter(date=D(2026, 5, 26)).delete()
    assert D(2026, 5, 26) not in deadlines.bank_holidays()


def test_a_bank_holiday_added_moves_the_next_submissions_due_dates(people):
    """Added between two submissions on the same day, the holiday pushes only the second one's dates on."""
    with at(D(2026, 3, 2)):
        before = submitted("ehat")
    BankHoliday.objects.create(date=D(2026, 3, 4), name="Council closure day")
    with at(D(2026, 3, 2)):
        after = submitted("ehat")
    assert (before.pickup_due, after.pickup_due) == (D(2026, 3, 9), D(2026, 3, 10))
    assert (before.decision_due, after.decision_due) == (D(2026, 3, 30), D(2026, 3, 31))


def test_working_days_between_counts_after_the_start_up_to_the_end(demo_data):
    holidays = deadlines.bank_holidays()
    assert deadlines.working_days_between(D(2026, 3, 4), D(2026, 3, 11), holidays) == 5
    assert deadlines.working_days_between(D(2026, 12, 24), D(2027, 1, 4), holidays) == 4
    assert deadlines.working_days_between(D(2026, 3, 4), D(2026, 3, 4), holidays) == 0


def test_ehcp_decision_is_due_6_weeks_and_the_plan_20_weeks_after_the_request(people):
    """SEND Code of Practice 9.14 and 9.40: calendar weeks from the day of the request."""
    with at(D(2026, 3, 2)):
        assessment = submitted("ehcp")
    assert assessment.pickup_due == D(2026, 3, 9)
    assert assessment.decision_due == D(2026, 4, 13)
    assert assessment.final_due == D(2026, 7, 20)


@pytest.mark.parametrize("kind", ["ehat", "young_carers"])
def test_local_decision_is_due_20_working_days_later_across_christmas(people, kind):
    """Submitted Monday 14 December 2026: Christmas, the substitute Boxing Day and New Year's Day do not count."""
    with at(D(2026, 12, 14)):
        assessment = submitted(kind)
    assert assessment.pickup_due == D(2026, 12, 21)
    assert assessment.decision_due == D(2027, 1, 14)
    assert assessment.final_due is None


@pytest.mark.parametrize("kind", ["ehat", "young_carers"])
def test_return_pauses_the_local_clock_and_resubmission_moves_the_dates_on(people, kind):
    """Returned on Wednesday 4 March, back on Wednesday 11 March: 5 working days on, across Easter 2026."""
    with at(D(2026, 3, 2)):
        assessment = claimed(kind)
    assert (assessment.pickup_due, assessment.decision_due) == (D(2026, 3, 9), D(2026, 3, 30))
    with at(D(2026, 3, 4)):
        assessment = return_it(assessment)
    pause = ClockPause.objects.get(assessment=assessment)
    assert (pause.reason, pause.started_on, pause.ended_on) == (PauseReason.RETURNED, D(2026, 3, 4), None)
    with at(D(2026, 3, 11)):
        assessment = resubmit(assessment)
    assert ClockPause.objects.get(assessment=assessment).ended_on == D(2026, 3, 11)
    assert assessment.pickup_due == D(2026, 3, 16)
    # 30 March + 5 working days: 31 March, 1, 2, (Good Friday 3, Easter Monday 6 April), 7 and 8 April.
    assert assessment.decision_due == D(2026, 4, 8)


def test_ehcp_return_does_not_stop_the_statutory_clock(people):
    with at(D(2026, 3, 2)):
        assessment = claimed("ehcp")
    with at(D(2026, 3, 4)):
        assessment = return_it(assessment)
    with at(D(2026, 3, 11)):
        assessment = resubmit(assessment)
    assert not ClockPause.objects.filter(assessment=assessment).exists()
    assert (assessment.decision_due, assessment.final_due) == (D(2026, 4, 13), D(2026, 7, 20))


def test_code_of_practice_pause_moves_the_ehcp_dates_by_the_calendar_days_paused(people):
    """The school was closed from 10 March to 9 April (30 days): both statutory dates move 30 days on."""
    with at(D(2026, 3, 2)):
        assessment = claimed("ehcp")
    with at(D(2026, 3, 10)):
        services.clock_pause(actor=people.tom, assessment=assessment, reason=PauseReason.SCHOOL_CLOSED)
    assert fresh(assessment).decision_due == D(2026, 4, 13)
    with at(D(2026, 4, 9)):
        services.clock_resume(actor=people.tom, assessment=assessment)
    assessment = fresh(assessment)
    assert assessment.decision_due == D(2026, 5, 13)
    assert assessment.final_due == D(2026, 8, 19)
    event = assessment.events.get(kind="clock_resumed")
    assert event.summary == "Paused from 10 March 2026 to 9 April 2026"
    assert {change["field"]: change["after"] for change in event.changes}["decision due"] == "2026-05-13"


def test_deciding_a_paused_case_ends_the_pause(people):
    with at(D(2026, 3, 2)):
        assessment = claimed("ehcp")
        services.clock_pause(actor=people.tom, assessment=assessment, reason=PauseReason.CHILD_AWAY)
    with at(D(2026, 3, 12)):
        close_it(assessment)
    assert ClockPause.objects.get(assessment=assessment).ended_on == D(2026, 3, 12)
    assert fresh(assessment).decision_due == D(2026, 4, 23)
