"""The review process of each kind of assessment, as viewflow flows.

    start ─► review ─► after_review ─┬─ "released"  ─► review            (back in the team's queue)
      ▲                              ├─ "returned"  ─► with_author ─► review
      │                              └─ "closed"    ─► end
      └── a reopened case starts a new process

The nodes do not change anything themselves: workflows.services makes every change (status, rights,
history, notifications) in one transaction and drives the flow's task alongside it, so an assessment's
status and its active task always agree:

    submitted     the review task is waiting, unassigned (NEW)
    under review  the review task is assigned to the officer holding the case (ASSIGNED)
    returned      the with_author task is waiting for the professional to resubmit
    closed        the process is done (or cancelled, when withdrawn)
"""

from contextlib import contextmanager

from django.db import transaction
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow import Flow

from identity.permissions import REVIEW_ASSESSMENT

from .models import AssessmentReview


def _not_served_here(request, **kwargs):
    """Officers work the review task through the portal's own pages, never viewflow's bundled UI."""
    raise NotImplementedError("The review task is driven by workflows.services")


def _review_nodes() -> dict:
    """A fresh set of the review's nodes: each flow class needs nodes of its own, not shared by inheritance."""
    return {
        "start": flow.StartHandle(this.begin).Next(this.review),
        "review": (
            flow.View(_not_served_here)
            # Held by the routed team's group and the assigned officer as object rights on the assessment –
            # never globally, which would let anyone pass this check.
            .Permission(REVIEW_ASSESSMENT, obj=lambda process: process.assessment)
            .Annotation(title="Review the assessment")
            .Next(this.after_review)
        ),
        "after_review": (
            flow.Switch()
            .Case(this.review, lambda activation: activation.process.last_action == "released")
            .Case(this.with_author, lambda activation: activation.process.last_action == "returned")
            .Default(this.end)
        ),
        "with_author": flow.Handle(this.resubmitted).Annotation(title="Make the changes asked for").Next(this.review),
        "end": flow.End(),
    }


@contextmanager
def under_the_services_lock(flow_class, process_pk):
    """viewflow's lock for a review: none of its own, and no savepoint.

    Every change to a review is made by a service in workflows.services, inside the transaction in which it
    has locked the assessment's row (and the flow has no Join). Locking the process row as well would be a
    second lock on the same thing, a query and a savepoint at every step; an error rolls the whole
    transition back. Refused outside a transaction, where nothing would hold the case still.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A review is changed only inside a service's transaction")
    yield


class AssessmentReviewFlow(Flow):
    """What every review flow shares; the concrete flows below each get their own nodes."""

    process_class = AssessmentReview
    lock_impl = under_the_services_lock

    class Meta:
        abstract = True

    def begin(self, activation, assessment):
        # Saved by viewflow as the start task completes, straight after this.
        activation.process.assessment = assessment
        return activation.process

    def resubmitted(self, activation):
        return activation.process


def _review_flow(name: str, doc: str) -> type[AssessmentReviewFlow]:
    return type(name, (AssessmentReviewFlow,), {"__module__": __name__, "__doc__": doc, **_review_nodes()})


EarlyHelpReviewFlow = _review_flow("EarlyHelpReviewFlow", "Early Help Assessments, reviewed by the Early Help hub.")
EhcpRequestReviewFlow = _review_flow(
    "EhcpRequestReviewFlow", "Requests for an EHC needs assessment, checked by the SEND statutory assessment team."
)
YoungCarersReviewFlow = _review_flow(
    "YoungCarersReviewFlow", "Young Carers assessments, reviewed by the Young Carers service."
)

FLOWS = {
    "ehat": EarlyHelpReviewFlow,
    "ehcp": EhcpRequestReviewFlow,
    "young_carers": YoungCarersReviewFlow,
}
