"""Days, weeks and months are the council's (Europe/London), on SQLite as on PostgreSQL: a case received or
decided in the hour after midnight in summer time belongs to the new day, whatever the UTC date says."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from casework.models import Assessment, Outcome
from tests.casework.conftest import verified_professional
from tests.reports.conftest import _request, day, picked_up, submitted
from tests.workflows.conftest import LEE, TOM, person
from workflows import reports, services
from workflows.reports import ReportFilters, _utc_offsets, report_scope
from workflows.summaries import daily_summaries_rebuild

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SUMMER = ReportFilters(date_from=day(6, 1), date_to=day(7, 31), now=dt.datetime(2026, 8, 3, 12, 0, tzinfo=UTC))


def decided_at(case, officer, moment: dt.datetime, outcome=Outcome.AGREED_TO_ASSESS):
    with time_machine.travel(moment, tick=False):
        services.assessment_close(
            request=_request(officer), actor=officer, assessment=case, outcome=outcome, note="Decided", details={}
        )


def test_the_clocks_changes_are_found_to_the_minute():
    start = timezone.make_aware(dt.datetime(2026, 1, 1))
    end = timezone.make_aware(dt.datetime(2027, 1, 1))
    assert _utc_offsets(start, end) == [
        (None, 0),
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 60),
        (dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 0),
    ]


def test_a_case_received_half_an_hour_into_a_summer_monday_counts_in_that_week(demo_data):
    """23:30 UTC on Sunday 7 June is 00:30 on Monday 8 June in Plymouth."""
    author = verified_professional(full_name="Sam School")
    submitted(author, "ehat", day(6, 3))
    late_sunday = submitted(author, "ehat", day(6, 7))
    Assessment.objects.filter(pk=late_sunday.pk).update(first_submitted_at=dt.datetime(2026, 6, 7, 23, 30, tzinfo=UTC))
    # Changed behind the services' back, so the summaries are counted afresh from the rows.
    daily_summaries_rebuild()
    report = reports.weekly_volumes(report_scope(person(LEE)), SUMMER)
    received = {week.week: week.received for week in report.weeks if week.received}
    assert received == {dt.date(2026, 6, 1): 1, dt.date(2026, 6, 8): 1}


def test_a_decision_half_an_hour_after_midnight_on_the_day_after_it_was_due_is_late(demo_data):
    """Due on a summer day: decided at 23:30 that evening (22:30 UTC) is in time; at 00:30 the next morning
    (23:30 UTC, still the due date in UTC) is late, and counts in the month of the local day."""
    tom = person(TOM)
    author = verified_professional(full_name="Sam School")
    in_time, late = (submitted(author, "ehcp", day(5, 4)) for _ in range(2))
    for case in (in_time, late):
        picked_up(case, tom, day(5, 5))
        case.refresh_from_db()
    due = in_time.decision_due
    assert due == late.decision_due and due.month == 6 and due.day < 30
    decided_at(in_time, tom, dt.datetime.combine(due, dt.time(22, 30), tzinfo=UTC))
    decided_at(late, tom, dt.datetime.combine(due, dt.time(23, 30), tzinfo=UTC))

    report = reports.ehcp_decisions(report_scope(person(LEE)), SUMMER)
    june = next(month for month in report.months if month.month == dt.date(2026, 6, 1))
    assert (june.cases, june.within) == (2, 1)


def test_a_decision_just_after_midnight_on_the_first_of_july_counts_in_july(demo_data):
    tom = person(TOM)
    case = submitted(verified_professional(full_name="Sam School"), "ehcp", day(6, 1))
    picked_up(case, tom, day(6, 2))
    decided_at(case, tom, dt.datetime(2026, 6, 30, 23, 15, tzinfo=UTC))  # 00:15 on 1 July in Plymouth
    report = reports.ehcp_decisions(report_scope(person(LEE)), SUMMER)
    decided = {month.month: month.cases for month in report.months if month.cases}
    assert decided == {dt.date(2026, 7, 1): 1}
