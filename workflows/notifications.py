"""Notifications: a row in the outbox written with the change it tells of, e-mailed after the commit.

Each e-mail says exactly what happened and what to do, with a link (the complaint about portals that
say only "you have new information"), and never what the case holds: e-mail leaves the council's systems,
is forwarded and sits in shared mailboxes, so it gives the case reference, who did what, and a link to sign in
and read the rest – never the child's name or date of birth, the answers, message text, decision notes,
reasons or return comments (`email_context`).
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from celery import shared_task
from celery.exceptions import CeleryError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError

from casework.models import Assessment
from identity.models import User

from .models import MANDATORY_KINDS, DeliveryStatus, Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)

SUBJECTS = {
    NotificationKind.SUBMITTED: "{reference} has been submitted to the {team}",
    NotificationKind.NEW_IN_QUEUE: "New in your queue: {kind_title} {reference}",
    NotificationKind.CLAIMED: "{reference} is being reviewed by {officer}",
    NotificationKind.ASSIGNED: "{reference} has been assigned to you",
    NotificationKind.RETURNED: "Action needed: {officer} has returned {reference} for changes",
    NotificationKind.RESUBMITTED: "{reference} has been submitted again after changes",
    NotificationKind.MESSAGE: "New message about {reference} from {sender}",
    NotificationKind.CLOSED: "Decision on {reference}: {outcome}",
    NotificationKind.WITHDRAWN: "{reference} has been withdrawn by {sender}",
    NotificationKind.REOPENED: "{reference} has been reopened by {manager}",
    NotificationKind.DEADLINE_SOON: "Decision due on {due_date}: {reference}",
    NotificationKind.OVERDUE: "Overdue since {due_date}: {reference}",
    # No child's name: the family has withdrawn the consent to share it.
    NotificationKind.CONSENT_WITHDRAWN: "{reference}: the family has withdrawn consent",
    NotificationKind.ADVICE_REQUESTED: "Action needed: {advice_kind} for {reference} by {due_date}",
    NotificationKind.ADVICE_INVITATION: "Action needed: register to give {advice_kind} for {reference}",
    NotificationKind.ADVICE_DUE_SOON: "Advice due on {due_date}: {reference}",
    NotificationKind.ADVICE_OVERDUE: "Advice overdue since {due_date}: {reference}",
    NotificationKind.ADVICE_ESCALATED: "Advice still missing, due {due_date}: {reference}",
    NotificationKind.ADVICE_GIVEN: "Advice given for {reference}: {advice_kind}",
    NotificationKind.DRAFT_PLAN_SENT: "Draft EHC plan for {reference}: comments by {comments_due}",
    NotificationKind.PLAN_ISSUED: "Final EHC plan issued for {reference}",
    NotificationKind.PLAN_NOT_ISSUED: "Decision on {reference}: no EHC plan will be issued",
    NotificationKind.ANNUAL_REVIEW_SOON: "Annual review of the EHC plan due by {due_date}: {reference}",
    NotificationKind.ANNUAL_REVIEW_LATE: "Annual review of the EHC plan overdue since {due_date}: {reference}",
    NotificationKind.ANNUAL_DECISION_LATE: "Decision after the annual review overdue since {due_date}: {reference}",
}

# What an e-mail may carry from the change it tells of: names of council staff and professionals, teams,
# titles, dates, statuses and the outcome's label. Anything else a service passes (the message's text, a
# decision's note, a reason, return comments, typed names in a decision) stays on the portal, behind sign-in.
EMAIL_CONTEXT_KEYS = frozenset(
    {
        "reference",
        "kind_title",
        "team",
        "organisation",
        "officer",
        "manager",
        "author",
        "sender",
        "outcome",
        "decision_due",
        "pickup_due",
        "due_date",
        "holder",
        "status",
        "resubmission",
        "recorder",
        # The EHC needs assessment: the kind of advice (a label), who is asked and who coordinates, dates, and
        # the link to register with (workflows.ehc_notifications).
        "advice_kind",
        "professional",
        "coordinator",
        "register_link",
        "comments_due",
        "issued_on",
        "for_coordinator",
        "working_days_late",
    }
)


def email_context(context: dict) -> dict:
    """The part of a change's context an e-mail may show, with free text replaced by whether there is any."""
    safe = {key: value for key, value in context.items() if key in EMAIL_CONTEXT_KEYS}
    if "comments" in context:
        # Which sections need changes (their titles are the form's, not the officer's words).
        safe["sections"] = [comment["field"] for comment in context["comments"]]
    safe["has_message"] = bool(context.get("message"))
    safe["has_reason"] = bool(context.get("reason"))
    details = context.get("details") or {}
    # A date and a yes/no are the decision's facts; the names typed into it are read on the portal.
    safe["review_date"] = details.get("review_date", "")
    safe["appeal_information"] = bool(details.get("appeal_information"))
    safe["lead_professional_named"] = bool(details.get("lead_professional"))
    safe["coordinator_named"] = bool(details.get("coordinator"))
    return safe


def email_wanted(user_id: int | None, kind: str) -> bool:
    """Whether this person wants this kind of notification by e-mail (a team mailbox, `None`, always does)."""
    if user_id is None or kind in MANDATORY_KINDS:
        return True
    wanted = NotificationPreference.objects.filter(user_id=user_id, kind=kind).values_list("email", flat=True).first()
    return wanted is None or wanted


