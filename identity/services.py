"""Writes to people, organisations and teams. Views, forms' checks and the admin call these; nothing else writes.

Each service that changes an audited row saves it with a change reason, so django-simple-history
records who did what and why; sign-in events go to the AuthEvent log.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from importlib import import_module

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_otp import login as otp_login
from django_otp.plugins.otp_email.models import EmailDevice

from .emails import account_email_queue
from .models import (
    AuthEvent,
    AuthEventKind,
    Organisation,
    Team,
    TeamMembership,
    TeamRole,
    User,
    normalise_email,
    typed_email,
)
from .permissions import (
    CASE_OBJECT_RIGHTS,
    can_approve_accounts,
    can_change_group_permissions,
    can_give_role,
    can_manage_team_memberships,
    forget_cached_rights,
    require,
    team_leavers_rights_revoke,
)
from .roles import Role
from .selectors import EmailDomainStatus, email_domain_status, roles_changeable_by, stale_registrations
from .tokens import verification_token_make, verification_token_read

logger = logging.getLogger("identity.auth")

# Session keys this app owns.
LAST_ACTIVITY_SESSION_KEY = "portal_last_activity"
SIGN_IN_CODE_SESSION_KEY = "portal_sign_in_code"
RESET_SESSION_KEY = "portal_password_reset"


# ---------------------------------------------------------------- the audit log of sign-in events


def auth_event_record(
    *,
    kind: AuthEventKind,
    request=None,
    user: User | None = None,
    email: str = "",
    detail: str = "",
    actor: User | None = None,
) -> AuthEvent:
    """Write one sign-in audit event and log it. Callers never pass passwords, codes or answers."""
    ip_address = get_client_ip_address(request) if request is not None else None
    user_agent = request.headers.get("User-Agent", "")[:300] if request is not None else ""
    event = AuthEvent.objects.create(
        kind=kind,
        user=user,
        email=normalise_email(email or (user.email if user else "")),
        ip_address=ip_address or None,
        user_agent=user_agent,
        detail=detail[:300],
        actor=actor,
    )
    logger.info(
        "auth_event=%s user_id=%s actor_id=%s ip=%s",
        kind,
        user.pk if user else "-",
        actor.pk if actor else "-",
        ip_address or "-",
    )
    return event


def _save_technical_fields(user: User, *fields: str) -> None:
    """Save bookkeeping fields that the history leaves out (counters, session key), without a history row."""
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=list(fields))
    finally:
        del user.skip_history_when_saving


def _absolute(request, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.PORTAL_BASE_URL.rstrip("/") + path


# ---------------------------------------------------------------- teams


def team_group_for_name(*, name: str) -> Group:
    """The group that holds a team's object permissions, created when the team is."""
    group, _ = Group.objects.get_or_create(name=f"Team: {name}")
    return group


@transaction.atomic
def team_group_sync_members(*, team: Team) -> None:
    """Make the team's group hold exactly the team's members, so their object permissions follow membership;
    anyone who has left loses their own rights on the team's cases too."""
    members = list(team.members.all())
    leavers = list(team.group.user_set.exclude(pk__in=[member.pk for member in members]))
    team.group.user_set.set(members)
    team_leavers_rights_revoke(team=team, users=leavers)


# ---------------------------------------------------------------- changes of access: roles, teams, groups
#
# The rule (least privilege): roles that reach case data or manage accounts, and team memberships, are given
# only by a superuser, here, and never to oneself; an administrator gives only the Professional role. Team groups
# follow TeamMembership rows and are never edited directly. Each change is an AuthEvent: whom (`user`), who
# (`actor`), what (`detail`) and when.


def _forget_access(user: User) -> None:
    forget_cached_rights(user)
    if hasattr(user, "_portal_roles"):
        del user._portal_roles


@transaction.atomic
def role_give(*, request, actor: User, user: User, role: Group) -> None:
    """Give a person one of the portal's roles (see `can_give_role` for who may give which)."""
    require(can_give_role(actor, role.name, user), "You cannot give this role")
    if user.groups.filter(pk=role.pk).exists():
        return
    user.groups.add(role)
    _forget_access(user)
    auth_event_record(kind=AuthEventKind.ROLE_GIVEN, request=request, user=user, actor=actor, detail=role.name)


