"""The portal's roles. Each is a Django group holding the role's model permissions."""

from enum import StrEnum


class Role(StrEnum):
    PROFESSIONAL = "Professional"
    OFFICER = "Council officer"
    TEAM_MANAGER = "Team manager"
    SERVICE_MANAGER = "Service manager"
    ADMINISTRATOR = "Administrator"
    # Answers subject access requests and reads the disclosure log; given only by a superuser (least privilege).
    DATA_PROTECTION_OFFICER = "Data protection officer"


ROLE_NAMES = frozenset(role.value for role in Role)


def roles_of(user) -> frozenset[Role]:
    """The roles a user holds, read once per user object (one query) and then remembered."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        names = user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True)
        cached = frozenset(Role(name) for name in names)
        user._portal_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    """True when the user holds any of the given roles."""
    return bool(roles_of(user).intersection(roles))
