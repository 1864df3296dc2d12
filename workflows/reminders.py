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
