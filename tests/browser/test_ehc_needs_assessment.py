"""The EHC needs assessment in Chromium: the coordinator reads the statutory dates, asks for advice (with a
mistake first), the school's SENCO gives their advice through the portal; then the decision to issue, the draft
plan (saved, sent), comments (the SENCO's on the portal, the parents' recorded), the end of the comment period
and the final plan. Beside it: the clock, going on without overdue advice and handing over. axe runs on every
page, and the coordinator's decisions and sends are made with the keyboard alone."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from identity.models import TeamMembership, TeamRole
from tests.browser.conftest import assert_accessible, save_screenshot
from tests.browser.test_identity_journey import sign_in_with_code
from tests.workflows.conftest import join
from tests.workflows.ehc_steps import advice_asked, agreed, give
from workflows.models import AdviceRequest

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


def press(locator, key="Enter"):
    """Use a control with the keyboard alone: move the focus to it, then press the key."""
    locator.focus()
    expect(locator).to_be_focused()
    locator.page.keyboard.press(key)


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

    # The rest of the advice reached the coordinator another way; she records it.
    for kind in ("educational_psychology", "health", "social_care", "parents"):
        give(needs_assessment, kind)
    page.reload()
    expect(page.get_by_text("Deciding whether to issue a plan")).to_be_visible()

    # Decide to issue, by keyboard.
    press(page.get_by_role("link", name="Decide whether to issue a plan"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Decide whether to issue an EHC plan")
    check_page("ehc-decide")
    press(page.get_by_role("button", name="Record the decision"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether to issue an EHC plan")
    check_page("ehc-decide-error")
    press(page.get_by_label("Issue an EHC plan", exact=True), "Space")
    expect(page.get_by_label("Issue an EHC plan", exact=True)).to_be_checked()
    press(page.get_by_role("button", name="Record the decision"))
    expect(page.get_by_text("Decided to issue a plan: write the draft plan next")).to_be_visible()

    # Write the draft, forgetting section K, and try to send it.
    page.get_by_role("link", name="Write the draft plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the draft plan")
    expect(page.get_by_label(re.compile("^Section I:"))).to_have_count(0)
    check_page("ehc-draft-plan")
    # The same draft open in a second tab, to be saved after the first.
    second_tab = page.context.new_page()
    second_tab.goto(page.url)
    page.get_by_label(re.compile("^Section A:")).fill("Mia loves drawing and wants to be a vet.")
    page.get_by_label(re.compile("^Section B:")).fill("Expressive language well below her age.")
    page.get_by_label(re.compile("^Section E:")).fill("By July Mia asks an adult for help without prompting.")
    page.get_by_label(re.compile("^Section F:")).fill("Weekly speech and language therapy.")
    page.get_by_role("button", name="Save the draft plan").click()
    expect(page.get_by_text("The draft plan has been saved")).to_be_visible()
    expect(page.get_by_label(re.compile("^Section F:"))).to_have_value("Weekly speech and language therapy.")
    second_tab.get_by_label(re.compile("^Section J:")).fill("A personal budget for transport.")
    second_tab.get_by_role("button", name="Save the draft plan").click()
    expect(second_tab.locator(".govuk-error-summary")).to_contain_text("saved by someone else since you opened it")
    expect(second_tab.get_by_label(re.compile("^Section J:"))).to_have_value("A personal budget for transport.")
    expect(second_tab.get_by_text("Weekly speech and language therapy.")).to_be_visible()  # the draft saved meanwhile
    assert_accessible(axe, second_tab)
    save_screenshot(second_tab, "ehc-draft-plan-conflict")
    second_tab.close()
    page.get_by_role("link", name="Back to the needs assessment to send it").click()
    press(page.get_by_role("button", name="Send the draft plan"))
    expect(page.get_by_text("Write section K of the draft")).to_be_visible()
    page.get_by_role("link", name="Change the draft plan").click()
    page.get_by_label(re.compile("^Section K:")).fill("Advice from the psychologist, health, social care and school.")
    page.get_by_role("button", name="Save the draft plan").click()
    expect(page.get_by_text("The draft plan has been saved")).to_be_visible()
    page.get_by_role("link", name="Back to the needs assessment to send it").click()
    check_page("ehc-needs-assessment-draft")
    press(page.get_by_role("button", name="Send the draft plan"))
    expect(page.get_by_text(re.compile("The draft plan has been sent: comments are due by"))).to_be_visible()

    # The SENCO reads the draft on the portal and sends the school's comments.
    senco_context = browser.new_context()
    senco = senco_context.new_page()
    senco.on("pageerror", lambda error: pytest.fail(f"script error: {error}"))
    signed_in(senco, live_server, check_senco, SAM, "ehc-senco-sign-in-again")
    senco.goto(f"{live_server.url}/assessments/{pk}/progress/")
    senco.get_by_role("link", name="Read the draft EHC plan and send your comments").click()
    expect(senco.get_by_role("heading", level=1)).to_have_text("Draft EHC plan")
    expect(senco.get_by_text("Weekly speech and language therapy.")).to_be_visible()
    check_senco("ehc-setting-draft-plan")
    senco.get_by_label("Your comments on the draft plan").fill("Mia needs a quiet space at lunchtime too.")
    senco.get_by_role("button", name="Send your comments").click()
    expect(senco.get_by_text("Your comments have been sent to the assessment coordinator")).to_be_visible()
    check_senco("ehc-setting-draft-plan-sent")
    senco_context.close()

    # The coordinator records the parents' comments: they prefer Hillside Primary and have nothing more to add.
    page.reload()
    expect(page.get_by_text("Mia needs a quiet space at lunchtime too.")).to_be_visible()
    expect(page.get_by_role("button", name="End the comment period")).to_have_count(0)
    page.get_by_role("link", name="Record comments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record comments on the draft plan")
    check_page("ehc-draft-comments")
    page.get_by_label("Comments", exact=True).fill("We agree with the plan.")
    page.get_by_label("Preferred school or setting (optional)").fill("Hillside Primary")
    page.get_by_role("button", name="Record the comments").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter who the comments are from")
    expect(page.get_by_label("Comments", exact=True)).to_have_value("We agree with the plan.")
    check_page("ehc-draft-comments-error")
    page.get_by_label("Who are the comments from?").fill("Kate Hart, Mia's mother")
    press(page.get_by_label("The parents say they have no further comments"), "Space")
    page.get_by_role("button", name="Record the comments").click()
    expect(page.get_by_text("The comments from Kate Hart, Mia's mother have been recorded")).to_be_visible()
    press(page.get_by_role("button", name="End the comment period"))
    expect(page.get_by_text("The comment period has ended: the plan can be finalised")).to_be_visible()

    # The final plan: the parents' preference beside section I, which is needed.
    page.get_by_role("link", name="Issue the final plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Issue the final EHC plan")
    expect(page.get_by_text(re.compile("Preferred: Hillside Primary \\(Kate Hart"))).to_be_visible()
    expect(page.get_by_label(re.compile("^Section B:"))).to_have_value("Expressive language well below her age.")
    check_page("ehc-final-plan")
    page.get_by_role("button", name="Issue the final plan").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write section I of the plan")
    check_page("ehc-final-plan-error")
    page.get_by_label(re.compile("^Section I:")).fill("Hillside Primary, a mainstream primary school")
    press(page.get_by_role("button", name="Issue the final plan"))
    expect(page.get_by_text("The final EHC plan has been issued")).to_be_visible()
    expect(page.get_by_text("Final plan issued").first).to_be_visible()
    expect(page.get_by_role("heading", name="The final plan")).to_be_visible()
    check_page("ehc-needs-assessment-issued")


@pytest.fixture
def overdue(transactional_db, demo_data):
    """A needs assessment waiting for health advice that is overdue; its coordinator also manages the SEND team."""
    needs_assessment = advice_asked(agreed(), kinds=("health", "setting"))
    give(needs_assessment, "setting")
    AdviceRequest.objects.filter(needs_assessment=needs_assessment, kind="health").update(
        due_on=needs_assessment.agreed_to_assess_on - dt.timedelta(days=1)
    )
    TeamMembership.objects.filter(user=needs_assessment.coordinator, team__slug="send-statutory-assessment").update(
        role=TeamRole.MANAGER
    )
    return needs_assessment


def test_the_clock_overdue_advice_and_the_hand_over(live_server, page, check_page, overdue):
    pk = overdue.assessment_id
    newcomer = join("send-statutory-assessment")
    signed_in(page, live_server, check_page, TOM, "ehc-clock-sign-in")
    page.goto(f"{live_server.url}/cases/{pk}/needs-assessment/")
    expect(page.get_by_text("Overdue", exact=True)).to_be_visible()

    page.get_by_role("link", name="Pause the clock").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pause the needs assessment's clock")
    expect(page.get_by_role("radio")).to_have_count(4)
    check_page("ehc-clock-pause")
    press(page.get_by_label(re.compile("^The child or parent missed an appointment")), "Space")
    press(page.get_by_role("button", name="Pause the clock"))
    expect(page.get_by_text("The clock has been paused")).to_be_visible()
    press(page.get_by_role("button", name="Restart the clock"))
    expect(page.get_by_text(re.compile("The clock has restarted"))).to_be_visible()

    page.get_by_role("link", name=re.compile("Go on without it")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Go on without health advice")
    check_page("ehc-advice-go-on-without")
    page.get_by_role("button", name="Go on without this advice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the assessment goes on without")
    check_page("ehc-advice-go-on-without-error")
    page.get_by_label("Why does the assessment go on without this advice?").fill("Asked three times; no reply.")
    page.get_by_role("button", name="Go on without this advice").click()
    expect(page.get_by_text("The assessment goes on without the health advice")).to_be_visible()
    expect(page.get_by_text("Gone on without it")).to_be_visible()

    page.get_by_role("link", name="Hand over to another coordinator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand over to another coordinator")
    check_page("ehc-coordinator-assign")
    page.get_by_label("New assessment coordinator").select_option(label=newcomer.full_name)
    press(page.get_by_role("button", name="Hand over"))
    expect(page.get_by_text(f"{newcomer.full_name} now coordinates this needs assessment")).to_be_visible()
    expect(page.get_by_role("link", name="Decide whether to issue a plan")).to_have_count(0)
    check_page("ehc-needs-assessment-handed-over")
