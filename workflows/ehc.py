"""Writes and reads for the EHC needs assessment of an EHCP request: weeks 6 to 20 (workflows.ehc_flows).

Every step is one call, as in workflows.services: in one transaction it locks the needs assessment's row,
checks the stage and the person, changes the rows with their history, and drives the flow's task alongside,
so the stage and the active tasks always agree:

    requesting_advice   the request_advice task is assigned to the coordinator
    gathering_advice    an advice task is waiting for each kind of advice asked for and not yet given
    deciding            the decide_issue task is assigned to the coordinator
    drafting            the draft_plan task is assigned to the coordinator
    comments            the comment_period task is waiting (the draft is with the family and the setting)
    finalising          the finalise task is assigned to the coordinator
    issued, not_issued  the process is done
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.models import Assessment, CaseEventKind
from casework.services import case_event_record
from identity.models import TeamMembership, TeamRole, User
from identity.permissions import REVIEW_ASSESSMENT, VIEW_ASSESSMENT, grant, require
from portal.access_log import access_denied_record

from . import annual_review, deadlines, ehc_dates, ehc_notifications, summaries
from .ehc_flows import ADVICE_NODES, NeedsAssessmentFlow
from .ehc_models import (
    AdviceKind,
    AdviceRequest,
    DraftPlanComment,
    IssueDecision,
    NeedsAssessment,
    NeedsAssessmentStage,
)
from .errors import TransitionRefused
from .models import ClockPause, PauseReason
from .selectors import case_for_council

# The sections of an EHC plan (SEND Code of Practice 9.62).
PLAN_SECTIONS = {
    "A": "The views, interests and aspirations of the child and their parents",
    "B": "The child's special educational needs",
    "C": "The child's health needs related to their SEN",
    "D": "The child's social care needs related to their SEN or disability",
    "E": "The outcomes sought for the child",
    "F": "The special educational provision required",
    "G": "Any health provision reasonably required",
    "H": "Any social care provision required (H1 under the Chronically Sick and Disabled Persons Act, H2 other)",
    "I": "The name and type of the school or other institution",
    "J": "Any personal budget",
    "K": "The advice and information gathered during the needs assessment",
}
# A draft plan must set out these; section I stays empty until the final plan (CoP 9.78: the draft names
# no school, so the parents can say which they prefer).
DRAFT_REQUIRED_SECTIONS = ("A", "B", "E", "F", "K")

# Each kind of advice as a sentence names it.
ADVICE_WHAT = {
    AdviceKind.EDUCATIONAL_PSYCHOLOGY: "the educational psychologist's advice",
    AdviceKind.HEALTH: "the health advice",
    AdviceKind.SOCIAL_CARE: "the social care advice",
    AdviceKind.SETTING: "the school or setting's advice",
    AdviceKind.PARENTS: "the parents' views",
    AdviceKind.CHILD: "the child's views",
}

# The structured answer of an advice request: what the professional sees, what it means, what would help.
ADVICE_QUESTIONS = {
    "needs": "What are the child's needs, as you see them?",
    "outcomes": "What outcomes should the support aim for?",
    "provision": "What provision or support do you advise?",
}

# The statutory clock of the needs assessment stops only for the exceptions of SEND Code of Practice 9.42.
CODE_OF_PRACTICE_EXCEPTIONS = (
    PauseReason.SCHOOL_CLOSED,
    PauseReason.CHILD_AWAY,
    PauseReason.FAMILY_CIRCUMSTANCES,
    PauseReason.MISSED_APPOINTMENT,
)
FINISHED_STAGES = (NeedsAssessmentStage.ISSUED, NeedsAssessmentStage.NOT_ISSUED)
_ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class PlanChangedMeanwhile(TransitionRefused):
    """The draft plan was saved by someone else (or another tab) since this version was read."""


@dataclass(frozen=True)
class AdviceRecipient:
    """Who a request for advice goes to: a name and a work e-mail address (registered or to be invited)."""

    name: str
    email: str


# ---------------------------------------------------------------- helpers


def _lock(needs_assessment: NeedsAssessment) -> NeedsAssessment:
    return (
        NeedsAssessment.objects.select_for_update(of=("self",))
        .select_related("assessment__team", "coordinator")
        .get(pk=needs_assessment.pk)
    )


def _save(needs_assessment: NeedsAssessment, reason: str, actor: User, *fields: str) -> None:
    needs_assessment._change_reason = reason
    needs_assessment._history_user = actor
    needs_assessment.save(update_fields=list(fields) or None)


def _in_team(user: User, assessment: Assessment, *, role: str | None = None) -> bool:
    memberships = TeamMembership.objects.filter(team_id=assessment.team_id, user=user, user__is_active=True)
    if role is not None:
        memberships = memberships.filter(role=role)
    return assessment.team_id is not None and memberships.exists()


def _require_coordinator(actor: User, needs_assessment: NeedsAssessment) -> None:
    require(
        actor.pk == needs_assessment.coordinator_id,
        "Only the assessment coordinator of this needs assessment can do this",
    )


def _ensure_stage(needs_assessment: NeedsAssessment, *stages: str) -> None:
    if needs_assessment.stage not in stages:
        raise TransitionRefused(f"The needs assessment is at another stage: {needs_assessment.get_stage_display()}")


def _task(needs_assessment: NeedsAssessment, node) -> Task:
    """The active task of a node of the needs assessment's process, holding the locked row."""
    task = (
        Task.objects.filter(
            process__needsassessmentprocess__needs_assessment=needs_assessment, flow_task=node, status__in=_ACTIVE
        )
        .select_related("process__needsassessmentprocess")
        .order_by("-pk")
        .first()
    )
    if task is None:
        raise TransitionRefused("The needs assessment is not waiting for this step")
    process = task.process.needsassessmentprocess
    process.needs_assessment = needs_assessment
    task.process = process
    return task


