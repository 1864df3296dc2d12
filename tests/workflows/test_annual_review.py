"""The annual review of an EHC plan: started by the final plan, each step allowed, refused at the wrong stage,
refused for the wrong person, and written to history; the next year's review; handing it over."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tests.factories import ProfessionalFactory
from tests.workflows.annual_review_steps import (
    MEETING,
    assert_annual_review_flow_agrees,
    current_review,
    meeting_recorded,
    plan_issued,
    refreshed,
)
from tests.workflows.conftest import join
from tests.workflows.ehc_steps import agreed, at
from workflows import annual_review
from workflows.errors import TransitionRefused
from workflows.models import AnnualReview, AnnualReviewStage

D = dt.date
ISSUED_ON = D(2026, 3, 2)


def latest_history(review):
    return review.history.order_by("-history_id").first()


def wrong_people():
    return {
        "another-send-officer": lambda: join("send-statutory-assessment"),
        "send-manager": lambda: join("send-statutory-assessment", role="manager"),
        "professional": ProfessionalFactory,
    }


# ---------------------------------------------------------------- starting


def test_issuing_the_final_plan_starts_the_first_review_due_12_months_later_held_by_the_coordinator(people):
    needs_assessment = plan_issued(ISSUED_ON)
    review = current_review(needs_assessment)
    assert (review.number, review.due_on, review.holder, review.stage) == (
        1,
        D(2027, 3, 2),
        people.tom,
        AnnualReviewStage.AWAITING_MEETING,
    )
    assert_annual_review_flow_agrees(review)
    history = review.history.get()
    assert (history.history_change_reason, history.history_user) == (
        "Annual review due by 2 March 2027, held by Tom Evans",
        people.tom,
    )


def test_a_plan_issued_on_29_february_is_reviewed_by_28_february(people):
    assert annual_review.months_after(D(2028, 2, 29), 12) == D(2029, 2, 28)
    assert annual_review.months_after(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_no_review_starts_before_the_final_plan(people):
    needs_assessment = agreed()
    with transaction.atomic(), pytest.raises(TransitionRefused, match="once the final plan is issued"):
        annual_review.annual_review_start(actor=people.tom, needs_assessment=needs_assessment)
    assert not AnnualReview.objects.exists()


def test_a_plans_reviews_start_only_once(people):
    needs_assessment = plan_issued()
    with transaction.atomic(), pytest.raises(TransitionRefused, match="already started"):
        annual_review.annual_review_start(actor=people.tom, needs_assessment=needs_assessment)
    assert AnnualReview.objects.filter(needs_assessment=needs_assessment).count() == 1


@pytest.mark.parametrize("who", ["another-send-officer", "professional"])
def test_only_the_coordinator_or_a_send_manager_starts_a_review(people, who):
    needs_assessment = plan_issued()
    AnnualReview.objects.filter(needs_assessment=needs_assessment).delete()
    with transaction.atomic(), pytest.raises(PermissionDenied):
        annual_review.annual_review_start(actor=wrong_people()[who](), needs_assessment=needs_assessment)
    assert not AnnualReview.objects.filter(needs_assessment=needs_assessment).exists()


# ---------------------------------------------------------------- the review meeting


def test_the_holder_records_the_meeting_and_the_decision_is_due_4_weeks_later(people):
    needs_assessment = plan_issued(ISSUED_ON)
    with at(D(2027, 2, 22)):
        review = meeting_recorded(current_review(needs_assessment), D(2027, 2, 19))
    review = refreshed(review)
    assert review.stage == AnnualReviewStage.AWAITING_DECISION
    assert (review.meeting_on, review.decision_due) == (D(2027, 2, 19), D(2027, 3, 19))
    assert (review.child_views, review.recommendation, review.meeting_recorded_by) == (
        MEETING["child_views"],
        "keep",
        people.tom,
    )
    assert_annual_review_flow_agrees(review)
    latest = latest_history(review)
    assert (latest.history_change_reason, latest.history_user) == (
        "Review meeting of 19 February 2027 recorded",
        people.tom,
    )


def test_the_meeting_is_recorded_once(people):
    review = meeting_recorded(current_review(plan_issued()))
    with pytest.raises(TransitionRefused, match="another stage"):
        meeting_recorded(review, recommendation="cease")
    assert refreshed(review).recommendation == "keep"
    assert_annual_review_flow_agrees(review)


@pytest.mark.parametrize("who", ["another-send-officer", "send-manager", "professional"])
def test_only_the_holder_records_the_meeting(people, who):
    review = current_review(plan_issued())
    history_before = review.history.count()
    with pytest.raises(PermissionDenied, match="holding this annual review"):
        annual_review.annual_review_meeting_record(
            actor=wrong_people()[who](), review=review, meeting_on=review.due_on.replace(year=2000), **MEETING
        )
    assert refreshed(review).stage == AnnualReviewStage.AWAITING_MEETING
    assert review.history.count() == history_before
    assert_annual_review_flow_agrees(review)


@pytest.mark.parametrize(
    ("meeting_on", "changes", "message"),
    [
        pytest.param(D(2026, 3, 10), {}, "today or in the past", id="meeting-in-the-future"),
        pytest.param(D(2026, 3, 1), {}, "after the plan was issued on 2 March 2026", id="meeting-before-the-plan"),
        pytest.param(D(2026, 3, 2), {"child_views": "  "}, "Enter the child's views", id="no-child-views"),
        pytest.param(D(2026, 3, 2), {"parent_views": ""}, "Enter the parents' views", id="no-parent-views"),
        pytest.param(D(2026, 3, 2), {"progress": "x" * 5001}, "5,000 characters or fewer", id="progress-too-long"),
        pytest.param(D(2026, 3, 2), {"recommendation": "abolish"}, "Choose what the meeting", id="no-recommendation"),
    ],
)
def test_a_meeting_record_that_cannot_be_right_is_refused_and_nothing_is_kept(people, meeting_on, changes, message):
    needs_assessment = plan_issued(ISSUED_ON)
    review = current_review(needs_assessment)
    with at(D(2026, 3, 9)), pytest.raises(TransitionRefused, match=message):
        meeting_recorded(review, meeting_on, **changes)
    review = refreshed(review)
    assert (review.stage, review.meeting_on, review.child_views) == (AnnualReviewStage.AWAITING_MEETING, None, "")


# ---------------------------------------------------------------- the council's decision


@pytest.mark.parametrize("decision", ["keep", "amend"])
def test_keeping_or_amending_the_plan_starts_next_years_review_due_12_months_after_the_meeting(people, decision):
    needs_assessment = plan_issued(ISSUED_ON)
    with at(D(2027, 3, 1)):
        review = meeting_recorded(current_review(needs_assessment), D(2027, 2, 26))
        review = annual_review.annual_review_decide(actor=people.tom, review=review, decision=decision)
    review = refreshed(review)
    assert (review.stage, review.decision, review.decided_on, review.decided_by) == (
        AnnualReviewStage.DECIDED,
        decision,
        D(2027, 3, 1),
        people.tom,
    )
    assert_annual_review_flow_agrees(review)
    following = current_review(needs_assessment)
    assert (following.number, following.due_on, following.holder) == (2, D(2028, 2, 26), people.tom)
    assert_annual_review_flow_agrees(following)
    latest = latest_history(review)
    assert (latest.history_change_reason, latest.history_user) == (
        {"keep": "Decided: Keep the plan as it is", "amend": "Decided: Amend the plan"}[decision],
        people.tom,
    )


def test_ceasing_the_plan_ends_its_reviews(people):
    needs_assessment = plan_issued()
    review = meeting_recorded(current_review(needs_assessment), recommendation="cease")
    annual_review.annual_review_decide(actor=people.tom, review=review, decision="cease")
    assert list(needs_assessment.annual_reviews.values_list("number", "stage", "decision")) == [
        (1, AnnualReviewStage.DECIDED, "cease")
    ]
    assert_annual_review_flow_agrees(review)


def test_the_decision_comes_after_the_meeting(people):
    review = current_review(plan_issued())
    with pytest.raises(TransitionRefused, match="another stage"):
        annual_review.annual_review_decide(actor=people.tom, review=review, decision="keep")
    assert refreshed(review).stage == AnnualReviewStage.AWAITING_MEETING
    assert_annual_review_flow_agrees(review)


def test_a_review_is_decided_once(people):
    review = meeting_recorded(current_review(plan_issued()))
    annual_review.annual_review_decide(actor=people.tom, review=review, decision="cease")
    with pytest.raises(TransitionRefused, match="another stage"):
        annual_review.annual_review_decide(actor=people.tom, review=review, decision="keep")
    assert refreshed(review).decision == "cease"


@pytest.mark.parametrize("who", ["another-send-officer", "send-manager", "professional"])
def test_only_the_holder_decides(people, who):
    review = meeting_recorded(current_review(plan_issued()))
    history_before = review.history.count()
    with pytest.raises(PermissionDenied, match="holding this annual review"):
        annual_review.annual_review_decide(actor=wrong_people()[who](), review=review, decision="cease")
    assert refreshed(review).stage == AnnualReviewStage.AWAITING_DECISION
    assert review.history.count() == history_before
    assert_annual_review_flow_agrees(review)


def test_a_decision_that_is_not_one_of_the_three_is_refused(people):
    review = meeting_recorded(current_review(plan_issued()))
    with pytest.raises(TransitionRefused, match="keep, amend or cease"):
        annual_review.annual_review_decide(actor=people.tom, review=review, decision="")
    assert refreshed(review).stage == AnnualReviewStage.AWAITING_DECISION


# ---------------------------------------------------------------- handing the review over


@pytest.mark.parametrize("stage", ["awaiting_meeting", "awaiting_decision"])
def test_a_send_manager_hands_the_review_and_its_task_to_another_officer(people, stage):
    review = current_review(plan_issued())
    if stage == "awaiting_decision":
        review = meeting_recorded(review)
    manager = join("send-statutory-assessment", role="manager")
    dana = join("send-statutory-assessment")
    annual_review.annual_review_assign(actor=manager, review=review, holder=dana)
    review = refreshed(review)
    assert review.holder == dana
    assert_annual_review_flow_agrees(review)
    latest = latest_history(review)
    assert (latest.history_change_reason, latest.history_user) == (
        f"Annual review handed from Tom Evans to {dana.full_name}",
        manager,
    )
    assert dana.has_perm("casework.review_assessment", review.needs_assessment.assessment)
    with pytest.raises(PermissionDenied):
        annual_review.annual_review_decide(actor=people.tom, review=review, decision="keep")


@pytest.mark.parametrize(
    ("who", "to", "error"),
    [
        pytest.param("officer", "send-officer", PermissionDenied, id="an-officer-cannot"),
        pytest.param("early-help-manager", "send-officer", PermissionDenied, id="another-teams-manager-cannot"),
        pytest.param("manager", "early-help-officer", TransitionRefused, id="not-to-another-teams-officer"),
        pytest.param("manager", "same", TransitionRefused, id="not-to-the-holder-again"),
    ],
)
def test_handing_over_the_review_is_refused(people, who, to, error):
    review = current_review(plan_issued())
    actor = {
        "officer": lambda: join("send-statutory-assessment"),
        "early-help-manager": lambda: people.jo,
        "manager": lambda: join("send-statutory-assessment", role="manager"),
    }[who]()
    holder = {
        "send-officer": lambda: join("send-statutory-assessment"),
        "early-help-officer": lambda: people.priya,
        "same": lambda: people.tom,
    }[to]()
    history_before = review.history.count()
    with pytest.raises(error):
        annual_review.annual_review_assign(actor=actor, review=review, holder=holder)
    assert refreshed(review).holder == people.tom
    assert review.history.count() == history_before


def test_a_decided_review_is_not_handed_over(people):
    review = meeting_recorded(current_review(plan_issued()))
    annual_review.annual_review_decide(actor=people.tom, review=review, decision="cease")
    manager = join("send-statutory-assessment", role="manager")
    with pytest.raises(TransitionRefused, match="another stage"):
        annual_review.annual_review_assign(actor=manager, review=review, holder=join("send-statutory-assessment"))
    assert refreshed(review).holder == people.tom
