"""Writes for the council's side of an assessment: submitting, claiming, returning, deciding and the rest.

Every transition is one call: in one transaction it locks the assessment row, checks the state and the
person's right, changes the status, drives the viewflow task alongside (so they always agree), writes
history and a timeline event, changes object rights, and queues notifications for after the commit.
Submitting lives here, not in casework: it hands the assessment to the council's review.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from casework.models import (
    Assessment,
    AssessmentSection,
    CaseEvent,
    CaseEventKind,
    Collaborator,
    CollaboratorRole,
    ConsentWithdrawal,
    ConsentWithdrawalMethod,
    Outcome,
    Status,
)
from casework.sections import spec_for
from casework.selectors import assessment_gaps
from casework.services import case_event_record
from identity.models import Team, TeamMembership, TeamRole, User
from identity.permissions import (
    DRAFTING_RIGHTS,
    REVIEW_ASSESSMENT,
    VIEW_ASSESSMENT,
    can_submit_assessment,
    can_view_assessment,
    grant,
    require,
    revoke,
    revoke_from_all_users,
)

from . import deadlines, summaries
from .ehc import needs_assessment_running, needs_assessment_start
from .ehc_models import NeedsAssessment
from .errors import AlreadyTaken, TransitionRefused
from .flows import FLOWS
from .models import (
    MANDATORY_KINDS,
    AssessmentReview,
    CaseMessage,
    ClockPause,
    Notification,
    NotificationKind,
    NotificationPreference,
    PauseReason,
    TeamRoute,
)
from .notifications import notify, notify_all
from .selectors import routed_team

logger = logging.getLogger(__name__)

REVIEWER_RIGHTS = (VIEW_ASSESSMENT, REVIEW_ASSESSMENT)

# The columns a transition changes, saved alone (the row's history still records the whole row).
HOLDER_FIELDS = ("status", "assigned_to", "claimed_at")
SUBMISSION_FIELDS = (
    *HOLDER_FIELDS,
    "team",
    "submitted_at",
    "first_submitted_at",
    "pickup_due",
    "decision_due",
    "final_due",
)

OUTCOMES_BY_KIND = {
    "ehat": (Outcome.ACCEPTED, Outcome.SIGNPOSTED, Outcome.STEPPED_UP),
    "ehcp": (Outcome.AGREED_TO_ASSESS, Outcome.REFUSED_TO_ASSESS),
    "young_carers": (Outcome.SUPPORT_PLAN, Outcome.NO_ELIGIBLE_NEEDS),
}
# How each kind can close with no decision made: the author withdrew it, or (an EHAT) the family withdrew consent.
ENDINGS_WITHOUT_DECISION = {
    "ehat": (Outcome.WITHDRAWN, Outcome.CONSENT_WITHDRAWN),
    "ehcp": (Outcome.WITHDRAWN,),
    "young_carers": (Outcome.WITHDRAWN,),
}


# ---------------------------------------------------------------- helpers


def _lock(assessment: Assessment, *, related: tuple[str, ...] = ("team", "author", "organisation")) -> Assessment:
    # Not the officer holding it: a row waited for is re-read after the other transaction commits, but
    # PostgreSQL keeps the joined rows it read before the wait, so a new holder would come back as nobody.
    return Assessment.objects.select_for_update(of=("self",)).select_related(*related).get(pk=assessment.pk)


def _save(assessment: Assessment, reason: str, actor: User | None, *fields: str) -> None:
    assessment.updated_at = timezone.now()
    assessment._change_reason = reason
    if actor is not None:
        assessment._history_user = actor
    assessment.save(update_fields=[*fields, "updated_at"] if fields else None)


def _link(name: str, assessment: Assessment) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=[assessment.pk])


def _officer_link(assessment: Assessment) -> str:
    return _link("workflows:case", assessment)


def _author_link(assessment: Assessment) -> str:
    return _link("workflows:progress", assessment)


def _drafters(assessment: Assessment) -> list[User]:
    co_authors = [
        collaborator.user
        for collaborator in Collaborator.objects.filter(assessment=assessment, role=CollaboratorRole.CO_AUTHOR)
        .select_related("user")
        .order_by("pk")
    ]
    return [assessment.author, *co_authors]


def active_review(assessment: Assessment) -> AssessmentReview | None:
    return (
        AssessmentReview.objects.filter(assessment=assessment)
        .exclude(status__in=(PROCESS.DONE, PROCESS.CANCELED))
        .order_by("-pk")
        .first()
    )


def active_task(review: AssessmentReview, node):
    return (
        review.task_set.filter(flow_task=node, status__in=(STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED))
        .order_by("-pk")
        .first()
    )


def _review_task(assessment: Assessment):
    """The active review task of the assessment's process (it has one while submitted or under review)."""
    # The task and its process in one read; the process as the review it is, holding the assessment row
    # the service locked, so viewflow's right check and activation read neither again.
    task = (
        Task.objects.filter(
            process__assessmentreview__assessment=assessment,
            flow_task=FLOWS[assessment.kind].review,
            status__in=(STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED),
        )
        .exclude(process__status__in=(PROCESS.DONE, PROCESS.CANCELED))
        .select_related("process__assessmentreview")
        .order_by("-pk")
        .first()
    )
    if task is None:
        raise TransitionRefused("This assessment is not waiting for review")
    review = task.process.assessmentreview
    review.assessment = assessment
    task.process = review
    return task


