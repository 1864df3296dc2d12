"""Reads about people and organisations."""

from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.utils import timezone

from .models import (
    ACCESS_CHANGE_KINDS,
    AuthEvent,
    AuthEventKind,
    Organisation,
    OrganisationDomain,
    User,
    normalise_email,
)
from .permissions import can_give_role
from .roles import ROLE_NAMES


class EmailDomainStatus(StrEnum):
    WORK = "work"  # a known organisation's domain or a public-sector suffix: accepted straight away
    WEBMAIL = "webmail"  # a free personal e-mail provider: allowed after a warning, needs approval
    UNKNOWN = "unknown"  # any other domain: allowed after a warning, needs approval


def email_domain(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


def _matches(domain: str, suffix: str) -> bool:
    suffix = suffix.lower().lstrip(".")
    return domain == suffix or domain.endswith("." + suffix)


def email_domain_status(email: str) -> EmailDomainStatus:
    """How the work e-mail policy treats an address (the seed: register with a work address)."""
    domain = email_domain(email)
    # As typed, before the form has validated it: a control character or space is in no organisation's domain
    # (and PostgreSQL refuses a NUL in a query).
    if not domain or any(character.isspace() or not character.isprintable() for character in domain):
        return EmailDomainStatus.UNKNOWN
    if domain in {d.lower() for d in settings.PORTAL_WEBMAIL_DOMAINS}:
        return EmailDomainStatus.WEBMAIL
    if any(_matches(domain, suffix) for suffix in settings.PORTAL_PUBLIC_SECTOR_EMAIL_SUFFIXES):
        return EmailDomainStatus.WORK
    candidates = {domain}
    parts = domain.split(".")
    candidates.update(".".join(parts[i:]) for i in range(1, len(parts) - 1))
    if OrganisationDomain.objects.filter(domain__in=candidates, organisation__is_active=True).exists():
        return EmailDomainStatus.WORK
    return EmailDomainStatus.UNKNOWN


def organisations_for_registration() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True).order_by("name")


def users_awaiting_approval() -> QuerySet[User]:
    """Accounts with a confirmed address outside the work domains that no administrator has decided on."""
    return (
        User.objects.filter(
            is_active=True, approval_required=True, approved_at__isnull=True, email_verified_at__isnull=False
        )
        .select_related("organisation")
        .order_by("email_verified_at")
    )


SIGN_IN_ACTIVITY_KINDS = (
    AuthEventKind.SIGNED_IN,
    AuthEventKind.SIGN_IN_FAILED,
    AuthEventKind.LOCKED_OUT,
    AuthEventKind.CODE_FAILED,
    AuthEventKind.SESSION_REPLACED,
    AuthEventKind.TIMED_OUT,
    AuthEventKind.SIGNED_OUT,
    AuthEventKind.PASSWORD_CHANGED,
    AuthEventKind.RESET_COMPLETED,
    AuthEventKind.SECURITY_ANSWER_FAILED,
    AuthEventKind.SECURITY_QUESTION_CHANGED,
    # A person sees who changed their roles and teams, as they see who signed in.
    *sorted(ACCESS_CHANGE_KINDS),
)


def sign_in_activity_for_user(user: User, *, limit: int = 20) -> list[AuthEvent]:
    """The account's recent sign-ins and security events, newest first, so sharing or misuse is visible."""
    return list(
        AuthEvent.objects.filter(user=user, kind__in=SIGN_IN_ACTIVITY_KINDS)
        .select_related("actor")
        .order_by("-created_at")[:limit]
    )


def roles_changeable_by(actor: User, user: User) -> QuerySet[Group]:
    """The portal's roles (never team groups) that the actor may give to or take from this person."""
    names = [name for name in sorted(ROLE_NAMES) if can_give_role(actor, name, user)]
    return Group.objects.filter(name__in=names).order_by("name")


def access_changes_for_user(user: User, *, limit: int = 50) -> list[AuthEvent]:
    """Changes to a person's roles and teams, newest first, with who made them."""
    return list(
        AuthEvent.objects.filter(user=user, kind__in=ACCESS_CHANGE_KINDS)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def stale_registrations() -> QuerySet[User]:
    """Accounts whose address was never confirmed within PORTAL_UNVERIFIED_RETENTION_DAYS (the privacy notice's 7)."""
    cutoff = timezone.now() - timedelta(days=settings.PORTAL_UNVERIFIED_RETENTION_DAYS)
    return User.objects.filter(email_verified_at__isnull=True, date_joined__lt=cutoff, last_login__isnull=True)
