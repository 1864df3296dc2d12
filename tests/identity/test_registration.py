"""Registration: the work e-mail policy, the password policy, no account enumeration, clear errors."""

import pytest
from django.core import mail

from identity.models import AuthEvent, AuthEventKind, User
from identity.roles import Role, roles_of
from identity.selectors import EmailDomainStatus, email_domain_status
from tests.helpers import emails_to
from tests.identity.conftest import comparable

REGISTER_URL = "/account/register/"


@pytest.fixture
def organisation(demo_data):
    from identity.models import Organisation

    return Organisation.objects.get(name="St Mary's Catholic Primary School")


def registration(organisation_row, **changes):
    data = {
        "full_name": "Robin Hart",
        "email": "robin.hart@stmarys.plymouth.sch.uk",
        "organisation": str(organisation_row.pk),
        "job_title": "Class teacher",
        "phone": "",
        "password": "plenty of words in this passphrase",
        "security_question": "What was the make of your first car?",
        "own_question": "",
        "security_answer": "Vauxhall Corsa",
        "confirm_own_use": "on",
    }
    return {**data, **changes}


def test_register_with_a_work_address_creates_an_unconfirmed_professional_and_sends_the_link(client, organisation):
    response = client.post(REGISTER_URL, registration(organisation))
    assert response.status_code == 302
    assert response["Location"] == "/account/register/check-your-email/"
    user = User.objects.get(email="robin.hart@stmarys.plymouth.sch.uk")
    assert not user.is_email_verified
    assert not user.approval_required
    assert roles_of(user) == {Role.PROFESSIONAL}
    assert user.security_question == "What was the make of your first car?"
    assert "Vauxhall" not in user.security_answer_hash
    (message,) = emails_to(user.email)
    assert message.subject == "Confirm your e-mail address for the Professional Portal"
    assert "/account/verify/" in message.body
    assert "12 hours" in message.body
    assert user.history.first().history_change_reason == "Registered"


def test_email_is_stored_in_lower_case_and_unique_whatever_the_case(client, organisation):
    client.post(REGISTER_URL, registration(organisation, email="Robin.Hart@StMarys.Plymouth.SCH.uk"))
    client.post(REGISTER_URL, registration(organisation, email="robin.hart@stmarys.plymouth.sch.uk"))
    assert list(
        User.objects.filter(email__iexact="robin.hart@stmarys.plymouth.sch.uk").values_list("email", flat=True)
    ) == ["robin.hart@stmarys.plymouth.sch.uk"]


def test_registering_an_address_that_has_an_account_looks_the_same_and_tells_the_owner(client, organisation):
    """No enumeration (ASVS 6.3.8): same status and page; the owner is e-mailed instead."""
    new = client.post(REGISTER_URL, registration(organisation, email="new.person@stmarys.plymouth.sch.uk"), follow=True)
    existing_email = "sam.taylor@stmarys.plymouth.sch.uk"
    mail.outbox.clear()
    again = client.post(REGISTER_URL, registration(organisation, email=existing_email), follow=True)

    assert new.status_code == again.status_code == 200
    assert new.redirect_chain[-1][1] == again.redirect_chain[-1][1] == 302
    page_new = comparable(new.content.decode()).replace("new.person@stmarys.plymouth.sch.uk", "ADDRESS")
    page_again = comparable(again.content.decode()).replace(existing_email, "ADDRESS")
    assert page_new == page_again
    (message,) = emails_to(existing_email)
    assert message.subject == "Someone tried to register with your e-mail address"
    assert User.objects.filter(email=existing_email).count() == 1
    assert User.objects.get(email=existing_email).check_password("demo-passphrase-2026")
    assert AuthEvent.objects.filter(kind=AuthEventKind.REGISTRATION_EXISTING).count() == 1


@pytest.mark.parametrize(
    ("email", "status"),
    [
        pytest.param("a@stmarys.plymouth.sch.uk", EmailDomainStatus.WORK, id="school-sch-uk"),
        pytest.param("a.b@nhs.net", EmailDomainStatus.WORK, id="nhs-net"),
        pytest.param("a@livewellsouthwest.co.uk", EmailDomainStatus.WORK, id="known-organisation-domain"),
        pytest.param("a@mail.familysupportplymouth.org.uk", EmailDomainStatus.WORK, id="subdomain-of-known"),
        pytest.param("a@devon.gov.uk", EmailDomainStatus.WORK, id="gov-uk"),
        pytest.param("a@devonandcornwall.pnn.police.uk", EmailDomainStatus.WORK, id="police"),
        pytest.param("someone@gmail.com", EmailDomainStatus.WEBMAIL, id="gmail"),
        pytest.param("someone@Outlook.com", EmailDomainStatus.WEBMAIL, id="outlook-any-case"),
        pytest.param("someone@tiny-charity.org.uk", EmailDomainStatus.UNKNOWN, id="unknown-domain"),
        pytest.param("someone@notnhs.net.example.com", EmailDomainStatus.UNKNOWN, id="suffix-lookalike"),
        pytest.param("a@livewellsouthwest.co.uk\x00", EmailDomainStatus.UNKNOWN, id="nul-as-typed"),
        pytest.param("a@livewellsouthwest.co.uk evil", EmailDomainStatus.UNKNOWN, id="space-as-typed"),
    ],
)
def test_work_email_policy(demo_data, email, status):
    assert email_domain_status(email) == status