def _activation(task):
    """The viewflow activation of a task read by `_review_task` in this transaction.

    Not `task.activation()`: that locks the process row and reads the task and its process again, four
    queries that the service's lock on the assessment row (every change to a review goes through one)
    and its fresh read of the task make redundant.
    """
    return task.flow_task.activation_class(task)


def is_team_member(user: User, team: Team | None) -> bool:
    return team is not None and TeamMembership.objects.filter(team=team, user=user, user__is_active=True).exists()


def is_team_manager(user: User, team: Team | None) -> bool:
    return team is not None and TeamMembership.objects.filter(team=team, user=user, role=TeamRole.MANAGER).exists()


def _holds(user: User, assessment: Assessment) -> bool:
    return assessment.assigned_to_id == user.pk


def _grant_officer(officer: User, assessment: Assessment) -> None:
    grant(officer, REVIEWER_RIGHTS, assessment)


def _revoke_officer(officer: User | None, assessment: Assessment) -> None:
    if officer is not None:
        revoke(officer, (REVIEW_ASSESSMENT,), assessment)


def _open_pause(assessment: Assessment) -> ClockPause | None:
    return ClockPause.objects.filter(assessment=assessment, ended_on__isnull=True).first()


def _pause_clock(assessment: Assessment, reason: str, actor: User) -> None:
    if _open_pause(assessment) is None:
        pause = ClockPause(assessment=assessment, reason=reason, started_on=timezone.localdate(), started_by=actor)
        pause._change_reason = "Clock paused"
        pause.save()
        case_event_record(
            assessment=assessment,
            kind=CaseEventKind.CLOCK_PAUSED,
            actor=actor,
            summary=PauseReason(reason).label,
        )


def _resume_clock(assessment: Assessment, actor: User) -> None:
    """End an open pause and move the due dates on by its length."""
    pause = _open_pause(assessment)
    if pause is None:
        return
    today = timezone.localdate()
    pause.ended_on = today
    pause._change_reason = "Clock resumed"
    pause.save()
    holidays = deadlines.bank_holidays()
    changes = []
    for field in ("pickup_due", "decision_due", "final_due"):
        before = getattr(assessment, field)
        after = deadlines.extended(assessment.kind, before, pause.started_on, today, holidays)
        if after != before:
            setattr(assessment, field, after)
            changes.append({"field": field.replace("_", " "), "before": str(before), "after": str(after)})
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.CLOCK_RESUMED,
        actor=actor,
        summary=f"Paused from {pause.started_on:%-d %B %Y} to {today:%-d %B %Y}",
        changes=changes,
    )


# ---------------------------------------------------------------- what a person may do to a case now
#
# Each transition's checks, in the order the transition makes them: the service runs them on the locked row,
# and the case page and the form pages run the same ones, so a button or a form is offered only to someone
# who could use it, and a form page refuses (as its POST would) before showing anything.


def may(check, actor: User, assessment: Assessment) -> bool:
    """Whether one of the ensure_may_* checks passes for this person and case as it stands."""
    try:
        check(actor, assessment)
    except (TransitionRefused, PermissionDenied):
        return False
    return True


def ensure_may_claim(actor: User, assessment: Assessment):
    """Refuse unless the person may pick the case up now; the review task they would take, if they may."""
    if assessment.status == Status.UNDER_REVIEW:
        holder = assessment.assigned_to.full_name if assessment.assigned_to else "another officer"
        raise AlreadyTaken(f"{holder} has just picked this assessment up")
    if assessment.status != Status.SUBMITTED:
        raise TransitionRefused("This assessment is not in the queue")
    if assessment.assigned_to_id not in (None, actor.pk) and not is_team_manager(actor, assessment.team):
        raise AlreadyTaken(f"This assessment is waiting for {assessment.assigned_to.full_name}")
    # The cheaper check first: a service manager, or an officer of another team, costs no read of the task.
    require(
        is_team_member(actor, assessment.team), "Only officers of the team this assessment is routed to can pick it up"
    )
    task = _review_task(assessment)
    require(
        FLOWS[assessment.kind].review.can_assign(actor, task),
        "Only officers of the team this assessment is routed to can pick it up",
    )
    return task


def ensure_may_assign(actor: User, assessment: Assessment) -> None:
    require(is_team_manager(actor, assessment.team), "Only a manager of this team can assign its work")
    if assessment.status not in (Status.SUBMITTED, Status.UNDER_REVIEW):
        raise TransitionRefused("Only assessments in the queue or under review can be assigned")


