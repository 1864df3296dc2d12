"""The professional's side of the needs assessment in Chromium, by keyboard alone: the list of advice asked of them,
the advice form with a document refused and then one attached, and the document downloaded. axe on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.test_identity_journey import sign_in_with_code
from tests.casework.conftest import pdf_bytes
from tests.workflows.ehc_steps import ANSWER, agreed
from workflows import ehc

SAM = "sam.taylor@stmarys.plymouth.sch.uk"
PASSWORD = "demo-passphrase-2026"


def ask_sam(needs_assessment):
    return ehc.advice_request(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        recipients={"setting": ehc.AdviceRecipient(name="Sam Taylor", email=SAM)},
        not_sought={kind: "Recent advice is enough" for kind in ehc.ADVICE_WHAT if kind != "setting"},
    )


@pytest.fixture
def asked(transactional_db, demo_data):
    """Sam was asked for the setting's advice twice: once already given, once awaited."""
    given = ask_sam(agreed())
    ehc.advice_give(actor=given.coordinator, advice=given.advice_requests.get(), answer=ANSWER)
    return ask_sam(agreed())


def press(locator, key="Enter"):
    locator.focus()
    locator.press(key)


def type_into(locator, text):
    locator.focus()
    locator.page.keyboard.insert_text(text)


def test_the_senco_finds_the_advice_asked_of_them_and_sends_it_with_a_report(
    live_server, page, check_page, asked, tmp_path
):
    page.goto(live_server.url + "/account/sign-in/")
    mail.outbox.clear()
    sign_in_with_code(page, check_page, email=SAM, password=PASSWORD, screenshot_prefix="ehc-adviser-sign-in")

    press(page.get_by_role("link", name="Advice asked of you"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Advice asked of you")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("To do")
    expect(rows.nth(1)).to_contain_text(re.compile("Given "))
    check_page("ehc-advice-asked")

    press(rows.nth(0).get_by_role("link", name=re.compile("Give advice")))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Advice for .*EHC needs assessment"))
    expect(page.get_by_role("link", name="Back to advice asked of you")).to_be_visible()
    for question, answer in zip(ehc.ADVICE_QUESTIONS.values(), ANSWER.values(), strict=True):
        type_into(page.get_by_label(question), answer)
    program = tmp_path / "report.pdf"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    page.get_by_label("Attach reports or other documents (optional)").set_input_files(program)
    press(page.get_by_role("button", name="Send your advice"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("report.pdf: The selected file must be")
    expect(page.get_by_label("What are the child's needs, as you see them?")).to_have_value(ANSWER["needs"])
    check_page("ehc-advice-give-document-refused")
    press(summary.get_by_role("link", name=re.compile("report.pdf: The selected file must be")))
    expect(page.get_by_label("Attach reports or other documents (optional)")).to_be_focused()

    report = tmp_path / "Speech and language report.pdf"
    report.write_bytes(pdf_bytes("speech and language report"))
    page.get_by_label("Attach reports or other documents (optional)").set_input_files(report)
    press(page.get_by_role("button", name="Send your advice"))
    expect(page.get_by_text("Thank you: your advice has been sent to the assessment coordinator")).to_be_visible()
    expect(page.get_by_role("heading", name="Documents sent with the advice")).to_be_visible()
    check_page("ehc-advice-given-with-documents")

    with page.expect_download() as download:
        press(page.get_by_role("link", name="Speech and language report.pdf"))
    assert download.value.suggested_filename == "Speech and language report.pdf"

    press(page.get_by_role("link", name="Back to advice asked of you"))
    expect(page.locator("tbody tr").nth(0)).to_contain_text(re.compile("Given "))
    check_page()
