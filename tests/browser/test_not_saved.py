"""In Chromium: a coordinator writes the draft plan while a manager hands the needs assessment to a colleague.
Saving is refused, and the page says why and gives back every section typed, to copy with the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from identity.models import TeamRole
from tests.browser.conftest import tab_to
from tests.browser.test_ehc_needs_assessment import TOM, press, signed_in
from tests.workflows.conftest import join
from tests.workflows.ehc_steps import decided_to_issue
from workflows import ehc

SECTION_A = "Mia loves drawing and wants to be a vet.\nShe is proud of her dog, Biscuit."
SECTION_F = "Speech and language therapy weekly; small-group teaching daily."


@pytest.fixture
def deciding(transactional_db, demo_data):
    return decided_to_issue()


def test_a_refused_save_gives_back_what_was_typed(live_server, page, check_page, deciding):
    pk = deciding.assessment_id
    signed_in(page, live_server, check_page, TOM, "not-saved-sign-in")
    page.goto(f"{live_server.url}/cases/{pk}/needs-assessment/draft-plan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the draft plan")
    page.get_by_label(re.compile("^Section A:")).fill(SECTION_A)
    page.get_by_label(re.compile("^Section F:")).fill(SECTION_F)

    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    ehc.coordinator_assign(actor=manager, needs_assessment=deciding, coordinator=join("send-statutory-assessment"))
    press(page.get_by_role("button", name="Save the draft plan"))

    expect(page.get_by_role("heading", level=1)).to_have_text("What you typed has not been saved")
    expect(page.get_by_text("Only the assessment coordinator can do this.")).to_be_visible()
    section_a = page.get_by_label(re.compile("^Section A:"))
    expect(section_a).to_have_value(SECTION_A)
    expect(page.get_by_label(re.compile("^Section F:"))).to_have_value(SECTION_F)
    expect(section_a).not_to_be_editable()
    check_page("not-saved")

    # With the keyboard alone: into the first box, everything in it selected and copied, then back to the case.
    page.locator("body").focus()
    tab_to(page, section_a)
    page.keyboard.press("Control+A")
    assert section_a.evaluate("box => box.value.substring(box.selectionStart, box.selectionEnd)") == SECTION_A
    press(page.get_by_role("link", name="Go back to the case"))
    expect(page.get_by_role("heading", level=1)).to_have_text("EHC needs assessment")