def ensure_may_release(actor: User, assessment: Assessment) -> None:
    if assessment.status != Status.UNDER_REVIEW:
        raise TransitionRefused("Only an assessment under review can be put back in the queue")
    require(
        _holds(actor, assessment) or is_team_manager(actor, assessment.team),
        "Only the officer reviewing this assessment or a manager of its team can put it back in the queue",
    )


def ensure_may_return(actor: User, assessment: Assessment) -> None:
    if assessment.status != Status.UNDER_REVIEW:
        raise TransitionRefused("Only an assessment under review can be returned")
    require(_holds(actor, assessment), "Only the officer reviewing this assessment can return it")


def ensure_may_decide(actor: User, assessment: Assessment) -> None:
    if assessment.status != Status.UNDER_REVIEW:
        raise TransitionRefused("Only an assessment under review can be decided")
    require(_holds(actor, assessment), "Only the officer reviewing this assessment can decide it")


def ensure_may_reopen(actor: User, assessment: Assessment) -> None:
    require(is_team_manager(actor, assessment.team), "Only a manager of this team can reopen its cases")
    if needs_assessment_running(assessment):
        # Reopening would start a new review beside a plan process that nothing then drives (issue #13).
        raise TransitionRefused(
            "This request cannot be reopened while its EHC needs assessment is under way: "
            "the needs assessment must finish first"
        )
    if not can_reopen(actor, assessment):
        raise TransitionRefused(
            f"Only cases closed in the last {settings.PORTAL_REOPEN_WINDOW_DAYS} days can be reopened"
        )


def _ensure_may_work_the_clock(actor: User, assessment: Assessment) -> None:
    require(
        _holds(actor, assessment) or is_team_manager(actor, assessment.team),
        "Only the officer reviewing this assessment or a manager of its team can stop or restart its clock",
    )


def ensure_may_pause(actor: User, assessment: Assessment) -> None:
    _ensure_may_work_the_clock(actor, assessment)
    if assessment.status not in (Status.SUBMITTED, Status.UNDER_REVIEW):
        raise TransitionRefused("The clock can only be paused while the council has the assessment")
    if _open_pause(assessment) is not None:
        raise TransitionRefused("The clock is already paused")


def ensure_may_resume(actor: User, assessment: Assessment) -> None:
    _ensure_may_work_the_clock(actor, assessment)
    if assessment.status not in (Status.SUBMITTED, Status.UNDER_REVIEW):
        # A return's pause ends when the professional resubmits, not before.
        raise TransitionRefused("The clock can only be restarted while the council has the assessment")
    if _open_pause(assessment) is None:
        raise TransitionRefused("The clock is not paused")


# ---------------------------------------------------------------- submitting


class SubmissionRefused(TransitionRefused):
    """The assessment cannot be submitted as it is."""


class DeclarationMissing(SubmissionRefused):
    """Everything else allows the submission, but the declaration was not confirmed."""


def _receiving_team(assessment: Assessment) -> Team:
    """The team that receives the assessment, or a refusal that keeps the draft when no team does just now."""
    try:
        return routed_team(assessment.kind)
    except TeamRoute.DoesNotExist:
        # A setting for an administrator to put right, not a fault of the person submitting.
        logger.error("submission_refused no_team_route kind=%s assessment=%s", assessment.kind, assessment.pk)
        raise SubmissionRefused(
            "The council cannot receive this assessment just now. It has not been sent and nothing in it has "
            f"changed: try again later, or contact the portal team at {settings.PORTAL_SUPPORT_EMAIL}"
        ) from None


