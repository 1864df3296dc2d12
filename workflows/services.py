"""Writes for the council's side of an assessment, starting with its submission.

Submitting lives here, not in casework, because it hands the assessment to the council's review:
drafting knows nothing of review.
"""

from django.db import transaction
from django.utils import timezone

from casework.models import Assessment, CaseEventKind, Collaborator, CollaboratorRole, Status
from casework.selectors import assessment_gaps
from casework.services import case_event_record
from identity.models import User
from identity.permissions import DRAFTING_RIGHTS, can_submit_assessment, require, revoke


class SubmissionRefused(Exception):
    """The assessment cannot be submitted as it is; the message says why."""


@transaction.atomic
def assessment_submit(*, actor: User, assessment: Assessment, declaration: bool) -> Assessment:
    """Send a draft (or a returned assessment, again) to the council. Its authors can no longer change it."""
    assessment = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    if assessment.status not in (Status.DRAFT, Status.RETURNED):
        raise SubmissionRefused("This assessment has already been submitted")
    require(can_submit_assessment(actor, assessment))
    if not declaration:
        raise SubmissionRefused("Confirm the declaration to submit the assessment")
    if assessment_gaps(assessment):
        raise SubmissionRefused("The assessment is not complete: check your answers")
    now = timezone.now()
    resubmission = assessment.status == Status.RETURNED
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = now
    assessment.first_submitted_at = assessment.first_submitted_at or now
    assessment.updated_at = now
    assessment._change_reason = "Resubmitted" if resubmission else "Submitted"
    assessment.save()
    drafters = [assessment.author] + [
        collaborator.user
        for collaborator in Collaborator.objects.filter(assessment=assessment, role=CollaboratorRole.CO_AUTHOR)
    ]
    for drafter in drafters:
        revoke(drafter, DRAFTING_RIGHTS, assessment)
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.SUBMITTED,
        actor=actor,
        summary="Resubmitted after changes" if resubmission else "Submitted to the council",
    )
    return assessment