def _complete_coordinator_step(needs_assessment: NeedsAssessment, node) -> None:
    task = _task(needs_assessment, node)
    activation = node.activation_class(task)
    activation.start(None)
    activation.execute()


def _open_pause(assessment: Assessment) -> ClockPause | None:
    return ClockPause.objects.filter(assessment=assessment, ended_on__isnull=True).first()


def _advice_named(advice: AdviceRequest) -> str:
    return ehc_notifications.ADVICE_NAMED[advice.kind]


def _date_change(label: str, before, after) -> dict:
    return {"field": label, "before": str(before or ""), "after": str(after or "")}


# ---------------------------------------------------------------- starting


def _coordinator_named(assessment: Assessment, deciding_officer: User) -> User:
    """The SEND officer named as coordinator in the decision to assess, else the officer who decided."""
    name = (assessment.outcome_details or {}).get("coordinator", "").strip()
    if name:
        named = list(
            User.objects.filter(
                full_name__iexact=name,
                is_active=True,
                team_memberships__team_id=assessment.team_id,
            )[:2]
        )
        if len(named) == 1:
            return named[0]
    return deciding_officer


def needs_assessment_start(*, actor: User, assessment: Assessment) -> NeedsAssessment:
    """Start the needs assessment of a request just agreed to assess (called by assessment_close).

    Runs inside the decision's transaction, on the request's locked row. A request reopened and agreed again
    keeps the needs assessment it already has.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A needs assessment starts inside the decision's transaction")
    existing = NeedsAssessment.objects.filter(assessment=assessment).first()
    if existing is not None:
        return existing
    received_on = timezone.localdate(assessment.first_submitted_at)
    pauses = ClockPause.objects.filter(assessment=assessment, ended_on__isnull=False)
    dates = ehc_dates.statutory_dates(received_on, [(pause.started_on, pause.ended_on) for pause in pauses])
    coordinator = _coordinator_named(assessment, actor)
    needs_assessment = NeedsAssessment(
        assessment=assessment,
        coordinator=coordinator,
        received_on=received_on,
        agreed_to_assess_on=timezone.localdate(),
        issue_decision_due=dates.issue_decision_due,
        # The request's own 20-week date, kept by the review's pauses; the two agree from here on.
        final_due=assessment.final_due or dates.final_due,
    )
    needs_assessment._change_reason = f"Needs assessment started, coordinated by {coordinator.full_name}"
    needs_assessment._history_user = actor
    needs_assessment.save()
    grant(coordinator, (VIEW_ASSESSMENT, REVIEW_ASSESSMENT), assessment)
    NeedsAssessmentFlow.start.run(needs_assessment=needs_assessment)
    return needs_assessment


# ---------------------------------------------------------------- advice


@transaction.atomic
def advice_request(
    *,
    actor: User,
    needs_assessment: NeedsAssessment,
    recipients: dict[str, AdviceRecipient],
    not_sought: dict[str, str] | None = None,
) -> NeedsAssessment:
    """Ask for advice, each kind from a named professional, due 6 weeks from today (SEND Regulations reg. 6, 8).

    A kind of advice may be left out only with a reason (it already exists and everyone agrees it is enough).
    """
    needs_assessment = _lock(needs_assessment)
    _require_coordinator(actor, needs_assessment)
    _ensure_stage(needs_assessment, NeedsAssessmentStage.REQUESTING_ADVICE)
    not_sought = {kind: reason.strip() for kind, reason in (not_sought or {}).items()}
    unknown = (set(recipients) | set(not_sought)) - set(AdviceKind.values)
    if unknown:
        raise TransitionRefused("Ask only for the kinds of advice a needs assessment seeks")
    if not recipients:
        raise TransitionRefused("Ask at least one professional for advice")
    if set(recipients) & set(not_sought):
        raise TransitionRefused("Either ask for a kind of advice or say why it is not needed, not both")
    for kind in AdviceKind.values:
        if kind not in recipients and not not_sought.get(kind):
            raise TransitionRefused(f"Ask someone for {ADVICE_WHAT[kind]} or say why it is not needed")
    today = timezone.localdate()
    asked = []
    for kind, recipient in recipients.items():
        name, email = recipient.name.strip(), recipient.email.strip().lower()
        what = ADVICE_WHAT[kind]
        if not name or not email:
            raise TransitionRefused(f"Give the name and e-mail address of who is asked for {what}")
        try:
            validate_email(email)
        except ValidationError as error:
            raise TransitionRefused(f"Enter a valid e-mail address for {what}") from error
        request = AdviceRequest(
            needs_assessment=needs_assessment,
            kind=kind,
            professional=User.objects.filter(email__iexact=email, is_active=True).first(),
            professional_name=name,
            professional_email=email,
            requested_on=today,
            due_on=ehc_dates.advice_due(today),
        )
        request._change_reason = "Advice asked for"
        request._history_user = actor
        request.full_clean()
        request.save()
        asked.append(request)
    needs_assessment.advice_requested_on = today
    needs_assessment.advice_not_sought = not_sought
    needs_assessment.stage = NeedsAssessmentStage.GATHERING_ADVICE
    _save(needs_assessment, f"Advice asked for from {len(recipients)} professional(s)", actor)
    _complete_coordinator_step(needs_assessment, NeedsAssessmentFlow.request_advice)
    case_event_record(
        assessment=needs_assessment.assessment,
        kind=CaseEventKind.ADVICE_REQUESTED,
        actor=actor,
        summary=f"Advice asked of {len(asked)} professional(s), due {asked[0].due_on:%-d %B %Y}",
        changes=[_date_change(_advice_named(advice).capitalize(), "", advice.professional_name) for advice in asked],
    )
    ehc_notifications.advice_requested(asked)
    return needs_assessment


def may_give_advice(user: User, advice: AdviceRequest) -> bool:
    """The named professional gives their advice; the coordinator records advice that came another way."""
    return user.pk in (advice.professional_id, advice.needs_assessment.coordinator_id) or (
        advice.professional_id is None and user.email.lower() == advice.professional_email
    )


@transaction.atomic
def advice_give(*, actor: User, advice: AdviceRequest, answer: dict[str, str]) -> AdviceRequest:
    """The professional's advice, answered as a structured form; once all is in, the decision is next."""
    needs_assessment = _lock(advice.needs_assessment)
    advice = AdviceRequest.objects.select_for_update(of=("self",)).get(pk=advice.pk)
    advice.needs_assessment = needs_assessment
    require(may_give_advice(actor, advice), "Only the professional asked for this advice can give it")
    if advice.answered_on is not None:
        raise TransitionRefused("This advice has already been given")
    if advice.closed_unanswered_on is not None:
        raise TransitionRefused("The assessment has gone on without this advice: send it to the coordinator")
    _ensure_stage(needs_assessment, NeedsAssessmentStage.GATHERING_ADVICE)
    answer = {key: (answer.get(key) or "").strip() for key in ADVICE_QUESTIONS}
    if not all(answer.values()):
        raise TransitionRefused("Answer every question of the advice")
    advice.answer = answer
    advice.answered_on = timezone.localdate()
    advice.answered_by = actor
    if advice.professional_id is None and actor.email.lower() == advice.professional_email:
        # Invited by e-mail, they have since registered with that address: the request is theirs now.
        advice.professional = actor
    advice._change_reason = "Advice given"
    advice._history_user = actor
    advice.save()
    _advice_branch_done(needs_assessment, advice, actor)
    case_event_record(
        assessment=needs_assessment.assessment,
        kind=CaseEventKind.ADVICE_GIVEN,
        actor=actor,
        summary=f"{_advice_named(advice).capitalize()} given",
    )
    ehc_notifications.advice_given(advice)
    return advice


