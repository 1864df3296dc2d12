"""Documents sent with the professional's advice: checked as evidence is, stored under made names, downloaded only
by those who may see them (each download a disclosure), removed by retention and given in a subject access copy."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.evidence import document_check
from casework.models import CaseEvent, CaseEventKind, Disclosure, DisclosureKind
from casework.retention import years_after
from identity.roles import Role
from tests.casework.conftest import pdf_bytes, png_bytes
from tests.factories import CouncilUserFactory, ProfessionalFactory
from tests.workflows.conftest import client_of, fresh
from tests.workflows.ehc_steps import ANSWER, advice_of, agreed, give
from workflows import ehc
from workflows.ehc_adviser import advice_give_with_documents
from workflows.ehc_models import AdviceAttachment
from workflows.errors import TransitionRefused
from workflows.retention import retention_apply
from workflows.subject_access import subject_access_request_record

MEDIA = Path(settings.MEDIA_ROOT)


def stored_files() -> set[str]:
    folder = MEDIA / "advice"
    return {str(path.relative_to(MEDIA)) for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


@pytest.fixture
def asked_of_sam(people):
    """The setting's advice asked of Sam, a registered professional."""
    needs_assessment = agreed()
    return ehc.advice_request(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        recipients={"setting": ehc.AdviceRecipient(name="Sam Taylor", email=people.sam.email)},
        not_sought={kind: "Recent advice is enough" for kind in ehc.ADVICE_WHAT if kind != "setting"},
    )


def page(needs_assessment) -> str:
    return f"/cases/{needs_assessment.assessment_id}/needs-assessment/advice/setting/"


def post_advice(client, needs_assessment, *files, **answer):
    return client.post(page(needs_assessment), {**ANSWER, **answer, "documents": list(files)})


def test_advice_sent_with_two_documents_keeps_them_under_made_names(asked_of_sam, people):
    before = stored_files()
    response = post_advice(
        client_of(people.sam),
        asked_of_sam,
        SimpleUploadedFile("Mia Hart EP report.pdf", pdf_bytes("report")),
        SimpleUploadedFile("drawing.png", png_bytes()),
    )
    assert response.status_code == 302
    advice = advice_of(asked_of_sam, "setting")
    assert advice.answered_on is not None
    documents = list(advice.attachments.order_by("pk"))
    assert [(d.original_name, d.content_type, d.uploaded_by) for d in documents] == [
        ("Mia Hart EP report.pdf", "application/pdf", people.sam),
        ("drawing.png", "image/png", people.sam),
    ]
    new_files = stored_files() - before
    assert len(new_files) == 2
    assert all("Mia" not in name and name.startswith(f"advice/{advice.pk}/") for name in new_files)
    added = CaseEvent.objects.filter(assessment_id=asked_of_sam.assessment_id, kind=CaseEventKind.ATTACHMENT_ADDED)
    assert added.count() == 2
    html = client_of(people.sam).get(page(asked_of_sam)).content.decode()
    assert "Mia Hart EP report.pdf" in html
    assert f"/setting/documents/{documents[0].pk}/" in html


def test_a_program_named_pdf_is_refused_with_the_answers_kept_and_nothing_stored(asked_of_sam, people):
    before = stored_files()
    response = post_advice(
        client_of(people.sam),
        asked_of_sam,
        SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),
        needs="Anxious in large groups; typed before the error",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_documents"' in html
    assert "report.pdf: The selected file must be" in html
    assert "Anxious in large groups; typed before the error" in html
    assert advice_of(asked_of_sam, "setting").answered_on is None
    assert stored_files() == before


def test_more_than_five_documents_are_refused(asked_of_sam, people):
    files = [SimpleUploadedFile(f"report{n}.pdf", pdf_bytes(str(n))) for n in range(6)]
    response = post_advice(client_of(people.sam), asked_of_sam, *files)
    assert response.status_code == 200
    assert "Select up to 5 documents" in response.content.decode()
    assert AdviceAttachment.objects.count() == 0


def test_advice_refused_as_already_given_leaves_no_file_behind(asked_of_sam, people):
    """The coordinator recorded the advice first: Sam's documents are written, then deleted with the refusal."""
    give(asked_of_sam, "setting")
    before = stored_files()
    with pytest.raises(TransitionRefused):
        advice_give_with_documents(
            actor=people.sam,
            advice=advice_of(asked_of_sam, "setting"),
            answer=ANSWER,
            documents=[document_check(name="report.pdf", content=pdf_bytes())],
        )
    assert stored_files() == before
    assert AdviceAttachment.objects.count() == 0


