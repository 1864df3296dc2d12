"""A professional completes and submits each assessment type in Chromium, with axe on every page.

One section is saved half-done, the session times out, and after signing in again the professional
finds it exactly as typed.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.models import Assessment
from tests.browser.test_identity_journey import sign_in_with_code

SAM = "sam.taylor@stmarys.plymouth.sch.uk"
PASSWORD = "demo-passphrase-2026"

MINIMAL_PDF = b"%PDF-1.4\n%report\ntrailer << >>\n%%EOF\n"


def fill_date(page: Page, legend: str, value: dt.date, scope=None):
    group = (scope or page).get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def choose(scope, question: str, answer: str):
    scope.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def save_and_continue(page: Page, check_page, name: str, expected_next: str | None):
    check_page(name)
    page.get_by_role("button", name="Save and continue").click()
    if expected_next:
        expect(page.get_by_role("heading", level=1)).to_have_text(expected_next)
    else:
        expect(page.get_by_role("heading", level=2, name="Sections")).to_be_visible()


def start(page: Page, live_server, check_page, kind_label: str, prefix: str):
    page.goto(live_server.url + "/assessments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your assessments")
    check_page(f"{prefix}-your-assessments")
    page.get_by_role("button", name="Start an assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start an assessment")
    check_page(f"{prefix}-start-kind")
    page.get_by_label(kind_label).check()
    page.get_by_role("button", name="Continue").click()


def name_child(page: Page, check_page, prefix: str, first: str, last: str, born: dt.date):
    # Either the list of children already known (then choose a new one) or the new child's form comes next:
    # wait for one of them before deciding which.
    not_listed = page.get_by_label("A child not listed")
    first_name = page.get_by_label("First name")
    expect(not_listed.or_(first_name)).to_be_visible()
    if not_listed.is_visible():
        not_listed.check()
        page.get_by_role("button", name="Continue").click()
    expect(first_name).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the assessment about?")
    check_page(f"{prefix}-new-child")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    fill_date(page, "Date of birth", born)
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_role("heading", level=2, name="Sections")).to_be_visible()
    check_page(f"{prefix}-task-list")


def child_details(page: Page, extra=None):
    choose(page, "Gender", "Female")
    page.get_by_label("Ethnicity").select_option(label="White: English, Welsh, Scottish, Northern Irish or British")
    page.get_by_label("Address").fill("12 Harbour View\nPlymouth")
    page.get_by_label("Postcode").fill("pl1 2aa")
    page.get_by_label("First language").fill("English")
    if extra:
        extra(page)


def open_section(page: Page, title: str):
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def check_and_submit(page: Page, check_page, prefix: str) -> str:
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you submit")
    check_page(f"{prefix}-check-answers")
    page.get_by_label(re.compile("To the best of my knowledge")).check()
    page.get_by_role("button", name="Submit to the council").click()
    panel = page.locator(".govuk-panel")
    expect(panel).to_contain_text("submitted")
    check_page(f"{prefix}-submitted")
    return re.search(r"[A-Z]+-\d{4}-\d{6}", panel.inner_text()).group(0)


@pytest.fixture
def signed_in(live_server, page, check_page, demo_data):
    page.goto(live_server.url + "/account/sign-in/")
    sign_in_with_code(page, check_page, email=SAM, password=PASSWORD, screenshot_prefix="drafting-sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your assessments")
    return page


def test_early_help_assessment_end_to_end(signed_in, live_server, check_page):
    page = signed_in
    today = timezone.localdate()
    start(page, live_server, check_page, "Early Help Assessment", "ehat")
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding check")
    check_page("ehat-safeguarding")
    choose(page, "Do you believe the child is at risk of significant harm?", "No")
    page.get_by_role("button", name="Continue").click()
    name_child(page, check_page, "ehat", "Mia", "Hart", dt.date(2016, 4, 3))

    open_section(page, "You and the lead professional")
    page.get_by_label("Your phone number").fill("01752 668000")
    choose(page, "Are you the lead professional?", "Yes")
    save_and_continue(page, check_page, "ehat-people", "The child")

    child_details(page, lambda p: choose(p, "Does the child or family need an interpreter?", "No"))
    save_and_continue(page, check_page, "ehat-child", "Family and household")

    row = page.get_by_role("group", name="Household member 1")
    row.get_by_label("Full name").fill("Lucy Hart")
    row.get_by_label("Relationship to the child").fill("Mother")
    choose(row, "Do they have parental responsibility?", "Yes")
    choose(row, "Do they live with the child?", "Yes")
    page.get_by_role("button", name="Add another person").click()
    row = page.get_by_role("group", name="Household member 2")
    row.get_by_label("Full name").fill("Sam Hart")
    row.get_by_label("Relationship to the child").fill("Brother")
    choose(row, "Do they have parental responsibility?", "No")
    choose(row, "Do they live with the child?", "Yes")
    save_and_continue(page, check_page, "ehat-family", "Professionals involved")

    page.get_by_label("No other professionals or agencies are involved").check()
    save_and_continue(page, check_page, "ehat-professionals", "Consent to share information")

    choose(page, "Has the family given consent to share and store this information?", "Yes")
    page.get_by_label("A parent", exact=True).check()
    page.get_by_label("Name of the person who gave consent").fill("Lucy Hart")
    fill_date(page, "Date consent was given", today)
    page.get_by_label("In writing, signed").check()
    page.get_by_label("Sharing this assessment with the agencies who can help").check()
    page.get_by_label("Keeping it on the council's early help records").check()
    save_and_continue(page, check_page, "ehat-consent", "Reason for the assessment")

    page.get_by_label("Why are you completing this assessment?").fill(
        "Mia's attendance has fallen and she is withdrawn."
    )
    page.get_by_label(re.compile("^Multiple needs")).check()
    save_and_continue(page, check_page, "ehat-reason", "Voice of the child and family")

    page.get_by_label("The child's views").fill("Mia says she worries about her mum.")
    page.get_by_label("The family's views").fill("Lucy would like help with routines.")
    save_and_continue(page, check_page, "ehat-voice", "Assessment")

    for box in page.locator("textarea").all():
        box.fill("Notes agreed with the family.")
    save_and_continue(page, check_page, "ehat-assessment", "Action plan and Team Around the Family")

    row = page.get_by_role("group", name="Action 1")
    row.get_by_label("What will be done").fill("Family support worker to visit weekly")
    row.get_by_label("Who will do it").fill("Family Support Plymouth")
    fill_date(page, "By when", today + dt.timedelta(days=21), scope=row)
    page.get_by_label("Team Around the Family").fill("Lucy Hart, Sam Taylor (SENCO), family support worker")
    fill_date(page, "Date of the first review", today + dt.timedelta(weeks=8))
    save_and_continue(page, check_page, "ehat-plan", None)

    reference = check_and_submit(page, check_page, "ehat")
    assessment = Assessment.objects.get(reference=reference)
    assert assessment.status == "submitted"
    assert assessment.child_name == "Mia Hart"


def test_ehcp_request_end_to_end_with_evidence(signed_in, live_server, check_page):
    page = signed_in
    today = timezone.localdate()
    start(page, live_server, check_page, "Request for an EHC needs assessment", "ehcp")
    name_child(page, check_page, "ehcp", "Noah", "Price", dt.date(2017, 9, 12))

    open_section(page, "The child and their setting")
    child_details(page)
    page.get_by_label("Unique pupil number (UPN)").fill("H801200001001")
    choose(page, "Is the child looked after by a local authority?", "No")
    page.get_by_label("School or setting").fill("St Mary's Catholic Primary School")
    page.get_by_label("Year group").select_option(label="Year 4")
    page.get_by_label("Attendance this school year (%)").fill("87")
    save_and_continue(page, check_page, "ehcp-child", "You and the evidence")

    page.get_by_label(re.compile("^A professional, for the school")).check()
    page.get_by_label("Your phone number").fill("01752 668000")
    page.get_by_label("SEN support plan").check()
    page.get_by_label("Reports from professionals involved").check()
    save_and_continue(page, check_page, "ehcp-requester", "Parents and parental responsibility")

    row = page.get_by_role("group", name="Parent or carer 1")
    row.get_by_label("Full name").fill("Rachel Price")
    row.get_by_label("Relationship to the child").fill("Mother")
    choose(row, "Do they have parental responsibility?", "Yes")
    choose(row, "Do they know about this request?", "Yes")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a phone number, e-mail address or address for parent or carer 1")
    check_page("ehcp-parents-error")
    row.get_by_label("Phone number (optional)").fill("07700 900982")
    save_and_continue(page, check_page, "ehcp-parents", "Areas of need")

    for area in ("Communication and interaction", "Social, emotional and mental health", "Sensory and/or physical"):
        page.get_by_label(f"{area}: the child's needs").fill("Some difficulties, met by the class team.")
        choose(page, f"{area}: current level", "Some difficulty, met by the setting's usual support")
    page.get_by_label("Cognition and learning: the child's needs").fill(
        "Reading age 5 years below; working memory low."
    )
    choose(page, "Cognition and learning: current level", "Significant difficulty, needing support beyond the usual")
    save_and_continue(page, check_page, "ehcp-needs", "SEN support so far")

    for number, started in ((1, today - dt.timedelta(days=300)), (2, today - dt.timedelta(days=150))):
        cycle = page.get_by_role("group", name=f"Cycle {number}")
        fill_date(page, "Cycle started", started, scope=cycle)
        for label in ("Assess: what was found", "Plan: targets and support", "Do: support given", "Review: outcome"):
            cycle.get_by_label(label).fill(f"Cycle {number}: {label.split(':')[0].lower()} recorded.")
    page.get_by_label("Baseline and SMART targets").fill("Baseline: reading age 4y2m. Target: 5y0m by July.")
    page.get_by_label("Provision map").fill("Daily 1:1 reading 20 minutes; small group maths 3 times a week.")
    page.get_by_label("Support beyond what the setting normally provides").fill("A teaching assistant 15 hours a week.")
    save_and_continue(page, check_page, "ehcp-support", "Professionals involved")

    row = page.get_by_role("group", name="Professional 1")
    row.get_by_label("Name").fill("Dr Amy Lee")
    row.get_by_label("Role").fill("Educational psychologist")
    row.get_by_label("Service").fill("Plymouth Educational Psychology Service")
    fill_date(page, "Date of their latest report", today - dt.timedelta(days=60), scope=row)
    choose(row, "Is their report attached?", "Yes")
    save_and_continue(page, check_page, "ehcp-professionals", "Views of the parents and child")

    page.get_by_label("Parents' views").fill("We want Noah to get the help he needs to read.")
    page.get_by_label("The child's or young person's views").fill("Noah says words jump about on the page.")
    save_and_continue(page, check_page, "ehcp-views", "Parents told and declaration")

    choose(page, "Have the parents been told about this request?", "Yes")
    fill_date(page, "Date the parents were told", today)
    page.get_by_label("The information in this request is accurate to the best of my knowledge").check()
    save_and_continue(page, check_page, "ehcp-declaration", None)

    # The check page lists the evidence still missing, each linking to where to put it right.
    page.get_by_role("link", name="Check your answers and submit").click()
    gaps = page.locator(".govuk-error-summary")
    expect(gaps).to_contain_text("Attach the SEN support plan")
    check_page("ehcp-check-answers-gaps")
    gaps.get_by_role("link", name=re.compile("Attach the professionals' reports")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents attached as evidence")
    check_page("ehcp-evidence")
    for name, kind in (
        ("ep-report.pdf", "Report from a professional"),
        ("sen-support-plan.pdf", re.compile("^Plan or review")),
    ):
        page.get_by_label("Upload a document").set_input_files(
            files=[{"name": name, "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
        )
        page.get_by_label(kind).check()
        page.get_by_role("button", name="Attach the document").click()
        expect(page.get_by_text(f"{name} has been attached")).to_be_visible()
    page.get_by_role("link", name="Back to the assessment").click()
    expect(page.get_by_role("heading", level=2, name="Sections")).to_be_visible()
    reference = check_and_submit(page, check_page, "ehcp")
    assert reference.startswith("EHCP-")
    assert Assessment.objects.get(reference=reference).attachments.count() == 2


def test_young_carers_assessment_survives_a_time_out_mid_section(signed_in, live_server, check_page, settings):
    page = signed_in
    today = timezone.localdate()
    start(page, live_server, check_page, "Young Carers assessment", "yc")
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding check")
    check_page("yc-safeguarding")
    choose(page, "Do you believe the young person is at risk of significant harm?", "No")
    page.get_by_role("button", name="Continue").click()
    name_child(page, check_page, "yc", "Ella", "Moss", dt.date(2012, 1, 20))

    open_section(page, "The young carer")
    child_details(page)
    page.get_by_label("School or college").fill("Hillside Community College")
    save_and_continue(page, check_page, "yc-young-carer", "Consent to share information")

    choose(page, "Has the young carer given consent to share and store this information?", "Yes")
    fill_date(page, "Date the young carer gave consent", today)
    choose(page, "How did the young carer give consent?", "Verbally, and recorded")
    choose(page, "Has a parent or carer with parental responsibility given consent?", "Yes")
    page.get_by_label("Name of the parent or carer").fill("Kate Moss")
    page.get_by_label("Their relationship to the young carer").fill("Mum")
    fill_date(page, "Date the parent or carer gave consent", today)
    choose(page, "How did the parent or carer give consent?", "In writing, signed")
    page.get_by_label("Sharing this assessment with the agencies who can help").check()
    save_and_continue(page, check_page, "yc-consent", "People they care for")

    row = page.get_by_role("group", name="Person 1")
    row.get_by_label("Name").fill("Kate Moss")
    row.get_by_label("Relationship to the young carer").fill("Mum")
    row.get_by_label("Their condition or needs").fill("Multiple sclerosis; uses a wheelchair.")
    save_and_continue(page, check_page, "yc-cared-for", "Caring tasks and hours")

    page.get_by_label(re.compile("^Practical tasks")).check()
    page.get_by_label(re.compile("^Managing medication")).check()
    page.get_by_label("Hours spent caring in a typical week").fill("20")
    page.get_by_label(re.compile("^Heavily")).check()
    page.get_by_label("What a typical day or week of caring looks like").fill("Ella gets her mum up and cooks tea.")
    save_and_continue(page, check_page, "yc-caring", "Impact on the young carer")

    # Half-way through a section, the professional is called away and the session times out.
    # The warning opens 8 seconds after the page loads and lasts 12: time enough for the draft to be kept.
    settings.PORTAL_SESSION_IDLE_SECONDS = 20
    settings.PORTAL_SESSION_WARNING_SECONDS = 12
    page.reload()
    page.get_by_label("Effect on their wellbeing").fill("Tired most mornings; worries about mum at school.")
    # The page keeps what was typed as a draft (its status line says so), then the time-out signs out.
    expect(page.locator("[data-autosave-status]")).to_contain_text("Draft kept at")
    expect(page.get_by_text("You were signed out because you did nothing")).to_be_visible()
    settings.PORTAL_SESSION_IDLE_SECONDS = 30 * 60
    settings.PORTAL_SESSION_WARNING_SECONDS = 2 * 60
    mail.outbox.clear()
    sign_in_with_code(page, check_page, email=SAM, password=PASSWORD, screenshot_prefix="yc-sign-in-again")

    expect(page.get_by_role("heading", level=1)).to_have_text("Impact on the young carer")
    expect(page.get_by_text("We kept what you typed here")).to_be_visible()
    expect(page.get_by_label("Effect on their wellbeing")).to_have_value(
        "Tired most mornings; worries about mum at school."
    )
    check_page("yc-impact-restored")
    page.get_by_label("Effect on their education").fill("Late twice a week; homework often missed.")
    page.get_by_label("Effect on their development").fill("Few chances to see friends.")
    save_and_continue(page, check_page, "yc-impact", "Tasks inappropriate for their age")

    choose(page, "Are any of the caring tasks inappropriate for the young carer's age?", "Yes")
    page.get_by_label("Which tasks, and why").fill("Managing medication: too much responsibility at 14.")
    choose(page, "Is it appropriate for them to be caring at all?", "Yes")
    save_and_continue(page, check_page, "yc-inappropriate", "Their views, wishes and outcomes")

    page.get_by_label("The young carer's wishes and feelings").fill("Ella wants time for herself.")
    page.get_by_label("Outcomes they want").fill("A weekly young carers' group; help with mum's medication.")
    save_and_continue(page, check_page, "yc-wishes", "Needs for support")

    choose(page, "Does the young carer have needs for support?", "Yes")
    save_and_continue(page, check_page, "yc-needs", "Support plan")

    row = page.get_by_role("group", name="Action 1")
    row.get_by_label("Support to be given").fill("Young carers group every Thursday")
    row.get_by_label("Who will give it").fill("Young Carers service")
    fill_date(page, "By when", today + dt.timedelta(days=14), scope=row)
    save_and_continue(page, check_page, "yc-plan", None)

    reference = check_and_submit(page, check_page, "yc")
    assert reference.startswith("YC-")


def test_young_carers_safeguarding_yes_stops_before_anything_is_saved(signed_in, live_server, check_page):
    page = signed_in
    before = Assessment.objects.count()
    start(page, live_server, check_page, "Young Carers assessment", "yc-stop")
    choose(page, "Do you believe the young person is at risk of significant harm?", "Yes")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact the safeguarding hub now")
    expect(page.get_by_text("Do not complete a Young Carers assessment for a young person")).to_be_visible()
    check_page("yc-safeguarding-stop")
    assert Assessment.objects.count() == before


def test_long_answer_is_counted_and_over_the_limit_refused_but_kept(signed_in, live_server, check_page):
    """The GOV.UK character count says how many characters are left and how many too many; nothing is cut, and
    saving refuses the answer with the limit while keeping every character."""
    from identity.models import User
    from tests.casework.conftest import start as start_assessment

    page = signed_in
    assessment = start_assessment(User.objects.get(email=SAM), "ehat", first_name="Leo", last_name="Marsh")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/reason/")
    box = page.get_by_label("Why are you completing this assessment?")
    box.fill("Leo's attendance has fallen.")
    expect(page.get_by_text("You have 4,972 characters remaining")).to_be_visible()
    typed = "x" * 5003
    box.fill(typed)
    expect(page.get_by_text("You have 3 characters too many")).to_be_visible()
    assert box.input_value() == typed, "the box has no maxlength: nothing is cut"
    check_page("long-answer-over-the-limit")
    page.get_by_label(re.compile("^Multiple needs")).check()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The reason for the assessment must be 5,000 characters or fewer")
    expect(page.get_by_label("Why are you completing this assessment?")).to_have_value(typed)
    check_page("long-answer-refused")
    assessment.refresh_from_db()
    assert assessment.sections.get(key="reason").data["reason"] == typed