@transaction.atomic
def assessment_submit(*, actor: User, assessment: Assessment, declaration: bool) -> Assessment:
    """Send a draft to the council's review (or a returned assessment, again). Its authors stop editing it."""
    assessment = _lock(assessment, related=("team", "organisation"))
    if assessment.author_id == actor.pk:
        # Authors nearly always submit their own work, and this request has their row already.
        assessment.author = actor
    if assessment.status not in (Status.DRAFT, Status.RETURNED):
        raise SubmissionRefused("This assessment has already been submitted")
    require(can_submit_assessment(actor, assessment))
    if not declaration:
        raise DeclarationMissing("Confirm the declaration to submit the assessment")
    if assessment_gaps(assessment):
        raise SubmissionRefused("The assessment is not complete: check your answers")
    counted = summaries.case_figures(assessment)
    now = timezone.now()
    resubmission = assessment.status == Status.RETURNED
    flow_class = FLOWS[assessment.kind]
    if resubmission:
        review = active_review(assessment)
        flow_class.with_author.run(active_task(review, flow_class.with_author))
        _resume_clock(assessment, actor)
        if assessment.assigned_to and not is_team_member(assessment.assigned_to, assessment.team):
            _revoke_officer(assessment.assigned_to, assessment)
            assessment.assigned_to = None
    else:
        team = _receiving_team(assessment)
        assessment.team = team
        grant(team.group, REVIEWER_RIGHTS, assessment)
        due = deadlines.due_dates_for(assessment.kind, timezone.localdate(), deadlines.bank_holidays())
        assessment.pickup_due, assessment.decision_due, assessment.final_due = (
            due.pickup_due,
            due.decision_due,
            due.final_due,
        )
        assessment.first_submitted_at = now
        flow_class.start.run(assessment=assessment)
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = now
    assessment.claimed_at = None
    _save(assessment, "Resubmitted" if resubmission else "Submitted", actor, *SUBMISSION_FIELDS)
    summaries.summary_change_apply(counted, summaries.case_figures(assessment))
    # Only the author and co-authors ever hold the drafting rights.
    revoke_from_all_users(DRAFTING_RIGHTS, assessment, in_hand=(actor, assessment.author))
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.SUBMITTED,
        actor=actor,
        summary="Submitted again after changes" if resubmission else f"Submitted to the {assessment.team.name}",
    )
    _notify_submitted(assessment, resubmission=resubmission)
    return assessment


def _notify_submitted(assessment: Assessment, *, resubmission: bool) -> None:
    to_author = {
        "kind": NotificationKind.SUBMITTED,
        "assessment": assessment,
        "recipient": assessment.author,
        "link": _author_link(assessment),
        "context": {
            "team": assessment.team.name,
            "decision_due": assessment.decision_due,
            "resubmission": resubmission,
            "kind_title": spec_for(assessment.kind).title,
        },
    }
    if resubmission and assessment.assigned_to:
        to_council = {
            "kind": NotificationKind.RESUBMITTED,
            "assessment": assessment,
            "recipient": assessment.assigned_to,
            "link": _officer_link(assessment),
            "context": {"author": assessment.author.full_name},
        }
    elif assessment.team.email:
        to_council = {
            "kind": NotificationKind.NEW_IN_QUEUE,
            "assessment": assessment,
            "email": assessment.team.email,
            "link": _officer_link(assessment),
            "context": {
                "team": assessment.team.name,
                "kind_title": spec_for(assessment.kind).title,
                "organisation": str(assessment.organisation or ""),
                "pickup_due": assessment.pickup_due,
                "resubmission": resubmission,
            },
        }
    else:
        to_council = None
    notify_all(to_author, *([to_council] if to_council else []))


# ---------------------------------------------------------------- claiming, assigning, releasing


@transaction.atomic
def assessment_claim(*, actor: User, assessment: Assessment) -> Assessment:
    """An officer of the routed team picks a case up from the queue. If two try at once, one wins."""
    assessment = _lock(assessment)
    task = ensure_may_claim(actor, assessment)
    activation = _activation(task)
    activation.assign(actor)
    _take(assessment, actor)
    _save(assessment, f"Picked up by {actor.full_name}", actor, *HOLDER_FIELDS)
    event = case_event_record(assessment=assessment, kind=CaseEventKind.CLAIMED, actor=actor, summary=actor.full_name)
    summaries.summary_pickup_record(assessment, event=event)
    notify(
        kind=NotificationKind.CLAIMED,
        assessment=assessment,
        recipient=assessment.author,
        link=_author_link(assessment),
        context={"officer": actor.full_name, "team": assessment.team.name},
    )
    return assessment


def _take(assessment: Assessment, officer: User) -> None:
    if assessment.assigned_to_id and assessment.assigned_to_id != officer.pk:
        _revoke_officer(assessment.assigned_to, assessment)
    assessment.status = Status.UNDER_REVIEW
    assessment.assigned_to = officer
    assessment.claimed_at = timezone.now()
    _grant_officer(officer, assessment)


@transaction.atomic
def assessment_assign(*, actor: User, assessment: Assessment, officer: User) -> Assessment:
    """A team manager gives a case, in the queue or held by someone, to a named officer of the team."""
    assessment = _lock(assessment)
    require(is_team_manager(actor, assessment.team), "Only a manager of this team can assign its work")
    if not is_team_member(officer, assessment.team):
        raise TransitionRefused(f"{officer.full_name} is not in the {assessment.team.name}")
    ensure_may_assign(actor, assessment)
    if assessment.assigned_to_id == officer.pk and assessment.status == Status.UNDER_REVIEW:
        raise TransitionRefused(f"{officer.full_name} already has this assessment")
    task = _review_task(assessment)
    activation = _activation(task)
    if task.status == STATUS.NEW:
        activation.assign(officer)
    else:
        activation.reassign(officer)
    _take(assessment, officer)
    _save(assessment, f"Assigned to {officer.full_name} by {actor.full_name}", actor)
    event = case_event_record(
        assessment=assessment, kind=CaseEventKind.ASSIGNED, actor=actor, summary=f"Assigned to {officer.full_name}"
    )
    summaries.summary_pickup_record(assessment, event=event)
    notify(
        kind=NotificationKind.ASSIGNED,
        assessment=assessment,
        recipient=officer,
        link=_officer_link(assessment),
        context={"manager": actor.full_name, "decision_due": assessment.decision_due},
    )
    return assessment