def test_personal_address_needs_the_warning_ticked_then_waits_for_approval(client, organisation):
    data = registration(organisation, email="robin.hart@gmail.com")
    first = client.post(REGISTER_URL, data)
    assert first.status_code == 200
    html = first.content.decode()
    assert "This looks like a personal e-mail address" in html
    assert "Confirm you understand an account with this e-mail address must be approved" in html
    assert not User.objects.filter(email="robin.hart@gmail.com").exists()

    second = client.post(REGISTER_URL, {**data, "confirm_personal_email": "on"})
    assert second.status_code == 302
    user = User.objects.get(email="robin.hart@gmail.com")
    assert user.approval_required
    assert user.is_awaiting_approval


def test_unknown_domain_also_waits_for_approval(client, organisation):
    data = registration(organisation, email="robin@tiny-charity.org.uk", confirm_personal_email="on")
    assert client.post(REGISTER_URL, data).status_code == 302
    assert User.objects.get(email="robin@tiny-charity.org.uk").is_awaiting_approval


@pytest.mark.parametrize(
    ("password", "error"),
    [
        pytest.param("elevenchars", "Password must be 12 characters or more", id="11-characters"),
        pytest.param("password1234", "Password is too easy to guess", id="common"),
        pytest.param("robin.hart@stmarys.plymouth", "Password must not be like your name", id="like-the-email"),
        pytest.param("x" * 257, "Password must be 256 characters or fewer", id="over-256"),
        pytest.param("", "Enter a password", id="empty"),
    ],
)
def test_password_policy_refuses(client, organisation, password, error):
    response = client.post(REGISTER_URL, registration(organisation, password=password))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(email="robin.hart@stmarys.plymouth.sch.uk").exists()


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("harbour gull", id="exactly-12"),
        pytest.param("a quiet orchard by the harbour at dawn, counting gulls and ferries"[:64], id="64-passphrase"),
        pytest.param("ü" * 128, id="128-unicode"),
        pytest.param("alllowercase", id="no-composition-rules"),
    ],
)
def test_password_policy_accepts_long_passphrases_without_composition_rules(client, organisation, password):
    response = client.post(REGISTER_URL, registration(organisation, password=password))
    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(email="robin.hart@stmarys.plymouth.sch.uk").check_password(password)


def test_empty_form_lists_every_missing_answer(client, organisation):
    response = client.post(REGISTER_URL, {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert html.startswith("<!DOCTYPE html>")
    for message in (
        "Enter your full name",
        "Enter your e-mail address",
        "Select your organisation",
        "Enter your job title",
        "Enter a password",
        "Select a security question",
        "Enter the answer to your security question",
        "Confirm that the account is for your own use and will not be shared",
    ):
        assert message in html
    assert "<title>Error: " in html


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"full_name": "x" * 5000}, id="overlong-name"),
        pytest.param({"email": "not-an-email"}, id="bad-email"),
        pytest.param({"email": "a" * 300 + "@stmarys.plymouth.sch.uk"}, id="overlong-email"),
        pytest.param({"organisation": "99999"}, id="unknown-organisation"),
        pytest.param({"organisation": "'; DROP TABLE"}, id="junk-organisation"),
        pytest.param({"phone": "call me maybe"}, id="bad-phone"),
        pytest.param({"security_question": "something made up"}, id="question-not-in-list"),
        pytest.param({"security_question": "own", "own_question": ""}, id="own-question-missing"),
        pytest.param({"full_name": "Robin\x00Hart"}, id="null-character"),
    ],
)
def test_bad_input_gets_an_error_message_never_a_crash(client, organisation, changes):
    response = client.post(REGISTER_URL, registration(organisation, **changes))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not User.objects.filter(full_name__startswith="Robin").exists()


def test_html_in_a_name_is_shown_as_text(client, organisation):
    from tests.helpers import sign_in

    client.post(REGISTER_URL, registration(organisation, full_name="<script>alert(1)</script> Hart"))
    user = User.objects.get(email="robin.hart@stmarys.plymouth.sch.uk")
    from django.utils import timezone

    user.email_verified_at = timezone.now()
    user.save()
    html = sign_in(client, user).get("/account/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hart" in html


def test_own_security_question_is_kept(client, organisation):
    data = registration(organisation, security_question="own", own_question="What was my first pet's name?")
    assert client.post(REGISTER_URL, data).status_code == 302
    assert User.objects.get(email="robin.hart@stmarys.plymouth.sch.uk").security_question == (
        "What was my first pet's name?"
    )


def test_signed_in_user_visiting_register_goes_home(client, demo_data):
    from tests.helpers import sign_in

    sign_in(client, User.objects.get(email="sam.taylor@stmarys.plymouth.sch.uk"))
    assert client.get(REGISTER_URL)["Location"] == "/home/"
