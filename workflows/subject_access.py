"""Subject access requests (UK GDPR article 15): record one for a child, count its month, and export a copy.

The copy is a zip of everything the portal holds on that one child: a readable HTML file (self-contained,
for reading offline), the same as JSON, and the documents themselves. Each export is in the disclosure log.
"""

import datetime
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from viewflow.workflow.models import Task

from casework.models import (
    Assessment,
    AssessmentSection,
    Attachment,
    CaseEvent,
    Child,
    Collaborator,
    ConsentWithdrawal,
    Disclosure,
    DisclosureKind,
    SectionDraft,
    SubjectAccessRequest,
)
from casework.retention import months_after
from casework.sections import spec_for
from casework.services import disclosure_record
from identity.models import User
from identity.permissions import can_answer_subject_access, require

from . import deadlines
from .ehc_models import AdviceAttachment, NeedsAssessment
from .ehc_notifications import ADVICE_NAMED
from .models import CaseMessage, ClockPause, Notification


class SubjectAccessRefused(Exception):
    """A subject access request that cannot be recorded as given (the message says why)."""


def subject_access_due_on(received_on: datetime.date, holidays: frozenset[datetime.date]) -> datetime.date:
    """The ICO's one calendar month: the same day next month (its last day if shorter), then a working day."""
    due = months_after(received_on, 1)
    while not deadlines.is_working_day(due, holidays):
        due += datetime.timedelta(days=1)
    return due


@transaction.atomic
def subject_access_request_record(
    *, actor: User, child: Child, requester: str, received_on: datetime.date
) -> SubjectAccessRequest:
    """Record a request for a copy of what is held on a child: who asked, when it came, and when it is due."""
    require(can_answer_subject_access(actor), "Only the data protection officer can record a subject access request")
    requester = requester.strip()
    if not requester:
        raise SubjectAccessRefused("Enter who asked for the copy")
    if received_on > timezone.localdate():
        raise SubjectAccessRefused("The date the request was received must be today or in the past")
    return SubjectAccessRequest.objects.create(
        requester=requester,
        received_on=received_on,
        due_on=subject_access_due_on(received_on, deadlines.bank_holidays()),
        child=child,
        child_first_name=child.first_name,
        child_last_name=child.last_name,
        child_date_of_birth=child.date_of_birth,
        recorded_by=actor,
    )


@transaction.atomic
def subject_access_request_answered(*, actor: User, subject_access: SubjectAccessRequest) -> SubjectAccessRequest:
    """Mark a request answered: the copy has been sent to the person who asked."""
    require(can_answer_subject_access(actor), "Only the data protection officer can answer a subject access request")
    subject_access = SubjectAccessRequest.objects.select_for_update().get(pk=subject_access.pk)
    if subject_access.completed_at is not None:
        raise SubjectAccessRefused("This request has already been marked as answered")
    if subject_access.last_exported_at is None:
        raise SubjectAccessRefused("Export the copy before marking the request as answered")
    subject_access.completed_at = timezone.now()
    subject_access.save(update_fields=["completed_at"])
    return subject_access


@dataclass
class SubjectAccessExport:
    """The zip of one export, as a temporary file to stream, and the name to save it as."""

    file: object
    filename: str


@transaction.atomic
def subject_access_export(*, actor: User, subject_access: SubjectAccessRequest) -> SubjectAccessExport:
    """Everything held on the request's child as a zip (HTML, JSON and the documents), logged as a disclosure."""
    require(can_answer_subject_access(actor), "Only the data protection officer can export a subject access copy")
    subject_access = SubjectAccessRequest.objects.select_for_update().get(pk=subject_access.pk)
    if subject_access.child_id is None:
        raise SubjectAccessRefused("The child's record is no longer held: there is nothing left to export")
    child = Child.objects.get(pk=subject_access.child_id)
    now = timezone.now()
    data = subject_access_data(child, subject_access=subject_access, exported_by=actor, exported_at=now)
    spooled = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115  (handed to the response)
    with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in (document for case in data["cases"] for document in case["documents"]):
            attachment = document.pop("_attachment")
            try:
                with attachment.file.open("rb") as source:
                    archive.writestr(document["path"], source.read())
            except (FileNotFoundError, ValueError):
                document["path"] = ""
                document["missing"] = True
        page = {
            "copy": data,
            "council_name": settings.PORTAL_COUNCIL_NAME,
            "service_name": settings.PORTAL_SERVICE_NAME,
        }
        archive.writestr("index.html", render_to_string("workflows/subject_access/export.html", page))
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
    spooled.seek(0)
    cases = len(data["cases"])
    documents = sum(len(case["documents"]) for case in data["cases"])
    disclosure_record(
        actor=actor,
        kind=DisclosureKind.SUBJECT_ACCESS_EXPORTED,
        child=child,
        detail=f"Subject access request {subject_access.pk}: {cases} cases, {documents} documents",
    )
    subject_access.last_exported_at = now
    subject_access.save(update_fields=["last_exported_at"])
    return SubjectAccessExport(file=spooled, filename=f"subject-access-{subject_access.pk}-{now:%Y-%m-%d}.zip")


