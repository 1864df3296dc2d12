"""The session times out while a professional is typing a section (ASVS 7.3.1, 30 minutes idle): what they
typed is kept as their draft and is there when they sign in again. Through the views, no browser.
"""

import datetime as dt

import pytest
import time_machine

from casework.models import AssessmentSection, SectionDraft
from tests.casework.conftest import client_for, start, version_of

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TYPED = {"reason": "Mia has missed 12 mornings since half term; mum works early shifts.", "level_of_need": "multiple"}


@pytest.fixture
def ehat(author):
    return start(author, "ehat")


def section_url(assessment) -> str:
    return f"/assessments/{assessment.pk}/sections/reason/"


def _times_out_to_sign_in(response, assessment) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
    assert f"next={section_url(assessment)}" in response["Location"]  # the way back


@pytest.mark.django_db
def test_text_kept_by_the_page_before_the_time_out_is_there_after_signing_in_again(author, ehat):
    """The page keeps the typing every few seconds (and as the session ends); after signing in it is all there."""
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(author)
        assert client.get(section_url(ehat)).status_code == 200
        version = version_of(ehat, "reason")
        kept = client.post(f"{section_url(ehat)}autosave/", {**TYPED, "version": version})
        assert kept.json()["saved"] is True

        traveller.shift(dt.timedelta(minutes=31))
        late_save = client.post(section_url(ehat), {**TYPED, "version": version, "action": "later"})
        _times_out_to_sign_in(late_save, ehat)
        assert client.get(section_url(ehat)).status_code == 302  # signed out for good

        client = client_for(author)  # signs in again, with both factors
        page = client.get(section_url(ehat))
        html = page.content.decode()
        assert page.status_code == 200
        assert TYPED["reason"] in html
        assert "We kept what you typed here" in html

        saved = client.post(section_url(ehat), {**TYPED, "version": version, "action": "later"})
        assert saved.status_code == 302
    section = AssessmentSection.objects.get(assessment=ehat, key="reason")
    assert section.data["reason"] == TYPED["reason"]
    assert not SectionDraft.objects.filter(assessment=ehat, key="reason").exists()


@pytest.mark.django_db
def test_save_pressed_after_the_time_out_keeps_what_was_typed(author, ehat):
    """Without JavaScript (or with the tab asleep) nothing was kept as it went: the Save press that meets the
    time-out carries everything typed. It must be kept as the draft, not dropped with the session."""
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(author)
        assert client.get(section_url(ehat)).status_code == 200
        version = version_of(ehat, "reason")

        traveller.shift(dt.timedelta(minutes=31))
        late_save = client.post(section_url(ehat), {**TYPED, "version": version, "action": "later"})
        _times_out_to_sign_in(late_save, ehat)

        page = client_for(author).get(section_url(ehat))
    assert TYPED["reason"] in page.content.decode(), "30 minutes of typing were lost at the time-out"
