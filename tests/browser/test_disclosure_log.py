"""The disclosure log in Chromium: axe on the results and on the error state, the search worked by keyboard
alone, the error summary's link taking the person to the field, and screenshots to look at."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import DisclosureKind
from casework.services import disclosure_record
from identity.roles import Role
from tests.conftest import CommittingClient
from tests.factories import CouncilUserFactory
from tests.helpers import sign_in
from tests.workflows.conftest import LEE, PRIYA, TOM, person, submitted

SEARCH_FIELDS = [
    "child",
    "person",
    "date_of_birth_day",
    "date_of_birth_month",
    "date_of_birth_year",
    "seen_from_day",
    "seen_from_month",
    "seen_from_year",
    "seen_to_day",
    "seen_to_month",
    "seen_to_year",
    "kind",
]


@pytest.fixture
def officer_page(transactional_db, demo_data, live_server, page):
    """Two cases read by two officers and a report exported, and the data protection officer signed in."""
    mia, noah = submitted("ehat", first_name="Mia", last_name="Hart"), submitted("ehcp", first_name="Noah")
    disclosure_record(
        actor=person(PRIYA), kind=DisclosureKind.CASE_VIEWED, assessment=mia, detail="Council's case page"
    )
    disclosure_record(actor=person(PRIYA), kind=DisclosureKind.ANSWERS_VIEWED, assessment=mia)
    disclosure_record(actor=person(TOM), kind=DisclosureKind.CASE_VIEWED, assessment=noah)
    disclosure_record(actor=person(LEE), kind=DisclosureKind.REPORT_EXPORTED, detail="Cases by status now, CSV")
    officer = CouncilUserFactory(
        roles=[Role.DATA_PROTECTION_OFFICER], email_verified_at=timezone.now(), full_name="Dana Protector"
    )
    client = sign_in(CommittingClient(), officer)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Disclosure log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disclosure log")
    return page


def test_the_log_passes_axe_and_lists_every_disclosure(officer_page, check_page):
    page = officer_page
    expect(page.get_by_role("link", name="Disclosure log")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("table")).to_contain_text("Mia Hart")
    expect(page.get_by_role("table")).to_contain_text("A report: no one child")
    expect(page.locator("caption")).to_have_text("4 disclosures")
    check_page("disclosure-log")


def test_the_search_can_be_used_with_the_keyboard_alone(officer_page, check_page):
    """Tab reaches every field in order, then the button; typing and Enter show what one person saw."""
    page = officer_page
    page.locator("#id_child").focus()
    page.keyboard.press("Shift+Tab")
    reached = []
    for _ in range(len(SEARCH_FIELDS) + 1):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.textContent.trim()"))
    assert reached == [*SEARCH_FIELDS, "Search"]

    page.locator("#id_person").focus()
    page.keyboard.type(person(PRIYA).email)
    page.keyboard.press("Enter")
    expect(page.locator("caption")).to_have_text("2 disclosures found")
    expect(page.get_by_role("table")).not_to_contain_text("Noah")
    expect(page.locator("#id_person")).to_have_value(person(PRIYA).email)
    check_page("disclosure-log-by-person")


def test_a_date_that_is_not_real_is_explained_and_its_link_reaches_the_field(officer_page, check_page):
    page = officer_page
    page.locator("#id_seen_from_0").fill("31")
    page.locator("#id_seen_from_1").fill("2")
    page.locator("#id_seen_from_2").fill("2026")
    page.get_by_role("button", name="Search").press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Seen from must be a real date")
    check_page("disclosure-log-error")
    summary.get_by_role("link", name="Seen from must be a real date").press("Enter")
    expect(page.locator("#id_seen_from_0")).to_be_focused()
    expect(page.locator("#id_seen_from_0")).to_have_value("31")
