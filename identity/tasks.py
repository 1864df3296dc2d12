"""Background work for accounts, run by Celery workers and beat."""

import logging

from celery import shared_task

from .emails import send_account_email
from .services import stale_registrations_delete

__all__ = ["delete_stale_registrations", "send_account_email"]

logger = logging.getLogger(__name__)


@shared_task
def delete_stale_registrations() -> int:
    """Delete registrations never confirmed within PORTAL_UNVERIFIED_RETENTION_DAYS (the privacy notice's promise)."""
    deleted = stale_registrations_delete()
    logger.info("Deleted %d unconfirmed registrations", deleted)
    return deleted
