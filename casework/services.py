"""Writes to assessments while professionals draft them: start, save sections, evidence, sharing, timeline.

Each change runs in one transaction, locks the assessment row, checks the right through
identity.permissions, writes history with a reason, and records a timeline event. Submitting and
everything after it belong to the workflows app.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from identity.emails import account_email_queue
from identity.models import User
from identity.permissions import (
    AUTHOR_RIGHTS,
    CO_AUTHOR_RIGHTS,
    VIEWER_RIGHTS,
    can_edit_assessment,
    can_share_assessment,
    can_start_assessment,
    can_view_assessment,
    grant,
    require,
    revoke,
)

from .evidence import EvidenceRejected, document_check
from .models import (
    REFERENCE_PREFIXES,
    Assessment,
    AssessmentSection,
    Attachment,
    CaseEvent,
    CaseEventKind,
    Child,
    Collaborator,
    CollaboratorRole,
    ConsentWithdrawal,
    Disclosure,
    DisclosureKind,
    ReferenceCounter,
    SectionDraft,
    SectionStatus,
)
from .sections import SectionForm, spec_for
from .sections.base import display_value
from .selectors import is_author_or_co_author, latest_child_section_data, section_context

__all__ = ["EvidenceRejected"]

logger = logging.getLogger(__name__)


def case_event_record(
    *, assessment: Assessment, kind: CaseEventKind, actor: User | None, summary: str = "", changes=()
) -> CaseEvent:
    """Add one entry to the assessment's timeline."""
    return CaseEvent.objects.create(
        assessment=assessment, kind=kind, actor=actor, summary=summary[:300], changes=list(changes)
    )


def disclosure_record(
    *, actor: User, kind: DisclosureKind, assessment: Assessment | None = None, child=None, detail: str = ""
) -> Disclosure:
    """Record that case data was shown or given to someone (the disclosure audit), by reference only."""
    if child is None and assessment is not None:
        child = assessment.child_id
    child_id = getattr(child, "pk", child)
    return Disclosure.objects.create(
        kind=kind, actor=actor, assessment=assessment, child_id=child_id, detail=detail[:300]
    )


def case_read_record(*, actor: User, assessment: Assessment, kind: DisclosureKind, detail: str = "") -> None:
    """A page of the case was shown: recorded unless the reader is its author or a co-author (their own work).

    Everyone else is recorded – viewers, and every council reader (officers, managers) – on drafts and
    submitted cases alike. Called by each page after its rights check.
    """
    if not is_author_or_co_author(actor, assessment):
        disclosure_record(actor=actor, kind=kind, assessment=assessment, detail=detail)


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)


def _touch(assessment: Assessment) -> None:
    """Move the assessment's "last updated" on; only a timestamp, so no history row of its own."""
    assessment.updated_at = timezone.now()
    assessment.skip_history_when_saving = True
    try:
        assessment.save(update_fields=["updated_at"])
    finally:
        del assessment.skip_history_when_saving


# ---------------------------------------------------------------- starting


