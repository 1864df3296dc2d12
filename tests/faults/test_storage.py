"""The disk is full or the upload folder cannot be written when a document is attached: a clear error, the
draft and its other documents intact, and nothing half-written left behind.

"Full" is real: the process's file-size limit (RLIMIT_FSIZE) makes the kernel refuse the write part-way, as a
full disk does (EFBIG instead of ENOSPC). "Unwritable" is real too: the assessment's folder is a file.
"""

import hashlib
import resource
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from casework import services as casework_services
from casework.models import AssessmentSection, Attachment, CaseEvent, SectionDraft
from casework.services import section_draft_save
from tests.casework.conftest import attach, pdf_bytes, start
from tests.conftest import CommittingClient
from tests.helpers import sign_in

NOT_STORED = "The document could not be stored just now. Nothing else has changed: try again"


@pytest.fixture
def ehat(author):
    return start(author, "ehat")


@pytest.fixture
def with_evidence(ehat, media):
    """A draft with a document attached and some typing kept as a section draft."""
    kept = attach(ehat, name="school-report.pdf")
    section_draft_save(
        actor=ehat.author, assessment=ehat, key="reason", data={"reason": "Typed, not saved"}, base_version=0
    )
    return ehat, kept


def big_pdf() -> bytes:
    return pdf_bytes("x" * 200_000)


def upload(client, assessment, content):
    document = SimpleUploadedFile("new-report.pdf", content, content_type="application/pdf")
    return client.post(
        f"/assessments/{assessment.pk}/evidence/", {"document": document, "category": "other", "description": ""}
    )


def files_in(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def state_of(assessment) -> dict:
    return {
        "attachments": list(Attachment.objects.filter(assessment=assessment).values_list("pk", "sha256", "file")),
        "sections": sorted(AssessmentSection.objects.filter(assessment=assessment).values_list("key", "version")),
        "drafts": list(SectionDraft.objects.filter(assessment=assessment).values_list("key", "data")),
        "events": CaseEvent.objects.filter(assessment=assessment).count(),
    }


def _assert_intact(assessment, kept, before, media, files_before) -> None:
    assert state_of(assessment) == before
    with kept.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == kept.sha256
    assert files_in(media) == files_before, "a half-written or orphaned copy of the document was left on disk"


@pytest.mark.django_db
def test_disk_full_during_upload_is_a_clear_error_and_leaves_no_partial_file(author_client, with_evidence, media):
    assessment, kept = with_evidence
    before, files_before = state_of(assessment), files_in(media)

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))  # the disk fills 64 KB into the file
    try:
        response = upload(author_client, assessment, big_pdf())
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))

    assert response.status_code == 200
    assert NOT_STORED in response.content.decode()
    _assert_intact(assessment, kept, before, media, files_before)
    # Space again: the same upload goes through.
    assert upload(author_client, assessment, big_pdf()).status_code == 302
    assert Attachment.objects.filter(assessment=assessment).count() == 2


@pytest.mark.django_db
def test_unwritable_upload_folder_is_a_clear_error_and_changes_nothing(author_client, with_evidence, media):
    assessment, kept = with_evidence
    folder = media / "attachments" / str(assessment.pk)
    for path in folder.iterdir():  # the folder's place taken by a file: nothing can be written under it
        path.rename(media / path.name)
    folder.rmdir()
    folder.write_bytes(b"")
    kept.file.name = kept.file.name.rsplit("/", 1)[-1]
    Attachment.objects.filter(pk=kept.pk).update(file=kept.file.name)
    before, files_before = state_of(assessment), files_in(media)

    response = upload(author_client, assessment, pdf_bytes())

    assert response.status_code == 200
    assert NOT_STORED in response.content.decode()
    _assert_intact(assessment, kept, before, media, files_before)


@pytest.mark.django_db
def test_database_lost_after_the_file_was_stored_leaves_no_orphaned_file(author, with_evidence, media, monkeypatch):
    """The file is written, then the database goes: the error page, no attachment row, and no stray file."""
    assessment, kept = with_evidence
    before, files_before = state_of(assessment), files_in(media)

    def dropped(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(casework_services, "case_event_record", dropped)
    client = sign_in(CommittingClient(raise_request_exception=False), author)
    response = upload(client, assessment, pdf_bytes("second"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    _assert_intact(assessment, kept, before, media, files_before)
