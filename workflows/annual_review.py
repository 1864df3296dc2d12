"""Writes and reads for the annual review of an EHC plan (workflows.annual_review_flows).

Every step is one call, as in workflows.ehc: in one transaction it locks the review's row, checks the stage
and the person, changes the row with its history, and drives the flow's task alongside, so the stage and the
active task always agree:

    awaiting_meeting    the record_meeting task is assigned to the holder
    awaiting_decision   the decide task is assigned to the holder
    decided             the process is done; unless the plan was ceased, the next year's review is under way
"""

import calendar
import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from identity.models import TeamMembership, TeamRole, User
from identity.permissions import REVIEW_ASSESSMENT, VIEW_ASSESSMENT, grant, require

from .annual_review_flows import AnnualReviewFlow
from .annual_review_models import (
    PARTICIPANTS_MAX_LENGTH,
    VIEWS_MAX_LENGTH,
    AnnualReview,
    AnnualReviewStage,
    ReviewOutcome,
)
from .ehc_models import NeedsAssessment, NeedsAssessmentStage
from .errors import TransitionRefused
from .selectors import case_for_council

# The council tells the family its decision within 4 weeks of the review meeting (CoP 9.176).
DECISION_WEEKS = 4
_ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the last day of the month when it has no such day (29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def decision_due(meeting_on: datetime.date) -> datetime.date:
    return meeting_on + datetime.timedelta(weeks=DECISION_WEEKS)


# ---------------------------------------------------------------- helpers


def _lock(review: AnnualReview) -> AnnualReview:
    return (
        AnnualReview.objects.select_for_update(of=("self",))
        .select_related("needs_assessment__assessment__team", "holder")
        .get(pk=review.pk)
    )


def _save(review: AnnualReview, reason: str, actor: User) -> None:
    review._change_reason = reason
    review._history_user = actor
    review.full_clean()
    review.save()


def _is_send_manager(user: User, needs_assessment: NeedsAssessment) -> bool:
    team_id = needs_assessment.assessment.team_id
    return (
        team_id is not None
        and TeamMembership.objects.filter(
            team_id=team_id, user=user, user__is_active=True, role=TeamRole.MANAGER
        ).exists()
    )


def _require_holder(actor: User, review: AnnualReview) -> None:
    require(actor.pk == review.holder_id, "Only the officer holding this annual review can do this")


def _ensure_stage(review: AnnualReview, *stages: str) -> None:
    if review.stage not in stages:
        raise TransitionRefused(f"The annual review is at another stage: {review.get_stage_display()}")


def _task(review: AnnualReview, node) -> Task:
    """The active task of a node of the review's process, holding the locked row."""
    task = (
        Task.objects.filter(process__annualreviewprocess__annual_review=review, flow_task=node, status__in=_ACTIVE)
        .select_related("process__annualreviewprocess")
        .order_by("-pk")
        .first()
    )
    if task is None:
        raise TransitionRefused("The annual review is not waiting for this step")
    process = task.process.annualreviewprocess
    process.annual_review = review
    task.process = process
    return task


def _complete_holder_step(review: AnnualReview, node) -> None:
    activation = node.activation_class(_task(review, node))
    activation.start(None)
    activation.execute()


def _review_create(*, actor: User, needs_assessment: NeedsAssessment, holder: User, due_on: datetime.date):
    """The next review of the plan, held by `holder`, with its process started (inside the caller's transaction)."""
    latest = needs_assessment.annual_reviews.order_by("-number").first()
    review = AnnualReview(
        needs_assessment=needs_assessment,
        number=(latest.number + 1) if latest else 1,
        holder=holder,
        due_on=due_on,
    )
    _save(review, f"Annual review due by {due_on:%-d %B %Y}, held by {holder.full_name}", actor)
    grant(holder, (VIEW_ASSESSMENT, REVIEW_ASSESSMENT), needs_assessment.assessment)
    AnnualReviewFlow.start.run(annual_review=review)
    return review


# ---------------------------------------------------------------- the steps


def annual_review_start(*, actor: User, needs_assessment: NeedsAssessment) -> AnnualReview:
    """Start the first annual review of a plan just issued, due 12 months after it (CoP 9.166).

    Called by ehc.final_plan_issue inside its transaction, on the needs assessment's locked row.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An annual review starts inside the final plan's transaction")
    require(
        actor.pk == needs_assessment.coordinator_id or _is_send_manager(actor, needs_assessment),
        "Only the assessment coordinator or a manager of the SEND team can start an annual review",
    )
    if needs_assessment.stage != NeedsAssessmentStage.ISSUED or needs_assessment.final_issued_on is None:
        raise TransitionRefused("An annual review starts once the final plan is issued")
    if needs_assessment.annual_reviews.exists():
        raise TransitionRefused("The plan's annual reviews have already started")
    return _review_create(
        actor=actor,
        needs_assessment=needs_assessment,
        holder=needs_assessment.coordinator,
        due_on=months_after(needs_assessment.final_issued_on, 12),
    )


@transaction.atomic
def annual_review_meeting_record(
    *,
    actor: User,
    review: AnnualReview,
    meeting_on: datetime.date,
    participants: str,
    child_views: str,
    parent_views: str,
    progress: str,
    recommendation: str,
) -> AnnualReview:
    """Record the review meeting: who took part, the child's and the parents' views, progress, the recommendation."""
    review = _lock(review)
    _require_holder(actor, review)
    _ensure_stage(review, AnnualReviewStage.AWAITING_MEETING)
    today = timezone.localdate()
    issued_on = review.needs_assessment.final_issued_on
    if meeting_on > today:
        raise TransitionRefused("The review meeting must have taken place: its date must be today or in the past")
    if meeting_on < issued_on:
        raise TransitionRefused(f"The review meeting must be after the plan was issued on {issued_on:%-d %B %Y}")
    texts = {
        "who took part": (participants.strip(), PARTICIPANTS_MAX_LENGTH),
        "the child's views": (child_views.strip(), VIEWS_MAX_LENGTH),
        "the parents' views": (parent_views.strip(), VIEWS_MAX_LENGTH),
        "the progress towards the outcomes": (progress.strip(), VIEWS_MAX_LENGTH),
    }
    for what, (text, limit) in texts.items():
        if not text:
            raise TransitionRefused(f"Enter {what}")
        if len(text) > limit:
            raise TransitionRefused(f"Write {what} in {limit:,} characters or fewer")
    if recommendation not in ReviewOutcome.values:
        raise TransitionRefused("Choose what the meeting recommends")
    review.meeting_on = meeting_on
    review.participants = texts["who took part"][0]
    review.child_views = texts["the child's views"][0]
    review.parent_views = texts["the parents' views"][0]
    review.progress = texts["the progress towards the outcomes"][0]
    review.recommendation = recommendation
    review.meeting_recorded_by = actor
    review.decision_due = decision_due(meeting_on)
    review.stage = AnnualReviewStage.AWAITING_DECISION
    _save(review, f"Review meeting of {meeting_on:%-d %B %Y} recorded", actor)
    _complete_holder_step(review, AnnualReviewFlow.record_meeting)
    return review


@transaction.atomic
def annual_review_decide(*, actor: User, review: AnnualReview, decision: str) -> AnnualReview:
    """The council's decision after the meeting; keeping or amending the plan starts next year's review."""
    review = _lock(review)
    _require_holder(actor, review)
    _ensure_stage(review, AnnualReviewStage.AWAITING_DECISION)
    if decision not in ReviewOutcome.values:
        raise TransitionRefused("Choose whether to keep, amend or cease the plan")
    review.decision = decision
    review.decided_on = timezone.localdate()
    review.decided_by = actor
    review.stage = AnnualReviewStage.DECIDED
    _save(review, f"Decided: {ReviewOutcome(decision).label}", actor)
    _complete_holder_step(review, AnnualReviewFlow.decide)
    if decision != ReviewOutcome.CEASE:
        # Each later review is due 12 months after the previous review meeting (CoP 9.166).
        _review_create(
            actor=actor,
            needs_assessment=review.needs_assessment,
            holder=review.holder,
            due_on=months_after(review.meeting_on, 12),
        )
    return review


@transaction.atomic
def annual_review_assign(*, actor: User, review: AnnualReview, holder: User) -> AnnualReview:
    """A SEND team manager hands the annual review, and its open task, to another officer of the team."""
    review = _lock(review)
    needs_assessment = review.needs_assessment
    require(_is_send_manager(actor, needs_assessment), "Only a manager of the SEND team can do this")
    _ensure_stage(review, AnnualReviewStage.AWAITING_MEETING, AnnualReviewStage.AWAITING_DECISION)
    team = needs_assessment.assessment.team
    in_team = TeamMembership.objects.filter(team=team, user=holder, user__is_active=True).exists()
    if not in_team:
        raise TransitionRefused(f"{holder.full_name} is not in the {team.name}")
    if holder.pk == review.holder_id:
        raise TransitionRefused(f"{holder.full_name} already holds this annual review")
    previous = review.holder
    review.holder = holder
    _save(review, f"Annual review handed from {previous.full_name} to {holder.full_name}", actor)
    grant(holder, (VIEW_ASSESSMENT, REVIEW_ASSESSMENT), needs_assessment.assessment)
    for task in Task.objects.filter(
        process__annualreviewprocess__annual_review=review, owner=previous, status=STATUS.ASSIGNED
    ):
        task.owner = holder
        task.save(update_fields=["owner"])
    return review


# ---------------------------------------------------------------- reads


def annual_reviews_for_council(user: User, pk: int) -> tuple[NeedsAssessment, list[AnnualReview]]:
    """The issued plan of a request the council person may see, with its reviews, newest first; else 404."""
    assessment = case_for_council(user, pk)
    needs_assessment = (
        NeedsAssessment.objects.select_related("coordinator")
        .filter(assessment=assessment, final_issued_on__isnull=False)
        .first()
    )
    if needs_assessment is None:
        raise Http404("No plan issued")
    needs_assessment.assessment = assessment
    reviews = list(needs_assessment.annual_reviews.select_related("holder").order_by("-number"))
    for review in reviews:
        review.needs_assessment = needs_assessment
    return needs_assessment, reviews


def may_hand_over(user: User, needs_assessment: NeedsAssessment) -> bool:
    """A manager of the SEND team hands annual reviews over."""
    return _is_send_manager(user, needs_assessment)


def current_review(reviews: list[AnnualReview]) -> AnnualReview | None:
    """The review under way (none once the plan has been ceased)."""
    return next((review for review in reviews if review.stage != AnnualReviewStage.DECIDED), None)
