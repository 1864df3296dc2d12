"""Denied access, logged for the security team (ASVS 16.3): who, and which record or page – never what
the record holds (no names of children or families, no answers)."""

import logging

from django.core.exceptions import PermissionDenied

logger = logging.getLogger("portal.access")


def access_denied_record(*, user, resource: str) -> None:
    user_id = user.pk if getattr(user, "is_authenticated", False) else "-"
    logger.warning("access_denied user_id=%s resource=%s", user_id, resource)


class RefusalsLoggedOnce(logging.Filter):
    """Drops django.request's record of a PermissionDenied, which carries the traceback of an ordinary refusal.

    The styled 403 page (portal.views.permission_denied) has already logged it as one line with the user's id
    and the path; real errors (500s) and everything else pass untouched, tracebacks included.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[1] if record.exc_info else None
        return not isinstance(exception, PermissionDenied)
