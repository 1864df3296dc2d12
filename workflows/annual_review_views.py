"""Pages of the annual review of an EHC plan: the review, the review meeting and the decision after it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casework.models import DisclosureKind
from casework.services import case_read_record
from identity.permissions import require
from portal.forms import posted

from . import annual_review
from .annual_review_forms import ReviewDecisionForm, ReviewHandOverForm, ReviewMeetingForm
from .annual_review_models import AnnualReviewStage
from .errors import TransitionRefused, refusals_shown_on, typed_text_kept
from .selectors import team_members

refusals_shown = refusals_shown_on("workflows:ehc-annual-review")


def _held_review(request, pk: int, stage: str):
    """The review under way, for its holder only (403 for anyone else), at the stage the page is for."""
    needs_assessment, reviews = annual_review.annual_reviews_for_council(request.user, pk)
    review = annual_review.current_review(reviews)
    if review is None:
        raise TransitionRefused("The plan has ceased: no annual review is under way")
    require(request.user.pk == review.holder_id, "Only the officer holding this annual review can do this")
    if review.stage != stage:
        raise TransitionRefused(f"The annual review is at another stage: {review.get_stage_display()}")
    return needs_assessment, review


def review(request, pk: int):
    """The plan's dates, the review under way with its due date and stage, and the reviews before it."""
    needs_assessment, reviews = annual_review.annual_reviews_for_council(request.user, pk)
    case_read_record(
        actor=request.user, assessment=needs_assessment.assessment, kind=DisclosureKind.ANNUAL_REVIEW_VIEWED
    )
    current = annual_review.current_review(reviews)
    is_holder = current is not None and request.user.pk == current.holder_id
    today = timezone.localdate()
    return render(
        request,
        "workflows/annual_review/review.html",
        {
            "needs_assessment": needs_assessment,
            "assessment": needs_assessment.assessment,
            "current": current,
            "past": [row for row in reviews if row is not current],
            "is_holder": is_holder,
            "meeting_overdue": current is not None and current.meeting_on is None and current.due_on < today,
            "decision_overdue": (
                current is not None and current.decision_due is not None and current.decision_due < today
            ),
            "may_record_meeting": is_holder and current.stage == AnnualReviewStage.AWAITING_MEETING,
            "may_decide": is_holder and current.stage == AnnualReviewStage.AWAITING_DECISION,
            "ceased": bool(reviews) and current is None,
            "may_hand_over": current is not None and annual_review.may_hand_over(request.user, needs_assessment),
        },
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(ReviewMeetingForm, "workflows:ehc-annual-review")
def meeting(request, pk: int):
    """The holder records the review meeting."""
    needs_assessment, current = _held_review(request, pk, AnnualReviewStage.AWAITING_MEETING)
    form = ReviewMeetingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        annual_review.annual_review_meeting_record(actor=request.user, review=current, **form.cleaned_data)
        messages.success(request, "The review meeting has been recorded: the council's decision is next")
        return redirect("workflows:ehc-annual-review", pk=pk)
    return render(
        request,
        "workflows/annual_review/meeting.html",
        {
            "needs_assessment": needs_assessment,
            "assessment": needs_assessment.assessment,
            "review": current,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
def decision(request, pk: int):
    """The holder records the council's decision after the meeting."""
    needs_assessment, current = _held_review(request, pk, AnnualReviewStage.AWAITING_DECISION)
    form = ReviewDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        decided = annual_review.annual_review_decide(
            actor=request.user, review=current, decision=form.cleaned_data["decision"]
        )
        messages.success(request, f"Decision recorded: {decided.get_decision_display().lower()}")
        return redirect("workflows:ehc-annual-review", pk=pk)
    return render(
        request,
        "workflows/annual_review/decision.html",
        {
            "needs_assessment": needs_assessment,
            "assessment": needs_assessment.assessment,
            "review": current,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
def hand_over(request, pk: int):
    """A SEND team manager hands the review under way to another officer of the team."""
    needs_assessment, reviews = annual_review.annual_reviews_for_council(request.user, pk)
    require(
        annual_review.may_hand_over(request.user, needs_assessment),
        "Only a manager of the SEND team can hand over an annual review",
    )
    current = annual_review.current_review(reviews)
    if current is None:
        raise TransitionRefused("The plan has ceased: no annual review is under way")
    members = team_members(needs_assessment.assessment.team).exclude(pk=current.holder_id)
    form = ReviewHandOverForm(posted(request), members=members)
    if request.method == "POST" and form.is_valid():
        holder = form.cleaned_data["holder"]
        annual_review.annual_review_assign(actor=request.user, review=current, holder=holder)
        messages.success(request, f"The annual review has been handed to {holder.full_name}")
        return redirect("workflows:ehc-annual-review", pk=pk)
    return render(
        request,
        "workflows/annual_review/hand_over.html",
        {
            "needs_assessment": needs_assessment,
            "assessment": needs_assessment.assessment,
            "review": current,
            "form": form,
        },
    )
