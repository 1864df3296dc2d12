"""A professional registers, confirms their address, signs in with the e-mailed code, and is warned
before the idle time-out – in Chromium, with axe on every page and the keyboard where it matters."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from identity.models import User
from tests.helpers import code_in, last_email_to, link_in

EMAIL = "jamie.fox@oakfield.plymouth.sch.uk"
PASSWORD = "three unrelated words plus a river"


def register_and_confirm(live_server, page, check_page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Create an account").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    check_page("register")

    page.get_by_label("Full name").fill("Jamie Fox")
    page.get_by_label("Work e-mail address").fill(EMAIL)
    page.get_by_label("Organisation").select_option(label="St Mary's Catholic Primary School")
    page.get_by_label("Job title").fill("Family support worker")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("What was the name of your first school?").check()
    page.get_by_label("Answer to your security question").fill("Hillside Primary")
    page.get_by_label(re.compile("This account is for my own professional use")).check()
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    check_page("register-check-email")

    page.goto(link_in(last_email_to(EMAIL)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    check_page("verify-confirm")
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail address confirmed")
    check_page("verify-confirmed")


def sign_in_with_code(page, check_page, *, email=EMAIL, password=PASSWORD, screenshot_prefix="sign-in"):
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    check_page(screenshot_prefix)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail for a sign-in code")
    check_page(f"{screenshot_prefix}-code")
    page.get_by_label("Sign-in code").fill(code_in(last_email_to(email)))
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def short_session(settings):
    """An idle time-out short enough to watch: the warning opens 10 seconds after a page loads.

    The warning then lasts 20 seconds, time enough on a busy machine for a test to check it and answer.
    """
    settings.PORTAL_SESSION_IDLE_SECONDS = 30
    settings.PORTAL_SESSION_WARNING_SECONDS = 20


def test_register_confirm_sign_in_with_the_emailed_code_and_stay_signed_in(
    live_server, page, check_page, demo_data, short_session
):
    register_and_confirm(live_server, page, check_page)
    page.get_by_role("link", name="Sign in").last.click()
    sign_in_with_code(page, check_page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Your assessments")
    expect(page.get_by_text("Jamie Fox").first).to_be_visible()
    check_page("your-assessments-after-registering")
    assert User.objects.get(email=EMAIL).is_email_verified

    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    expect(dialog).to_be_visible()
    check_page("session-timeout-warning")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your assessments")


def test_registration_errors_are_listed_and_linked(live_server, page, check_page, demo_data):
    """An empty form gets the GOV.UK error summary, focused, each error linking to its field."""
    page.goto(live_server.url + "/account/register/")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your full name")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page("register-errors")
    summary.get_by_role("link", name="Enter your full name").click()
    expect(page.get_by_label("Full name")).to_be_focused()


@pytest.fixture
def signed_in_page(live_server, page, check_page, demo_data):
    page.goto(live_server.url + "/account/sign-in/")
    sign_in_with_code(page, check_page, email="sam.taylor@stmarys.plymouth.sch.uk", password="demo-passphrase-2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your assessments")
    return page


def test_time_out_warning_takes_focus_and_works_by_keyboard(short_session, signed_in_page, check_page, live_server):
    page = signed_in_page
    page.reload()
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    expect(dialog).to_be_visible()
    expect(page.get_by_role("heading", name="You are about to be signed out")).to_be_focused()
    before = page.request.get(live_server.url + "/account/session/").json()

    # Keyboard only: Tab to "Stay signed in" and press Enter.
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.keyboard.press("Enter")
    # The dialog closes only once the server has answered that the session goes on.
    expect(dialog).to_be_hidden()

    status = page.request.get(live_server.url + "/account/session/").json()
    assert status["signed_in"] is True
    assert status["seconds_left"] > before["seconds_left"]
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your assessments")


def test_time_out_returns_the_user_to_the_same_page_after_signing_in(
    short_session, signed_in_page, check_page, live_server
):
    page = signed_in_page
    page.goto(live_server.url + "/account/details/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your details")
    mail.outbox.clear()

    # Nobody touches the page: the warning opens, runs out, and the portal signs out.
    expect(page.get_by_text("You were signed out because you did nothing")).to_be_visible()
    check_page("signed-out-after-time-out")

    sign_in_with_code(
        page,
        check_page,
        email="sam.taylor@stmarys.plymouth.sch.uk",
        password="demo-passphrase-2026",
        screenshot_prefix="sign-in-after-time-out",
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your details")