def _advice_branch_done(needs_assessment: NeedsAssessment, advice: AdviceRequest, actor: User) -> None:
    """Finish the advice's branch of the flow; once no advice is outstanding, the decision is next."""
    node = getattr(NeedsAssessmentFlow, ADVICE_NODES[advice.kind])
    node.run(_task(needs_assessment, node))
    outstanding = needs_assessment.advice_requests.filter(answered_on__isnull=True, closed_unanswered_on__isnull=True)
    if not outstanding.exists():
        needs_assessment.stage = NeedsAssessmentStage.DECIDING
        _save(needs_assessment, "All the advice asked for is in", actor, "stage")


@transaction.atomic
def advice_close_unanswered(*, actor: User, advice: AdviceRequest, reason: str) -> AdviceRequest:
    """Go on without advice that is overdue, saying why, so the decision whether to issue is not held up."""
    needs_assessment = _lock(advice.needs_assessment)
    _require_coordinator(actor, needs_assessment)
    _ensure_stage(needs_assessment, NeedsAssessmentStage.GATHERING_ADVICE)
    advice = AdviceRequest.objects.select_for_update(of=("self",)).get(pk=advice.pk)
    if advice.answered_on is not None or advice.closed_unanswered_on is not None:
        raise TransitionRefused("This advice is no longer awaited")
    today = timezone.localdate()
    if today <= advice.due_on:
        raise TransitionRefused(f"{advice.professional_name} has until {advice.due_on:%-d %B %Y} to give this advice")
    if not reason.strip():
        raise TransitionRefused("Say why the assessment goes on without this advice")
    advice.closed_unanswered_on = today
    advice.closed_unanswered_reason = reason.strip()
    advice._change_reason = "Gone on without the advice"
    advice._history_user = actor
    advice.save()
    _advice_branch_done(needs_assessment, advice, actor)
    case_event_record(
        assessment=needs_assessment.assessment,
        kind=CaseEventKind.ADVICE_GONE_WITHOUT,
        actor=actor,
        summary=f"Gone on without the {_advice_named(advice)} due {advice.due_on:%-d %B %Y}",
    )
    return advice


