"""The whole statutory journey of an EHCP request in Chromium, on the clock: the request reaches the SEND team,
which agrees to assess; three professionals are asked for advice and two give it on time through the portal;
the third is late, is reminded by the daily task, and answers from the reminder's link; the coordinator decides
to issue, writes and sends the draft plan, the setting comments on the portal, the parents' comments are
recorded, the final plan is issued; eleven months on, the daily task reminds the coordinator of the annual
review, whose meeting and decision are recorded. axe runs on every page, as each person sees it."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from identity.models import User
from tests.browser.conftest import assert_accessible, save_screenshot, use_generous_timeouts
from tests.conftest import CommittingClient
from tests.factories import ProfessionalFactory
from tests.helpers import emails_to, sign_in
from tests.workflows.conftest import SAM, TOM, person, submitted
from workflows.models import NeedsAssessment, NeedsAssessmentStage
from workflows.tasks import send_deadline_reminders

# Monday 11 January 2027, 9 a.m.: the request reaches the council.
RECEIVED = dt.datetime(2027, 1, 11, 9, 0, tzinfo=dt.UTC)
PSYCHOLOGIST = ("Ruth Cole", "ruth.cole@psychology.example.org")
HEALTH = ("Dr Amir Khan", "amir.khan@nhs.example.org")
NOT_NEEDED = {
    "Social care": "The family has no social care involvement and agrees none is needed",
    "Parents' views": "The parents' views are in the request, written with them last month",
    "The child's views": "Mia's views were recorded with her in December and she agrees they are enough",
}


def press(locator, key="Enter"):
    """Use a control with the keyboard alone: move the focus to it, then press the key."""
    locator.focus()
    expect(locator).to_be_focused()
    locator.page.keyboard.press(key)


class Person:
    """Someone at their own browser: signed in as the sign-in journey leaves them, checked with axe on each page."""

    def __init__(self, browser, axe, live_server, user: User, name: str):
        self.context = browser.new_context()
        use_generous_timeouts(self.context)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: pytest.fail(f"script error: {error}"))
        self.axe, self.live_server, self.user, self.name = axe, live_server, user, name
        self.sign_in()

    def sign_in(self) -> None:
        """Sign in (again: weeks later an idle session has ended), with both factors."""
        client = sign_in(CommittingClient(), self.user)
        self.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.live_server.url}]
        )

    def go(self, path: str) -> None:
        self.page.goto(self.live_server.url + path)

    def check(self, screenshot: str) -> None:
        assert_accessible(self.axe, self.page)
        save_screenshot(self.page, f"journey-{self.name}-{screenshot}")


def link_in(email) -> str:
    """The portal path an e-mail links to."""
    return re.search(r"https?://[^/\s]+(/[^\s\"<>]*)", email.body).group(1)


def needs_assessment_of(assessment) -> NeedsAssessment:
    return NeedsAssessment.objects.select_related("coordinator").get(assessment=assessment)


@pytest.fixture
def clock(transactional_db, demo_data):
    with time_machine.travel(RECEIVED, tick=True) as traveller:
        yield traveller


def test_request_to_agreement_advice_plan_and_annual_review(live_server, browser, axe, clock):
    psychologist = ProfessionalFactory(full_name=PSYCHOLOGIST[0], email=PSYCHOLOGIST[1])
    doctor = ProfessionalFactory(full_name=HEALTH[0], email=HEALTH[1])
    request = submitted("ehcp", first_name="Mia", last_name="Hart")
    pk = request.pk

    # The SEND officer picks the request up from the team queue and agrees to assess, coordinating it.
    tom = Person(browser, axe, live_server, person(TOM), "coordinator")
    page = tom.page
    tom.go("/work/queue/")
    page.get_by_role("link", name=request.child_name).click()
    page.get_by_role("button", name="Pick up this assessment").click()
    expect(page.get_by_text("You have picked up this assessment")).to_be_visible()
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_role("radio", name="Agreed to assess").check()
    page.get_by_label("Decision note").fill("The evidence shows Mia may need special educational provision.")
    page.get_by_label("Assessment coordinator (if agreed to assess)").fill("Tom Evans")
    tom.check("agree-to-assess")
    page.get_by_role("button", name="Record the decision and close").click()
    expect(page.get_by_text("has been recorded and sent")).to_be_visible()
    # My work now lists the needs assessment the officer coordinates, at its first stage.
    running = page.get_by_role("table", name=re.compile("needs assessment", re.I))
    expect(running.get_by_text("Asking for advice")).to_be_visible()
    tom.check("my-work-needs-assessment")
    running.get_by_role("link", name=re.compile(request.reference)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EHC needs assessment")
    expect(page.get_by_text("Asking for advice")).to_be_visible()
    tom.check("needs-assessment-started")

    # Advice from the educational psychologist, health and the school; the rest is not needed, and says why.
    page.get_by_role("link", name="Ask for advice").click()
    for legend, (name, email) in {
        "Educational psychologist": PSYCHOLOGIST,
        "Health": HEALTH,
        "The school or setting": ("Sam Taylor", SAM),
    }.items():
        group = page.get_by_role("group", name=legend, exact=True)
        group.get_by_label("Name of the professional").fill(name)
        group.get_by_label("Work e-mail address").fill(email)
    for legend, reason in NOT_NEEDED.items():
        page.get_by_role("group", name=legend, exact=True).get_by_label("Or: why this advice is not needed").fill(
            reason
        )
    tom.check("advice-request")
    press(page.get_by_role("button", name="Send the requests for advice"))
    expect(page.get_by_text("Advice has been asked for: it is due on 22 February 2027")).to_be_visible()
    expect(page.get_by_text("Waiting", exact=True)).to_have_count(3)
    assert emails_to(HEALTH[1]) and emails_to(PSYCHOLOGIST[1]) and emails_to(SAM)

    # Two give their advice on time, each from the link in the e-mail that asked them.
    for adviser, email, needs in (
        (psychologist, PSYCHOLOGIST[1], "Working memory well below her age; strong visual reasoning."),
        (person(SAM), SAM, "Needs adult help to start tasks; falls behind in phonics."),
    ):
        clock.shift(dt.timedelta(days=9))
        giver = Person(browser, axe, live_server, adviser, adviser.email.split("@")[0])
        giver.go(link_in(emails_to(email)[-1]))
        expect(giver.page.get_by_role("heading", level=1)).to_have_text(re.compile("Advice for .*EHC needs assessment"))
        giver.check("advice-form")
        giver.page.get_by_label("What are the child's needs, as you see them?").fill(needs)
        giver.page.get_by_label("What outcomes should the support aim for?").fill("Reads a book band higher by July.")
        giver.page.get_by_label("What provision or support do you advise?").fill("Daily small-group phonics.")
        press(giver.page.get_by_role("button", name="Send your advice"))
        expect(giver.page.get_by_text("Thank you: your advice has been sent")).to_be_visible()
        giver.check("advice-given")
        giver.context.close()

    # The health advice is late: the next morning's reminders tell the doctor and the coordinator.
    clock.move_to(dt.datetime(2027, 2, 23, 6, 0, tzinfo=dt.UTC))
    mail.outbox.clear()
    send_deadline_reminders()
    overdue = emails_to(HEALTH[1])
    assert [email.subject for email in overdue] == [f"Advice overdue since 22 February 2027: {request.reference}"]
    assert f"Advice overdue since 22 February 2027: {request.reference}" in [email.subject for email in emails_to(TOM)]
    tom.sign_in()
    tom.go(f"/cases/{pk}/needs-assessment/")
    expect(page.get_by_text("Overdue", exact=True)).to_be_visible()
    tom.check("advice-overdue")

    clock.shift(dt.timedelta(days=2))
    health = Person(browser, axe, live_server, doctor, "health")
    health.go(link_in(overdue[0]))
    health.page.get_by_label("What are the child's needs, as you see them?").fill("Glue ear; hearing checked.")
    health.page.get_by_label("What outcomes should the support aim for?").fill("Hears the teacher in class.")
    health.page.get_by_label("What provision or support do you advise?").fill("Seat her near the front.")
    press(health.page.get_by_role("button", name="Send your advice"))
    expect(health.page.get_by_text("Thank you: your advice has been sent")).to_be_visible()
    health.context.close()

    # The coordinator decides to issue a plan, and writes and sends the draft.
    tom.sign_in()
    tom.go(f"/cases/{pk}/needs-assessment/")
    expect(page.get_by_text("Deciding whether to issue a plan")).to_be_visible()
    expect(page.get_by_text(re.compile("^Given "))).to_have_count(3)
    tom.check("advice-in")
    press(page.get_by_role("link", name="Decide whether to issue a plan"))
    press(page.get_by_label("Issue an EHC plan", exact=True), "Space")
    tom.check("decide")
    press(page.get_by_role("button", name="Record the decision"))
    expect(page.get_by_text("Decided to issue a plan: write the draft plan next")).to_be_visible()
    page.get_by_role("link", name="Write the draft plan").click()
    for section, text in {
        "A": "Mia loves drawing and wants to be a vet.",
        "B": "Working memory and phonics well below her age; glue ear.",
        "E": "By July Mia reads a book band higher and asks for help without prompting.",
        "F": "Daily small-group phonics; an adult to help her start tasks.",
        "K": "Advice from the educational psychologist, health and the school.",
    }.items():
        page.get_by_label(re.compile(f"^Section {section}:")).fill(text)
    tom.check("draft-plan")
    page.get_by_role("button", name="Save the draft plan").click()
    expect(page.get_by_text("The draft plan has been saved")).to_be_visible()
    page.get_by_role("link", name="Back to the needs assessment to send it").click()
    press(page.get_by_role("button", name="Send the draft plan"))
    expect(page.get_by_text(re.compile("The draft plan has been sent: comments are due by"))).to_be_visible()
    assert any("Draft EHC plan" in email.subject for email in emails_to(SAM))

    # The school reads the draft from its progress page and comments on the portal.
    clock.shift(dt.timedelta(days=4))
    school = Person(browser, axe, live_server, person(SAM), "setting")
    school.go(f"/assessments/{pk}/progress/")
    expect(school.page.get_by_text("Draft plan sent for comments").first).to_be_visible()
    school.check("progress-draft")
    school.page.get_by_role("link", name="Read the draft EHC plan and send your comments").click()
    school.page.get_by_label("Your comments on the draft plan").fill("Mia needs a quiet space at lunchtime too.")
    school.check("draft-comments")
    school.page.get_by_role("button", name="Send your comments").click()
    expect(school.page.get_by_text("Your comments have been sent to the assessment coordinator")).to_be_visible()
    school.context.close()

    # The parents' comments, recorded by the coordinator; then the comment period ends and the plan is issued.
    clock.shift(dt.timedelta(days=3))
    tom.sign_in()
    tom.go(f"/cases/{pk}/needs-assessment/")
    expect(page.get_by_text("Mia needs a quiet space at lunchtime too.")).to_be_visible()
    page.get_by_role("link", name="Record comments").click()
    page.get_by_label("Who are the comments from?").fill("Kate Hart, Mia's mother")
    page.get_by_label("Comments", exact=True).fill("We agree with the plan.")
    page.get_by_label("Preferred school or setting (optional)").fill("Hillside Primary")
    press(page.get_by_label("The parents say they have no further comments"), "Space")
    tom.check("parents-comments")
    page.get_by_role("button", name="Record the comments").click()
    press(page.get_by_role("button", name="End the comment period"))
    expect(page.get_by_text("The comment period has ended: the plan can be finalised")).to_be_visible()
    page.get_by_role("link", name="Issue the final plan").click()
    expect(page.get_by_text(re.compile("Preferred: Hillside Primary"))).to_be_visible()
    page.get_by_label(re.compile("^Section I:")).fill("Hillside Primary, a mainstream primary school")
    tom.check("final-plan")
    press(page.get_by_role("button", name="Issue the final plan"))
    expect(page.get_by_text("The final EHC plan has been issued")).to_be_visible()
    tom.check("plan-issued")
    issued = needs_assessment_of(request)
    assert issued.stage == NeedsAssessmentStage.ISSUED
    # Issued in week 8, well inside 20 weeks: the request's plan date, which the 20-week figure reads, is the process's.
    assert issued.final_issued_on == dt.date(2027, 3, 4)
    assert issued.final_issued_on <= issued.final_due
    request.refresh_from_db()
    assert request.plan_issued_on == issued.final_issued_on

    # Ten months later the daily task tells the coordinator the annual review is due within 8 weeks.
    clock.move_to(dt.datetime(2028, 1, 20, 6, 0, tzinfo=dt.UTC))
    mail.outbox.clear()
    send_deadline_reminders()
    reminders = [email for email in emails_to(TOM) if request.reference in email.subject]
    assert [email.subject for email in reminders] == [
        f"Annual review of the EHC plan due by 4 March 2028: {request.reference}"
    ]
    tom.sign_in()
    tom.go(link_in(reminders[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual review of the EHC plan")
    tom.check("annual-review")
    press(page.get_by_role("link", name="Record the review meeting"))
    meeting = page.get_by_role("group", name=re.compile("Date of the review meeting"))
    meeting.get_by_label("Day").fill("19")
    meeting.get_by_label("Month").fill("1")
    meeting.get_by_label("Year").fill("2028")
    page.get_by_label("Who took part").fill("Kate Hart, Mia's mother; Sam Taylor, SENCO")
    page.get_by_label(re.compile("child's views", re.I)).fill("I like my phonics group.")
    page.get_by_label(re.compile("parents' views", re.I)).fill("Mia reads to us at bedtime now.")
    page.get_by_label(re.compile("progress", re.I)).fill("Two book bands up; asks for help most days.")
    page.get_by_role("radio", name="Keep the plan as it is").check()
    tom.check("annual-review-meeting")
    press(page.get_by_role("button", name="Record the meeting"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The review meeting has been recorded")
    press(page.get_by_role("link", name="Record the council's decision"))
    page.get_by_role("radio", name="Keep the plan as it is").check()
    tom.check("annual-review-decision")
    press(page.get_by_role("button", name="Record the decision"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    # Next year's review is due 12 months after this meeting.
    expect(page.get_by_role("heading", name="Review 2")).to_be_visible()
    expect(page.get_by_text("19 January 2029").first).to_be_visible()
    tom.check("annual-review-next-year")
    tom.context.close()
