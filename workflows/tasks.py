"""Periodic and background work of the review side: deadline reminders and the notification outbox."""

import logging

from celery import shared_task

from .notifications import deliver_notification, notifications_sweep
from .reminders import deadline_reminders_send

__all__ = ["deliver_notification", "send_deadline_reminders", "sweep_notifications"]

logger = logging.getLogger(__name__)


@shared_task
def send_deadline_reminders() -> int:
    """Daily: tell officers of deadlines 5 working days away, and officers and managers of overdue cases."""
    sent = deadline_reminders_send()
    logger.info("Deadline reminders: %d notifications", sent)
    return sent


@shared_task
def sweep_notifications() -> int:
    return notifications_sweep()
