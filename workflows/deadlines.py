"""Deadlines: the statutory clock for EHCP requests, local targets in working days for the others."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from portal.remembered import remembered

from .holidays import BANK_HOLIDAYS_CACHE_KEY, bank_holidays_forget, with_usual_years_after
from .models import BankHoliday

__all__ = ["bank_holidays", "bank_holidays_forget"]

logger = logging.getLogger(__name__)

# Every change made through Django forgets them at once (workflows.apps); this bounds any other change.
BANK_HOLIDAYS_KEPT_SECONDS = 60 * 60


def bank_holidays() -> frozenset[datetime.date]:
    """Every bank holiday's date, remembered in the cache (shared by the web processes in production).

    They change a few times a year and every submission counts its deadlines with them (bench/README.md).
    Years after the last one loaded count the usual bank holidays, never none, with a warning in the log
    (administrators see one in the admin too: workflows.holidays).
    """
    return remembered(BANK_HOLIDAYS_CACHE_KEY, _bank_holidays_read, BANK_HOLIDAYS_KEPT_SECONDS)


def _bank_holidays_read() -> frozenset[datetime.date]:
    loaded = frozenset(BankHoliday.objects.values_list("date", flat=True))
    holidays, filled = with_usual_years_after(loaded, timezone.localdate())
    if filled:
        logger.warning(
            "Bank holidays not loaded for %s: deadlines count the usual ones. Load them with "
            "manage.py load_bank_holidays or the admin's bank holidays page.",
            ", ".join(str(year) for year in filled),
        )
    elif not loaded:
        logger.warning(
            "No bank holidays loaded: deadlines count weekends only. Load them with manage.py load_bank_holidays."
        )
    return holidays


def is_working_day(day: datetime.date, holidays: frozenset[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: datetime.date, days: int, holidays: frozenset[datetime.date]) -> datetime.date:
    """The date `days` working days after `start` (weekends and bank holidays skipped)."""
    day = start
    added = 0
    while added < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays):
            added += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, holidays: frozenset[datetime.date]) -> int:
    """Working days after `start` up to and including `end`."""
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + datetime.timedelta(days=offset), holidays)
    )


@dataclass(frozen=True)
class DueDates:
    pickup_due: datetime.date
    decision_due: datetime.date
    final_due: datetime.date | None


def due_dates_for(kind: str, requested_on: datetime.date, holidays: frozenset[datetime.date]) -> DueDates:
    """Due dates from the day of the request.

    EHCP (SEND Code of Practice 9.14, 9.40): the decision whether to assess within 6 weeks of the request,
    the final plan within 20 weeks; local targets elsewhere, in working days.
    """
    targets = settings.PORTAL_DEADLINES[kind]
    pickup = add_working_days(requested_on, targets["pickup_working_days"], holidays)
    if kind == "ehcp":
        return DueDates(
            pickup_due=pickup,
            decision_due=requested_on + datetime.timedelta(weeks=targets["decision_weeks"]),
            final_due=requested_on + datetime.timedelta(weeks=targets["final_weeks"]),
        )
    return DueDates(
        pickup_due=pickup,
        decision_due=add_working_days(requested_on, targets["decision_working_days"], holidays),
        final_due=None,
    )


def extended(
    kind: str, due: datetime.date | None, paused_from: datetime.date, paused_to: datetime.date, holidays
) -> datetime.date | None:
    """A due date moved on by a pause: calendar days for the statutory clock, working days for local targets."""
    if due is None or paused_to <= paused_from:
        return due
    if kind == "ehcp":
        return due + (paused_to - paused_from)
    return add_working_days(due, working_days_between(paused_from, paused_to, holidays), holidays)
