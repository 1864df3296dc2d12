"""The EHC needs assessment as a viewflow flow: weeks 6 to 20 of an EHCP request.

    start ─► request_advice ─► ask_for_advice ─┬─ educational_psychology_advice ─┐
                                               ├─ health_advice ─────────────────┤
                                               ├─ social_care_advice ────────────┤
                                               ├─ setting_advice ────────────────┼─► advice_gathered
                                               ├─ parents_advice ────────────────┤        │
                                               └─ child_advice ──────────────────┘        ▼
                            not_issued ◄─ "not issue" ─ after_decision ◄──────────── decide_issue
                                                           │ "issue"
                                                           ▼
                                  draft_plan ─► comment_period ─► finalise ─► issued

Only the advice asked for is waited on (the split's cases). As with the review flows, the nodes change
nothing themselves: workflows.ehc makes every change in one transaction, having locked the needs
assessment's row first, and drives the task alongside. That lock is what makes the join safe: two
professionals answering at once are served one after the other, so the second sees the first's branch done.
"""

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow import Flow

from identity.permissions import REVIEW_ASSESSMENT

from .ehc_models import AdviceKind, AdviceRequest, IssueDecision, NeedsAssessmentProcess
from .flows import under_the_services_lock

# The advice node of each kind of advice.
ADVICE_NODES = {kind: f"{kind}_advice" for kind in AdviceKind.values}


def _not_served_here(request, **kwargs):
    """The coordinator works these tasks through the portal's own pages, never viewflow's bundled UI."""
    raise NotImplementedError("The needs assessment is driven by workflows.ehc")


def _coordinator(activation):
    return activation.process.needs_assessment.coordinator


def _asked_for(kind: str):
    def asked(activation) -> bool:
        needs_assessment_id = activation.process.needs_assessment_id
        return AdviceRequest.objects.filter(needs_assessment_id=needs_assessment_id, kind=kind).exists()

    return asked


def _coordinator_step(title: str) -> flow.View:
    return (
        flow.View(_not_served_here)
        # The SEND team's group and the officers holding the request have this right on the request itself.
        .Permission(REVIEW_ASSESSMENT, obj=lambda process: process.needs_assessment.assessment)
        .Assign(_coordinator)
        .Annotation(title=title)
    )


def _advice_step(kind: str) -> flow.Handle:
    return (
        flow.Handle(this.advice_given).Annotation(title=f"Advice: {AdviceKind(kind).label}").Next(this.advice_gathered)
    )


def _split() -> flow.Split:
    split = flow.Split()
    for kind, node in ADVICE_NODES.items():
        split = split.Next(getattr(this, node), case=_asked_for(kind))
    return split


class NeedsAssessmentFlow(Flow):
    """An EHC needs assessment: advice in parallel, the decision whether to issue, the draft and the final plan."""

    process_class = NeedsAssessmentProcess
    lock_impl = under_the_services_lock

    start = flow.StartHandle(this.begin).Next(this.request_advice)
    request_advice = _coordinator_step("Ask for advice").Next(this.ask_for_advice)
    ask_for_advice = _split()
    educational_psychology_advice = _advice_step(AdviceKind.EDUCATIONAL_PSYCHOLOGY)
    health_advice = _advice_step(AdviceKind.HEALTH)
    social_care_advice = _advice_step(AdviceKind.SOCIAL_CARE)
    setting_advice = _advice_step(AdviceKind.SETTING)
    parents_advice = _advice_step(AdviceKind.PARENTS)
    child_advice = _advice_step(AdviceKind.CHILD)
    advice_gathered = flow.Join().Next(this.decide_issue)
    decide_issue = _coordinator_step("Decide whether to issue a plan").Next(this.after_decision)
    after_decision = (
        flow.If(lambda activation: activation.process.needs_assessment.issue_decision == IssueDecision.ISSUE)
        .Then(this.draft_plan)
        .Else(this.not_issued)
    )
    draft_plan = _coordinator_step("Write and send the draft plan").Next(this.comment_period)
    comment_period = (
        flow.Handle(this.comments_closed).Annotation(title="Comments on the draft plan").Next(this.finalise)
    )
    finalise = _coordinator_step("Issue the final plan").Next(this.issued)
    issued = flow.End()
    not_issued = flow.End()

    def begin(self, activation, needs_assessment):
        # Saved by viewflow as the start task completes, straight after this.
        activation.process.needs_assessment = needs_assessment
        return activation.process

    def advice_given(self, activation):
        return activation.process

    def comments_closed(self, activation):
        return activation.process
