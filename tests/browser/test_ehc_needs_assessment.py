"""The EHC needs assessment in Chromium: the coordinator reads the statutory dates, asks for advice (with a
mistake first), and the school's SENCO gives their advice through the portal. axe runs on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, save_screenshot
from tests.browser.test_identity_journey import sign_in_with_code
from tests.workflows.ehc_steps import agreed

SAM = "sam.taylor@stmarys.plymouth.sch.uk"
TOM = "tom.evans@plymouth.gov.uk"
PASSWORD = "demo-passphrase-2026"

ADVISERS = {
    "Educational psychologist": ("Ruth Cole", "ruth.cole@plymouth.gov.uk"),
    "Health": ("Dr Amir Khan", "amir.khan@nhs.example.org"),
    "Social care": ("Jess Ward", "jess.ward@plymouth.gov.uk"),
    "The school or setting": ("Sam Taylor", SAM),
    "Parents' views": ("Kate Hart", "kate.hart@example.org"),
}


@pytest.fixture
def needs_assessment(transactional_db, demo_data):
    """An EHCP request by the demo SENCO, agreed to assess by the demo SEND officer, who coordinates it."""
    return agreed()


def signed_in(page, live_server, check, email, prefix):
    page.goto(live_server.url + "/account/sign-in/")
    mail.outbox.clear()
    sign_in_with_code(page, check, email=email, password=PASSWORD, screenshot_prefix=prefix)


def test_the_coordinator_asks_for_advice_and_the_senco_gives_it(
    live_server, page, browser, axe, check_page, needs_assessment
):
    pk = needs_assessment.assessment_id
    signed_in(page, live_server, check_page, TOM, "ehc-coordinator-sign-in")
    page.goto(f"{live_server.url}/cases/{pk}/needs-assessment/")
    expect(page.get_by_role("heading", level=1)).to_have_text("EHC needs assessment")
    expect(page.get_by_text("Asking for advice")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Final plan (week 20)")).to_be_visible()
    check_page("ehc-needs-assessment")

    page.get_by_role("link", name="Ask for advice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for advice")
    check_page("ehc-advice-request")
    for legend, (name, email) in ADVISERS.items():
        group = page.get_by_role("group", name=legend, exact=True)
        group.get_by_label("Name of the professional").fill(name)
        if legend != "Health":  # forgotten, to see the error
            group.get_by_label("Work e-mail address").fill(email)
    page.get_by_role("group", name="The child's views").get_by_label("Or: why this advice is not needed").fill(
        "Mia's views were recorded with her in March and she and her parents agree they are enough"
    )
    page.get_by_role("button", name="Send the requests for advice").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the e-mail address of who is asked for the health advice")
    check_page("ehc-advice-request-error")
    summary.get_by_role("link", name="Enter the e-mail address of who is asked for the health advice").click()
    health_email = page.get_by_role("group", name="Health", exact=True).get_by_label("Work e-mail address")
    expect(health_email).to_be_focused()
    expect(page.get_by_role("group", name="Social care").get_by_label("Name of the professional")).to_have_value(
        "Jess Ward"
    )
    health_email.fill(ADVISERS["Health"][1])
    page.get_by_role("button", name="Send the requests for advice").click()
    expect(page.get_by_text(re.compile("Advice has been asked for: it is due on"))).to_be_visible()
    expect(page.get_by_text("Waiting", exact=True)).to_have_count(5)
    expect(page.get_by_text(re.compile("Not asked for: Mia's views were recorded"))).to_be_visible()
    check_page("ehc-needs-assessment-advice")

    senco_context = browser.new_context()
    senco = senco_context.new_page()
    senco.on("pageerror", lambda error: pytest.fail(f"script error: {error}"))

    def check_senco(name):
        assert_accessible(axe, senco)
        save_screenshot(senco, name)

    signed_in(senco, live_server, check_senco, SAM, "ehc-senco-sign-in")
    senco.goto(f"{live_server.url}/cases/{pk}/needs-assessment/advice/setting/")
    expect(senco.get_by_role("heading", level=1)).to_have_text(re.compile("Advice for .*EHC needs assessment"))
    check_senco("ehc-advice-give")
    senco.get_by_label("What are the child's needs, as you see them?").fill("Severe expressive language difficulty.")
    senco.get_by_role("button", name="Send your advice").click()
    expect(senco.locator(".govuk-error-summary")).to_contain_text("Enter the outcomes the support should aim for")
    expect(senco.get_by_label("What are the child's needs, as you see them?")).to_have_value(
        "Severe expressive language difficulty."
    )
    check_senco("ehc-advice-give-error")
    senco.get_by_label("What outcomes should the support aim for?").fill("To ask for help in class by July.")
    senco.get_by_label("What provision or support do you advise?").fill("Weekly speech and language therapy.")
    senco.get_by_role("button", name="Send your advice").click()
    expect(senco.get_by_text("Thank you: your advice has been sent to the assessment coordinator")).to_be_visible()
    expect(senco.get_by_role("heading", name=re.compile("Your advice, given on"))).to_be_visible()
    check_senco("ehc-advice-given")
    senco_context.close()

    page.reload()
    expect(page.get_by_text(re.compile("^Given "))).to_have_count(1)
    check_page()