def notification_for(
    *,
    kind: NotificationKind,
    assessment: Assessment | None,
    link: str,
    context: dict,
    recipient: User | None = None,
    email: str = "",
    dedupe_key: str | None = None,
) -> Notification | None:
    """The outbox row of a notification for a person (or a team mailbox), not yet saved; None for nobody."""
    address = recipient.email if recipient is not None else email
    if not address:
        return None
    full_context = {
        "council_name": settings.PORTAL_COUNCIL_NAME,
        "service_name": settings.PORTAL_SERVICE_NAME,
        "support_email": settings.PORTAL_SUPPORT_EMAIL,
        "name": recipient.full_name if recipient is not None else "colleague",
        "link": link,
        **email_context(context),
    }
    if assessment is not None:
        full_context.setdefault("reference", assessment.reference)
    return Notification(
        recipient=recipient,
        recipient_email=address,
        assessment=assessment,
        kind=kind,
        subject=SUBJECTS[kind].format(**full_context)[:200],
        body=render_to_string(f"workflows/email/{kind}.txt", full_context),
        html_body=render_to_string(f"workflows/email/{kind}.html", full_context),
        link=link,
        dedupe_key=dedupe_key,
    )


def notify(**notification_spec) -> Notification | None:
    """Record a notification (the arguments of `notification_for`) and send its e-mail once the change commits.

    With a `dedupe_key` already used, nothing happens: work that runs twice notifies once.
    """
    notification = notification_for(**notification_spec)
    if notification is None:
        return None
    if notification.dedupe_key is None:
        notification.save()
    else:
        try:
            # A savepoint, so that a second sending of the same reminder leaves the caller's work intact.
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            if Notification.objects.filter(dedupe_key=notification.dedupe_key).exists():
                return None
            raise
    _send_after_commit(notification)
    return notification


def notify_all(*notification_specs: dict) -> list[Notification]:
    """Several notifications of one change, written to the outbox in one statement (none with a dedupe key)."""
    notifications = [notification_for(**spec) for spec in notification_specs]
    notifications = [notification for notification in notifications if notification is not None]
    if any(notification.dedupe_key is not None for notification in notifications):
        raise ValueError("A notification with a dedupe key is written by notify(), one at a time")
    Notification.objects.bulk_create(notifications)
    for notification in notifications:
        _send_after_commit(notification)
    return notifications


def _send_after_commit(notification: Notification) -> None:
    transaction.on_commit(lambda: _publish(notification.pk))


def _publish(notification_id: int) -> None:
    try:
        deliver_notification.delay(notification_id)
    except (OperationalError, CeleryError, RuntimeError, OSError):
        # The row stays in the outbox; the sweeper sends it when the broker is back.
        logger.warning("Broker unavailable: notification %s waits in the outbox", notification_id)


def notification_deliver(notification_id: int) -> bool:
    """Send one notification's e-mail, at most once: claim it, send it, mark it sent."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status__in=(DeliveryStatus.CREATED, DeliveryStatus.FAILED))
            .first()
        )
        if notification is None:
            return False
        # The person's choice as it stands when the e-mail would go (not when the change was made), and
        # read here rather than in the change's own transaction, which is then one query shorter.
        if not email_wanted(notification.recipient_id, notification.kind):
            notification.status = DeliveryStatus.NOT_EMAILED
            notification.save(update_fields=["status"])
            return False
        notification.status = DeliveryStatus.SENDING
        notification.attempts += 1
        notification.sending_since = timezone.now()
        notification.save(update_fields=["status", "attempts", "sending_since"])
    message = EmailMultiAlternatives(
        notification.subject,
        notification.body,
        settings.DEFAULT_FROM_EMAIL,
        [notification.recipient_email],
        # The same Message-ID every time: if a lost worker makes us send twice, mail systems drop the copy.
        headers={"Message-ID": message_id_for(notification)},
    )
    message.attach_alternative(notification.html_body, "text/html")
    try:
        message.send()
    except OSError as error:
        Notification.objects.filter(pk=notification.pk).update(
            status=DeliveryStatus.FAILED, last_error=str(error)[:300]
        )
        raise
    Notification.objects.filter(pk=notification.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    return True


def message_id_for(notification: Notification) -> str:
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portal.invalid"
    return f"<notification.{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{host}>"


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def deliver_notification(notification_id: int) -> bool:
    return notification_deliver(notification_id)


SWEEP_AFTER_SECONDS = 60
# A send that a lost worker left half-done is tried again after this long.
STUCK_SENDING_SECONDS = 15 * 60
MAX_ATTEMPTS = 6


def notifications_sweep() -> int:
    """Queue again whatever the outbox still holds: left by a broker outage, a lost worker or a failed send."""
    now = timezone.now()
    waiting = Notification.objects.filter(
        Q(status=DeliveryStatus.CREATED, created_at__lt=now - timedelta(seconds=SWEEP_AFTER_SECONDS))
        | Q(status=DeliveryStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
        | Q(status=DeliveryStatus.SENDING, sending_since__lt=now - timedelta(seconds=STUCK_SENDING_SECONDS))
    ).values_list("pk", flat=True)[:500]
    queued = 0
    for notification_id in waiting:
        Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED
        )
        try:
            deliver_notification.delay(notification_id)
        except (OperationalError, CeleryError, RuntimeError, OSError):
            logger.warning("Broker still unavailable: %s notifications wait", len(waiting))
            break
        queued += 1
    return queued