@transaction.atomic
def role_remove(*, request, actor: User, user: User, role: Group) -> None:
    require(can_give_role(actor, role.name, user), "You cannot take this role away")
    if not user.groups.filter(pk=role.pk).exists():
        return
    user.groups.remove(role)
    _forget_access(user)
    auth_event_record(kind=AuthEventKind.ROLE_REMOVED, request=request, user=user, actor=actor, detail=role.name)


@transaction.atomic
def user_roles_set(*, request, actor: User, user: User, roles) -> None:
    """Of the roles the actor may change for this person, make them hold exactly `roles`; others are untouched."""
    changeable = set(roles_changeable_by(actor, user))
    wanted = set(roles)
    require(wanted <= changeable, "You cannot give these roles")
    held = set(user.groups.filter(pk__in=[group.pk for group in changeable]))
    for role in sorted(wanted - held, key=lambda group: group.name):
        role_give(request=request, actor=actor, user=user, role=role)
    for role in sorted(held - wanted, key=lambda group: group.name):
        role_remove(request=request, actor=actor, user=user, role=role)


@transaction.atomic
def team_membership_add(
    *, request, actor: User, team: Team, user: User, role: str = TeamRole.OFFICER
) -> TeamMembership:
    """Put a council user in a team: they join its group, and so the rights on the team's cases."""
    require(can_manage_team_memberships(actor, user), "You cannot change this person's teams")
    membership = TeamMembership(team=team, user=user, role=role)
    membership.full_clean()
    membership._change_reason = f"Added by {actor.full_name}"
    membership.save()
    team_group_sync_members(team=team)
    _forget_access(user)
    auth_event_record(
        kind=AuthEventKind.TEAM_JOINED,
        request=request,
        user=user,
        actor=actor,
        detail=f"{team.name} as {membership.get_role_display().lower()}",
    )
    return membership


@transaction.atomic
def team_membership_role_change(*, request, actor: User, membership: TeamMembership, role: str) -> None:
    """Make a team's officer its manager, or its manager an officer."""
    membership = TeamMembership.objects.select_for_update().select_related("team", "user").get(pk=membership.pk)
    require(can_manage_team_memberships(actor, membership.user), "You cannot change this person's teams")
    if membership.role == role:
        return
    before = membership.get_role_display().lower()
    membership.role = role
    membership.full_clean()
    membership._change_reason = f"Role changed by {actor.full_name}"
    membership.save(update_fields=["role"])
    auth_event_record(
        kind=AuthEventKind.TEAM_ROLE_CHANGED,
        request=request,
        user=membership.user,
        actor=actor,
        detail=f"{membership.team.name}: {before} to {membership.get_role_display().lower()}",
    )


@transaction.atomic
def team_membership_remove(*, request, actor: User, membership: TeamMembership) -> None:
    """Take a person out of a team: they leave its group and lose their own rights on its cases at once."""
    membership = TeamMembership.objects.select_for_update().select_related("team", "user").get(pk=membership.pk)
    require(can_manage_team_memberships(actor, membership.user), "You cannot change this person's teams")
    team, user = membership.team, membership.user
    membership._change_reason = f"Removed by {actor.full_name}"
    membership.delete()
    team_group_sync_members(team=team)
    _forget_access(user)
    auth_event_record(kind=AuthEventKind.TEAM_LEFT, request=request, user=user, actor=actor, detail=team.name)


class CaseRightRefused(Exception):
    """A group was to hold a right on assessments globally, which the portal never gives (see CASE_OBJECT_RIGHTS)."""