@transaction.atomic
def coordinator_assign(*, actor: User, needs_assessment: NeedsAssessment, coordinator: User) -> NeedsAssessment:
    """A SEND team manager hands the needs assessment to another officer of the team, tasks and all."""
    needs_assessment = _lock(needs_assessment)
    assessment = needs_assessment.assessment
    require(_in_team(actor, assessment, role=TeamRole.MANAGER), "Only a manager of the SEND team can do this")
    if needs_assessment.stage in FINISHED_STAGES:
        raise TransitionRefused("The needs assessment has finished")
    if not _in_team(coordinator, assessment):
        raise TransitionRefused(f"{coordinator.full_name} is not in the {assessment.team.name}")
    if coordinator.pk == needs_assessment.coordinator_id:
        raise TransitionRefused(f"{coordinator.full_name} already coordinates this needs assessment")
    previous = needs_assessment.coordinator
    needs_assessment.coordinator = coordinator
    _save(needs_assessment, f"Coordinator changed from {previous.full_name} to {coordinator.full_name}", actor)
    grant(coordinator, (VIEW_ASSESSMENT, REVIEW_ASSESSMENT), assessment)
    for task in Task.objects.filter(
        process__needsassessmentprocess__needs_assessment=needs_assessment, owner=previous, status=STATUS.ASSIGNED
    ):
        task.owner = coordinator
        task.save(update_fields=["owner"])
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.COORDINATOR_CHANGED,
        actor=actor,
        summary=f"Assessment coordinator changed to {coordinator.full_name}",
        changes=[{"field": "Assessment coordinator", "before": previous.full_name, "after": coordinator.full_name}],
    )
    return needs_assessment


# ---------------------------------------------------------------- deciding whether to issue


@transaction.atomic
def issue_decide(
    *,
    actor: User,
    needs_assessment: NeedsAssessment,
    decision: str,
    reasons: str = "",
    appeal_rights_given: bool = False,
) -> NeedsAssessment:
    """Decide whether to issue an EHC plan (by week 16). Not issuing needs reasons and the right of appeal told."""
    needs_assessment = _lock(needs_assessment)
    _require_coordinator(actor, needs_assessment)
    _ensure_stage(needs_assessment, NeedsAssessmentStage.DECIDING)
    if decision not in IssueDecision.values:
        raise TransitionRefused("Choose whether to issue a plan")
    reasons = reasons.strip()
    if decision == IssueDecision.NOT_ISSUE:
        if not reasons:
            raise TransitionRefused("Give the reasons for not issuing a plan, as the parents will read them")
        if not appeal_rights_given:
            raise TransitionRefused("Confirm the parents have been told of their right to appeal (CoP 9.61)")
    needs_assessment.issue_decision = decision
    needs_assessment.issue_decided_on = timezone.localdate()
    needs_assessment.not_issue_reasons = reasons if decision == IssueDecision.NOT_ISSUE else ""
    needs_assessment.appeal_rights_given = decision == IssueDecision.NOT_ISSUE and appeal_rights_given
    needs_assessment.stage = (
        NeedsAssessmentStage.DRAFTING if decision == IssueDecision.ISSUE else NeedsAssessmentStage.NOT_ISSUED
    )
    _save(needs_assessment, f"Decided: {IssueDecision(decision).label}", actor)
    if decision == IssueDecision.NOT_ISSUE:
        _end_pause(needs_assessment, actor)
    _complete_coordinator_step(needs_assessment, NeedsAssessmentFlow.decide_issue)
    issuing = decision == IssueDecision.ISSUE
    case_event_record(
        assessment=needs_assessment.assessment,
        kind=CaseEventKind.DECIDED_TO_ISSUE if issuing else CaseEventKind.DECIDED_NOT_TO_ISSUE,
        actor=actor,
        summary="A draft EHC plan is next" if issuing else "The parents were told of their right to appeal",
    )
    if not issuing:
        ehc_notifications.plan_not_issued(needs_assessment)
    return needs_assessment


