"""The annual review of an EHC plan as a viewflow flow, one process per year's review.

    start ─► record_meeting ─► decide ─► end

As with the needs assessment's flow, the nodes change nothing themselves: workflows.annual_review makes every
change in one transaction, having locked the review's row first, and drives the task alongside. Deciding to
keep or amend the plan starts the next year's review (a new process); ceasing it ends the series.
"""

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow import Flow

from identity.permissions import REVIEW_ASSESSMENT

from .annual_review_models import AnnualReviewProcess
from .flows import under_the_services_lock


def _not_served_here(request, **kwargs):
    """The holder works these tasks through the portal's own pages, never viewflow's bundled UI."""
    raise NotImplementedError("The annual review is driven by workflows.annual_review")


def _holder(activation):
    return activation.process.annual_review.holder


def _holder_step(title: str) -> flow.View:
    return (
        flow.View(_not_served_here)
        # The holder has this right on the request itself (granted when they are given the review).
        .Permission(REVIEW_ASSESSMENT, obj=lambda process: process.annual_review.needs_assessment.assessment)
        .Assign(_holder)
        .Annotation(title=title)
    )


class AnnualReviewFlow(Flow):
    """One annual review of an EHC plan: the review meeting, then the council's decision."""

    process_class = AnnualReviewProcess
    lock_impl = under_the_services_lock

    start = flow.StartHandle(this.begin).Next(this.record_meeting)
    record_meeting = _holder_step("Record the review meeting").Next(this.decide)
    decide = _holder_step("Decide whether to keep, amend or cease the plan").Next(this.end)
    end = flow.End()

    def begin(self, activation, annual_review):
        # Saved by viewflow as the start task completes, straight after this.
        activation.process.annual_review = annual_review
        return activation.process