def reference_next(*, kind: str, year: int) -> str:
    """The next human-friendly reference for the kind and year, like EHAT-2026-000123 (no gaps, no repeats)."""
    ReferenceCounter.objects.get_or_create(kind=kind, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{REFERENCE_PREFIXES[kind]}-{year}-{counter.last_number:06d}"


@transaction.atomic
def child_create(*, actor: User, first_name: str, last_name: str, date_of_birth: datetime.date) -> Child:
    require(can_start_assessment(actor))
    child = Child(
        first_name=first_name.strip(), last_name=last_name.strip(), date_of_birth=date_of_birth, created_by=actor
    )
    child._change_reason = "Child added"
    child._history_user = actor
    child.save()
    return child


def _date_parts(prefix: str, value: datetime.date) -> dict:
    return {f"{prefix}_day": str(value.day), f"{prefix}_month": str(value.month), f"{prefix}_year": str(value.year)}


def _starting_answers(*, kind: str, actor: User, child: Child) -> dict[str, dict]:
    """Answers known before the professional types anything: the child, and who they are."""
    spec = spec_for(kind)
    child_form = spec.section(spec.child_section).form_class
    child_data = child_form.owned_keys(latest_child_section_data(child)) or {
        "first_name": child.first_name,
        "last_name": child.last_name,
        **_date_parts("date_of_birth", child.date_of_birth),
    }
    you = {
        "name": actor.full_name,
        "role": actor.job_title,
        "organisation": str(actor.organisation or ""),
        "phone": str(actor.phone or ""),
        "email": actor.email,
    }
    answers = {spec.child_section: child_data}
    if kind == "ehat":
        answers["people"] = {f"completer_{name}": value for name, value in you.items()}
    elif kind == "ehcp":
        answers["requester"] = {
            "requester_name": you["name"],
            "requester_role": you["role"],
            "requester_setting": you["organisation"],
            "requester_phone": you["phone"],
            "requester_email": you["email"],
        }
    return answers


@transaction.atomic
def assessment_start(*, actor: User, kind: str, child: Child, safeguarding_answer: str = "") -> Assessment:
    """Start a draft for a child. An EHAT or a Young Carers assessment starts only once the safeguarding check
    has been answered no."""
    require(can_start_assessment(actor))
    require(child.created_by_id == actor.pk, "You can only start assessments for children you have added")
    screened = spec_for(kind).safeguarding_screen
    if screened and safeguarding_answer != "no":
        raise ValueError("This assessment starts only after the safeguarding check is answered no")
    now = timezone.now()
    assessment = Assessment(
        kind=kind,
        reference=reference_next(kind=kind, year=timezone.localdate().year),
        child=child,
        child_name=child.full_name,
        child_date_of_birth=child.date_of_birth,
        author=actor,
        organisation=actor.organisation,
        created_at=now,
        updated_at=now,
    )
    assessment._change_reason = "Assessment started"
    assessment._history_user = actor
    assessment.save()
    grant(actor, AUTHOR_RIGHTS, assessment)
    for key, data in _starting_answers(kind=kind, actor=actor, child=child).items():
        _section_create(assessment=assessment, key=key, data=data, status=SectionStatus.IN_PROGRESS, actor=actor)
    if screened:
        _section_create(
            assessment=assessment,
            key="safeguarding",
            data={"significant_harm": "no"},
            status=SectionStatus.COMPLETED,
            actor=actor,
        )
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.CREATED,
        actor=actor,
        summary=f"{spec_for(kind).title} started for {child.full_name}",
    )
    return assessment


def _section_create(*, assessment: Assessment, key: str, data: dict, status: str, actor: User) -> AssessmentSection:
    section = AssessmentSection(assessment=assessment, key=key, data=data, status=status, version=1, updated_by=actor)
    section._change_reason = "Filled in from what the portal already knew"
    section._history_user = actor
    section.save()
    return section


# ---------------------------------------------------------------- sections


class SectionConflict(Exception):
    """Someone saved the section after this person opened it; their save would overwrite it."""

    def __init__(self, current: AssessmentSection):
        super().__init__(f"Section {current.key} is at version {current.version}")
        self.current = current


@dataclass
class SectionSaveResult:
    section: AssessmentSection
    form: SectionForm
    completed: bool


def section_save(
    *, actor: User, assessment: Assessment, key: str, data: dict, base_version: int, complete: bool
) -> SectionSaveResult:
    """Save a section's answers as typed; with `complete`, also check them and mark the section completed.

    Nothing typed is ever dropped: answers that fail the checks are saved as in progress and the errors
    returned. A save based on an older version raises SectionConflict instead of overwriting, and what
    was typed is kept as the person's draft of the section.
    """
    try:
        return _section_save(
            actor=actor, assessment=assessment, key=key, data=data, base_version=base_version, complete=complete
        )
    except SectionConflict:
        # After the failed save's rollback, in a transaction of its own.
        section_draft_save(actor=actor, assessment=assessment, key=key, data=data, base_version=base_version)
        raise