# ---------------------------------------------------------------- the draft and the final plan


def plan_version(needs_assessment: NeedsAssessment) -> str:
    """A fingerprint of the plan's sections as saved: a page sends back the one it was shown, so a save made
    meanwhile by another coordinator, or in another tab, is noticed instead of silently overwritten."""
    text = json.dumps(needs_assessment.plan_sections or {}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _ensure_version(needs_assessment: NeedsAssessment, version: str | None) -> None:
    if version is not None and version != plan_version(needs_assessment):
        raise PlanChangedMeanwhile(
            "The draft plan has been saved by someone else since you opened it: your changes are not saved yet"
        )


def _clean_sections(sections: dict[str, str]) -> dict[str, str]:
    if set(sections) - set(PLAN_SECTIONS):
        raise TransitionRefused("Write only the sections A to K of the plan")
    return {key: (sections.get(key) or "").strip() for key in PLAN_SECTIONS}


@transaction.atomic
def draft_plan_save(
    *, actor: User, needs_assessment: NeedsAssessment, sections: dict[str, str], version: str | None = None
) -> NeedsAssessment:
    """Keep the coordinator's work on the draft plan's sections; nothing is sent yet.

    `version` is the plan_version the page was shown: a draft saved since then is not overwritten.
    """
    needs_assessment = _lock(needs_assessment)
    _require_coordinator(actor, needs_assessment)
    _ensure_stage(needs_assessment, NeedsAssessmentStage.DRAFTING)
    _ensure_version(needs_assessment, version)
    needs_assessment.plan_sections = _clean_sections(sections)
    _save(needs_assessment, "Draft plan saved", actor, "plan_sections")
    return needs_assessment


@transaction.atomic
def draft_plan_send(*, actor: User, needs_assessment: NeedsAssessment, version: str | None = None) -> NeedsAssessment:
    """Send the draft plan to the parents and the setting: they have 15 calendar days to comment (reg. 13).

    `version`, from the page: the draft sent is the one the coordinator read, not one saved since.
    """
    needs_assessment = _lock(needs_assessment)
    _require_coordinator(actor, needs_assessment)
    _ensure_stage(needs_assessment, NeedsAssessmentStage.DRAFTING)
    _ensure_version(needs_assessment, version)
    sections = needs_assessment.plan_sections
    missing = [key for key in DRAFT_REQUIRED_SECTIONS if not sections.get(key)]
    if missing:
        raise TransitionRefused(f"Write section{'s' if len(missing) > 1 else ''} {', '.join(missing)} of the draft")
    if sections.get("I"):
        raise TransitionRefused("Leave section I empty in the draft: the parents say which school they prefer")
    today = timezone.localdate()
    needs_assessment.draft_sent_on = today
    needs_assessment.comments_due = ehc_dates.comments_due(today)
    needs_assessment.stage = NeedsAssessmentStage.COMMENTS
    _save(needs_assessment, "Draft plan sent for comments", actor)
    _complete_coordinator_step(needs_assessment, NeedsAssessmentFlow.draft_plan)
    case_event_record(
        assessment=needs_assessment.assessment,
        kind=CaseEventKind.DRAFT_PLAN_SENT,
        actor=actor,
        summary=f"Comments due by {needs_assessment.comments_due:%-d %B %Y}",
        changes=[_date_change("Comments on the draft plan due", "", needs_assessment.comments_due)],
    )
    ehc_notifications.draft_plan_sent(needs_assessment)
    return needs_assessment


@transaction.atomic
def draft_comment_record(
    *,
    actor: User,
    needs_assessment: NeedsAssessment,
    from_whom: str,
    comments: str,
    preferred_school: str = "",
    no_further_comments: bool = False,
) -> DraftPlanComment:
    """Record comments on the draft plan (and a preferred school) received from the family or the setting."""
    needs_assessment = _lock(needs_assessment)
    _require_coordinator(actor, needs_assessment)
    _ensure_stage(needs_assessment, NeedsAssessmentStage.COMMENTS)
    if not from_whom.strip() or not comments.strip():
        raise TransitionRefused("Say who the comments are from and what they say")
    comment = DraftPlanComment(
        needs_assessment=needs_assessment,
        from_whom=from_whom.strip(),
        comments=comments.strip(),
        preferred_school=preferred_school.strip(),
        no_further_comments=no_further_comments,
        received_on=timezone.localdate(),
        recorded_by=actor,
    )
    comment._change_reason = "Comments on the draft plan"
    comment._history_user = actor
    comment.full_clean()
    comment.save()
    case_event_record(
        assessment=needs_assessment.assessment,
        kind=CaseEventKind.DRAFT_COMMENTS_RECORDED,
        actor=actor,
        summary=f"Comments from {comment.from_whom}" + (" (no further comments)" if no_further_comments else ""),
    )
    return comment


@transaction.atomic
def draft_comment_from_setting(
    *, actor: User, needs_assessment: NeedsAssessment, comments: str, preferred_school: str = ""
) -> DraftPlanComment:
    """The setting that made the request sends its comments on the draft plan through the portal, as itself."""
    needs_assessment = _lock(needs_assessment)
    assessment = needs_assessment.assessment
    require(actor.pk == assessment.author_id, "Only the professional who made the request can comment here")
    _ensure_stage(needs_assessment, NeedsAssessmentStage.COMMENTS)
    if not comments.strip():
        raise TransitionRefused("Write your comments on the draft plan")
    organisation = assessment.organisation.name if assessment.organisation_id else ""
    comment = DraftPlanComment(
        needs_assessment=needs_assessment,
        from_whom=f"{actor.full_name}, {organisation}" if organisation else actor.full_name,
        comments=comments.strip(),
        preferred_school=preferred_school.strip(),
        received_on=timezone.localdate(),
        recorded_by=actor,
    )
    comment._change_reason = "Comments on the draft plan from the setting"
    comment._history_user = actor
    comment.full_clean()
    comment.save()
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.DRAFT_COMMENTS_RECORDED,
        actor=actor,
        summary=f"Comments from {comment.from_whom}, sent through the portal",
    )
    return comment


