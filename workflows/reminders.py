"""Deadline reminders, driven by the due dates in the database so that running twice notifies once."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from casework.models import Assessment, Status
from identity.models import TeamMembership, TeamRole

from . import deadlines
from .annual_review_models import AnnualReview, AnnualReviewStage
from .ehc_models import AdviceRequest, NeedsAssessmentStage
from .ehc_notifications import advice_context, coordinator_link, to_adviser
from .models import ClockPause, NotificationKind
from .notifications import notify


def _case_link(assessment: Assessment) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("workflows:case", args=[assessment.pk])


def deadline_reminders_send(today: datetime.date | None = None) -> int:
    """Notify about decisions due within PORTAL_REMINDER_WORKING_DAYS, and about overdue ones. Idempotent."""
    today = today or timezone.localdate()
    holidays = deadlines.bank_holidays()
    soon = deadlines.add_working_days(today, settings.PORTAL_REMINDER_WORKING_DAYS, holidays)
    paused = ClockPause.objects.filter(assessment=OuterRef("pk"), ended_on__isnull=True)
    open_cases = (
        # Returned cases too: an EHCP return does not stop the statutory clock (paused ones are left out below).
        Assessment.objects.filter(
            status__in=(Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED), decision_due__isnull=False
        )
        .exclude(Exists(paused))
        .select_related("assigned_to", "team")
    )
    sent = 0
    for assessment in open_cases.filter(decision_due__gte=today, decision_due__lte=soon):
        sent += _tell_holder(
            assessment, NotificationKind.DEADLINE_SOON, f"soon:{assessment.pk}:{assessment.decision_due}"
        )
    for assessment in open_cases.filter(decision_due__lt=today):
        key = f"overdue:{assessment.pk}:{assessment.decision_due}"
        sent += _tell_holder(assessment, NotificationKind.OVERDUE, key)
        managers = TeamMembership.objects.filter(team=assessment.team, role=TeamRole.MANAGER, user__is_active=True)
        for membership in managers.select_related("user"):
            sent += _sent(
                notify(
                    kind=NotificationKind.OVERDUE,
                    assessment=assessment,
                    recipient=membership.user,
                    link=_case_link(assessment),
                    context=_context(assessment),
                    dedupe_key=f"{key}:manager:{membership.user_id}",
                )
            )
    return sent


def _context(assessment: Assessment) -> dict:
    return {
        "due_date": f"{assessment.decision_due:%-d %B %Y}",
        "holder": assessment.assigned_to.full_name if assessment.assigned_to else "nobody yet (in the team's queue)",
        "status": assessment.get_status_display(),
    }


def _tell_holder(assessment: Assessment, kind: NotificationKind, key: str) -> int:
    if assessment.assigned_to is not None:
        return _sent(
            notify(
                kind=kind,
                assessment=assessment,
                recipient=assessment.assigned_to,
                link=_case_link(assessment),
                context=_context(assessment),
                dedupe_key=key,
            )
        )
    return _sent(
        notify(
            kind=kind,
            assessment=assessment,
            email=assessment.team.email if assessment.team else "",
            link=_case_link(assessment),
            context=_context(assessment),
            dedupe_key=key,
        )
    )


def _sent(notification) -> int:
    return 1 if notification is not None else 0


def advice_reminders_send(today: datetime.date | None = None) -> int:
    """Remind of the needs assessment's advice as for decisions: due soon, overdue, then escalated. Idempotent.

    Due within PORTAL_REMINDER_WORKING_DAYS: the professional asked. Overdue: the professional and the coordinator.
    Still missing PORTAL_ADVICE_ESCALATION_WORKING_DAYS working days after its due date: the SEND team's managers.
    None for advice given or gone on without, while the clock is paused, or once the assessment has moved on.
    """
    today = today or timezone.localdate()
    holidays = deadlines.bank_holidays()
    soon = deadlines.add_working_days(today, settings.PORTAL_REMINDER_WORKING_DAYS, holidays)
    paused = ClockPause.objects.filter(assessment=OuterRef("needs_assessment__assessment"), ended_on__isnull=True)
    awaited = (
        AdviceRequest.objects.filter(
            answered_on__isnull=True,
            closed_unanswered_on__isnull=True,
            needs_assessment__stage=NeedsAssessmentStage.GATHERING_ADVICE,
        )
        .exclude(Exists(paused))
        .select_related("professional", "needs_assessment__coordinator", "needs_assessment__assessment")
        .order_by("pk")
    )
    sent = 0
    for advice in awaited.filter(due_on__gte=today, due_on__lte=soon):
        key = f"advice-soon:{advice.pk}:{advice.due_on}"
        sent += _sent(notify(**to_adviser(advice, NotificationKind.ADVICE_DUE_SOON, dedupe_key=key)))
    for advice in awaited.filter(due_on__lt=today):
        sent += _advice_overdue_send(advice, today, holidays)
    return sent


def _advice_overdue_send(advice: AdviceRequest, today: datetime.date, holidays) -> int:
    needs_assessment = advice.needs_assessment
    assessment = needs_assessment.assessment
    # The due date is in the key: advice moved on by a pause and missed again is told of again.
    key = f"advice-overdue:{advice.pk}:{advice.due_on}"
    sent = _sent(notify(**to_adviser(advice, NotificationKind.ADVICE_OVERDUE, dedupe_key=f"{key}:professional")))
    sent += _sent(
        notify(
            kind=NotificationKind.ADVICE_OVERDUE,
            assessment=assessment,
            recipient=needs_assessment.coordinator,
            link=coordinator_link(needs_assessment),
            context={**advice_context(advice), "for_coordinator": True},
            dedupe_key=f"{key}:coordinator:{needs_assessment.coordinator_id}",
        )
    )
    escalate_on = deadlines.add_working_days(advice.due_on, settings.PORTAL_ADVICE_ESCALATION_WORKING_DAYS, holidays)
    if today < escalate_on:
        return sent
    context = {
        **advice_context(advice),
        "working_days_late": deadlines.working_days_between(advice.due_on, today, holidays),
    }
    managers = TeamMembership.objects.filter(team_id=assessment.team_id, role=TeamRole.MANAGER, user__is_active=True)
    for membership in managers.select_related("user").order_by("pk"):
        sent += _sent(
            notify(
                kind=NotificationKind.ADVICE_ESCALATED,
                assessment=assessment,
                recipient=membership.user,
                link=coordinator_link(needs_assessment),
                context=context,
                dedupe_key=f"advice-escalated:{advice.pk}:{advice.due_on}:manager:{membership.user_id}",
            )
        )
    return sent


# ---------------------------------------------------------------- the annual review of an EHC plan

# Invitations to the review meeting go out at least 2 weeks before it (CoP 9.176), so the holder hears 8
# weeks ahead, with time to find a date that suits the family and the professionals.
ANNUAL_REVIEW_NOTICE = datetime.timedelta(weeks=8)


def annual_review_reminders_send(today: datetime.date | None = None) -> int:
    """Tell each review's holder: meeting due within 8 weeks, meeting overdue, decision overdue. Idempotent."""
    today = today or timezone.localdate()
    reviews = AnnualReview.objects.select_related("needs_assessment__assessment", "holder")
    awaiting_meeting = reviews.filter(stage=AnnualReviewStage.AWAITING_MEETING)
    sent = 0
    for review in awaiting_meeting.filter(due_on__gte=today, due_on__lte=today + ANNUAL_REVIEW_NOTICE):
        key = f"annual-soon:{review.pk}:{review.due_on}"
        sent += _tell_review_holder(review, NotificationKind.ANNUAL_REVIEW_SOON, key, review.due_on)
    for review in awaiting_meeting.filter(due_on__lt=today):
        key = f"annual-late:{review.pk}:{review.due_on}"
        sent += _tell_review_holder(review, NotificationKind.ANNUAL_REVIEW_LATE, key, review.due_on)
    awaiting_decision = reviews.filter(stage=AnnualReviewStage.AWAITING_DECISION, decision_due__lt=today)
    for review in awaiting_decision:
        key = f"annual-decision-late:{review.pk}:{review.decision_due}"
        sent += _tell_review_holder(review, NotificationKind.ANNUAL_DECISION_LATE, key, review.decision_due)
    return sent


def _tell_review_holder(review, kind: NotificationKind, key: str, due: datetime.date) -> int:
    assessment = review.needs_assessment.assessment
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse("workflows:ehc-annual-review", args=[assessment.pk])
    return _sent(
        notify(
            kind=kind,
            assessment=assessment,
            recipient=review.holder,
            link=link,
            context={"due_date": f"{due:%-d %B %Y}", "holder": review.holder.full_name},
            dedupe_key=key,
        )
    )
