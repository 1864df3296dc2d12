"""The annual review of an EHC plan in Chromium, by keyboard alone: from the needs assessment to the review page,
the meeting form (a mistake first, nothing typed lost), the decision form, and next year's review. axe on each."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from identity.models import TeamRole
from tests.conftest import CommittingClient
from tests.factories import OfficerFactory
from tests.helpers import sign_in
from tests.workflows.annual_review_steps import plan_issued
from tests.workflows.conftest import TOM, join, person

MEETING_TEXTS = (
    "Mia's mother; Sam Taylor, SENCO",
    "I like my group on Tuesdays.",
    "Mia is happier at school.",
    "Mia asks an adult for help in class most days.",
)


@pytest.fixture
def coordinator_page(transactional_db, demo_data, live_server, page):
    """A plan issued today by the demo SEND officer, who holds its first annual review, signed in on its needs
    assessment."""
    needs_assessment = plan_issued()
    client = sign_in(CommittingClient(), person(TOM))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/cases/{needs_assessment.assessment_id}/needs-assessment/")
    return page


def press_enter_on(page, locator) -> None:
    locator.focus()
    page.keyboard.press("Enter")


def test_the_holder_records_the_meeting_and_the_decision_by_keyboard(coordinator_page, check_page):
    page = coordinator_page
    today = timezone.localdate()
    press_enter_on(page, page.get_by_role("link", name="See the annual review of the plan"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual review of the EHC plan")
    expect(page.get_by_text("Waiting for the review meeting")).to_be_visible()
    check_page("annual-review")

    press_enter_on(page, page.get_by_role("link", name="Record the review meeting"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the review meeting")
    check_page("annual-review-meeting")

    page.get_by_label("Who took part").focus()
    page.keyboard.type(MEETING_TEXTS[0])
    press_enter_on(page, page.get_by_role("button", name="Record the meeting"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter date of the review meeting")
    expect(summary).to_contain_text("Select what the meeting recommends")
    expect(page.get_by_label("Who took part")).to_have_value(MEETING_TEXTS[0])
    check_page("annual-review-meeting-error")

    press_enter_on(page, summary.get_by_role("link", name="Enter date of the review meeting"))
    expect(page.get_by_label("Day")).to_be_focused()
    for value in (str(today.day), str(today.month), str(today.year)):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past "Who took part", already written
    for text in MEETING_TEXTS[1:]:
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first choice: keep the plan as it is
    expect(page.get_by_label("Keep the plan as it is")).to_be_checked()
    press_enter_on(page, page.get_by_role("button", name="Record the meeting"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text("The review meeting has been recorded")
    expect(page.get_by_text("Waiting for the council's decision")).to_be_visible()
    expect(page.get_by_text("I like my group on Tuesdays.")).to_be_visible()
    check_page("annual-review-awaiting-decision")

    press_enter_on(page, page.get_by_role("link", name="Record the council's decision"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the council's decision")
    check_page("annual-review-decision")
    page.get_by_label("Amend the plan").focus()
    page.keyboard.press("Space")
    press_enter_on(page, page.get_by_role("button", name="Record the decision"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded: amend the plan")
    expect(page.get_by_role("heading", name="Review 2")).to_be_visible()
    details = page.locator("summary", has_text="What review 1's meeting recorded")
    press_enter_on(page, details)
    expect(page.get_by_text("Mia asks an adult for help in class most days.")).to_be_visible()
    check_page("annual-review-next-year")


def test_a_send_manager_hands_the_review_over_by_keyboard(transactional_db, demo_data, live_server, page, check_page):
    needs_assessment = plan_issued()
    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    dana = join("send-statutory-assessment", OfficerFactory(full_name="Dana Fox", email_verified_at=timezone.now()))
    client = sign_in(CommittingClient(), manager)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/cases/{needs_assessment.assessment_id}/needs-assessment/annual-review/")
    press_enter_on(page, page.get_by_role("link", name="Hand the annual review to another officer"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand over the annual review")
    check_page("annual-review-hand-over")

    press_enter_on(page, page.get_by_role("button", name="Hand over"))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page("annual-review-hand-over-error")
    press_enter_on(page, page.get_by_role("link", name="Select an officer"))
    choice = page.get_by_label("Hand the annual review to")
    expect(choice).to_be_focused()
    page.keyboard.type("Dana")
    expect(choice).to_have_value(str(dana.pk))
    press_enter_on(page, page.get_by_role("button", name="Hand over"))

    expect(page.locator(".govuk-notification-banner")).to_contain_text("The annual review has been handed to Dana Fox")
    expect(page.get_by_text("Dana Fox", exact=True)).to_be_visible()
    check_page("annual-review-handed-over")
