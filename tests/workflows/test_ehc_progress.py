"""The professional's progress view of an EHCP request follows its EHC needs assessment: stage and dates only."""

import datetime as dt
import re

from django.urls import reverse

from tests.workflows.conftest import claimed, client_of, close_it
from tests.workflows.ehc_steps import (
    ANSWER,
    DRAFT_SECTIONS,
    advice_asked,
    advice_of,
    agreed,
    at,
    finalising,
    give,
    refreshed,
)
from workflows import ehc

D = dt.date


def progress_text(user, needs_assessment) -> str:
    page = client_of(user).get(reverse("workflows:progress", args=[needs_assessment.assessment_id]))
    assert page.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())


def test_the_author_sees_the_stage_in_plain_words_the_coordinator_and_the_statutory_dates(people):
    """Received 7 August 2026: week 16 is 27 November; week 20 is Christmas Day, so the last working day before
    it is Thursday 24 December."""
    needs_assessment = agreed(D(2026, 8, 7), D(2026, 9, 14))
    with at(D(2026, 9, 15)):
        text = progress_text(people.sam, needs_assessment)
    assert "EHC needs assessment" in text
    assert "The council is about to ask professionals for their advice." in text
    assert "Assessment coordinator Tom Evans, SEND statutory assessment team" in text
    # The name typed in the decision (not a member of the team) gives way to the coordinator appointed.
    assert "Dana Fox" not in text
    assert "Agreed to assess 14 September 2026" in text
    assert "Decision whether to issue a plan (week 16) 27 November 2026 Friday 27 November 2026" not in text
    assert "Decision whether to issue a plan (week 16) 27 November 2026 The same day" in text
    assert "Final plan (week 20) 25 December 2026 Thursday 24 December 2026" in text
    assert "Overdue" not in text


def test_the_author_never_sees_the_advice_the_professionals_gave_nor_who_was_asked(people):
    needs_assessment = advice_asked(kinds=("health", "setting"))
    give(needs_assessment, "health")
    text = progress_text(people.sam, needs_assessment)
    assert "The council is waiting for advice from the professionals it asked." in text
    for answer in ANSWER.values():
        assert answer not in text
    advice = advice_of(needs_assessment, "health")
    assert advice.professional_name not in text and advice.professional_email not in text


def test_an_overdue_date_and_a_paused_clock_are_shown(people):
    """Asked for advice on 14 September; on 30 December week 16 (27 November) is overdue and the clock paused."""
    needs_assessment = agreed(D(2026, 8, 7), D(2026, 9, 14))
    with at(D(2026, 12, 30)):
        ehc.needs_assessment_clock_pause(
            actor=needs_assessment.coordinator, needs_assessment=needs_assessment, reason="school_closed"
        )
        text = progress_text(people.sam, needs_assessment)
    assert "Decision whether to issue a plan (week 16) 27 November 2026 Overdue" in text
    assert "Clock paused since 30 December 2026" in text


def test_once_the_plan_is_issued_the_page_says_so_and_no_date_is_still_to_come(people):
    needs_assessment = finalising()
    ehc.final_plan_issue(
        actor=needs_assessment.coordinator,
        needs_assessment=refreshed(needs_assessment),
        sections={**DRAFT_SECTIONS, "I": "Hillside Primary"},
    )
    issued = refreshed(needs_assessment)
    text = progress_text(people.sam, issued)
    assert "Final plan issued The final EHC plan has been issued." in text
    assert f"Final plan issued {issued.final_issued_on:%-d %B %Y}" in text
    assert "Decision whether to issue Issue an EHC plan" in text
    assert "Dates still to come" not in text
    # The plan's words are the coordinator's page's, not the progress view's.
    assert DRAFT_SECTIONS["B"] not in text


def test_a_request_refused_has_no_needs_assessment_on_its_progress_view(people):
    refused = close_it(claimed("ehcp"), outcome="refused_to_assess", details={})
    page = client_of(people.sam).get(reverse("workflows:progress", args=[refused.pk]))
    assert page.status_code == 200
    assert '<h2 class="govuk-heading-m">EHC needs assessment</h2>' not in page.content.decode()
