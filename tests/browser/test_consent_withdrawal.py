"""Recording the family's withdrawal of consent in Chromium: axe on the form, its error state and the progress
page after it, and the form worked by keyboard alone."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import CommittingClient
from tests.helpers import sign_in
from tests.workflows.conftest import SAM, claimed, person


@pytest.fixture
def author_page(transactional_db, demo_data, live_server, page):
    """An Early Help Assessment under review, and its author signed in in the browser on its progress page."""
    case = claimed("ehat")
    client = sign_in(CommittingClient(), person(SAM))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/assessments/{case.pk}/progress/")
    return page


def test_consent_withdrawal_is_recorded_by_keyboard_and_shown_on_the_progress_page(author_page, check_page):
    page = author_page
    page.get_by_role("link", name="Record that the family has withdrawn consent").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record that the family has withdrawn consent")
    check_page("consent-withdrawal")

    page.get_by_role("button", name="Record the withdrawal of consent").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter who in the family withdrew their consent")
    expect(summary).to_contain_text("Select how the family withdrew their consent")
    check_page("consent-withdrawal-error")

    today = timezone.localdate()
    page.get_by_label("Who in the family withdrew their consent").focus()
    page.keyboard.type("Lucy Hart, mother")
    for value in (str(today.day), str(today.month), str(today.year)):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Tab")  # to the first choice of how
    page.keyboard.press("Space")
    expect(page.get_by_label("In writing (letter or form)")).to_be_checked()
    page.get_by_role("button", name="Record the withdrawal of consent").focus()
    page.keyboard.press("Enter")

    expect(page.locator(".govuk-notification-banner")).to_contain_text("withdrawal of consent")
    expect(page.get_by_role("heading", name="Consent withdrawn")).to_be_visible()
    expect(page.get_by_text("Lucy Hart, mother")).to_be_visible()
    expect(page.get_by_role("link", name="Record that the family has withdrawn consent")).to_have_count(0)
    check_page("consent-withdrawn-progress")
