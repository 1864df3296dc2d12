"""The account pages: details, password, security question, activity; and administrators' approvals."""

import pytest
from django.core import mail

from identity.models import AuthEventKind, User
from tests.conftest import CommittingClient
from tests.factories import ProfessionalFactory
from tests.helpers import emails_to, sign_in
from tests.identity.conftest import PASSWORD, sign_in_fully


def test_account_page_shows_this_session_and_recent_sign_ins(client, verified_professional):
    sign_in_fully(client, verified_professional)
    html = client.get("/account/").content.decode()
    assert "This session" in html
    assert "127.0.0.1" in html
    assert "Signed in" in html
    assert verified_professional.email in html


def test_change_details_is_saved_with_history(client, verified_professional):
    sign_in(client, verified_professional)
    response = client.post(
        "/account/details/", {"full_name": "Alex Jones-Smith", "job_title": "Deputy head", "phone": "01752 668000"}
    )
    assert response["Location"] == "/account/"
    verified_professional.refresh_from_db()
    assert verified_professional.full_name == "Alex Jones-Smith"
    assert verified_professional.history.first().history_change_reason == "Profile updated"
    assert verified_professional.history.first().history_user == verified_professional


def test_change_password_needs_the_current_one_and_ends_other_sessions(client, verified_professional):
    sign_in(client, verified_professional)
    elsewhere = CommittingClient()
    elsewhere.force_login(verified_professional, backend="django.contrib.auth.backends.ModelBackend")

    wrong = client.post("/account/password/", {"current_password": "not it", "password": "a new passphrase here"})
    assert "Your current password is not correct" in wrong.content.decode()

    response = client.post("/account/password/", {"current_password": PASSWORD, "password": "a new passphrase here"})
    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200, "this session continues"
    assert elsewhere.get("/account/").status_code == 302, "every other session ends"
    assert emails_to(verified_professional.email)[-1].subject == "Your Professional Portal password has been changed"
    assert verified_professional.auth_events.filter(kind=AuthEventKind.PASSWORD_CHANGED).exists()


def test_change_security_question_needs_the_password(client, verified_professional):
    sign_in(client, verified_professional)
    data = {
        "current_password": "not it",
        "security_question": "What was the make of your first car?",
        "security_answer": "Ford Fiesta",
    }
    assert "Your current password is not correct" in client.post("/account/security-question/", data).content.decode()
    response = client.post("/account/security-question/", {**data, "current_password": PASSWORD})
    assert response["Location"] == "/account/"
    verified_professional.refresh_from_db()
    assert verified_professional.security_question == "What was the make of your first car?"
    assert "Ford" not in verified_professional.security_answer_hash


def test_activity_page_lists_failures_too(client, verified_professional):
    from tests.identity.conftest import post_password

    post_password(CommittingClient(), verified_professional.email, "someone guessing wrongly")
    sign_in_fully(client, verified_professional)
    html = client.get("/account/activity/").content.decode()
    assert "Sign-in failed" in html
    assert "Signed in" in html


@pytest.fixture
def applicant(db):
    from django.utils import timezone

    return ProfessionalFactory(
        email="pat.quinn@gmail.com", approval_required=True, email_verified_at=timezone.now(), full_name="Pat Quinn"
    )


def test_administrator_sees_and_approves_pending_accounts(client, demo_data, applicant):
    administrator = User.objects.get(email="alex.reed@plymouth.gov.uk")
    sign_in(client, administrator)
    html = client.get("/account/approvals/").content.decode()
    assert "Pat Quinn" in html
    assert "pat.quinn@gmail.com" in html
    mail.outbox.clear()
    response = client.post(f"/account/approvals/{applicant.pk}/approve/")
    assert response["Location"] == "/account/approvals/"
    applicant.refresh_from_db()
    assert not applicant.is_awaiting_approval
    assert applicant.approved_by == administrator
    assert emails_to(applicant.email)[-1].subject == "Your Professional Portal account has been approved"
    after = client.get("/account/approvals/").content.decode()
    assert "Pat Quinn&#x27;s account has been approved and they have been told" in after
    assert "pat.quinn@gmail.com" not in after


def test_administrator_can_refuse_an_account(client, demo_data, applicant):
    sign_in(client, User.objects.get(email="alex.reed@plymouth.gov.uk"))
    client.post(f"/account/approvals/{applicant.pk}/refuse/")
    applicant.refresh_from_db()
    assert not applicant.is_active
    assert emails_to(applicant.email)[-1].subject == "Your Professional Portal account was not approved"


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("sam.taylor@stmarys.plymouth.sch.uk", id="professional"),
        pytest.param("priya.shah@plymouth.gov.uk", id="officer"),
        pytest.param("jo.bennett@plymouth.gov.uk", id="team-manager"),
    ],
)
def test_only_administrators_see_the_approvals(client, demo_data, applicant, email):
    sign_in(client, User.objects.get(email=email))
    assert client.get("/account/approvals/").status_code == 403
    assert client.post(f"/account/approvals/{applicant.pk}/approve/").status_code == 403
    applicant.refresh_from_db()
    assert applicant.is_awaiting_approval


def test_administrators_are_told_when_an_account_needs_approval(client, demo_data):
    from tests.identity.test_verification import send_link

    user = ProfessionalFactory(email="lee.hunt@hotmail.com", approval_required=True)
    path = send_link(client, user)
    mail.outbox.clear()
    page = client.post(path).content.decode()
    assert "the portal team will check your account" in page
    (message,) = emails_to("alex.reed@plymouth.gov.uk")
    assert message.subject == "An account is waiting for your approval"
    assert "lee.hunt@hotmail.com" in message.body


def test_navigation_changes_with_the_role(client, demo_data):
    anonymous = client.get("/").content.decode()
    assert "Create an account" in anonymous
    sign_in(client, User.objects.get(email="sam.taylor@stmarys.plymouth.sch.uk"))
    professional = client.get("/").content.decode()
    assert "Your account" in professional
    assert "Accounts to approve" not in professional
    assert "Create an account" not in professional
    administrator_client = CommittingClient()
    sign_in(administrator_client, User.objects.get(email="alex.reed@plymouth.gov.uk"))
    administrator = administrator_client.get("/").content.decode()
    assert "Accounts to approve" in administrator
    assert "Administration" in administrator


def test_only_the_closest_navigation_item_is_marked_current(client, demo_data):
    sign_in(client, User.objects.get(email="alex.reed@plymouth.gov.uk"))
    html = client.get("/account/approvals/").content.decode()
    assert html.count('aria-current="page"') == 1
    assert '<a class="govuk-service-navigation__link" href="/account/approvals/" aria-current="page">' in html
