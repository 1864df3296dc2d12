"""Every account page not walked through in the journey: rendered in Chromium and checked with axe."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from identity.models import User
from identity.tokens import verification_token_make
from tests.factories import ProfessionalFactory
from tests.helpers import sign_in

SAM = "sam.taylor@stmarys.plymouth.sch.uk"


def signed_in_as(live_server, page, email):
    """Carry a signed-in session (both factors) into the browser."""
    from tests.conftest import CommittingClient

    client = sign_in(CommittingClient(), User.objects.get(email=email))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


PUBLIC_PAGES = [
    pytest.param("/account/sign-in/", "Sign in to the Professional Portal", id="sign-in"),
    pytest.param("/account/register/check-your-email/", "Check your e-mail", id="check-email"),
    pytest.param("/account/verify/resend/", "Get a new link to confirm your e-mail address", id="verify-resend"),
    pytest.param("/account/verify/not-a-real-token/", "This link does not work", id="verify-invalid"),
    pytest.param("/account/password-reset/", "Reset your password", id="password-reset"),
    pytest.param("/account/password-reset/done/", "Your password has been reset", id="password-reset-done"),
    pytest.param("/account/password-reset/new-password/", "This reset link does not work", id="reset-invalid"),
    pytest.param("/account/signed-out/", "You have signed out", id="signed-out"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_account_page_is_accessible(live_server, page, check_page, demo_data, path, heading):
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_page("identity-" + path.strip("/").replace("/", "-"))


SIGNED_IN_PAGES = [
    pytest.param(SAM, "/account/details/", "Change your details", id="details"),
    pytest.param(SAM, "/account/password/", "Change your password", id="password"),
    pytest.param(SAM, "/account/security-question/", "Change your security question", id="security-question"),
    pytest.param(SAM, "/account/activity/", "Recent activity on your account", id="activity"),
    pytest.param("alex.reed@plymouth.gov.uk", "/account/approvals/", "Accounts to approve", id="approvals"),
]


@pytest.mark.parametrize(("email", "path", "heading"), SIGNED_IN_PAGES)
def test_signed_in_account_page_is_accessible(live_server, page, check_page, demo_data, email, path, heading):
    ProfessionalFactory(
        email="pat.quinn@gmail.com", full_name="Pat Quinn", approval_required=True, email_verified_at=timezone.now()
    )
    signed_in_as(live_server, page, email)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_page("identity-" + path.strip("/").replace("/", "-"))


def test_account_form_errors_are_accessible(live_server, page, check_page, demo_data):
    signed_in_as(live_server, page, SAM)
    page.goto(live_server.url + "/account/password/")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page("identity-account-password-errors")


def test_verification_pages_are_accessible(live_server, page, check_page, demo_data):
    user = ProfessionalFactory(email="casey@oakfield.plymouth.sch.uk")
    token = verification_token_make(user_id=user.pk, email=user.email)
    page.goto(f"{live_server.url}/account/verify/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail address confirmed")
    page.goto(f"{live_server.url}/account/verify/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your e-mail address is already confirmed")
    check_page("identity-verify-already")


def test_expired_verification_link_page_is_accessible(live_server, page, check_page, demo_data, settings):
    user = ProfessionalFactory(email="casey@oakfield.plymouth.sch.uk")
    # A link made longer ago than it lasts: no waiting for it to run out.
    made = timezone.now() - dt.timedelta(hours=settings.PORTAL_VERIFICATION_LINK_HOURS, minutes=1)
    with time_machine.travel(made, tick=False):
        token = verification_token_make(user_id=user.pk, email=user.email)
    page.goto(f"{live_server.url}/account/verify/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    check_page("identity-verify-expired")
    page.get_by_role("button", name="Send me a new link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")


def answer_wrongly(page, attempt: int) -> None:
    page.get_by_label("Answer").fill(f"wrong answer {attempt}")
    page.get_by_role("button", name="Continue").click()


def test_password_reset_pages_are_accessible(live_server, page, check_page, demo_data):
    user = User.objects.get(email=SAM)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page.goto(f"{live_server.url}/account/password-reset/link/{uid}/{default_token_generator.make_token(user)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer your security question")
    check_page("identity-password-reset-question")
    for attempt in range(4):
        answer_wrongly(page, attempt)
        # The answer's page, not the one it was typed on: only a page just loaded focuses its error summary.
        expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page("identity-password-reset-question-error")
    page.get_by_label("Answer").fill("Hillside  PRIMARY")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a new password")
    check_page("identity-password-reset-new")
    page.get_by_label("New password").fill("a fresh passphrase for the demo")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been reset")


def test_password_reset_locked_page_is_accessible(live_server, page, check_page, demo_data):
    user = User.objects.get(email=SAM)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page.goto(f"{live_server.url}/account/password-reset/link/{uid}/{default_token_generator.make_token(user)}/")
    for attempt in range(4):
        answer_wrongly(page, attempt)
        expect(page.locator(".govuk-error-summary")).to_be_focused()
    answer_wrongly(page, 4)
    expect(page.get_by_role("heading", level=1)).to_have_text("Password reset paused")
    check_page("identity-password-reset-locked")


def test_lock_out_page_is_accessible(live_server, page, check_page, demo_data):
    page.goto(live_server.url + "/account/sign-in/")
    paused = page.get_by_role("heading", level=1, name="Sign-in is paused for 15 minutes")
    for _ in range(10):
        page.get_by_label("E-mail address").fill(SAM)
        page.get_by_label("Password", exact=True).fill("not the right password")
        page.get_by_role("button", name="Continue").click()
        # Wait for the answer to this try: the pause, or a new page whose error summary has taken focus.
        expect(paused.or_(page.locator(".govuk-error-summary:focus"))).to_be_visible()
        if paused.is_visible():
            break
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is paused for 15 minutes")
    check_page("identity-locked-out")


def test_sign_in_errors_are_accessible(live_server, page, check_page, demo_data):
    page.goto(live_server.url + "/account/sign-in/")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page("identity-sign-in-errors")