def permission_codename(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


@transaction.atomic
def group_permissions_set(*, request, actor: User, group: Group, permissions) -> None:
    """Set a group's model permissions (superusers only); never a right on assessments, which is per case."""
    require(can_change_group_permissions(actor), "You cannot change a group's permissions")
    wanted = set(permissions)
    refused = sorted(permission_codename(p) for p in wanted if permission_codename(p) in CASE_OBJECT_RIGHTS)
    if refused:
        raise CaseRightRefused(", ".join(refused))
    held = set(group.permissions.select_related("content_type"))
    added, removed = wanted - held, held - wanted
    if not added and not removed:
        return
    group.permissions.set(wanted)
    for member in group.user_set.all():
        _forget_access(member)

    def names(chosen) -> str:
        return ", ".join(sorted(permission_codename(permission) for permission in chosen)) or "none"

    auth_event_record(
        kind=AuthEventKind.GROUP_PERMISSIONS_CHANGED,
        request=request,
        actor=actor,
        detail=f"{group.name}: added {names(added)}; removed {names(removed)}",
    )


# ---------------------------------------------------------------- security question


def security_answer_normalise(answer: str) -> str:
    """Answers match whatever the case and spacing: 'Plymouth  Argyle' is 'plymouth argyle'."""
    return " ".join((answer or "").split()).casefold()


def _security_answer_apply(user: User, *, question: str, answer: str) -> None:
    user.security_question = question.strip()
    user.security_answer_hash = make_password(security_answer_normalise(answer))


@transaction.atomic
def security_question_change(*, request, user: User, question: str, answer: str) -> None:
    _security_answer_apply(user, question=question, answer=answer)
    user._change_reason = "Security question changed"
    user.save(update_fields=["security_question", "security_answer_hash"])
    auth_event_record(kind=AuthEventKind.SECURITY_QUESTION_CHANGED, request=request, user=user)


# ---------------------------------------------------------------- registration and verification


@transaction.atomic
def registration_create(
    *,
    request,
    email: str,
    full_name: str,
    organisation: Organisation,
    job_title: str,
    phone: str,
    password: str,
    security_question: str,
    security_answer: str,
) -> None:
    """Register a professional and send the verification link.

    An address that already has an account gets the same outcome on screen; its owner is e-mailed
    instead, so nobody can learn from the portal which addresses are registered (ASVS 6.3.8).
    """
    email = normalise_email(email)
    if User.objects.filter(email__iexact=email).exists():
        _registration_for_existing_address(request=request, email=email, password=password)
        return
    user = User(
        email=email,
        full_name=full_name.strip(),
        organisation=organisation,
        job_title=job_title.strip(),
        phone=phone,
        approval_required=email_domain_status(email) != EmailDomainStatus.WORK,
    )
    user.set_password(password)
    _security_answer_apply(user, question=security_question, answer=security_answer)
    user._change_reason = "Registered"
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Someone registered the same address a moment ago.
        _registration_for_existing_address(request=request, email=email, password=password)
        return
    user.groups.add(Group.objects.get_or_create(name=Role.PROFESSIONAL.value)[0])
    EmailDevice.objects.create(user=user, name="default", confirmed=True)
    auth_event_record(kind=AuthEventKind.REGISTERED, request=request, user=user)
    verification_send(request=request, user=user)


def _registration_for_existing_address(*, request, email: str, password: str) -> None:
    # Hash anyway, so the response takes as long as a real registration's.
    make_password(password)
    owner = User.objects.get(email__iexact=email)
    auth_event_record(kind=AuthEventKind.REGISTRATION_EXISTING, request=request, user=owner)
    account_email_queue(
        template="identity/email/registration_existing",
        to=owner.email,
        subject="Someone tried to register with your e-mail address",
        context={
            "full_name": owner.full_name,
            "sign_in_url": _absolute(request, reverse("identity:sign-in")),
            "reset_url": _absolute(request, reverse("identity:password-reset")),
        },
    )


class VerificationSendResult(StrEnum):
    SENT = "sent"
    TOO_SOON = "too_soon"
    NOT_NEEDED = "not_needed"


def verification_send(*, request, user: User) -> VerificationSendResult:
    """E-mail a link to confirm the address, at most once a minute (PORTAL_EMAIL_RESEND_COOLDOWN_SECONDS)."""
    if user.is_email_verified or not user.is_active:
        return VerificationSendResult.NOT_NEEDED
    now = timezone.now()
    cooldown = timedelta(seconds=settings.PORTAL_EMAIL_RESEND_COOLDOWN_SECONDS)
    if user.verification_sent_at and now - user.verification_sent_at < cooldown:
        return VerificationSendResult.TOO_SOON
    user.verification_sent_at = now
    _save_technical_fields(user, "verification_sent_at")
    token = verification_token_make(user_id=user.pk, email=user.email)
    account_email_queue(
        template="identity/email/verify_email",
        to=user.email,
        subject="Confirm your e-mail address for the Professional Portal",
        context={
            "full_name": user.full_name,
            "verify_url": _absolute(request, reverse("identity:verify", args=[token])),
            "hours": settings.PORTAL_VERIFICATION_LINK_HOURS,
            "resend_url": _absolute(request, reverse("identity:verify-resend")),
        },
    )
    auth_event_record(kind=AuthEventKind.VERIFICATION_SENT, request=request, user=user)
    return VerificationSendResult.SENT


def verification_resend_for_email(*, request, email: str) -> None:
    """The "didn't get the e-mail?" page: send a new link if the address has an unconfirmed account.

    Says nothing about whether it had one.
    """
    user = User.objects.filter(email__iexact=normalise_email(email), is_active=True).first()
    if user is not None:
        verification_send(request=request, user=user)


class VerificationOutcome(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclass(frozen=True)
class VerificationCheck:
    outcome: VerificationOutcome
    user: User | None = None


def verification_check(*, token: str) -> VerificationCheck:
    """What a verification link would do, without doing it (mail scanners open links too)."""
    claim = verification_token_read(token)
    if claim is None:
        return VerificationCheck(VerificationOutcome.INVALID)
    user = User.objects.filter(pk=claim.user_id, email__iexact=claim.email, is_active=True).first()
    if user is None:
        return VerificationCheck(VerificationOutcome.INVALID)
    if user.is_email_verified:
        return VerificationCheck(VerificationOutcome.ALREADY_CONFIRMED, user)
    if claim.expired:
        return VerificationCheck(VerificationOutcome.EXPIRED, user)
    return VerificationCheck(VerificationOutcome.CONFIRMED, user)


@transaction.atomic
def verification_confirm(*, request, token: str) -> VerificationCheck:
    """Confirm the address a link was sent to. Each link works once and for PORTAL_VERIFICATION_LINK_HOURS."""
    check = verification_check(token=token)
    if check.outcome != VerificationOutcome.CONFIRMED:
        return check
    user = User.objects.select_for_update().get(pk=check.user.pk)
    if user.is_email_verified:
        return VerificationCheck(VerificationOutcome.ALREADY_CONFIRMED, user)
    user.email_verified_at = timezone.now()
    user._change_reason = "E-mail address confirmed"
    user.save(update_fields=["email_verified_at"])
    auth_event_record(kind=AuthEventKind.VERIFIED, request=request, user=user)
    if user.is_awaiting_approval:
        _tell_administrators_of_pending_account(request=request, user=user)
    return VerificationCheck(VerificationOutcome.CONFIRMED, user)


def verification_resend_for_token(*, request, token: str) -> None:
    """The button on an expired link's page: a new link for the same account, if it still needs one."""
    check = verification_check(token=token)
    if check.user is not None:
        verification_send(request=request, user=check.user)


def _tell_administrators_of_pending_account(*, request, user: User) -> None:
    administrators = User.objects.filter(is_active=True, groups__name=Role.ADMINISTRATOR.value).distinct()
    for administrator in administrators:
        account_email_queue(
            template="identity/email/approval_needed",
            to=administrator.email,
            subject="An account is waiting for your approval",
            context={
                "full_name": administrator.full_name,
                "applicant_name": user.full_name,
                "applicant_email": user.email,
                "applicant_organisation": str(user.organisation or "No organisation given"),
                "approvals_url": _absolute(request, reverse("identity:approvals")),
            },
        )


@transaction.atomic
def stale_registrations_delete() -> int:
    """Delete accounts whose address was never confirmed in time, leaving nothing of them behind.

    Their sign-in log (the address, browser and IP address) and every history row of the account go too:
    simple-history would otherwise keep the whole registration, and write one more row for the deletion.
    """
    deleted = 0
    for user in stale_registrations().order_by("pk"):
        pk = user.pk
        AuthEvent.objects.filter(user_id=pk).delete()
        user.delete()
        User.history.filter(id=pk).delete()
        deleted += 1
    return deleted


# ---------------------------------------------------------------- approval of accounts outside work domains


@transaction.atomic
def account_approve(*, request, actor: User, user: User) -> None:
    require(can_approve_accounts(actor))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_awaiting_approval:
        return
    user.approved_at = timezone.now()
    user.approved_by = actor
    user._change_reason = f"Account approved by {actor.full_name}"
    user.save(update_fields=["approved_at", "approved_by"])
    auth_event_record(kind=AuthEventKind.APPROVED, request=request, user=user, detail=f"by user {actor.pk}")
    account_email_queue(
        template="identity/email/account_approved",
        to=user.email,
        subject="Your Professional Portal account has been approved",
        context={"full_name": user.full_name, "sign_in_url": _absolute(request, reverse("identity:sign-in"))},
    )


@transaction.atomic
def account_reject(*, request, actor: User, user: User) -> None:
    require(can_approve_accounts(actor))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_awaiting_approval:
        return
    user.is_active = False
    user._change_reason = f"Account not approved by {actor.full_name}"
    user.save(update_fields=["is_active"])
    sessions_end_for_user(user=user)
    auth_event_record(kind=AuthEventKind.REJECTED, request=request, user=user, detail=f"by user {actor.pk}")
    account_email_queue(
        template="identity/email/account_rejected",
        to=user.email,
        subject="Your Professional Portal account was not approved",
        context={"full_name": user.full_name},
    )


# ---------------------------------------------------------------- signing in


class SignInBlock(StrEnum):
    UNVERIFIED = "unverified"
    AWAITING_APPROVAL = "awaiting_approval"


def sign_in_block_for(user: User) -> SignInBlock | None:
    """Why an account with the right password may not sign in yet, if it may not."""
    if not user.is_email_verified:
        return SignInBlock.UNVERIFIED
    if user.is_awaiting_approval:
        return SignInBlock.AWAITING_APPROVAL
    return None


def sign_in_device_for(user: User) -> EmailDevice:
    """The account's e-mail device, made on first use for accounts created by an administrator."""
    device = EmailDevice.objects.filter(user=user, name="default").order_by("pk").first()
    if device is None:
        device = EmailDevice.objects.create(user=user, name="default", confirmed=True)
    return device


def sign_in_password_accepted(*, request, user: User) -> None:
    """The password step passed: a new session key (ASVS 7.2.4) and the audit entry."""
    request.session.cycle_key()
    auth_event_record(kind=AuthEventKind.PASSWORD_ACCEPTED, request=request, user=user)


def sign_in_failed(*, request, email: str, detail: str = "") -> None:
    email = typed_email(email)
    user = User.objects.filter(email__iexact=email).first() if email else None
    auth_event_record(kind=AuthEventKind.SIGN_IN_FAILED, request=request, user=user, email=email, detail=detail)


class CodeSendResult(StrEnum):
    SENT = "sent"
    EARLIER_CODE_STANDS = "earlier_code_stands"
    TOO_SOON = "too_soon"


def _code_usable(device: EmailDevice) -> bool:
    """Whether the device's code can still sign someone in: unused, unexpired, tries left."""
    return (
        device.token is not None
        and timezone.now() < device.valid_until
        and device.throttling_failure_count < settings.PORTAL_SIGN_IN_CODE_MAX_ATTEMPTS
    )


def _code_bind(*, request, device: EmailDevice, sent_earlier: bool) -> None:
    # The code in the device belongs to the attempts bound to it only: a code sent to another attempt,
    # even the same person's in another browser, replaces it and is refused here.
    request.session[SIGN_IN_CODE_SESSION_KEY] = {
        "valid_until": device.valid_until.isoformat(),
        "sent_earlier": sent_earlier,
    }


def _code_generate(*, request, user: User, device: EmailDevice) -> None:
    # Wrong tries are counted on the device, per code (not per attempt), so a new code starts at none.
    device.throttle_reset(commit=False)
    device.generate_challenge(
        extra_context={
            "full_name": user.full_name,
            "minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60,
            "council_name": settings.PORTAL_COUNCIL_NAME,
            "service_name": settings.PORTAL_SERVICE_NAME,
            "support_email": settings.PORTAL_SUPPORT_EMAIL,
        }
    )
    _code_bind(request=request, device=device, sent_earlier=False)
    auth_event_record(kind=AuthEventKind.CODE_SENT, request=request, user=user)


def sign_in_code_start(*, request, user: User) -> CodeSendResult:
    """At the password step: e-mail a new code, or, within the minute between codes, use the one just sent.

    A code sent less than a minute ago that still works is bound to this attempt too (it passed the
    password step); one that was used or tried too often is not, and no new code goes until the minute is up.
    """
    with transaction.atomic():
        device = EmailDevice.objects.select_for_update().get(pk=sign_in_device_for(user).pk)
        allowed, _ = device.generate_is_allowed()
        if allowed:
            _code_generate(request=request, user=user, device=device)
            return CodeSendResult.SENT
        if _code_usable(device):
            _code_bind(request=request, device=device, sent_earlier=True)
            return CodeSendResult.EARLIER_CODE_STANDS
    # A binding left in this session by an earlier attempt is that attempt's, not this one's.
    request.session.pop(SIGN_IN_CODE_SESSION_KEY, None)
    return CodeSendResult.TOO_SOON


def sign_in_code_send(*, request, user: User) -> CodeSendResult:
    """E-mail a new 6-digit code bound to this sign-in attempt ("send a new code"); at most one a minute."""
    with transaction.atomic():
        device = EmailDevice.objects.select_for_update().get(pk=sign_in_device_for(user).pk)
        allowed, _ = device.generate_is_allowed()
        if not allowed:
            return CodeSendResult.TOO_SOON
        _code_generate(request=request, user=user, device=device)
    return CodeSendResult.SENT


def sign_in_code_seconds_until_resend(*, user: User) -> int:
    device = sign_in_device_for(user)
    allowed, data = device.generate_is_allowed()
    if allowed:
        return 0
    return max(1, int((data["next_generation_at"] - timezone.now()).total_seconds()) + 1)


@dataclass(frozen=True)
class SignInCodeStatus:
    """What the code page may truthfully say about this attempt's code."""

    usable: bool
    sent_earlier: bool
    minutes_left: int
    seconds_until_resend: int


def sign_in_code_status(*, request, user: User) -> SignInCodeStatus:
    binding = request.session.get(SIGN_IN_CODE_SESSION_KEY)
    device = sign_in_device_for(user)
    usable = bool(binding) and binding["valid_until"] == device.valid_until.isoformat() and _code_usable(device)
    return SignInCodeStatus(
        usable=usable,
        sent_earlier=bool(binding and binding.get("sent_earlier")),
        minutes_left=int((device.valid_until - timezone.now()).total_seconds() // 60) if usable else 0,
        seconds_until_resend=sign_in_code_seconds_until_resend(user=user),
    )


class CodeRefusal(StrEnum):
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY = "too_many"


class SignInCodeRefused(Exception):
    def __init__(self, reason: CodeRefusal):
        super().__init__(reason)
        self.reason = reason


def sign_in_code_verify(*, request, user: User, code: str) -> EmailDevice:
    """Check the code typed at the second step. Single use, 10 minutes, bound attempts only, 5 tries a code.

    Returns the verified device; raises SignInCodeRefused saying why not.
    """
    binding = request.session.get(SIGN_IN_CODE_SESSION_KEY)
    with transaction.atomic():
        device = EmailDevice.objects.select_for_update().get(pk=sign_in_device_for(user).pk)
        if not binding or device.token is None or binding["valid_until"] != device.valid_until.isoformat():
            refusal = CodeRefusal.EXPIRED
        elif device.throttling_failure_count >= settings.PORTAL_SIGN_IN_CODE_MAX_ATTEMPTS:
            refusal = CodeRefusal.TOO_MANY
        elif timezone.now() >= device.valid_until:
            refusal = CodeRefusal.EXPIRED
        elif device.verify_token(code):
            del request.session[SIGN_IN_CODE_SESSION_KEY]
            return device
        else:
            # verify_token counted the wrong try on the device (django-otp's throttle factor is 0, so the
            # count only counts): every attempt bound to this code shares its 5 tries.
            auth_event_record(kind=AuthEventKind.CODE_FAILED, request=request, user=user)
            refusal = CodeRefusal.WRONG
            if device.throttling_failure_count >= settings.PORTAL_SIGN_IN_CODE_MAX_ATTEMPTS:
                # Burn the code: guessing further needs a new one, and new ones come a minute apart.
                device.token = None
                device.save(update_fields=["token"])
                refusal = CodeRefusal.TOO_MANY
    raise SignInCodeRefused(refusal)


def sign_in_complete(*, request, user: User, device: EmailDevice) -> None:
    """Both factors passed: sign in with a new session key and end any other session of the account."""
    previous_session_key = user.current_session_key
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    request.session[LAST_ACTIVITY_SESSION_KEY] = timezone.now().timestamp()
    request.session.save()
    if previous_session_key and previous_session_key != request.session.session_key:
        # The older session is not deleted here: its next request meets the middleware, which ends it
        # and tells that browser why.
        auth_event_record(kind=AuthEventKind.SESSION_REPLACED, request=request, user=user)
    user.current_session_key = request.session.session_key
    _save_technical_fields(user, "current_session_key")
    auth_event_record(kind=AuthEventKind.SIGNED_IN, request=request, user=user)


def _session_store_class() -> type[SessionBase]:
    return import_module(settings.SESSION_ENGINE).SessionStore


def _session_delete(session_key: str) -> None:
    _session_store_class()(session_key=session_key).delete()


def sessions_end_for_user(*, user: User) -> None:
    """End the account's session wherever it is (deactivation, rejection, password reset)."""
    if user.current_session_key:
        _session_delete(user.current_session_key)
        user.current_session_key = ""
        _save_technical_fields(user, "current_session_key")


def sign_out(*, request, kind: AuthEventKind | None = AuthEventKind.SIGNED_OUT) -> None:
    """End this session. `kind` None: no audit entry (the event was recorded where it happened)."""
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        if kind is not None:
            auth_event_record(kind=kind, request=request, user=user)
        if user.current_session_key == request.session.session_key:
            user.current_session_key = ""
            _save_technical_fields(user, "current_session_key")
    django_logout(request)


def session_touch(*, request, always: bool = False) -> None:
    """Count this request as activity, restarting the idle time-out.

    Unless `always`, the time is written only when the last one is older than a sixtieth of the time-out
    (30 seconds of 30 minutes): most pages then read the session without writing it back.
    """
    now = timezone.now().timestamp()
    last_activity = request.session.get(LAST_ACTIVITY_SESSION_KEY)
    if always or last_activity is None or now - last_activity >= settings.PORTAL_SESSION_IDLE_SECONDS / 60:
        request.session[LAST_ACTIVITY_SESSION_KEY] = now


def session_seconds_left(*, request) -> int:
    """Seconds before the idle time-out ends this session (PORTAL_SESSION_IDLE_SECONDS after the last activity)."""
    last_activity = request.session.get(LAST_ACTIVITY_SESSION_KEY)
    if last_activity is None:
        return 0
    left = settings.PORTAL_SESSION_IDLE_SECONDS - (timezone.now().timestamp() - last_activity)
    return max(0, int(left))


# ---------------------------------------------------------------- passwords


@transaction.atomic
def password_change(*, request, user: User, new_password: str) -> None:
    """Change the password; every other session ends, this one continues under a new key."""
    user.set_password(new_password)
    user._change_reason = "Password changed"
    user.save()
    update_session_auth_hash(request, user)
    user.current_session_key = request.session.session_key
    _save_technical_fields(user, "current_session_key")
    auth_event_record(kind=AuthEventKind.PASSWORD_CHANGED, request=request, user=user)
    account_email_queue(
        template="identity/email/password_changed",
        to=user.email,
        subject="Your Professional Portal password has been changed",
        context={"full_name": user.full_name, "reset_url": _absolute(request, reverse("identity:password-reset"))},
    )


def password_reset_request(*, request, email: str) -> None:
    """E-mail a single-use reset link, if the address has an account that can use one. Says nothing either way."""
    user = User.objects.filter(email__iexact=normalise_email(email), is_active=True).first()
    if user is None or not user.is_email_verified:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    account_email_queue(
        template="identity/email/password_reset",
        to=user.email,
        subject="Reset your Professional Portal password",
        context={
            "full_name": user.full_name,
            "reset_url": _absolute(request, reverse("identity:password-reset-link", args=[uid, token])),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )
    auth_event_record(kind=AuthEventKind.RESET_REQUESTED, request=request, user=user)


def password_reset_link_open(*, request, uidb64: str, token: str) -> bool:
    """Check an e-mailed reset link and, if good, carry it in the session (off the URL) to the next steps."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return False
    if not default_token_generator.check_token(user, token):
        return False
    request.session[RESET_SESSION_KEY] = {"user": user.pk, "token": token, "answered": False}
    return True


def password_reset_user(*, request) -> User | None:
    """The account whose reset is under way in this session, while its link is still valid."""
    state = request.session.get(RESET_SESSION_KEY)
    if not state:
        return None
    user = User.objects.filter(pk=state["user"], is_active=True).first()
    if user is None or not default_token_generator.check_token(user, state["token"]):
        request.session.pop(RESET_SESSION_KEY, None)
        return None
    return user


def password_reset_question_needed(*, request) -> bool:
    state = request.session.get(RESET_SESSION_KEY) or {}
    return not state.get("answered", False)


class SecurityAnswerResult(StrEnum):
    CORRECT = "correct"
    WRONG = "wrong"
    LOCKED = "locked"


def security_answer_locked(user: User) -> bool:
    return bool(user.security_answer_locked_until and timezone.now() < user.security_answer_locked_until)


@transaction.atomic
def password_reset_answer_check(*, request, user: User, answer: str) -> SecurityAnswerResult:
    """The security question, asked after the e-mailed link: an extra check, throttled (ASVS 6.4.2)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if security_answer_locked(user):
        return SecurityAnswerResult.LOCKED
    if not user.security_answer_hash or check_password(security_answer_normalise(answer), user.security_answer_hash):
        user.security_answer_failures = 0
        _save_technical_fields(user, "security_answer_failures")
        state = request.session[RESET_SESSION_KEY]
        request.session[RESET_SESSION_KEY] = {**state, "answered": True}
        return SecurityAnswerResult.CORRECT
    user.security_answer_failures += 1
    auth_event_record(kind=AuthEventKind.SECURITY_ANSWER_FAILED, request=request, user=user)
    if user.security_answer_failures < settings.PORTAL_SECURITY_ANSWER_MAX_ATTEMPTS:
        _save_technical_fields(user, "security_answer_failures")
        return SecurityAnswerResult.WRONG
    user.security_answer_failures = 0
    user.security_answer_locked_until = timezone.now() + timedelta(minutes=settings.PORTAL_SECURITY_ANSWER_LOCK_MINUTES)
    _save_technical_fields(user, "security_answer_failures", "security_answer_locked_until")
    request.session.pop(RESET_SESSION_KEY, None)
    account_email_queue(
        template="identity/email/security_answer_locked",
        to=user.email,
        subject="Password reset paused on your Professional Portal account",
        context={"full_name": user.full_name, "minutes": settings.PORTAL_SECURITY_ANSWER_LOCK_MINUTES},
    )
    return SecurityAnswerResult.LOCKED


@transaction.atomic
def password_reset_complete(*, request, user: User, new_password: str) -> None:
    """Set the new password. Every session ends and nobody is signed in: signing in still needs the code."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(new_password)
    user._change_reason = "Password reset with an e-mailed link"
    user.save()
    request.session.pop(RESET_SESSION_KEY, None)
    sessions_end_for_user(user=user)
    axes_reset(username=user.email)
    auth_event_record(kind=AuthEventKind.RESET_COMPLETED, request=request, user=user)
    account_email_queue(
        template="identity/email/password_changed",
        to=user.email,
        subject="Your Professional Portal password has been changed",
        context={"full_name": user.full_name, "reset_url": _absolute(request, reverse("identity:password-reset"))},
    )


# ---------------------------------------------------------------- profile and deactivation


@transaction.atomic
def profile_update(*, user: User, full_name: str, job_title: str, phone: str) -> None:
    user.full_name = full_name.strip()
    user.job_title = job_title.strip()
    user.phone = phone
    user._change_reason = "Profile updated"
    user.save(update_fields=["full_name", "job_title", "phone"])


@transaction.atomic
def account_deactivate(*, request, actor: User, user: User) -> None:
    """Switch an account off: its session ends at once and it can no longer sign in."""
    user.is_active = False
    user._change_reason = f"Deactivated by {actor.full_name}"
    user.save(update_fields=["is_active"])
    sessions_end_for_user(user=user)
    auth_event_record(kind=AuthEventKind.DEACTIVATED, request=request, user=user, detail=f"by user {actor.pk}")