def comment_period_over(needs_assessment: NeedsAssessment, today: datetime.date) -> bool:
    """The 15 days have passed, or the family said they have nothing more to add."""
    return (
        today > needs_assessment.comments_due
        or needs_assessment.draft_comments.filter(no_further_comments=True).exists()
    )


@transaction.atomic
def comment_period_close(*, actor: User, needs_assessment: NeedsAssessment) -> NeedsAssessment:
    """End the comment period, never before the family's 15 days unless they said they are done."""
    needs_assessment = _lock(needs_assessment)
    _require_coordinator(actor, needs_assessment)
    _ensure_stage(needs_assessment, NeedsAssessmentStage.COMMENTS)
    if not comment_period_over(needs_assessment, timezone.localdate()):
        raise TransitionRefused(
            f"The family have until {needs_assessment.comments_due:%-d %B %Y} to comment on the draft plan"
        )
    needs_assessment.stage = NeedsAssessmentStage.FINALISING
    _save(needs_assessment, "Comment period ended", actor, "stage")
    NeedsAssessmentFlow.comment_period.run(_task(needs_assessment, NeedsAssessmentFlow.comment_period))
    case_event_record(
        assessment=needs_assessment.assessment,
        kind=CaseEventKind.COMMENT_PERIOD_ENDED,
        actor=actor,
        summary="The final plan is next",
    )
    return needs_assessment