@transaction.atomic
def assessment_release(*, actor: User, assessment: Assessment) -> Assessment:
    """The officer holding a case puts it back in the team's queue."""
    assessment = _lock(assessment)
    ensure_may_release(actor, assessment)
    task = _review_task(assessment)
    activation = _activation(task)
    activation.unassign()
    _revoke_officer(assessment.assigned_to, assessment)
    assessment.status = Status.SUBMITTED
    assessment.assigned_to = None
    assessment.claimed_at = None
    _save(assessment, "Put back in the queue", actor)
    case_event_record(assessment=assessment, kind=CaseEventKind.RELEASED, actor=actor)
    return assessment


# ---------------------------------------------------------------- returning and deciding


def _finish_review_task(assessment: Assessment, request, action: str) -> None:
    task = _review_task(assessment)
    review = task.process
    review.last_action = action
    review.save(update_fields=["last_action"])
    activation = _activation(task)
    activation.start(request)
    activation.execute()


@transaction.atomic
def assessment_return(
    *, request, actor: User, assessment: Assessment, comments: dict[str, str], message: str = ""
) -> Assessment:
    """Send the assessment back to its author, saying what each section needs. Their editing rights return."""
    assessment = _lock(assessment)
    ensure_may_return(actor, assessment)
    comments = {key: text.strip() for key, text in comments.items() if text and text.strip()}
    if not comments:
        raise TransitionRefused("Say what needs to change in at least one section")
    spec = spec_for(assessment.kind)
    known = {section.key for section in spec.sections}
    if set(comments) - known:
        raise TransitionRefused("Comment only on the sections of this assessment")
    for key, text in comments.items():
        section, _ = AssessmentSection.objects.get_or_create(assessment=assessment, key=key)
        section.return_comment = text
        section._change_reason = "Returned for changes"
        section.save(update_fields=["return_comment"])
    _finish_review_task(assessment, request, "returned")
    assessment.status = Status.RETURNED
    _save(assessment, "Returned for changes", actor)
    summaries.summary_return_record(
        assessment,
        section_keys=comments,
        first_return=not CaseEvent.objects.filter(assessment=assessment, kind=CaseEventKind.RETURNED).exists(),
    )
    for drafter in _drafters(assessment):
        grant(drafter, DRAFTING_RIGHTS, assessment)
    if settings.PORTAL_CLOCK_PAUSES_WHEN_RETURNED[assessment.kind]:
        _pause_clock(assessment, PauseReason.RETURNED, actor)
    titled = [{"field": spec.section(key).title, "before": "", "after": text} for key, text in comments.items()]
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.RETURNED,
        actor=actor,
        summary=message.strip()[:300] or f"{len(comments)} section(s) need changes",
        changes=titled,
    )
    if message.strip():
        CaseMessage.objects.create(assessment=assessment, author=actor, body=message.strip())
    for drafter in _drafters(assessment):
        notify(
            kind=NotificationKind.RETURNED,
            assessment=assessment,
            recipient=drafter,
            link=_link("casework:assessment", assessment),
            context={"officer": actor.full_name, "comments": titled, "message": message.strip()},
        )
    return assessment


@transaction.atomic
def assessment_close(
    *, request, actor: User, assessment: Assessment, outcome: str, note: str, details: dict
) -> Assessment:
    """Record the decision and close the case. The author is told the outcome and what happens next."""
    assessment = _lock(assessment)
    ensure_may_decide(actor, assessment)
    if outcome not in OUTCOMES_BY_KIND[assessment.kind]:
        raise TransitionRefused("Choose an outcome for this kind of assessment")
    if not note.strip():
        raise TransitionRefused("Write a decision note")
    counted = summaries.case_figures(assessment)
    _finish_review_task(assessment, request, "closed")
    _resume_clock(assessment, actor)
    assessment.status = Status.CLOSED
    assessment.outcome = outcome
    assessment.decision_note = note.strip()
    assessment.outcome_details = details
    assessment.closed_at = timezone.now()
    _save(assessment, f"Closed: {Outcome(outcome).label}", actor)
    summaries.summary_change_apply(counted, summaries.case_figures(assessment))
    case_event_record(assessment=assessment, kind=CaseEventKind.CLOSED, actor=actor, summary=Outcome(outcome).label)
    if outcome == Outcome.AGREED_TO_ASSESS:
        # Weeks 6 to 20 of the statutory clock: the EHC needs assessment (workflows.ehc).
        needs_assessment_start(actor=actor, assessment=assessment)
    for drafter in _drafters(assessment):
        notify(
            kind=NotificationKind.CLOSED,
            assessment=assessment,
            recipient=drafter,
            link=_author_link(assessment),
            context={"outcome": Outcome(outcome).label, "note": note.strip(), "details": details},
        )
    return assessment