@transaction.atomic
def _section_save(
    *, actor: User, assessment: Assessment, key: str, data: dict, base_version: int, complete: bool
) -> SectionSaveResult:
    assessment = _lock(assessment)
    require(can_edit_assessment(actor, assessment), "This assessment cannot be changed now")
    spec = spec_for(assessment.kind)
    form_class = spec.section(key).form_class
    data = form_class.owned_keys(data)
    # The assessment's row lock (above) serialises first saves; a new section is written once, with its answers.
    section = AssessmentSection.objects.select_for_update().filter(assessment=assessment, key=key).first()
    if section is None:
        section = AssessmentSection(assessment=assessment, key=key)
    if section.version != base_version:
        # Nothing is written here: this transaction rolls back. The caller keeps the typing as a draft.
        raise SectionConflict(section)

    form = form_class(data=form_class.as_form_data(data), strict=True, context=section_context())
    completed = complete and form.is_valid()
    before = dict(section.data)
    previous_status = section.status
    section.data = _storable(data)
    if completed:
        section.status = SectionStatus.COMPLETED
        section.return_comment = ""
    else:
        section.status = SectionStatus.IN_PROGRESS if form_class.has_any_answer(data) else SectionStatus.NOT_STARTED
    section.version += 1
    section.updated_at = timezone.now()
    section.updated_by = actor
    section._change_reason = f"{spec.section(key).title} {'completed' if completed else 'saved'}"
    section._history_user = actor
    section.save()

    if completed and key == spec.child_section:
        _child_record_update(assessment=assessment, cleaned=form.cleaned_data, actor=actor)
    SectionDraft.objects.filter(assessment=assessment, key=key, user=actor).delete()
    _touch(assessment)
    changes = answer_changes(form_class, before, section.data)
    if changes or section.status != previous_status:
        case_event_record(
            assessment=assessment,
            kind=CaseEventKind.SECTION_COMPLETED if completed else CaseEventKind.SECTION_SAVED,
            actor=actor,
            summary=spec.section(key).title,
            changes=changes,
        )
    return SectionSaveResult(section=section, form=form, completed=completed)


def _child_record_update(*, assessment: Assessment, cleaned: dict, actor: User) -> None:
    """Keep the child's record and the assessment's child name up to date with a completed child section."""
    child = assessment.child
    for field in ("first_name", "last_name", "date_of_birth", "gender", "ethnicity", "address", "postcode"):
        if field in cleaned:
            setattr(child, field, cleaned[field] or "")
    child.first_language = cleaned.get("first_language") or ""
    child.upn = cleaned.get("upn") or ""
    child.nhs_number = cleaned.get("nhs_number") or ""
    child._change_reason = f"Updated from {assessment.reference}"
    child._history_user = actor
    child.save()
    if (assessment.child_name, assessment.child_date_of_birth) != (child.full_name, child.date_of_birth):
        assessment.child_name = child.full_name
        assessment.child_date_of_birth = child.date_of_birth
        assessment._change_reason = "Child's name or date of birth corrected"
        assessment._history_user = actor
        assessment.save(update_fields=["child_name", "child_date_of_birth"])


def answer_changes(form_class: type[SectionForm], before: dict, after: dict) -> list[dict]:
    """Field-level before and after, in the words of the form, for the timeline."""
    if before == after:
        return []
    old = form_class(data=form_class.as_form_data(before), strict=False, context=section_context())
    new = form_class(data=form_class.as_form_data(after), strict=False, context=section_context())
    old.is_valid()
    new.is_valid()
    changes = []
    for name, form_field in new.fields.items():
        was = _shown(old, name, form_field)
        now = _shown(new, name, form_field)
        if was != now:
            changes.append({"field": str(form_field.label), "before": was, "after": now})
    for name, row_set in new.row_sets.items():
        was_rows, now_rows = _rows_shown(old, name), _rows_shown(new, name)
        if was_rows != now_rows:
            changes.append(
                {
                    "field": row_set.legend,
                    "before": f"{len(was_rows)} {row_set.row_label}(s)",
                    "after": f"{len(now_rows)} {row_set.row_label}(s)",
                }
            )
    return changes


def _shown(form: SectionForm, name: str, form_field) -> str:
    cleaned = getattr(form, "cleaned_data", {})
    if name in cleaned:
        value = display_value(form_field, cleaned[name])
    else:
        raw = form.data.getlist(name) if hasattr(form.data, "getlist") else []
        value = ", ".join(raw) or "Not answered"
    return ", ".join(value) if isinstance(value, list) else value


