"""Every permission codename the portal checks, the checks themselves, and the grants.

Views and services ask `can_<verb>_<thing>(user, obj)`; only the grant and revoke functions here
call guardian's assign_perm/remove_perm.
"""

from django.core.exceptions import PermissionDenied

# identity
APPROVE_ACCOUNTS = "identity.approve_accounts"
VIEW_AUTH_EVENTS = "identity.view_authevent"


def can_approve_accounts(user) -> bool:
    return user.is_active and user.has_perm(APPROVE_ACCOUNTS)


def require(allowed: bool, message: str = "You cannot do this") -> None:
    """Refuse the action unless the check passed (rendered as the styled 403 page)."""
    if not allowed:
        raise PermissionDenied(message)