@transaction.atomic
def final_plan_issue(*, actor: User, needs_assessment: NeedsAssessment, sections: dict[str, str]) -> NeedsAssessment:
    """Issue the final EHC plan, naming the school in section I; the 20-week measure reads its date."""
    needs_assessment = _lock(needs_assessment)
    _require_coordinator(actor, needs_assessment)
    _ensure_stage(needs_assessment, NeedsAssessmentStage.FINALISING)
    sections = _clean_sections(sections)
    missing = [key for key in (*DRAFT_REQUIRED_SECTIONS, "I") if not sections.get(key)]
    if missing:
        raise TransitionRefused(f"Write section{'s' if len(missing) > 1 else ''} {', '.join(missing)} of the plan")
    today = timezone.localdate()
    needs_assessment.plan_sections = sections
    needs_assessment.final_issued_on = today
    needs_assessment.stage = NeedsAssessmentStage.ISSUED
    _save(needs_assessment, "Final plan issued", actor)
    _end_pause(needs_assessment, actor)
    _complete_coordinator_step(needs_assessment, NeedsAssessmentFlow.finalise)
    annual_review.annual_review_start(actor=actor, needs_assessment=needs_assessment)
    assessment = Assessment.objects.select_for_update(of=("self",)).get(pk=needs_assessment.assessment_id)
    counted = summaries.case_figures(assessment)
    assessment.plan_issued_on = today
    assessment.updated_at = timezone.now()
    assessment._change_reason = "Final plan issued"
    assessment._history_user = actor
    assessment.save(update_fields=["plan_issued_on", "updated_at"])
    summaries.summary_change_apply(counted, summaries.case_figures(assessment))
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.PLAN_ISSUED,
        actor=actor,
        summary=f"Final EHC plan issued on {today:%-d %B %Y}",
        changes=[_date_change("Final plan issued", "", today)],
    )
    ehc_notifications.plan_issued(needs_assessment)
    return needs_assessment


# ---------------------------------------------------------------- the clock


def _may_work_the_clock(actor: User, needs_assessment: NeedsAssessment) -> bool:
    return actor.pk == needs_assessment.coordinator_id or _in_team(
        actor, needs_assessment.assessment, role=TeamRole.MANAGER
    )


def may_work_the_clock(user: User, needs_assessment: NeedsAssessment) -> bool:
    """The coordinator or a SEND team manager may stop and restart the needs assessment's clock."""
    return _may_work_the_clock(user, needs_assessment)


def may_hand_over(user: User, needs_assessment: NeedsAssessment) -> bool:
    """A manager of the SEND team may hand the needs assessment to another of its officers."""
    return _in_team(user, needs_assessment.assessment, role=TeamRole.MANAGER)


@transaction.atomic
def needs_assessment_clock_pause(*, actor: User, needs_assessment: NeedsAssessment, reason: str) -> ClockPause:
    """Stop the statutory clock for a SEND Code of Practice 9.42 exception."""
    needs_assessment = _lock(needs_assessment)
    require(
        _may_work_the_clock(actor, needs_assessment),
        "Only the assessment coordinator or a manager of the SEND team can stop the clock",
    )
    if needs_assessment.stage in FINISHED_STAGES:
        raise TransitionRefused("The needs assessment has finished")
    if reason not in CODE_OF_PRACTICE_EXCEPTIONS:
        raise TransitionRefused("Choose one of the Code of Practice 9.42 exceptions")
    assessment = needs_assessment.assessment
    if _open_pause(assessment) is not None:
        raise TransitionRefused("The clock is already paused")
    pause = ClockPause(assessment=assessment, reason=reason, started_on=timezone.localdate(), started_by=actor)
    pause._change_reason = "Clock paused"
    pause._history_user = actor
    pause.save()
    case_event_record(
        assessment=assessment, kind=CaseEventKind.CLOCK_PAUSED, actor=actor, summary=PauseReason(reason).label
    )
    return pause


@transaction.atomic
def needs_assessment_clock_resume(*, actor: User, needs_assessment: NeedsAssessment) -> NeedsAssessment:
    """Restart the clock: every date still to be met moves on by the calendar days paused."""
    needs_assessment = _lock(needs_assessment)
    require(
        _may_work_the_clock(actor, needs_assessment),
        "Only the assessment coordinator or a manager of the SEND team can restart the clock",
    )
    if _open_pause(needs_assessment.assessment) is None:
        raise TransitionRefused("The clock is not paused")
    _end_pause(needs_assessment, actor)
    return needs_assessment


