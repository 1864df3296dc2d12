"""Denied access, logged for the security team (ASVS 16.3): who, and which record or page – never what
the record holds (no names of children or families, no answers)."""

import logging

logger = logging.getLogger("portal.access")


def access_denied_record(*, user, resource: str) -> None:
    user_id = user.pk if getattr(user, "is_authenticated", False) else "-"
    logger.warning("access_denied user_id=%s resource=%s", user_id, resource)