def _review_stop(assessment: Assessment) -> None:
    """Cancel the case's review process and end its open pause: the case is closing before a decision."""
    review = active_review(assessment)
    if review is not None:
        FLOWS[assessment.kind].instance.cancel(review)
    ended_pause = _open_pause(assessment)
    if ended_pause is not None:
        ended_pause.ended_on = timezone.localdate()
        ended_pause.save()


@transaction.atomic
def assessment_withdraw(*, actor: User, assessment: Assessment, reason: str) -> Assessment:
    """The author takes the assessment back before a decision; it closes as withdrawn, the officer is told."""
    assessment = _lock(assessment)
    require(actor.pk == assessment.author_id, "Only the author can withdraw this assessment")
    if assessment.status == Status.CLOSED:
        raise TransitionRefused("This assessment has already been closed")
    if not reason.strip():
        raise TransitionRefused("Say why you are withdrawing the assessment")
    counted = summaries.case_figures(assessment)
    _review_stop(assessment)
    holder = assessment.assigned_to
    assessment.status = Status.CLOSED
    assessment.outcome = Outcome.WITHDRAWN
    assessment.decision_note = reason.strip()
    assessment.closed_at = timezone.now()
    _save(assessment, "Withdrawn by the author", actor)
    summaries.summary_change_apply(counted, summaries.case_figures(assessment))
    # Only the author and co-authors ever hold the drafting rights.
    revoke_from_all_users(DRAFTING_RIGHTS, assessment, in_hand=(actor, assessment.author))
    case_event_record(assessment=assessment, kind=CaseEventKind.WITHDRAWN, actor=actor, summary=reason.strip()[:300])
    if holder is not None:
        notify(
            kind=NotificationKind.WITHDRAWN,
            assessment=assessment,
            recipient=holder,
            link=_officer_link(assessment),
            context={"sender": actor.full_name, "reason": reason.strip()},
        )
    return assessment


def can_record_consent_withdrawal(user: User, assessment: Assessment) -> bool:
    """The author, a co-author or the officer holding an Early Help Assessment sent to the council."""
    if assessment.kind != "ehat" or assessment.status == Status.DRAFT or assessment.anonymised_at is not None:
        return False
    if not user.is_active or ConsentWithdrawal.objects.filter(assessment=assessment).exists():
        return False
    return (
        user.pk == assessment.author_id
        or _holds(user, assessment)
        or Collaborator.objects.filter(assessment=assessment, user=user, role=CollaboratorRole.CO_AUTHOR).exists()
    )


@transaction.atomic
def consent_withdrawal_record(
    *, actor: User, assessment: Assessment, withdrawn_on: datetime.date, withdrawn_by: str, method: str
) -> ConsentWithdrawal:
    """The family withdraw the consent an EHAT relies on: it closes, the review stops, nobody new is let in.

    Closed with the outcome "consent withdrawn" unless already decided (the decision then stands for the
    figures, and cannot be reopened). The retention clock runs from the close. The author, co-authors, the
    officer and the team are told, without the child's name.
    """
    assessment = _lock(assessment)
    if assessment.kind != "ehat":
        raise TransitionRefused("Only an Early Help Assessment relies on the family's consent")
    if ConsentWithdrawal.objects.filter(assessment=assessment).exists():
        raise TransitionRefused("The family's withdrawal of consent has already been recorded")
    require(
        can_record_consent_withdrawal(actor, assessment),
        "Only the author, a co-author or the officer holding the case can record this",
    )
    withdrawn_by = withdrawn_by.strip()
    if not withdrawn_by:
        raise TransitionRefused("Say who in the family withdrew their consent")
    if withdrawn_on > timezone.localdate():
        raise TransitionRefused("The date consent was withdrawn must be today or in the past")
    if method not in ConsentWithdrawalMethod.values:
        raise TransitionRefused("Select how the family withdrew their consent")
    holder = assessment.assigned_to
    if assessment.status != Status.CLOSED:
        counted = summaries.case_figures(assessment)
        _review_stop(assessment)
        assessment.status = Status.CLOSED
        assessment.outcome = Outcome.CONSENT_WITHDRAWN
        assessment.closed_at = timezone.now()
        _save(assessment, "Consent withdrawn by the family", actor)
        summaries.summary_change_apply(counted, summaries.case_figures(assessment))
        revoke_from_all_users(DRAFTING_RIGHTS, assessment, in_hand=(actor, assessment.author))
    withdrawal = ConsentWithdrawal.objects.create(
        assessment=assessment, withdrawn_on=withdrawn_on, withdrawn_by=withdrawn_by, method=method, recorded_by=actor
    )
    how = ConsentWithdrawalMethod(method).label
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.CONSENT_WITHDRAWN,
        actor=actor,
        summary=f"{withdrawn_by}, {how[0].lower()}{how[1:]}, on {withdrawn_on:%-d %B %Y}",
        changes=[
            {"field": "Who withdrew consent", "before": "", "after": withdrawn_by},
            {"field": "How", "before": "", "after": how},
            {"field": "When", "before": "", "after": f"{withdrawn_on:%-d %B %Y}"},
        ],
    )
    _notify_consent_withdrawn(assessment, actor=actor, holder=holder)
    return withdrawal


