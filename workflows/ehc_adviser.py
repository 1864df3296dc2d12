"""The professional's side of the EHC needs assessment: the advice asked of them, and its documents."""

import datetime
import logging
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from casework.evidence import CheckedDocument, EvidenceRejected
from casework.models import CaseEventKind, DisclosureKind
from casework.services import case_event_record, disclosure_record
from identity.models import User
from portal.access_log import access_denied_record

from . import ehc
from .ehc_models import AdviceAttachment, AdviceRequest
from .ehc_notifications import ADVICE_NAMED
from .selectors import case_for_council

logger = logging.getLogger(__name__)

# A professional's report is usually one or two documents; a cap keeps one request's upload bounded.
MAX_DOCUMENTS = 5

# The advice already given (or gone on without) that the list still shows, the latest asked first.
DONE_SHOWN = 50


def advice_asked_of(user: User) -> tuple[list[AdviceRequest], list[AdviceRequest]]:
    """The requests for advice made of this person – named as the professional, or invited at their address:
    those awaited, soonest due first, and the latest DONE_SHOWN of the others. Two queries, whatever the number.
    """
    asked = AdviceRequest.objects.filter(
        Q(professional=user) | Q(professional__isnull=True, professional_email=user.email.lower())
    ).select_related("needs_assessment__assessment", "needs_assessment__coordinator")
    awaited = Q(answered_on__isnull=True, closed_unanswered_on__isnull=True)
    return (
        list(asked.filter(awaited).order_by("due_on", "pk")),
        list(asked.exclude(awaited).order_by("-requested_on", "-pk")[:DONE_SHOWN]),
    )


def advice_awaited(advice: AdviceRequest) -> bool:
    return advice.answered_on is None and advice.closed_unanswered_on is None


def advice_status(advice: AdviceRequest, today: datetime.date, *, waiting: str = "To do") -> tuple[str, str]:
    """Where the advice is, as a tag's text and colour; `waiting` names advice not yet due, as its reader sees it."""
    if advice.answered_on:
        return f"Given {advice.answered_on:%-d %B %Y}", "green"
    if advice.closed_unanswered_on:
        return "Gone on without it", "grey"
    if advice.due_on < today:
        return "Overdue", "red"
    return waiting, "blue"


# ---------------------------------------------------------------- the advice's documents


def advice_give_with_documents(
    *, actor: User, advice: AdviceRequest, answer: dict[str, str], documents: Sequence[CheckedDocument] = ()
) -> AdviceRequest:
    """Give the advice (workflows.ehc.advice_give) with its documents, checked as evidence is: all or nothing.

    The files are written first, under names the portal makes; if the advice is refused or anything after fails,
    they are deleted again, so no orphan is left behind.
    """
    if len(documents) > MAX_DOCUMENTS:
        raise EvidenceRejected(f"Attach up to {MAX_DOCUMENTS} documents")
    storage = AdviceAttachment._meta.get_field("file").storage
    written: list[tuple[AdviceAttachment, CheckedDocument]] = []
    try:
        for document in documents:
            attachment = AdviceAttachment(
                advice=advice,
                original_name=document.original_name,
                extension=document.extension,
                content_type=document.content_type,
                size=len(document.content),
                sha256=document.sha256,
                uploaded_by=actor,
            )
            name = attachment.file.field.generate_filename(attachment, "upload")
            attachment.file.name = name
            written.append((attachment, document))
            try:
                attachment.file.name = storage.save(name, ContentFile(document.content))
            except OSError as error:
                raise EvidenceRejected(
                    "The documents could not be stored just now. Your advice has not been sent: try again"
                ) from error
        with transaction.atomic():
            advice = ehc.advice_give(actor=actor, advice=advice, answer=answer)
            for attachment, _ in written:
                attachment.advice = advice
                attachment._change_reason = "Document sent with the advice"
                attachment._history_user = actor
                attachment.save()
                case_event_record(
                    assessment=advice.needs_assessment.assessment,
                    kind=CaseEventKind.ATTACHMENT_ADDED,
                    actor=actor,
                    summary=f"{attachment.original_name} (with the {ADVICE_NAMED[advice.kind]})",
                )
    except BaseException:
        for attachment, _ in written:
            _delete_quietly(storage, attachment.file.name)
        raise
    return advice


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("A document left behind by failed advice could not be deleted: %s", name)


def advice_document_for(user: User, pk: int, kind: str, document_id: int) -> AdviceAttachment:
    """A document of a request's advice, for the professional asked, the coordinator, and the council people who
    may see the request (workflows.selectors.case_for_council); 404 for anyone else."""
    advice = (
        AdviceRequest.objects.select_related("needs_assessment__assessment", "needs_assessment__coordinator")
        .filter(needs_assessment__assessment_id=pk, kind=kind)
        .first()
    )
    if advice is None:
        access_denied_record(user=user, resource=f"advice document {pk}/{kind}/{document_id}")
        raise Http404("No such document")
    if not ehc.may_give_advice(user, advice):
        case_for_council(user, pk)
    document = AdviceAttachment.objects.filter(advice=advice, pk=document_id).first()
    if document is None:
        raise Http404("No such document")
    document.advice = advice
    return document


def advice_document_download_record(*, actor: User, document: AdviceAttachment) -> None:
    """Who read which document is part of the record, and every download is a disclosure (as for evidence)."""
    advice = document.advice
    assessment = advice.needs_assessment.assessment
    case_event_record(
        assessment=assessment, kind=CaseEventKind.ATTACHMENT_DOWNLOADED, actor=actor, summary=document.original_name
    )
    # The document's number, not its name, which may name the child.
    disclosure_record(
        actor=actor,
        kind=DisclosureKind.EVIDENCE_DOWNLOADED,
        assessment=assessment,
        detail=f"Advice document {document.pk} ({ADVICE_NAMED[advice.kind]})",
    )