# ---------------------------------------------------------------- what is held on one child


def _person(user: User | None) -> str:
    if user is None:
        return "The portal (automatic)"
    organisation = getattr(user, "organisation", None)
    return f"{user.full_name}, {organisation.name}" if organisation else user.full_name


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:80] or "document"


def _shown(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _labels_of(kind: str, key: str) -> dict[str, str]:
    try:
        form_class = spec_for(kind).section(key).form_class
    except (KeyError, LookupError, ValueError):
        return {}
    return {name: str(field.label or name) for name, field in form_class.base_fields.items()}


def _section_title(kind: str, key: str) -> str:
    try:
        return spec_for(kind).section(key).title
    except (KeyError, LookupError, ValueError):
        return key


def _field_label(labels: dict[str, str], name: str) -> str:
    if name in labels:
        return labels[name]
    # A date is kept as the day, month and year typed into its three boxes.
    stem, _, part = name.rpartition("_")
    if stem in labels and part in ("day", "month", "year"):
        return f"{labels[stem]} ({part})"
    return name


def _answers(kind: str, key: str, answers: dict) -> list[dict]:
    labels = _labels_of(kind, key)
    return [
        {"field": _field_label(labels, name), "name": name, "value": _shown(value)} for name, value in answers.items()
    ]


def _case_data(assessment: Assessment, users: dict[int, User]) -> dict:
    def who(user_id):
        return _person(users.get(user_id)) if user_id else "The portal (automatic)"

    sections = []
    versions_by_key: dict[str, list] = {}
    for row in AssessmentSection.history.filter(assessment_id=assessment.pk).order_by("history_date", "history_id"):
        versions_by_key.setdefault(row.key, []).append(
            {
                "version": row.version,
                "status": row.get_status_display(),
                "saved_at": row.history_date,
                "saved_by": who(row.history_user_id),
                "change": {"+": "created", "~": "changed", "-": "deleted"}[row.history_type],
                "return_comment": row.return_comment,
                "answers": _answers(assessment.kind, row.key, row.data or {}),
            }
        )
    for key, versions in versions_by_key.items():
        sections.append({"key": key, "title": _section_title(assessment.kind, key), "versions": versions})

    attachments = list(Attachment.objects.filter(assessment=assessment).order_by("uploaded_at", "pk"))
    documents = []
    for attachment in attachments:
        path = f"documents/{assessment.reference}/{attachment.pk}-{_safe_name(attachment.original_name)}"
        documents.append(
            {
                "name": attachment.original_name,
                "category": attachment.get_category_display(),
                "description": attachment.description,
                "content_type": attachment.content_type,
                "size_bytes": attachment.size,
                "uploaded_by": who(attachment.uploaded_by_id),
                "uploaded_at": attachment.uploaded_at,
                "path": path,
                "_attachment": attachment,
            }
        )
    # The documents sent with the needs assessment's advice go in the copy beside the evidence.
    for document in AdviceAttachment.objects.filter(advice__needs_assessment__assessment=assessment).select_related(
        "advice"
    ):
        documents.append(
            {
                "name": document.original_name,
                "category": f"Sent with the {ADVICE_NAMED[document.advice.kind]}",
                "description": "",
                "content_type": document.content_type,
                "size_bytes": document.size,
                "uploaded_by": who(document.uploaded_by_id),
                "uploaded_at": document.uploaded_at,
                "path": f"documents/{assessment.reference}/advice-{document.pk}-{_safe_name(document.original_name)}",
                "_attachment": document,
            }
        )
    removed_documents = [
        {"name": row.original_name, "removed_at": row.history_date, "removed_by": who(row.history_user_id)}
        for row in Attachment.history.filter(assessment_id=assessment.pk, history_type="-").order_by("history_date")
    ]
    withdrawal = ConsentWithdrawal.objects.filter(assessment=assessment).first()
    return {
        "needs_assessment": _needs_assessment_data(assessment, who),
        "reference": assessment.reference,
        "type": assessment.get_kind_display(),
        "status": assessment.get_status_display(),
        "child_name_on_the_case": assessment.child_name,
        "child_date_of_birth_on_the_case": assessment.child_date_of_birth,
        "author": who(assessment.author_id),
        "started_at": assessment.created_at,
        "first_submitted_at": assessment.first_submitted_at,
        "team": assessment.team.name if assessment.team else "",
        "officer": who(assessment.assigned_to_id) if assessment.assigned_to_id else "",
        "decision": {
            "outcome": assessment.get_outcome_display(),
            "note": assessment.decision_note,
            "details": assessment.outcome_details,
            "closed_at": assessment.closed_at,
            "decision_due": assessment.decision_due,
            "plan_issued_on": assessment.plan_issued_on,
        },
        "consent_withdrawal": (
            {
                "withdrawn_on": withdrawal.withdrawn_on,
                "withdrawn_by": withdrawal.withdrawn_by,
                "how": withdrawal.get_method_display(),
                "recorded_by": who(withdrawal.recorded_by_id),
                "recorded_at": withdrawal.recorded_at,
            }
            if withdrawal
            else None
        ),
        "sections": sections,
        "unsent_drafts": [
            {
                "section": _section_title(assessment.kind, draft.key),
                "by": who(draft.user_id),
                "saved_at": draft.saved_at,
                "answers": _answers(assessment.kind, draft.key, draft.data or {}),
            }
            for draft in SectionDraft.objects.filter(assessment=assessment).order_by("saved_at")
        ],
        "case_versions": [
            {
                "at": row.history_date,
                "by": who(row.history_user_id),
                "reason": row.history_change_reason or "",
                "status": row.get_status_display(),
                "outcome": row.get_outcome_display(),
                "decision_note": row.decision_note,
            }
            for row in Assessment.history.filter(id=assessment.pk).order_by("history_date", "history_id")
        ],
        "history": [
            {
                "at": event.created_at,
                "what": event.get_kind_display(),
                "by": who(event.actor_id),
                "summary": event.summary,
                "changes": event.changes,
            }
            for event in CaseEvent.objects.filter(assessment=assessment).order_by("created_at", "pk")
        ],
        "messages": [
            {"at": message.created_at, "from": who(message.author_id), "message": message.body}
            for message in CaseMessage.objects.filter(assessment=assessment).order_by("created_at", "pk")
        ],
        # Each document's "_attachment" is taken out as its file goes into the zip.
        "documents": documents,
        "removed_documents": removed_documents,
        "shared_with": [
            {
                "person": who(row.user_id),
                "role": row.get_role_display(),
                "change": {"+": "given access", "~": "access changed", "-": "access removed"}[row.history_type],
                "at": row.history_date,
                "by": who(row.history_user_id),
            }
            for row in Collaborator.history.filter(assessment_id=assessment.pk).order_by("history_date", "history_id")
        ],
        "clock_pauses": [
            {
                "reason": pause.get_reason_display(),
                "from": pause.started_on,
                "to": pause.ended_on,
                "by": who(pause.started_by_id),
            }
            for pause in ClockPause.objects.filter(assessment=assessment).order_by("started_on", "pk")
        ],
        "review_steps": [
            {
                "step": str(task.flow_task).rsplit(".", 1)[-1] if task.flow_task else "",
                "status": task.status,
                "by": who(task.owner_id) if task.owner_id else "",
                "created": task.created,
                "finished": task.finished,
            }
            for task in Task.objects.filter(process__assessmentreview__assessment=assessment).order_by("created", "pk")
        ],
        "emails_sent": [
            {"at": notification.created_at, "to": notification.recipient_email, "subject": notification.subject}
            for notification in Notification.objects.filter(assessment=assessment).order_by("created_at", "pk")
        ],
    }


def _needs_assessment_data(assessment: Assessment, who) -> dict | None:
    """The EHC needs assessment of an EHCP request: its dates, the advice given, the plan and the comments on it."""
    needs = NeedsAssessment.objects.filter(assessment=assessment).first()
    if needs is None:
        return None
    return {
        "stage": needs.get_stage_display(),
        "coordinator": who(needs.coordinator_id),
        "received_on": needs.received_on,
        "issue_decision_due": needs.issue_decision_due,
        "final_due": needs.final_due,
        "advice_not_sought": needs.advice_not_sought,
        "issue_decision": needs.get_issue_decision_display(),
        "issue_decided_on": needs.issue_decided_on,
        "not_issue_reasons": needs.not_issue_reasons,
        "plan_sections": needs.plan_sections,
        "draft_sent_on": needs.draft_sent_on,
        "final_issued_on": needs.final_issued_on,
        "advice": [
            {
                "kind": advice.get_kind_display(),
                "from": f"{advice.professional_name} ({advice.professional_email})",
                "requested_on": advice.requested_on,
                "due_on": advice.due_on,
                "answered_on": advice.answered_on,
                "answered_by": who(advice.answered_by_id) if advice.answered_by_id else "",
                "answer": advice.answer,
                "went_on_without_it": advice.closed_unanswered_reason,
            }
            for advice in needs.advice_requests.order_by("kind")
        ],
        "comments_on_the_draft": [
            {
                "from": comment.from_whom,
                "received_on": comment.received_on,
                "comments": comment.comments,
                "preferred_school": comment.preferred_school,
                "no_further_comments": comment.no_further_comments,
            }
            for comment in needs.draft_comments.order_by("received_on", "pk")
        ],
        "annual_reviews": [
            {
                "number": review.number,
                "held_by": who(review.holder_id),
                "due_on": review.due_on,
                "stage": review.get_stage_display(),
                "meeting_on": review.meeting_on,
                "participants": review.participants,
                "child_views": review.child_views,
                "parent_views": review.parent_views,
                "progress": review.progress,
                "recommendation": review.get_recommendation_display(),
                "decision": review.get_decision_display(),
                "decided_on": review.decided_on,
            }
            for review in needs.annual_reviews.order_by("number")
        ],
    }


def subject_access_data(
    child: Child, *, subject_access: SubjectAccessRequest, exported_by: User, exported_at: datetime.datetime
) -> dict:
    """Everything held on one child, and nothing on any other: their record, cases, and who saw them."""
    assessments = list(Assessment.objects.filter(child=child).select_related("team").order_by("created_at", "pk"))
    case_ids = [assessment.pk for assessment in assessments]
    disclosures = list(
        Disclosure.objects.filter(Q(child=child) | Q(assessment_id__in=case_ids))
        .select_related("assessment")
        .order_by("created_at", "pk")
    )
    # Everyone named anywhere in the copy, read once (with their organisations) rather than row by row.
    users = {
        user.pk: user
        for user in User.objects.filter(
            Q(pk__in=[row.actor_id for row in disclosures if row.actor_id])
            | Q(assessments__child=child)
            | Q(pk__in=CaseEvent.objects.filter(assessment_id__in=case_ids).values("actor_id"))
            | Q(pk__in=CaseMessage.objects.filter(assessment_id__in=case_ids).values("author_id"))
            | Q(pk__in=AssessmentSection.history.filter(assessment_id__in=case_ids).values("history_user_id"))
            | Q(pk__in=Assessment.history.filter(id__in=case_ids).values("history_user_id"))
            | Q(pk__in=Assessment.objects.filter(pk__in=case_ids).values("assigned_to_id"))
            | Q(pk__in=Collaborator.history.filter(assessment_id__in=case_ids).values("user_id"))
            | Q(pk__in=Collaborator.history.filter(assessment_id__in=case_ids).values("history_user_id"))
            | Q(pk__in=Attachment.history.filter(assessment_id__in=case_ids).values("history_user_id"))
            | Q(pk__in=Attachment.objects.filter(assessment_id__in=case_ids).values("uploaded_by_id"))
            | Q(
                pk__in=AdviceAttachment.objects.filter(advice__needs_assessment__assessment_id__in=case_ids).values(
                    "uploaded_by_id"
                )
            )
            | Q(pk__in=SectionDraft.objects.filter(assessment_id__in=case_ids).values("user_id"))
            | Q(pk__in=ClockPause.objects.filter(assessment_id__in=case_ids).values("started_by_id"))
            | Q(pk__in=ConsentWithdrawal.objects.filter(assessment_id__in=case_ids).values("recorded_by_id"))
            | Q(pk__in=Task.objects.filter(process__assessmentreview__assessment_id__in=case_ids).values("owner_id"))
        )
        .select_related("organisation")
        .distinct()
    }
    cases = [_case_data(assessment, users) for assessment in assessments]
    return {
        "about": {
            "request": subject_access.pk,
            "asked_by": subject_access.requester,
            "received_on": subject_access.received_on,
            "due_on": subject_access.due_on,
            "exported_by": _person(exported_by),
            "exported_at": exported_at,
        },
        "child": {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth,
            "gender": child.get_gender_display(),
            "ethnicity": child.ethnicity,
            "address": child.address,
            "postcode": child.postcode,
            "first_language": child.first_language,
            "unique_pupil_number": child.upn,
            "nhs_number": child.nhs_number,
            "added_by": _person(users.get(child.created_by_id) or child.created_by),
            "added_at": child.created_at,
            "versions": [
                {
                    "at": row.history_date,
                    "by": _person(users.get(row.history_user_id)) if row.history_user_id else "The portal (automatic)",
                    "first_name": row.first_name,
                    "last_name": row.last_name,
                    "date_of_birth": row.date_of_birth,
                    "address": row.address,
                    "postcode": row.postcode,
                }
                for row in Child.history.filter(id=child.pk).order_by("history_date", "history_id")
            ],
        },
        "cases": cases,
        "who_saw_it": [
            {
                "at": row.created_at,
                "who": _person(users.get(row.actor_id)) if row.actor_id else "",
                "what": row.get_kind_display(),
                "case": row.assessment.reference if row.assessment else "",
                "detail": row.detail,
            }
            for row in disclosures
        ],
    }
