"""The reports dashboard in Chromium: axe on the page and on its error state, the filters worked by keyboard
alone, a CSV downloaded from its link, and a screenshot of the whole page to look at."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import CommittingClient
from tests.helpers import sign_in
from tests.workflows.conftest import LEE, person

FILTER_FIELDS = [
    "date_from_day",
    "date_from_month",
    "date_from_year",
    "date_to_day",
    "date_to_month",
    "date_to_year",
    "kind",
    "team",
    "organisation_kind",
]


@pytest.fixture
def manager_page(transactional_db, demo_data, live_server, page):
    """Two years of generated casework, and the service manager signed in (both factors) in the browser."""
    call_command("generate_demo_data", cases=300, seed=7, verbosity=0)
    client = sign_in(CommittingClient(), person(LEE))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    return page


def test_dashboard_passes_axe_and_shows_every_chart(manager_page, check_page):
    page = manager_page
    expect(page.get_by_role("img", name="Cases received, decided and closed each week")).to_be_visible()
    expect(page.get_by_role("img", name="EHCP: share of plans issued within 20 weeks, by month")).to_be_visible()
    expect(page.get_by_text("England 2024: 46.4%").first).to_be_visible()
    expect(page.get_by_role("link", name="Reports")).to_have_attribute("aria-current", "page")
    check_page("reports-dashboard")


def test_dashboard_on_a_phone_passes_axe(manager_page, check_page):
    """On a narrow screen the charts scroll sideways in regions a keyboard can reach; the tables reflow."""
    manager_page.set_viewport_size({"width": 390, "height": 844})
    manager_page.reload()
    expect(manager_page.get_by_role("img", name="Cases received, decided and closed each week")).to_be_visible()
    check_page("reports-dashboard-phone")


def test_filters_can_be_used_with_the_keyboard_alone(manager_page, check_page):
    """Tab reaches every filter in order, then the button; typing and Enter show the filtered figures."""
    page = manager_page
    page.locator("#id_date_from_0").focus()
    page.keyboard.press("Shift+Tab")
    reached = []
    for _ in range(len(FILTER_FIELDS) + 1):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.textContent.trim()"))
    assert reached == [*FILTER_FIELDS, "Show the figures"]

    page.locator("#id_date_from_0").focus()
    for value in ("1", "1", "2026"):
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    for _ in range(3):  # over the end date's month and year (the end date stays today), to the type
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "kind"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "Request for an EHC needs assessment"
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Show the figures"
    page.keyboard.press("Enter")
    expect(page.locator("#report-scope")).to_contain_text("Figures for 1 January 2026 to")
    expect(page.locator("#report-scope")).to_contain_text("Request for an EHC needs assessment")
    check_page()


def test_a_wrong_date_shows_the_error_summary_with_focus(manager_page, check_page):
    page = manager_page
    page.get_by_role("group", name="Start date").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Start date").get_by_label("Month").fill("2")
    page.get_by_role("group", name="Start date").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show the figures").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Start date must be a real date")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Reports – Professional Portal – Plymouth City Council")
    check_page("reports-error")


def test_a_report_downloads_as_the_table_on_the_page(manager_page):
    page = manager_page
    card = page.locator("#report-workload")
    shown = [
        [" ".join(cell.split()) for cell in row.locator("th, td").all_inner_texts()]
        for row in card.locator("table tr").all()
    ]
    with page.expect_download() as download:
        card.get_by_role("link", name="Download CSV of workload").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows == shown