def _end_pause(needs_assessment: NeedsAssessment, actor: User) -> None:
    """End an open pause, moving on the dates not yet met (the family's 15 days for comments are theirs)."""
    assessment = needs_assessment.assessment
    pause = _open_pause(assessment)
    if pause is None:
        return
    today = timezone.localdate()
    pause.ended_on = today
    pause._change_reason = "Clock resumed"
    pause._history_user = actor
    pause.save()
    paused = [(pause.started_on, today)]
    changes = []
    if not needs_assessment.issue_decided_on:
        before = needs_assessment.issue_decision_due
        needs_assessment.issue_decision_due = ehc_dates.moved_on(before, paused)
        changes.append(_date_change("decision whether to issue due", before, needs_assessment.issue_decision_due))
    if not needs_assessment.final_issued_on:
        before = needs_assessment.final_due
        needs_assessment.final_due = ehc_dates.moved_on(before, paused)
        changes.append(_date_change("final plan due", before, needs_assessment.final_due))
        assessment = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
        assessment.final_due = needs_assessment.final_due
        assessment.updated_at = timezone.now()
        assessment._change_reason = "Clock resumed"
        assessment._history_user = actor
        assessment.save(update_fields=["final_due", "updated_at"])
    _save(needs_assessment, "Clock resumed", actor, "issue_decision_due", "final_due")
    for advice in needs_assessment.advice_requests.filter(answered_on__isnull=True, closed_unanswered_on__isnull=True):
        before = advice.due_on
        advice.due_on = ehc_dates.moved_on(before, paused)
        advice._change_reason = "Clock resumed"
        advice._history_user = actor
        advice.save(update_fields=["due_on"])
        changes.append(_date_change(f"{advice.get_kind_display()} advice due", before, advice.due_on))
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.CLOCK_RESUMED,
        actor=actor,
        summary=f"Paused from {pause.started_on:%-d %B %Y} to {today:%-d %B %Y}",
        changes=[change for change in changes if change["before"] != change["after"]],
    )


# ---------------------------------------------------------------- reads


def key_dates(needs_assessment: NeedsAssessment) -> list[tuple[str, datetime.date, datetime.date]]:
    """Each statutory date still ahead with the last working day on or before it (bank holidays skipped)."""
    holidays = deadlines.bank_holidays()
    dates = []
    if not needs_assessment.issue_decided_on:
        dates.append(("Decision whether to issue a plan (week 16)", needs_assessment.issue_decision_due))
    if needs_assessment.comments_due and needs_assessment.stage == NeedsAssessmentStage.COMMENTS:
        dates.append(("Comments on the draft plan", needs_assessment.comments_due))
    if not needs_assessment.final_issued_on and needs_assessment.stage != NeedsAssessmentStage.NOT_ISSUED:
        dates.append(("Final plan (week 20)", needs_assessment.final_due))
    return [(label, due, ehc_dates.work_by(due, holidays)) for label, due in dates]


def needs_assessment_running(assessment: Assessment) -> bool:
    """The request has a needs assessment that has not yet ended in a plan or a decision not to issue."""
    return (
        assessment.kind == "ehcp"
        and NeedsAssessment.objects.filter(assessment=assessment).exclude(stage__in=FINISHED_STAGES).exists()
    )


def needs_assessment_for_council(user: User, pk: int) -> NeedsAssessment:
    """The needs assessment of a request the council person may see (workflows.selectors.case_for_council); else 404."""
    assessment = case_for_council(user, pk)
    needs_assessment = NeedsAssessment.objects.select_related("coordinator").filter(assessment=assessment).first()
    if needs_assessment is None:
        raise Http404("No needs assessment")
    needs_assessment.assessment = assessment
    return needs_assessment


def may_comment_on_draft(user: User, needs_assessment: NeedsAssessment | None) -> bool:
    """The professional who made the request reads the draft plan and comments on it while comments are open."""
    return (
        needs_assessment is not None
        and needs_assessment.stage == NeedsAssessmentStage.COMMENTS
        and needs_assessment.assessment.author_id == user.pk
    )


def draft_plan_for_setting(user: User, pk: int) -> NeedsAssessment:
    """The draft plan, for the professional who made the request, while it is out for comments; else 404."""
    needs_assessment = (
        NeedsAssessment.objects.select_related("assessment__organisation", "coordinator")
        .filter(assessment_id=pk)
        .first()
    )
    if not may_comment_on_draft(user, needs_assessment):
        access_denied_record(user=user, resource=f"draft plan {pk}")
        raise Http404("No draft plan to comment on")
    return needs_assessment


def draft_comments_of(needs_assessment: NeedsAssessment) -> list[DraftPlanComment]:
    return list(needs_assessment.draft_comments.select_related("recorded_by").order_by("received_on", "pk"))


def advice_requests_of(needs_assessment: NeedsAssessment) -> list[AdviceRequest]:
    return list(needs_assessment.advice_requests.select_related("professional").order_by("pk"))


def advice_for_adviser(user: User, pk: int, kind: str) -> AdviceRequest:
    """A request for advice, for the professional it was asked of (or the coordinator); 404 for anyone else."""
    advice = (
        AdviceRequest.objects.select_related("needs_assessment__assessment", "needs_assessment__coordinator")
        .filter(needs_assessment__assessment_id=pk, kind=kind)
        .first()
    )
    if advice is None or not may_give_advice(user, advice):
        access_denied_record(user=user, resource=f"advice {pk}/{kind}")
        raise Http404("No such request for advice")
    return advice