def _notify_consent_withdrawn(assessment: Assessment, *, actor: User, holder: User | None) -> None:
    # No child's name in these e-mails: the family has withdrawn the consent to share it.
    context = {"recorder": actor.full_name, "child_name": ""}
    told = {actor.pk}
    for drafter in _drafters(assessment):
        if drafter.pk not in told:
            told.add(drafter.pk)
            notify(
                kind=NotificationKind.CONSENT_WITHDRAWN,
                assessment=assessment,
                recipient=drafter,
                link=_author_link(assessment),
                context=context,
            )
    if holder is not None and holder.pk not in told:
        notify(
            kind=NotificationKind.CONSENT_WITHDRAWN,
            assessment=assessment,
            recipient=holder,
            link=_officer_link(assessment),
            context=context,
        )
    if assessment.team is not None and assessment.team.email:
        notify(
            kind=NotificationKind.CONSENT_WITHDRAWN,
            assessment=assessment,
            email=assessment.team.email,
            link=_officer_link(assessment),
            context=context,
        )


def can_reopen(user: User, assessment: Assessment) -> bool:
    window = datetime.timedelta(days=settings.PORTAL_REOPEN_WINDOW_DAYS)
    return (
        assessment.status == Status.CLOSED
        # A withdrawal is the professional's decision, not the council's to undo; nor is the family's.
        and assessment.outcome not in (Outcome.WITHDRAWN, Outcome.CONSENT_WITHDRAWN)
        and not ConsentWithdrawal.objects.filter(assessment=assessment).exists()
        and assessment.closed_at is not None
        and timezone.now() - assessment.closed_at <= window
        and is_team_manager(user, assessment.team)
        and not needs_assessment_running(assessment)
    )


@transaction.atomic
def assessment_reopen(*, actor: User, assessment: Assessment, reason: str) -> Assessment:
    """A team manager reopens a recently closed case: a new review, with the last officer if still in the team."""
    assessment = _lock(assessment)
    ensure_may_reopen(actor, assessment)
    if not reason.strip():
        raise TransitionRefused("Say why the case is being reopened")
    counted = summaries.case_figures(assessment)
    FLOWS[assessment.kind].start.run(assessment=assessment)
    previous_officer = assessment.assigned_to
    assessment.outcome = ""
    assessment.closed_at = None
    assessment.status = Status.SUBMITTED
    if previous_officer is not None and is_team_member(previous_officer, assessment.team):
        task = _review_task(assessment)
        activation = _activation(task)
        activation.assign(previous_officer)
        _take(assessment, previous_officer)
    else:
        _revoke_officer(previous_officer, assessment)
        assessment.assigned_to = None
    _save(assessment, f"Reopened by {actor.full_name}: {reason.strip()}", actor)
    summaries.summary_change_apply(counted, summaries.case_figures(assessment))
    case_event_record(assessment=assessment, kind=CaseEventKind.REOPENED, actor=actor, summary=reason.strip()[:300])
    for recipient in {assessment.author, *([assessment.assigned_to] if assessment.assigned_to else [])}:
        notify(
            kind=NotificationKind.REOPENED,
            assessment=assessment,
            recipient=recipient,
            link=_officer_link(assessment) if recipient != assessment.author else _author_link(assessment),
            context={"manager": actor.full_name, "reason": reason.strip()},
        )
    return assessment


@transaction.atomic
def plan_issued_record(*, actor: User, assessment: Assessment, issued_on: datetime.date) -> Assessment:
    """Record when the final EHC plan of a request with no needs assessment on the portal was issued (9.40)."""
    assessment = _lock(assessment)
    require(is_team_member(actor, assessment.team), "Only the SEND team can record the plan")
    if assessment.kind != "ehcp" or assessment.outcome != Outcome.AGREED_TO_ASSESS:
        raise TransitionRefused("A plan is recorded only after an agreement to assess")
    # The 20-week measure reads the needs assessment's own final plan (workflows.ehc.final_plan_issue); a date
    # typed by hand is only for requests agreed to assess before the portal carried the needs assessment.
    if NeedsAssessment.objects.filter(assessment=assessment).exists():
        raise TransitionRefused("This request's final plan is issued through its EHC needs assessment")
    if issued_on > timezone.localdate() or issued_on < timezone.localdate(assessment.first_submitted_at):
        raise TransitionRefused("The plan's date must be between the request and today")
    before = assessment.plan_issued_on
    counted = summaries.case_figures(assessment)
    assessment.plan_issued_on = issued_on
    _save(assessment, "Final plan issued", actor, "plan_issued_on")
    summaries.summary_change_apply(counted, summaries.case_figures(assessment))
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.PLAN_ISSUED,
        actor=actor,
        summary=f"Final EHC plan issued on {issued_on:%-d %B %Y}",
        changes=[{"field": "Final plan issued", "before": str(before or ""), "after": str(issued_on)}],
    )
    return assessment


