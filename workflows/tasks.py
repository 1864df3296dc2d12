"""Periodic and background work of the review side: deadline reminders and the notification outbox."""

import logging

from celery import shared_task

from .kept_dashboards import kept_dashboards_refresh
from .notifications import deliver_notification, notifications_sweep
from .reminders import advice_reminders_send, annual_review_reminders_send, deadline_reminders_send
from .retention import retention_apply

__all__ = [
    "apply_retention_schedule",
    "deliver_notification",
    "keep_dashboards",
    "send_deadline_reminders",
    "sweep_notifications",
]

logger = logging.getLogger(__name__)


@shared_task
def send_deadline_reminders() -> int:
    """Daily: tell officers of deadlines 5 working days away, and officers and managers of overdue cases;
    the same for the advice of EHC needs assessments (the professionals asked and the coordinators)."""
    sent = deadline_reminders_send() + advice_reminders_send()
    sent += annual_review_reminders_send()
    logger.info("Deadline reminders: %d notifications", sent)
    return sent


@shared_task
def sweep_notifications() -> int:
    return notifications_sweep()


@shared_task
def apply_retention_schedule() -> int:
    """Daily: anonymise or delete the cases past their retention date (a second run the same day finds none)."""
    run = retention_apply()
    logger.info("Retention run %s: %s", run.pk, run.counts)
    return run.pk


@shared_task
def keep_dashboards() -> int:
    """Every few minutes: work out again the dashboards people have been opening, so theirs opens at once."""
    refreshed = kept_dashboards_refresh()
    logger.info("Kept dashboards: %d worked out again", refreshed)
    return refreshed
