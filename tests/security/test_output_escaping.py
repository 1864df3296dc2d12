"""Markup typed into any field comes back as text on every page that shows it, never as markup (ASVS 1.2.1)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from casework.models import Assessment
from identity.models import User
from identity.tokens import verification_token_make
from tests.casework.conftest import pdf_bytes
from tests.security.conftest import World

SCRIPT = '<script>alert("probe")</script>'
ATTRIBUTE = '"><svg onload=alert("probe")>'


def assert_shown_as_text(page: str, payload: str) -> None:
    assert payload not in page, "the payload was rendered as markup"
    assert escape(payload) in page, "the payload is not shown at all (so this test proves nothing)"


def html(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("payload", [SCRIPT, ATTRIBUTE], ids=["script", "attribute"])
def test_a_section_answer_is_shown_as_text_wherever_it_appears(world: World, payload):
    """The answers, check your answers and the history (before and after) show what was typed, escaped."""
    case = world.case("ehat", "draft")
    author = world.client_for("author")
    version = case.sections.get(key="reason").version
    saved = author.post(
        f"/assessments/{case.pk}/sections/reason/",
        {"reason": payload, "level_of_need": "multiple", "version": version, "action": "continue"},
    )
    assert saved.status_code == 302
    for page in ("answers/", "check-your-answers/", "history/"):
        assert_shown_as_text(html(author, f"/assessments/{case.pk}/{page}"), payload)


def test_a_message_is_shown_as_text_to_the_professional_and_the_officer(world: World):
    case = world.case("ehat", "under_review")
    author = world.client_for("author")
    assert author.post(f"/assessments/{case.pk}/progress/", {"body": SCRIPT}).status_code == 302
    assert_shown_as_text(html(author, f"/assessments/{case.pk}/progress/"), SCRIPT)
    assert_shown_as_text(html(world.client_for("officer"), f"/cases/{case.pk}/"), SCRIPT)


def test_a_return_comment_and_a_decision_note_are_shown_as_text(world: World):
    """What the officer writes reaches the professional's pages escaped."""
    officer = world.client_for("officer", "ehcp")
    case = world.case("ehcp", "under_review")
    returned = officer.post(f"/cases/{case.pk}/return/", {"section_needs": SCRIPT, "message": ATTRIBUTE})
    assert returned.status_code == 302
    author = world.client_for("author")
    assert_shown_as_text(html(author, f"/assessments/{case.pk}/"), SCRIPT)
    assert_shown_as_text(html(author, f"/assessments/{case.pk}/progress/"), ATTRIBUTE)

    held = world.case("ehat", "under_review")
    decided = world.client_for("officer").post(f"/cases/{held.pk}/decide/", {"outcome": "signposted", "note": SCRIPT})
    assert decided.status_code == 302
    assert_shown_as_text(html(author, f"/assessments/{held.pk}/progress/"), SCRIPT)


@pytest.mark.parametrize("payload", [SCRIPT, ATTRIBUTE], ids=["script", "attribute"])
def test_a_name_is_shown_as_text_in_the_account_and_the_header(world: World, payload):
    client = world.client_for("co_author")
    saved = client.post("/account/details/", {"full_name": payload, "job_title": payload, "phone": ""})
    assert saved.status_code == 302
    assert_shown_as_text(html(client, "/account/"), payload)
    assert_shown_as_text(html(client, "/account/details/"), payload)
    case = world.case("ehat", "draft")
    assert_shown_as_text(html(world.client_for("author"), f"/assessments/{case.pk}/sharing/"), payload)


def test_a_childs_name_is_shown_as_text_in_the_lists_and_the_case(world: World):
    """A child added through the start pages with markup for a name: the lists and the case show it as text."""
    author = world.client_for("author")
    assert author.post("/assessments/new/", {"kind": "young_carers"}).status_code == 302
    assert author.post("/assessments/new/safeguarding/", {"significant_harm": "no"}).status_code == 302
    added = author.post(
        "/assessments/new/child/details/",
        {
            "first_name": SCRIPT,
            "last_name": "Stone",
            "date_of_birth_day": "1",
            "date_of_birth_month": "5",
            "date_of_birth_year": "2012",
        },
    )
    assert added.status_code == 302, added.content.decode()[:500]
    case = Assessment.objects.filter(child__first_name=SCRIPT).get()
    assert_shown_as_text(html(author, "/assessments/"), SCRIPT)
    assert_shown_as_text(html(author, f"/assessments/{case.pk}/"), SCRIPT)


def test_an_evidence_name_and_description_are_shown_as_text(world: World, media):
    case = world.case("ehat", "draft")
    author = world.client_for("author")
    upload = pdf_bytes()
    response = author.post(
        f"/assessments/{case.pk}/evidence/",
        {
            "document": SimpleUploadedFile('"><img src=x onerror=alert(1)>.pdf', upload, "application/pdf"),
            "category": "professional_report",
            "description": SCRIPT,
        },
    )
    assert response.status_code == 302
    page = html(author, f"/assessments/{case.pk}/evidence/")
    assert_shown_as_text(page, SCRIPT)
    assert "<img src=x" not in page


@pytest.mark.parametrize(
    ("role", "path"),
    [
        pytest.param("author", "/assessments/", id="your-assessments"),
        pytest.param("officer", "/work/queue/", id="queue"),
    ],
)
@pytest.mark.parametrize("payload", [SCRIPT, ATTRIBUTE], ids=["script", "attribute"])
def test_a_search_is_echoed_as_text(world: World, role, path, payload):
    page = world.client_for(role).get(path, {"q": payload}).content.decode()
    assert payload not in page
    assert escape(payload) in page


def test_a_registrants_name_is_shown_as_text_to_the_administrator(world: World):
    """A name typed at registration reaches the administrator's approvals page as text."""
    client = Client()
    registered = client.post(
        "/account/register/",
        {
            "full_name": SCRIPT,
            "email": "ava.stone@example.org",
            "confirm_personal_email": "on",
            "organisation": world.user_for("author").organisation_id,
            "job_title": "Teaching assistant",
            "phone": "",
            "password": "lantern orchard cobalt ferry",
            "security_question": "What was your childhood nickname?",
            "security_answer": "Sparky",
            "confirm_own_use": "on",
        },
    )
    assert registered.status_code == 302
    applicant = User.objects.get(email="ava.stone@example.org")
    token = verification_token_make(user_id=applicant.pk, email=applicant.email)
    assert client.post(f"/account/verify/{token}/").status_code == 200
    applicant.refresh_from_db()
    assert applicant.email_verified_at is not None and applicant.email_verified_at <= timezone.now()
    page = html(world.client_for("administrator"), "/account/approvals/")
    assert SCRIPT not in page
    assert re.search(re.escape(escape(SCRIPT)), page)
