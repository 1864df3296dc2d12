"""Evidence: documents judged by their content, stored under generated names, downloaded only through a checked view."""

import struct
import zlib

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.evidence import EvidenceRejected, document_check
from casework.models import Attachment, CaseEvent, CaseEventKind
from tests.casework.conftest import (
    attach,
    client_for,
    docx_bytes,
    pdf_bytes,
    png_bytes,
    share,
    start,
    zip_bytes,
)
from tests.conftest import CommittingClient


@pytest.fixture(autouse=True)
def _media(media):
    """Every test here stores its documents in its own temporary folder."""


def evidence_url(assessment):
    return f"/assessments/{assessment.pk}/evidence/"


def upload(client, assessment, name, content, category="other", description=""):
    document = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(
        evidence_url(assessment), {"document": document, "category": category, "description": description}
    )


def refusal(name, content) -> str:
    with pytest.raises(EvidenceRejected) as refused:
        document_check(name=name, content=content)
    return str(refused.value)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims the given size (a 'decompression bomb' is small on disk)."""
    real = png_bytes()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return real[:8] + ihdr + real[8 + len(ihdr) :]


def test_pdf_is_accepted_through_the_page(author_client, ehat, media):
    """A PDF is attached, stored under the assessment's own folder, and listed with its category."""
    response = upload(author_client, ehat, "Speech therapy report.pdf", pdf_bytes(), category="professional_report")
    assert response["Location"] == evidence_url(ehat)
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.category) == (
        "Speech therapy report.pdf",
        "application/pdf",
        "professional_report",
    )
    assert (media / attachment.file.name).read_bytes() == pdf_bytes()
    assert CaseEvent.objects.filter(assessment=ehat, kind=CaseEventKind.ATTACHMENT_ADDED).count() == 1
    assert "Speech therapy report.pdf" in author_client.get(evidence_url(ehat)).content.decode()


def test_program_renamed_as_pdf_is_refused_with_a_clear_message(author_client, ehat):
    """An .exe called report.pdf is judged by its content and refused, saying what is allowed."""
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = upload(author_client, ehat, "report.pdf", exe)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The selected file must be a PDF, Word document (DOC or DOCX), OpenDocument text (ODT), PNG or JPG" in html
    assert not Attachment.objects.exists()


def test_pdf_named_docx_is_refused_because_the_name_does_not_match():
    """A real PDF with a Word name is refused: the name must match what the file is."""
    assert refusal("report.docx", pdf_bytes()) == (
        "The file's name does not match what it contains: it is a PDF file, so its name should end .pdf"
    )


def test_empty_file_is_refused(author_client, ehat):
    """Zero bytes is not a document."""
    response = upload(author_client, ehat, "report.pdf", b"")
    assert "The selected file is empty" in response.content.decode()
    assert refusal("report.pdf", b"") == "The selected file is empty"
    assert not Attachment.objects.exists()


def test_oversize_file_is_refused(author_client, ehat, settings):
    """A file over the size limit is refused before it is stored."""
    settings.PORTAL_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    big = pdf_bytes() + b"0" * (2 * 1024 * 1024)
    response = upload(author_client, ehat, "report.pdf", big)
    assert "The selected file must be smaller than 2.0\xa0MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_path_traversal_name_is_stored_under_a_generated_name(author_client, ehat, media):
    """'../../etc/passwd.pdf' is shown as 'passwd.pdf' and stored inside the assessment's folder."""
    upload(author_client, ehat, "../../etc/passwd.pdf", pdf_bytes())
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    folder = media / "attachments" / str(ehat.pk)
    stored = media / attachment.file.name
    assert stored.parent == folder
    assert stored.name != "passwd.pdf"
    assert stored.suffix == ".pdf"
    assert stored.resolve().is_relative_to(media.resolve())
    assert [path.name for path in folder.iterdir()] == [stored.name]


def test_decompression_bomb_png_is_refused():
    """A PNG claiming 64 megapixels is refused however small the file is; a real small image passes."""
    assert document_check(name="drawing.PNG", content=png_bytes()).content_type == "image/png"
    bomb = png_claiming(8000, 8000)
    assert len(bomb) < 200
    assert refusal("photo.png", bomb) == "The image is too large: save it at a smaller size (under 50 megapixels)"


