"""The EHC needs assessment in the work trays, the professional's progress view and the dashboard, in Chromium:
axe on each page, My work's needs assessments reached by keyboard alone, a screenshot of each to look at."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.conftest import CommittingClient
from tests.helpers import sign_in
from tests.workflows.annual_review_steps import current_review, plan_issued
from tests.workflows.conftest import LEE, SAM, TOM, join, person
from tests.workflows.ehc_steps import advice_asked, agreed, at, decided_to_issue
from workflows import annual_review, ehc


@pytest.fixture
def needs_assessments(transactional_db, demo_data):
    """Three EHCP requests of the demo SENCO agreed to assess by the demo SEND officer, who coordinates them:
    one waiting for advice, one with its clock paused, one decided to issue (the plan being written)."""
    waiting = advice_asked(kinds=("health", "setting"))
    paused = agreed()
    ehc.needs_assessment_clock_pause(actor=paused.coordinator, needs_assessment=paused, reason="child_away")
    # Agreed, advised and decided in September: its advice (due in October) and decision are in the
    # dashboard's default period, the six months up to today.
    with at(dt.date(dt.date.today().year if dt.date.today().month > 10 else dt.date.today().year - 1, 9, 1)):
        drafting = decided_to_issue()
    return {"waiting": waiting, "paused": paused, "drafting": drafting}


def signed_in(page, live_server, email):
    """Signed in with both factors (the sign-in pages have their own browser tests)."""
    client = sign_in(CommittingClient(), person(email))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def test_my_work_lists_the_needs_assessments_and_the_keyboard_reaches_their_overview(
    live_server, page, check_page, needs_assessments
):
    signed_in(page, live_server, TOM)
    page.goto(live_server.url + "/work/mine/")
    expect(page.get_by_role("heading", name="EHC needs assessments you coordinate")).to_be_visible()
    table = page.get_by_role("table", name="3 running needs assessments")
    expect(table.get_by_role("row")).to_have_count(4)
    expect(table.get_by_text("Clock paused")).to_have_count(1)
    expect(table.get_by_text("Waiting for advice")).to_be_visible()
    check_page("ehc-my-work")

    waiting = needs_assessments["waiting"]
    link = table.get_by_role("link", name=f"needs assessment of {waiting.assessment.reference}")
    # Tab from the top of the page until the first needs assessment's link has the focus, then Enter.
    page.keyboard.press("Tab")
    for _ in range(80):
        if link.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("EHC needs assessment")
    check_page()


def test_the_team_work_tray_shows_each_coordinator(live_server, page, check_page, needs_assessments):
    signed_in(page, live_server, "lee.morgan@plymouth.gov.uk")
    page.goto(live_server.url + "/work/team/")
    expect(page.get_by_role("heading", name="Your teams' running EHC needs assessments")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Coordinator")).to_be_visible()
    check_page("ehc-team-work")


def test_the_author_follows_the_needs_assessment_on_the_progress_view(live_server, page, check_page, needs_assessments):
    signed_in(page, live_server, SAM)
    drafting = needs_assessments["drafting"]
    page.goto(f"{live_server.url}/assessments/{drafting.assessment_id}/progress/")
    expect(page.get_by_role("heading", name="EHC needs assessment")).to_be_visible()
    expect(page.get_by_text("The council has decided to issue an EHC plan and is writing the draft.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Final plan (week 20)")).to_be_visible()
    check_page("ehc-progress")


def test_the_dashboard_shows_the_needs_assessment_figures(live_server, page, check_page, needs_assessments):
    signed_in(page, live_server, TOM)
    page.goto(live_server.url + "/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_role("img", name="EHCP: share of advice returned within 6 weeks, by month")).to_be_visible()
    expect(
        page.get_by_role("img", name="EHCP: share of decisions whether to issue made within 16 weeks, by month")
    ).to_be_visible()
    expect(page.get_by_text("Decisions whether to issue within 16 weeks", exact=True)).to_be_visible()
    expect(page.get_by_text("1 of 1 decisions")).to_be_visible()
    expect(page.locator('a[href^="/reports/ehcp-16-weeks.csv"]')).to_have_count(1)
    expect(page.locator('a[href^="/reports/ehcp-advice.csv"]')).to_have_count(1)
    check_page("ehc-reports-dashboard")


@pytest.fixture
def annual_reviews(transactional_db, demo_data):
    """Three plans of the demo SENCO's requests: two whose first annual review the demo SEND officer holds (one
    issued 13 months ago, its meeting overdue; one a month ago), and one handed to a colleague."""
    today = dt.date.today()
    overdue = plan_issued(today - dt.timedelta(days=400))
    recent = plan_issued(today - dt.timedelta(days=30))
    handed = plan_issued(today - dt.timedelta(days=60))
    colleague = join("send-statutory-assessment")
    annual_review.annual_review_assign(
        actor=join("send-statutory-assessment", role="manager"), review=current_review(handed), holder=colleague
    )
    return {"overdue": overdue, "recent": recent, "handed": handed, "colleague": colleague}


def test_my_work_lists_the_annual_reviews_held_and_the_keyboard_reaches_the_review(
    live_server, page, check_page, annual_reviews
):
    signed_in(page, live_server, TOM)
    page.goto(live_server.url + "/work/mine/")
    expect(page.get_by_role("heading", name="Annual reviews you hold")).to_be_visible()
    table = page.get_by_role("table", name="2 open annual reviews")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_text("Overdue")).to_have_count(1)
    expect(table.get_by_text("Waiting for the review meeting")).to_have_count(2)
    check_page("annual-reviews-my-work")

    overdue = annual_reviews["overdue"]
    link = table.get_by_role("link", name=f"annual review 1 of {overdue.assessment.reference}")
    # The overdue review comes first; tab from the top of the page until its link has the focus, then Enter.
    expect(table.get_by_role("link").first).to_have_attribute(
        "href", f"/cases/{overdue.assessment_id}/needs-assessment/annual-review/"
    )
    page.keyboard.press("Tab")
    for _ in range(120):
        if link.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual review of the EHC plan")
    check_page()


def test_team_work_shows_the_teams_annual_reviews_with_who_holds_each(live_server, page, check_page, annual_reviews):
    signed_in(page, live_server, LEE)
    page.goto(live_server.url + "/work/team/")
    expect(page.get_by_role("heading", name="Your teams' open annual reviews")).to_be_visible()
    table = page.get_by_role("table", name="3 open annual reviews")
    expect(table.get_by_role("columnheader", name="Held by")).to_be_visible()
    expect(table.get_by_role("cell", name=annual_reviews["colleague"].full_name)).to_be_visible()
    expect(table.get_by_role("cell", name="Tom Evans")).to_have_count(2)
    check_page("annual-reviews-team-work")
