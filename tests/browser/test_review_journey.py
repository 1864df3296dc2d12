"""The council's side in Chromium: a professional submits, an officer picks the assessment up and returns
it with a reason, the professional fixes and resubmits, the officer decides, and the professional sees
the outcome. axe runs on every page visited."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from casework.models import Assessment
from identity.models import User
from tests.browser.conftest import assert_accessible, save_screenshot, use_generous_timeouts
from tests.browser.test_identity_journey import sign_in_with_code
from tests.casework.conftest import complete_all, start

SAM = "sam.taylor@stmarys.plymouth.sch.uk"
PRIYA = "priya.shah@plymouth.gov.uk"
LEE = "lee.morgan@plymouth.gov.uk"
PASSWORD = "demo-passphrase-2026"


def sign_in_as(page, live_server, check_page, email, prefix):
    page.goto(live_server.url + "/account/sign-in/")
    mail.outbox.clear()
    sign_in_with_code(page, check_page, email=email, password=PASSWORD, screenshot_prefix=prefix)


@pytest.fixture
def ready_to_submit(transactional_db, demo_data):
    """A complete Early Help Assessment by the demo professional, ready for check your answers."""
    assessment = start(User.objects.get(email=SAM), "ehat")
    complete_all(assessment)
    assessment.refresh_from_db()
    return assessment


def test_submit_return_resubmit_and_decide(live_server, page, browser, axe, check_page, ready_to_submit):
    assessment = ready_to_submit
    child = assessment.child_name
    professional = page
    sign_in_as(professional, live_server, check_page, SAM, "review-professional-sign-in")
    professional.get_by_role("link", name=child).click()
    expect(professional.get_by_role("heading", level=1)).to_have_text(child)
    check_page("professional-task-list")
    professional.get_by_role("link", name="Check your answers and submit").click()
    # Forgetting the declaration: the GOV.UK error summary, whose link goes to the tick box.
    professional.get_by_role("button", name="Submit to the council").click()
    summary = professional.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Confirm the declaration to submit the assessment")
    check_page("professional-declaration-error")
    summary.get_by_role("link", name="Confirm the declaration to submit the assessment").click()
    expect(professional.get_by_label(re.compile("To the best of my knowledge"))).to_be_focused()
    professional.get_by_label(re.compile("To the best of my knowledge")).check()
    professional.get_by_role("button", name="Submit to the council").click()
    expect(professional.locator(".govuk-panel")).to_contain_text(assessment.reference)

    officer_context = browser.new_context()
    use_generous_timeouts(officer_context)
    officer = officer_context.new_page()
    officer.on("pageerror", lambda error: pytest.fail(f"script error: {error}"))

    def check_officer(name):
        assert_accessible(axe, officer)
        save_screenshot(officer, name)

    officer.goto(live_server.url + "/account/sign-in/")
    mail.outbox.clear()
    sign_in_with_code(
        officer, check_officer, email=PRIYA, password=PASSWORD, screenshot_prefix="review-officer-sign-in"
    )
    expect(officer.get_by_role("heading", level=1)).to_have_text("Team queue")
    check_officer("officer-queue")
    officer.get_by_role("link", name=child).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(child)
    officer.get_by_role("button", name="Pick up this assessment").click()
    expect(officer.get_by_text("You have picked up this assessment")).to_be_visible()
    check_officer("officer-case-view")
    officer.get_by_role("link", name="Return for changes").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Return for changes")
    check_officer("officer-return")
    officer.get_by_label("Reason for the assessment: what needs to change").fill(
        "Say what the family has already tried, and since when."
    )
    officer.get_by_role("button", name=re.compile("^Return to")).click()
    expect(officer.get_by_text("has been returned to Sam Taylor")).to_be_visible()

    professional.goto(live_server.url + "/assessments/")
    expect(professional.get_by_text("Changes needed")).to_be_visible()
    check_page("professional-returned-list")
    professional.get_by_role("link", name=child).click()
    expect(professional.get_by_text("The council says: Say what the family has already tried")).to_be_visible()
    check_page("professional-returned-task-list")
    professional.get_by_role("link", name="Reason for the assessment").click()
    expect(professional.get_by_text("The council asked for changes")).to_be_visible()
    professional.get_by_label("Why are you completing this assessment?").fill(
        "Attendance has fallen since September; the family tried a morning routine chart for 6 weeks."
    )
    professional.get_by_role("button", name="Save and continue").click()
    # The save has landed (the next section is showing) before leaving for the task list.
    expect(professional.get_by_role("heading", level=1)).to_have_text("Voice of the child and family")
    professional.get_by_role("link", name="Back to the sections").click()
    professional.get_by_role("link", name="Check your answers and submit").click()
    professional.get_by_label(re.compile("To the best of my knowledge")).check()
    professional.get_by_role("button", name="Submit to the council").click()
    expect(professional.locator(".govuk-panel")).to_contain_text(assessment.reference)

    officer.goto(live_server.url + "/work/mine/")
    check_officer("officer-my-work")
    officer.get_by_role("link", name=child).click()
    # Resubmitted, it comes back to the officer who returned it, who picks it up again.
    expect(officer.get_by_text("waiting for you to pick it up again")).to_be_visible()
    check_officer("officer-resubmitted-case")
    officer.get_by_role("button", name="Pick up this assessment").click()
    expect(officer.get_by_text("You have picked up this assessment")).to_be_visible()
    expect(officer.get_by_text("Held by you")).to_be_visible()
    officer.get_by_role("link", name="Record the decision").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Record the decision")
    check_officer("officer-decide")
    officer.get_by_label("Accepted for early help").check()
    officer.get_by_label("Decision note").fill("Accepted. A family support worker will contact the family this week.")
    officer.get_by_label("Lead professional (if accepted)").fill("Sam Taylor, SENCO")
    review = officer.get_by_role("group", name="Team Around the Family review date (if accepted)")
    from django.utils import timezone

    when = timezone.localdate() + timezone.timedelta(weeks=8)
    review.get_by_label("Day").fill(str(when.day))
    review.get_by_label("Month").fill(str(when.month))
    review.get_by_label("Year").fill(str(when.year))
    officer.get_by_role("button", name="Record the decision and close").click()
    expect(officer.get_by_text("has been recorded and sent")).to_be_visible()
    officer_context.close()

    # The service manager opens the case from "Team work" (here, its address): no action they cannot take,
    # and the history it links to opens.
    manager_context = browser.new_context()
    manager = manager_context.new_page()

    def check_manager(name):
        assert_accessible(axe, manager)
        save_screenshot(manager, name)

    manager.goto(live_server.url + "/account/sign-in/")
    mail.outbox.clear()
    sign_in_with_code(manager, check_manager, email=LEE, password=PASSWORD, screenshot_prefix="review-manager-sign-in")
    manager.goto(live_server.url + f"/cases/{assessment.pk}/")
    expect(manager.get_by_role("heading", level=1)).to_have_text(child)
    for action in ("Record the decision", "Return for changes", "Pause the clock", "Reopen this case"):
        expect(manager.get_by_role("link", name=action)).to_have_count(0)
    check_manager("service-manager-case-view")
    manager.get_by_role("link", name="History of the case").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("History of")
    check_manager("service-manager-case-history")
    manager.get_by_role("link", name="Back to the case").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(child)
    manager_context.close()

    professional.goto(live_server.url + "/assessments/")
    professional.get_by_role("link", name=child).click()
    expect(professional.get_by_role("heading", name="Decision")).to_be_visible()
    expect(professional.get_by_text("Accepted for early help").first).to_be_visible()
    check_page("professional-progress")
    assessment.refresh_from_db()
    assert assessment.status == "closed"
    assert assessment.outcome == "accepted"
    assert Assessment.objects.get(pk=assessment.pk).outcome_details["lead_professional"] == "Sam Taylor, SENCO"
