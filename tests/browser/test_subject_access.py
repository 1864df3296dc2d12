"""Subject access in Chromium: the data protection officer's pages pass axe, work by keyboard alone, show the
error summary with focus, and the Export button downloads a zip with the readable copy inside."""

import datetime as dt
import json
import zipfile

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from identity.roles import Role
from tests.casework.conftest import attach, pdf_bytes
from tests.conftest import CommittingClient
from tests.factories import CouncilUserFactory
from tests.helpers import sign_in
from tests.workflows.conftest import draft, fresh
from workflows import services

FIRST, LAST = "Zephyrine", "Quillfeather"


@pytest.fixture
def dpo_page(transactional_db, demo_data, live_server, page, settings, tmp_path):
    """A submitted case with a document for one child, and the data protection officer signed in in the browser."""
    settings.MEDIA_ROOT = tmp_path
    case = draft("ehat", first_name=FIRST, last_name=LAST)
    attach(case, name="school-report.pdf", content=pdf_bytes("school report"))
    services.assessment_submit(actor=case.author, assessment=case, declaration=True)
    dpo = CouncilUserFactory(
        roles=[Role.DATA_PROTECTION_OFFICER], email_verified_at=timezone.now(), full_name="Dana Protection"
    )
    client = sign_in(CommittingClient(), dpo)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/subject-access/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access requests")
    page.reference = fresh(case).reference
    return page


def _focused(page) -> str:
    return page.evaluate("document.activeElement.name || document.activeElement.textContent.trim()")


def test_a_request_is_recorded_and_exported_by_keyboard_alone(dpo_page, check_page, tmp_path):
    page = dpo_page
    expect(page.get_by_role("link", name="Subject access requests")).to_have_attribute("aria-current", "page")
    check_page("subject-access-requests-empty")

    page.get_by_role("button", name="Record a new request").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find the child")
    check_page()

    page.get_by_label("Case reference").focus()
    reached = []
    for _ in range(6):
        page.keyboard.press("Tab")
        reached.append(_focused(page))
    assert reached == [
        "last_name",
        "first_name",
        "date_of_birth_day",
        "date_of_birth_month",
        "date_of_birth_year",
        "Search",
    ]
    page.get_by_label("Last name").focus()
    page.keyboard.type(LAST)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 child found")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(page.reference)
    check_page("subject-access-find-child")

    page.get_by_role("link", name=f"Record a request for {FIRST} {LAST}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the subject access request")
    check_page()
    page.get_by_label("Who asked for the copy").focus()
    page.keyboard.type("Lucy Quillfeather, mother")
    received = timezone.localdate() - dt.timedelta(days=3)
    for value in (str(received.day), str(received.month), str(received.year)):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Tab")
    assert _focused(page) == "Record the request"
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FIRST} {LAST}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Request recorded: answer it by")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Lucy Quillfeather, mother")
    check_page("subject-access-request")

    export = page.get_by_role("button", name=f"Export everything held on {FIRST} {LAST}")
    export.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "copy.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        assert {"index.html", "data.json"} <= set(names)
        assert any(name.startswith(f"documents/{page.reference}/") for name in names)
        assert json.loads(archive.read("data.json"))["child"]["last_name"] == LAST
        (tmp_path / "index.html").write_bytes(archive.read("index.html"))

    # The copy itself, opened from the disk as whoever receives it would: readable, and accessible too.
    page.goto((tmp_path / "index.html").as_uri())
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{FIRST} {LAST}")
    check_page("subject-access-copy")


def test_a_search_with_nothing_in_it_shows_the_error_summary_with_focus(dpo_page, check_page):
    page = dpo_page
    page.goto(page.url + "find-child/")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a case reference or the child's last name")
    expect(summary).to_be_focused()
    expect(page).to_have_title(
        "Error: Find the child – Subject access requests – Professional Portal – Plymouth City Council"
    )
    summary.get_by_role("link").click()
    expect(page.get_by_label("Case reference")).to_be_focused()
    check_page("subject-access-find-child-error")
