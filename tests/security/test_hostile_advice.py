"""The professional's advice form, driven with hostile input as every form is (test_hostile_input): never a server
error, never unescaped output, and hostile file names never reach the disk.

Its own file because the advice form needs advice asked of someone, which the shared world has not done yet (its
needs assessment is still asking for advice, and the access matrix relies on that).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.casework.conftest import pdf_bytes
from tests.factories import ProfessionalFactory
from tests.security.conftest import request_and_undo
from tests.security.test_hostile_input import ATTRIBUTE_PROBE, BOUNDED, SCRIPT_PROBE, form_data, send
from tests.workflows.conftest import client_of
from tests.workflows.ehc_steps import agreed
from workflows import ehc
from workflows.ehc_forms import AdviceForm
from workflows.ehc_models import AdviceAttachment


@pytest.fixture
def advice_page(demo_data):
    """The setting's advice asked of a registered professional: their client and the page of the form."""
    adviser = ProfessionalFactory(email_verified_at=timezone.now())
    needs_assessment = agreed()
    ehc.advice_request(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        recipients={"setting": ehc.AdviceRecipient(name="Ada Stone", email=adviser.email)},
        not_sought={kind: "Recent advice is enough" for kind in ehc.ADVICE_WHAT if kind != "setting"},
    )
    return client_of(adviser), f"/cases/{needs_assessment.assessment_id}/needs-assessment/advice/setting/"


class _Form:
    method = "post"


def test_the_advice_form_answers_hostile_input_without_a_server_error(advice_page):
    client, url = advice_page
    names = [name for name in AdviceForm().fields if name != "documents"]

    @BOUNDED
    @given(data=form_data(names), encoding=st.sampled_from(["urlencoded", "multipart", "json"]))
    def check(data, encoding):
        response, _ = send(client, _Form, url, data, encoding)
        assert response.status_code < 500, (data, getattr(response, "exc_info", None))
        if response.get("Content-Type", "").startswith("text/html"):
            page = response.content.decode()
            assert SCRIPT_PROBE not in page
            assert ATTRIBUTE_PROBE not in page

    check()


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd.pdf",
        "..\\..\\windows\\system32\\report.pdf",
        "\u202efdp.exe.pdf",
        '"><svg onload=alert("probe")>.pdf',
        "report\x00.exe.pdf",
        "x" * 400 + ".pdf",
        ".pdf",
    ],
    ids=["traversal", "windows-traversal", "rtl-override", "markup", "nul", "very-long", "only-an-extension"],
)
def test_hostile_file_names_are_kept_only_as_labels(advice_page, name):
    """Accepted or refused, never a 500; stored under a made name, the label without folders or controls."""
    client, url = advice_page
    answer = {"needs": "Needs", "outcomes": "Outcomes", "provision": "Provision"}
    upload = SimpleUploadedFile(name, pdf_bytes())

    def stored():
        return list(AdviceAttachment.objects.values_list("file", "original_name"))

    response, documents = request_and_undo(client, "post", url, {**answer, "documents": [upload]}, inspect=stored)
    assert response.status_code < 500
    # A PDF whose label still ends .pdf is accepted; the rest are refused with a message, not stored.
    assert len(documents) == (0 if name in ("x" * 400 + ".pdf", ".pdf") else 1), response.content.decode()[-3000:]
    assert SCRIPT_PROBE not in response.content.decode()
    for file, label in documents:
        assert file.startswith("advice/") and ".." not in file and "passwd" not in file
        assert "/" not in label and "\\" not in label and "\x00" not in label and "\u202e" not in label
        assert len(label) <= 200