def _rows_shown(form: SectionForm, name: str) -> list:
    return [
        sorted((key, str(value)) for key, value in row.cleaned_data.items())
        for row in form.formsets[name].forms
        if row.has_changed() and hasattr(row, "cleaned_data")
    ]


# The largest version a draft can record (the column's range); a hand-made one beyond it is recorded as 0.
_LARGEST_VERSION = 2**31 - 1


def _storable(answers):
    """The answers without NUL characters, which PostgreSQL cannot store in JSON. The page still shows
    what was typed, with its error: only what is kept loses them."""
    if isinstance(answers, str):
        return answers.replace("\x00", "")
    if isinstance(answers, list):
        return [_storable(item) for item in answers]
    if isinstance(answers, dict):
        return {_storable(key): _storable(value) for key, value in answers.items()}
    return answers


def _draft_keep(*, actor: User, assessment: Assessment, key: str, data: dict, base_version: int) -> SectionDraft:
    if not 0 <= base_version <= _LARGEST_VERSION:
        base_version = 0  # not a version this portal wrote: the draft is compared with the section as it is
    draft, _ = SectionDraft.objects.update_or_create(
        assessment=assessment,
        key=key,
        user=actor,
        defaults={"data": _storable(data), "base_version": base_version, "saved_at": timezone.now()},
    )
    return draft


@transaction.atomic
def section_draft_save(*, actor: User, assessment: Assessment, key: str, data: dict, base_version: int) -> SectionDraft:
    """Keep what is being typed (the page sends it every few seconds and before the session ends)."""
    assessment = _lock(assessment)
    require(can_edit_assessment(actor, assessment), "This assessment cannot be changed now")
    form_class = spec_for(assessment.kind).section(key).form_class
    return _draft_keep(
        actor=actor, assessment=assessment, key=key, data=form_class.owned_keys(data), base_version=base_version
    )


@transaction.atomic
def section_draft_discard(*, actor: User, assessment: Assessment, key: str) -> None:
    SectionDraft.objects.filter(assessment=assessment, key=key, user=actor).delete()


# ---------------------------------------------------------------- evidence


def attachment_add(
    *, actor: User, assessment: Assessment, name: str, content: bytes, category: str, description: str
) -> Attachment:
    """Attach a document, checked by its content, stored under a name the portal makes.

    All or nothing: if the file cannot be written in full, or anything after it fails (the database, the
    commit), the stored file is deleted, so no fragment or orphan is left behind.
    """
    checked = document_check(name=name, content=content)
    storage = Attachment._meta.get_field("file").storage
    stored_name = None
    try:
        with transaction.atomic():
            assessment = _lock(assessment)
            require(can_edit_assessment(actor, assessment), "This assessment cannot be changed now")
            attachment = Attachment(
                assessment=assessment,
                original_name=checked.original_name,
                extension=checked.extension,
                content_type=checked.content_type,
                size=len(checked.content),
                sha256=checked.sha256,
                category=category,
                description=description.strip(),
                uploaded_by=actor,
            )
            # Named before writing, so a write that fails part-way (a full disk) can be cleaned up.
            stored_name = attachment.file.field.generate_filename(attachment, "upload")
            try:
                stored_name = storage.save(stored_name, ContentFile(checked.content))
            except OSError as error:
                raise EvidenceRejected(
                    "The document could not be stored just now. Nothing else has changed: try again"
                ) from error
            attachment.file.name = stored_name
            attachment._change_reason = "Document attached"
            attachment._history_user = actor
            attachment.save()
            _touch(assessment)
            case_event_record(
                assessment=assessment,
                kind=CaseEventKind.ATTACHMENT_ADDED,
                actor=actor,
                summary=f"{attachment.original_name} ({attachment.get_category_display()})",
            )
    except BaseException:
        if stored_name is not None:
            _delete_quietly(storage, stored_name)
        raise
    return attachment


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("A document left behind by a failed upload could not be deleted: %s", name)


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    assessment = _lock(attachment.assessment)
    require(can_edit_assessment(actor, assessment), "This assessment cannot be changed now")
    name = attachment.original_name
    stored = attachment.file.name
    attachment._change_reason = "Document removed"
    attachment._history_user = actor
    attachment.delete()
    # The file goes only once the removal is committed.
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))
    _touch(assessment)
    case_event_record(assessment=assessment, kind=CaseEventKind.ATTACHMENT_REMOVED, actor=actor, summary=name)