# ---------------------------------------------------------------- the clock, by hand


# The statutory clock of an EHCP request stops only for the exceptions of SEND Code of Practice 9.42.
CODE_OF_PRACTICE_EXCEPTIONS = (
    PauseReason.SCHOOL_CLOSED,
    PauseReason.CHILD_AWAY,
    PauseReason.FAMILY_CIRCUMSTANCES,
    PauseReason.MISSED_APPOINTMENT,
)
# Early Help and Young Carers assessments have only the team's local target, which stops for reasons of its own.
LOCAL_TARGET_REASONS = (PauseReason.WAITING_FOR_FAMILY, PauseReason.AWAITING_AGENCY)


def pause_reasons_for(kind: str) -> list[PauseReason]:
    """Why an officer may stop the clock: the Code of Practice 9.42 exceptions for EHCP requests only."""
    return list(CODE_OF_PRACTICE_EXCEPTIONS if kind == "ehcp" else LOCAL_TARGET_REASONS)


@transaction.atomic
def clock_pause(*, actor: User, assessment: Assessment, reason: str) -> Assessment:
    """Stop the clock for a recorded reason (for EHCP requests, a SEND Code of Practice 9.42 exception)."""
    assessment = _lock(assessment)
    ensure_may_pause(actor, assessment)
    if reason not in pause_reasons_for(assessment.kind):
        raise TransitionRefused("Choose one of the reasons the clock may stop for")
    _pause_clock(assessment, PauseReason(reason), actor)
    _save(assessment, "Clock paused", actor)
    return assessment


@transaction.atomic
def clock_resume(*, actor: User, assessment: Assessment) -> Assessment:
    assessment = _lock(assessment)
    ensure_may_resume(actor, assessment)
    _resume_clock(assessment, actor)
    _save(assessment, "Clock resumed", actor)
    return assessment


# ---------------------------------------------------------------- messages and views


def can_message(user: User, assessment: Assessment) -> bool:
    if assessment.status == Status.DRAFT or not can_view_assessment(user, assessment):
        return False
    return (
        user.pk == assessment.author_id
        or _holds(user, assessment)
        or is_team_member(user, assessment.team)
        or (Collaborator.objects.filter(assessment=assessment, user=user).exists())
    )


@transaction.atomic
def message_post(*, actor: User, assessment: Assessment, body: str) -> CaseMessage:
    """A message between the council and the professionals; the other side is e-mailed it."""
    assessment = _lock(assessment)
    require(can_message(actor, assessment))
    body = body.strip()
    if not body:
        raise TransitionRefused("Write your message")
    message = CaseMessage(assessment=assessment, author=actor, body=body)
    message._change_reason = "Message"
    message.save()
    case_event_record(assessment=assessment, kind=CaseEventKind.MESSAGE, actor=actor, summary=body[:300])
    from_council = is_team_member(actor, assessment.team)
    context = {"sender": actor.full_name, "body": body}
    if from_council:
        for drafter in _drafters(assessment):
            notify(
                kind=NotificationKind.MESSAGE,
                assessment=assessment,
                recipient=drafter,
                link=_author_link(assessment),
                context=context,
            )
    elif assessment.assigned_to:
        notify(
            kind=NotificationKind.MESSAGE,
            assessment=assessment,
            recipient=assessment.assigned_to,
            link=_officer_link(assessment),
            context=context,
        )
    elif assessment.team and assessment.team.email:
        notify(
            kind=NotificationKind.MESSAGE,
            assessment=assessment,
            email=assessment.team.email,
            link=_officer_link(assessment),
            context=context,
        )
    return message


def council_view_record(*, actor: User, assessment: Assessment) -> None:
    """An officer opened the case: who at the council saw it is part of the record."""
    case_event_record(assessment=assessment, kind=CaseEventKind.VIEWED_BY_COUNCIL, actor=actor)


# ---------------------------------------------------------------- notification lists and choices


def notifications_mark_read(*, user: User, ids: list[int]) -> None:
    if ids:
        Notification.objects.filter(recipient=user, pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_save(*, user: User, choices: dict[str, bool]) -> None:
    """Which optional notifications the person wants by e-mail; the portal list shows them all anyway."""
    for kind, wanted in choices.items():
        if kind in MANDATORY_KINDS:
            continue
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": bool(wanted)})
