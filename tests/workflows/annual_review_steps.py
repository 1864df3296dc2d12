"""Builders for the annual review of an EHC plan: a plan issued on a given day, a meeting recorded, the flow check."""

import datetime as dt
from contextlib import nullcontext

from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from tests.workflows.ehc_steps import DRAFT_SECTIONS, agreed, at, finalising
from workflows import annual_review, ehc
from workflows.annual_review_flows import AnnualReviewFlow
from workflows.models import AnnualReview, AnnualReviewProcess, AnnualReviewStage, NeedsAssessment

FINAL_SECTIONS = {**DRAFT_SECTIONS, "I": "Hillside Primary School, a mainstream primary school"}
MEETING = {
    "participants": "Mia's mother; Sam Taylor, SENCO; Ruth Cole, educational psychologist",
    "child_views": "I like my group on Tuesdays and I want to stay in my class.",
    "parent_views": "Mia is happier at school and talks more at home.",
    "progress": "Mia now asks an adult for help in class most days; group work is still hard.",
    "recommendation": "keep",
}


def plan_issued(on: dt.date | None = None, needs_assessment: NeedsAssessment | None = None) -> NeedsAssessment:
    """An EHCP request agreed to assess and taken to its final plan, all on one day (the family said they were done)."""
    with at(on) if on else nullcontext():
        needs_assessment = finalising(needs_assessment or agreed())
        return ehc.final_plan_issue(
            actor=needs_assessment.coordinator, needs_assessment=needs_assessment, sections=FINAL_SECTIONS
        )


def current_review(needs_assessment: NeedsAssessment) -> AnnualReview:
    return (
        AnnualReview.objects.select_related("needs_assessment__assessment", "holder")
        .exclude(stage=AnnualReviewStage.DECIDED)
        .get(needs_assessment=needs_assessment)
    )


def refreshed(review: AnnualReview) -> AnnualReview:
    return AnnualReview.objects.select_related("needs_assessment__assessment", "holder").get(pk=review.pk)


def meeting_recorded(review: AnnualReview, meeting_on: dt.date | None = None, **changes) -> AnnualReview:
    return annual_review.annual_review_meeting_record(
        actor=review.holder,
        review=review,
        meeting_on=meeting_on or review.needs_assessment.final_issued_on,
        **{**MEETING, **changes},
    )


_HOLDER_NODE = {
    AnnualReviewStage.AWAITING_MEETING: AnnualReviewFlow.record_meeting,
    AnnualReviewStage.AWAITING_DECISION: AnnualReviewFlow.decide,
}


def assert_annual_review_flow_agrees(review: AnnualReview) -> None:
    """The invariants of workflows/annual_review.py: the stage and the process's active task agree."""
    review = refreshed(review)
    process = AnnualReviewProcess.objects.get(annual_review=review)
    assert process.flow_class is AnnualReviewFlow
    tasks = list(Task.objects.filter(process=process, status__in=(STATUS.NEW, STATUS.ASSIGNED)))
    if review.stage == AnnualReviewStage.DECIDED:
        assert process.status == PROCESS.DONE
        assert tasks == []
        assert Task.objects.get(process=process, flow_task_type="END").flow_task == AnnualReviewFlow.end
        return
    assert process.status != PROCESS.DONE
    assert [(task.flow_task, task.status, task.owner_id) for task in tasks] == [
        (_HOLDER_NODE[review.stage], STATUS.ASSIGNED, review.holder_id)
    ]