def attachment_download_record(*, actor: User, attachment: Attachment) -> None:
    """Downloads change nothing, but who read which document is part of the record."""
    require(can_view_assessment(actor, attachment.assessment))
    case_event_record(
        assessment=attachment.assessment,
        kind=CaseEventKind.ATTACHMENT_DOWNLOADED,
        actor=actor,
        summary=attachment.original_name,
    )
    # Every download is a disclosure, the author's too: the copy has left the portal. The document's number,
    # not its name, which may name the child.
    disclosure_record(
        actor=actor,
        kind=DisclosureKind.EVIDENCE_DOWNLOADED,
        assessment=attachment.assessment,
        detail=f"Document {attachment.pk} ({attachment.get_category_display()})",
    )


# ---------------------------------------------------------------- sharing


class SharingRefused(Exception):
    """The person cannot be invited; the message says why."""


ROLE_RIGHTS = {CollaboratorRole.CO_AUTHOR: CO_AUTHOR_RIGHTS, CollaboratorRole.VIEWER: VIEWER_RIGHTS}


@transaction.atomic
def collaborator_add(*, request, actor: User, assessment: Assessment, email: str, role: str) -> Collaborator:
    """Invite a registered colleague from the author's organisation as a co-author or viewer, and e-mail them."""
    assessment = _lock(assessment)
    require(can_share_assessment(actor, assessment))
    # Closing already stops sharing; this holds even if a withdrawn case were ever open again.
    if ConsentWithdrawal.objects.filter(assessment=assessment).exists():
        raise SharingRefused("The family has withdrawn their consent: nobody new can be given access")
    colleague = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if colleague is None or not colleague.is_email_verified or colleague.organisation_id != actor.organisation_id:
        raise SharingRefused(
            "There is no colleague with that e-mail address in your organisation. "
            "They need an account on the portal first"
        )
    if colleague.pk == assessment.author_id:
        raise SharingRefused("That is the author of the assessment")
    if Collaborator.objects.filter(assessment=assessment, user=colleague).exists():
        raise SharingRefused(f"{colleague.full_name} already has access: remove them first to change their access")
    collaborator = Collaborator(assessment=assessment, user=colleague, role=role, invited_by=actor)
    collaborator._change_reason = "Shared"
    collaborator._history_user = actor
    collaborator.save()
    grant(colleague, ROLE_RIGHTS[role], assessment)
    case_event_record(
        assessment=assessment,
        kind=CaseEventKind.SHARED,
        actor=actor,
        summary=f"{colleague.full_name} added as {collaborator.get_role_display().split(' (')[0].lower()}",
    )
    account_email_queue(
        template="casework/email/assessment_shared",
        to=colleague.email,
        subject=f"{actor.full_name} has shared {assessment.reference} with you",
        context={
            "full_name": colleague.full_name,
            "sharer": actor.full_name,
            "reference": assessment.reference,
            "kind": spec_for(assessment.kind).title,
            "can_edit": role == CollaboratorRole.CO_AUTHOR,
            "url": request.build_absolute_uri(reverse("casework:assessment", args=[assessment.pk])),
        },
    )
    return collaborator


@transaction.atomic
def collaborator_remove(*, actor: User, collaborator: Collaborator) -> None:
    """Take a colleague's access away; it ends on their next request."""
    assessment = _lock(collaborator.assessment)
    require(can_share_assessment(actor, assessment))
    revoke(collaborator.user, ROLE_RIGHTS[collaborator.role], assessment)
    SectionDraft.objects.filter(assessment=assessment, user=collaborator.user).delete()
    name = collaborator.user.full_name
    collaborator._change_reason = "Access removed"
    collaborator._history_user = actor
    collaborator.delete()
    case_event_record(
        assessment=assessment, kind=CaseEventKind.UNSHARED, actor=actor, summary=f"{name}'s access removed"
    )
