"""The statutory dates of an EHC needs assessment, counted from the day the council received the request.

SEND Regulations 2014 and Code of Practice 2015: the decision whether to assess within 6 weeks (reg. 4,
CoP 9.14), advice within 6 weeks of being asked for it (reg. 8), the decision not to issue a plan by
week 16 (reg. 10, CoP 9.42), at least 15 days for comments on the draft plan (reg. 13), the final plan
within 20 weeks (reg. 13(2), CoP 9.40). The limits are in calendar weeks and days; a pause for a Code of
Practice 9.42 exception moves on every date still ahead by the calendar days paused.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from . import deadlines

ISSUE_DECISION_WEEKS = 16
ADVICE_WEEKS = 6
COMMENT_DAYS = 15

Pause = tuple[datetime.date, datetime.date]


@dataclass(frozen=True)
class StatutoryDates:
    decision_to_assess_due: datetime.date
    issue_decision_due: datetime.date
    final_due: datetime.date


def moved_on(due: datetime.date, pauses: Iterable[Pause]) -> datetime.date:
    """A due date moved on by each pause that began on or before it (a date already past stays)."""
    for paused_from, paused_to in sorted(pauses):
        if paused_from <= due:
            due = deadlines.extended("ehcp", due, paused_from, paused_to, frozenset())
    return due


def statutory_dates(received_on: datetime.date, pauses: Iterable[Pause] = ()) -> StatutoryDates:
    """Weeks 6, 16 and 20 from the day the request was received, moved on by the pauses so far."""
    pauses = list(pauses)
    targets = settings.PORTAL_DEADLINES["ehcp"]
    return StatutoryDates(
        decision_to_assess_due=moved_on(received_on + datetime.timedelta(weeks=targets["decision_weeks"]), pauses),
        issue_decision_due=moved_on(received_on + datetime.timedelta(weeks=ISSUE_DECISION_WEEKS), pauses),
        final_due=moved_on(received_on + datetime.timedelta(weeks=targets["final_weeks"]), pauses),
    )


def advice_due(requested_on: datetime.date) -> datetime.date:
    """Advice is due 6 weeks after it was asked for (SEND Regulations 2014, reg. 8)."""
    return requested_on + datetime.timedelta(weeks=ADVICE_WEEKS)


def comments_due(draft_sent_on: datetime.date) -> datetime.date:
    """The last day for comments on a draft plan: 15 calendar days after it was sent (reg. 13)."""
    return draft_sent_on + datetime.timedelta(days=COMMENT_DAYS)


def work_by(due: datetime.date, holidays: frozenset[datetime.date]) -> datetime.date:
    """The last working day on or before a statutory date: a plan cannot go out on a bank holiday."""
    day = due
    while not deadlines.is_working_day(day, holidays):
        day -= datetime.timedelta(days=1)
    return day