def test_docx_is_accepted():
    """A Word document is a zip with Word's own parts inside."""
    checked = document_check(name="Plan.docx", content=docx_bytes())
    assert checked.extension == ".docx"
    assert checked.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_pdf_padded_after_its_end_marker_by_a_scanner_is_accepted():
    """Some scanners pad the end of a PDF with spaces or NUL bytes: still only a PDF."""
    checked = document_check(name="Scan.pdf", content=pdf_bytes() + b"\x00" * 300 + b"  \r\n")
    assert checked.content_type == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.4\n%report only\n", id="no-end-marker"),
        pytest.param(pdf_bytes() + b"<script>alert(1)</script>", id="something-after-the-end"),
        pytest.param(pdf_bytes().replace(b"\n1 0 obj", b"\n<html><body>Hi</body></html>\n1 0 obj"), id="web-page"),
    ],
)
def test_file_that_only_starts_like_a_pdf_is_refused(content):
    assert refusal("report.pdf", content) == (
        "The PDF is damaged or is not only a PDF: save it again as a PDF and upload it"
    )


def test_plain_zip_renamed_docx_is_refused():
    """A zip without Word's parts is not a Word document."""
    message = refusal("Plan.docx", zip_bytes({"notes.txt": b"hello"}))
    assert message.startswith("The selected file must be a PDF, Word document")


def test_download_is_an_attachment_and_is_recorded(author_client, author, ehat):
    """The document comes back as a download, never shown inline, and who downloaded it is recorded."""
    attachment = attach(ehat, name="EP report.pdf")
    response = author_client.get(f"{evidence_url(ehat)}{attachment.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "EP report.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == pdf_bytes("EP report.pdf")
    event = CaseEvent.objects.get(assessment=ehat, kind=CaseEventKind.ATTACHMENT_DOWNLOADED)
    assert (event.actor, event.summary) == (author, "EP report.pdf")


def test_download_by_another_organisations_professional_is_not_found(outsider, ehat):
    """Someone with no right to the assessment cannot tell the document exists."""
    attachment = attach(ehat)
    response = client_for(outsider).get(f"{evidence_url(ehat)}{attachment.pk}/download/")
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(kind=CaseEventKind.ATTACHMENT_DOWNLOADED).exists()


def test_download_when_signed_out_goes_to_sign_in(ehat):
    """Anonymous requests are sent to sign in first."""
    attachment = attach(ehat)
    response = CommittingClient().get(f"{evidence_url(ehat)}{attachment.pk}/download/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_attachment_of_another_assessment_is_not_found_through_this_one(author_client, author, ehat):
    """The attachment id must belong to the assessment in the address."""
    other = start(author, "ehcp")
    attachment = attach(other)
    assert author_client.get(f"{evidence_url(ehat)}{attachment.pk}/download/").status_code == 404


def test_removal_from_a_draft_deletes_the_row_keeps_history_and_records_an_event(author_client, author, ehat, media):
    """Removing a document deletes it and its file; the history keeps its record; the timeline says who."""
    attachment = attach(ehat, name="wrong.pdf")
    stored = media / attachment.file.name
    response = author_client.post(f"{evidence_url(ehat)}{attachment.pk}/remove/")
    assert response["Location"] == evidence_url(ehat)
    assert not Attachment.objects.exists()
    assert not stored.exists()
    assert Attachment.history.filter(id=attachment.pk, history_type="-").get().history_change_reason == (
        "Document removed"
    )
    event = CaseEvent.objects.get(assessment=ehat, kind=CaseEventKind.ATTACHMENT_REMOVED)
    assert (event.actor, event.summary) == (author, "wrong.pdf")


def test_storage_failure_gives_a_form_error_and_changes_nothing(author_client, ehat, monkeypatch):
    """If the disk refuses the file, the professional is told, and the draft and earlier documents are intact."""
    kept = attach(ehat, name="kept.pdf")
    version = ehat.sections.get(key="people").version
    events = CaseEvent.objects.count()

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    response = upload(author_client, ehat, "new.pdf", pdf_bytes())
    html = response.content.decode()
    assert response.status_code == 200
    assert "The document could not be stored just now. Nothing else has changed: try again" in html
    assert list(Attachment.objects.all()) == [kept]
    assert CaseEvent.objects.count() == events
    assert ehat.sections.get(key="people").version == version


def test_viewer_cannot_attach_or_remove(colleague, ehat):
    """A viewer sees the documents but cannot add or remove them."""
    share(ehat, with_user=colleague, role="viewer")
    attachment = attach(ehat)
    client = client_for(colleague)
    upload(client, ehat, "mine.pdf", pdf_bytes())
    assert list(Attachment.objects.all()) == [attachment]
    assert client.post(f"{evidence_url(ehat)}{attachment.pk}/remove/").status_code == 403
    assert Attachment.objects.filter(pk=attachment.pk).exists()