@pytest.fixture
def sent(asked_of_sam, people):
    post_advice(client_of(people.sam), asked_of_sam, SimpleUploadedFile("report.pdf", pdf_bytes("the report")))
    return asked_of_sam, AdviceAttachment.objects.get()


def download_url(needs_assessment, document) -> str:
    return f"{page(needs_assessment)}documents/{document.pk}/"


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("sam", id="the-professional-asked"),
        pytest.param("tom", id="the-coordinator"),
        pytest.param("lee", id="the-service-manager"),
    ],
)
def test_those_who_may_see_it_download_it_and_each_download_is_a_disclosure(sent, people, who):
    needs_assessment, document = sent
    reader = getattr(people, who)
    response = client_of(reader).get(download_url(needs_assessment, document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes("the report")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'attachment; filename="report.pdf"' in response["Content-Disposition"]
    [disclosure] = Disclosure.objects.filter(actor=reader, kind=DisclosureKind.EVIDENCE_DOWNLOADED)
    assert disclosure.assessment_id == needs_assessment.assessment_id
    # The document's number, not its name (which may name the child).
    assert disclosure.detail == f"Advice document {document.pk} (school or setting advice)"


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("outsider", id="another-professional"),
        pytest.param("colleague", id="a-colleague-at-the-same-school"),
        pytest.param("priya", id="an-officer-of-another-team"),
    ],
)
def test_nobody_else_downloads_it(sent, people, who):
    needs_assessment, document = sent
    if who == "outsider":
        reader = ProfessionalFactory(email_verified_at=timezone.now())
    elif who == "colleague":
        reader = ProfessionalFactory(email_verified_at=timezone.now(), organisation=people.sam.organisation)
    else:
        reader = getattr(people, who)
    response = client_of(reader).get(download_url(needs_assessment, document))
    assert response.status_code == 404
    assert not Disclosure.objects.filter(actor=reader, kind=DisclosureKind.EVIDENCE_DOWNLOADED).exists()


def test_a_download_asked_for_under_another_kind_of_advice_is_not_found(sent, people):
    needs_assessment, document = sent
    url = f"/cases/{needs_assessment.assessment_id}/needs-assessment/advice/health/documents/{document.pk}/"
    assert client_of(people.tom).get(url).status_code == 404


def test_retention_removes_the_documents_their_files_and_history(sent):
    needs_assessment, document = sent
    name = document.file.name
    assert (MEDIA / name).exists()
    retention_apply(today=years_after(fresh(needs_assessment.assessment).child_date_of_birth, 31))
    assert not (MEDIA / name).exists()
    assert not AdviceAttachment.objects.exists()
    assert not AdviceAttachment.history.exists()


def test_the_subject_access_copy_holds_the_documents_sent_with_advice(sent, demo_data):
    needs_assessment, _ = sent
    dpo = CouncilUserFactory(roles=[Role.DATA_PROTECTION_OFFICER], email_verified_at=timezone.now())
    subject_access = subject_access_request_record(
        actor=dpo,
        child=needs_assessment.assessment.child,
        requester="The child's mother",
        received_on=timezone.localdate(),
    )
    response = client_of(dpo).post(f"/subject-access/{subject_access.pk}/export/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    [case] = json.loads(archive.read("data.json"))["cases"]
    [entry] = [d for d in case["documents"] if d["category"] == "Sent with the school or setting advice"]
    assert entry["name"] == "report.pdf"
    assert archive.read(entry["path"]) == pdf_bytes("the report")


def test_someone_not_asked_cannot_send_advice_or_documents_and_no_file_is_left(asked_of_sam, people):
    """The service checks the person itself (the page 404s first): refused, nothing saved, nothing on disk."""
    before = stored_files()
    stranger = ProfessionalFactory(email_verified_at=timezone.now())
    with pytest.raises(PermissionDenied):
        advice_give_with_documents(
            actor=stranger,
            advice=advice_of(asked_of_sam, "setting"),
            answer=ANSWER,
            documents=[document_check(name="report.pdf", content=pdf_bytes())],
        )
    assert stored_files() == before
    assert advice_of(asked_of_sam, "setting").answered_on is None


def test_each_document_has_a_history_row_saying_who_sent_it_and_why(sent, people):
    _, document = sent
    [row] = document.history.all()
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        people.sam,
        "Document sent with the advice",
    )
