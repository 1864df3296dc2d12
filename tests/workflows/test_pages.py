"""The review pages over HTTP: claiming (and losing a race), returning, deciding, progress and messages."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from casework.models import CaseEventKind, Outcome, Status
from tests.helpers import last_email_to
from tests.workflows.conftest import (
    SAM,
    claimed,
    client_of,
    closed,
    events_of,
    fresh,
    returned,
    submitted,
)
from workflows.models import ClockPause

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def text_of(response) -> str:
    """The page as words, without tags or runs of white space."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_claim_page_picks_the_case_up(people):
    assessment = submitted("ehat")
    client = client_of(people.priya)
    assert "Pick up this assessment" in client.get(f"/cases/{assessment.pk}/").content.decode()
    response = client.post(f"/cases/{assessment.pk}/claim/", follow=True)
    assert response.redirect_chain == [(f"/cases/{assessment.pk}/", 302)]
    assert "You have picked up this assessment" in response.content.decode()
    assert (fresh(assessment).status, fresh(assessment).assigned_to) == (Status.UNDER_REVIEW, people.priya)


def test_second_claim_of_a_claimed_case_gets_a_409_page_not_an_error(cast):
    """Both officers had the page open; the slower one is told who has it, and nothing changes."""
    assessment = submitted("ehat")
    slower = client_of(cast.second)
    assert "Pick up this assessment" in slower.get(f"/cases/{assessment.pk}/").content.decode()
    client_of(cast.priya).post(f"/cases/{assessment.pk}/claim/")

    response = slower.post(f"/cases/{assessment.pk}/claim/")
    assert response.status_code == 409
    assert "Priya Shah has just picked this assessment up" in response.content.decode()
    assert (fresh(assessment).status, fresh(assessment).assigned_to) == (Status.UNDER_REVIEW, cast.priya)
    assert len(events_of(assessment, CaseEventKind.CLAIMED)) == 1


def test_return_page_needs_a_comment_then_the_author_sees_what_to_change(people):
    """Nothing said: the form asks for a comment. Then the author's task list marks the section."""
    assessment = claimed("ehat")
    officer = client_of(people.priya)
    empty = officer.post(f"/cases/{assessment.pk}/return/", {"message": "See below"})
    assert empty.status_code == 200
    assert "Say what needs to change in at least one section" in empty.content.decode()
    assert fresh(assessment).status == Status.UNDER_REVIEW

    comment = "Say what the family has tried, and since when."
    response = officer.post(f"/cases/{assessment.pk}/return/", {"section_reason": comment})
    assert response["Location"] == "/work/mine/"
    assert fresh(assessment).status == Status.RETURNED

    task_list = text_of(client_of(people.sam).get(f"/assessments/{assessment.pk}/"))
    reason = task_list.index("Reason for the assessment")
    assert "Needs changes" in task_list[reason:]
    assert f"The council says: {comment}" in task_list


@pytest.mark.parametrize(
    ("kind", "posted", "errors", "completed", "details"),
    [
        pytest.param(
            "ehat",
            {"outcome": Outcome.ACCEPTED},
            ["Enter the lead professional for the family", "Enter the date of the Team Around the Family review"],
            {"lead_professional": "Sam Taylor, SENCO", "review_date_day": "4", "review_date_month": "5"},
            {"lead_professional": "Sam Taylor, SENCO", "review_date": "4 May 2026"},
            id="ehat-accepted-needs-lead-professional-and-review-date",
        ),
        pytest.param(
            "ehcp",
            {"outcome": Outcome.AGREED_TO_ASSESS},
            ["Enter the assessment coordinator allocated"],
            {"coordinator": "Dana Fox"},
            {"coordinator": "Dana Fox"},
            id="ehcp-agreed-needs-a-coordinator",
        ),
        pytest.param(
            "ehcp",
            {"outcome": Outcome.REFUSED_TO_ASSESS},
            ["Confirm the parents have been given the reasons and told of their right to appeal"],
            {"appeal_information": "on"},
            {"appeal_information": True},
            id="ehcp-refused-needs-appeal-information",
        ),
    ],
)
def test_decide_page_asks_for_what_the_outcome_needs(people, kind, posted, errors, completed, details):
    with time_machine.travel(START, tick=False):
        assessment = claimed(kind)
        client = client_of(assessment.assigned_to)
        data = {**posted, "note": "Reasons for the decision"}
        response = client.post(f"/cases/{assessment.pk}/decide/", data)
        assert response.status_code == 200
        for error in errors:
            assert error in response.content.decode()
        assert fresh(assessment).status == Status.UNDER_REVIEW

        if "review_date_day" in completed:
            completed = {**completed, "review_date_year": "2026"}
        response = client.post(f"/cases/{assessment.pk}/decide/", {**data, **completed})
        assert response["Location"] == "/work/mine/"
    assessment = fresh(assessment)
    assert (assessment.status, assessment.outcome, assessment.outcome_details) == (
        Status.CLOSED,
        posted["outcome"],
        details,
    )


def test_decide_page_offers_only_the_outcomes_of_the_kind(people):
    assessment = claimed("young_carers")
    response = client_of(people.ana).post(
        f"/cases/{assessment.pk}/decide/", {"outcome": Outcome.ACCEPTED, "note": "Accepted"}
    )
    assert response.status_code == 200
    assert fresh(assessment).status == Status.UNDER_REVIEW


def test_progress_page_shows_the_steps_who_has_it_the_next_step_and_the_dates(people):
    with time_machine.travel(START, tick=False):
        assessment = claimed("ehat")
        page = client_of(people.sam).get(f"/assessments/{assessment.pk}/progress/")
    html = page.content.decode()
    text = text_of(page)
    assert re.search(r'portal-steps__step--done"[^>]*>\s*<span class="portal-steps__label">Submitted', html)
    assert re.search(
        r'portal-steps__step--current" aria-current="step">\s*<span class="portal-steps__label">Under review', html
    )
    assert re.search(r'portal-steps__step--to_do"[^>]*>\s*<span class="portal-steps__label">Decision', html)
    assert "Who has it Priya Shah, Early Help hub" in text
    assert "Next step Priya Shah is reviewing it." in text
    assert "Submitted: 2 March 2026" in text
    # 5 and 20 working days after Monday 2 March 2026.
    assert "To be picked up by" not in text  # it has been
    assert "Decision due: 30 March 2026" in text


@pytest.mark.parametrize(
    ("make", "who_has_it", "next_step"),
    [
        pytest.param(
            lambda: submitted("ehat"),
            "The Early Help hub",
            "Waiting for an officer of the Early Help hub to pick it up.",
            id="submitted",
        ),
        pytest.param(
            lambda: returned("ehat"),
            "You (returned for changes)",
            "The council has asked for changes: make them and submit the assessment again.",
            id="returned",
        ),
        pytest.param(
            lambda: closed("ehat"),
            "Priya Shah, Early Help hub",
            "A decision has been made. See it below.",
            id="closed",
        ),
    ],
)
def test_progress_page_says_who_has_it_and_what_happens_next_at_each_step(people, make, who_has_it, next_step):
    assessment = make()
    text = text_of(client_of(people.sam).get(f"/assessments/{assessment.pk}/progress/"))
    assert f"Who has it {who_has_it}" in text
    assert f"Next step {next_step}" in text
    if assessment.status == Status.CLOSED:
        assert f"Decided: {timezone.localdate():%-d %B %Y}" in text
        assert "Signposted to another service" in text


def test_progress_page_shows_a_paused_clock(people):
    assessment = returned("ehat")
    text = text_of(client_of(people.sam).get(f"/assessments/{assessment.pk}/progress/"))
    assert "Clock paused since" in text
    assert "Returned to the professional for changes" in text
    assert ClockPause.objects.filter(assessment=assessment, ended_on__isnull=True).exists()


def test_message_from_the_officer_is_emailed_to_the_author(people):
    assessment = claimed("ehat")
    mail.outbox.clear()
    response = client_of(people.priya).post(
        f"/cases/{assessment.pk}/messages/", {"body": "Could you send the attendance record?"}
    )
    assert response["Location"] == f"/cases/{assessment.pk}/"
    email = last_email_to(SAM)
    assert email.subject == f"New message about {assessment.reference} from Priya Shah"
    assert f"Priya Shah has sent you a message about {assessment.reference}" in email.body
    assert "attendance record" not in email.body  # read on the portal, not in an e-mail
    assert f"/assessments/{assessment.pk}/progress/" in email.body


def test_message_from_the_author_is_emailed_to_the_officer(people):
    assessment = claimed("ehat")
    mail.outbox.clear()
    client = client_of(people.sam)
    response = client.post(f"/assessments/{assessment.pk}/progress/", {"body": "Attendance record attached."})
    assert response["Location"] == f"/assessments/{assessment.pk}/progress/"
    email = last_email_to(people.priya.email)
    assert email.subject == f"New message about {assessment.reference} from Sam Taylor"
    assert f"Sam Taylor has sent you a message about {assessment.reference}" in email.body
    assert "Attendance record attached." not in email.body
    assert f"/cases/{assessment.pk}/" in email.body
    assert "Attendance record attached." in client.get(f"/assessments/{assessment.pk}/progress/").content.decode()


def test_manager_assigns_from_the_case_page(cast):
    assessment = submitted("ehat")
    client = client_of(cast.jo)
    response = client.post(f"/cases/{assessment.pk}/assign/", {"officer": cast.second.pk}, follow=True)
    assert f"Assigned to {escape(cast.second.full_name)}, who has been e-mailed" in response.content.decode()
    assert fresh(assessment).assigned_to == cast.second
    outside = client.post(f"/cases/{assessment.pk}/assign/", {"officer": cast.tom.pk}, follow=True)
    assert "Select an officer of this team" in outside.content.decode()
    assert fresh(assessment).assigned_to == cast.second


def test_pause_page_for_an_ehcp_offers_only_the_code_of_practice_exceptions(people):
    """The statutory clock stops only for the exceptions in CoP 9.42: 'waiting for the family' is not one."""
    assessment = claimed("ehcp")
    client = client_of(people.tom)
    page = client.get(f"/cases/{assessment.pk}/pause/").content.decode()
    assert 'value="school_closed"' in page
    assert 'value="waiting_for_family"' not in page
    refused = client.post(f"/cases/{assessment.pk}/pause/", {"reason": "waiting_for_family"})
    assert refused.status_code == 200
    assert not ClockPause.objects.filter(assessment=assessment).exists()
    client.post(f"/cases/{assessment.pk}/pause/", {"reason": "school_closed"})
    assert ClockPause.objects.get(assessment=assessment).reason == "school_closed"


def test_author_withdraws_from_the_progress_page(people):
    assessment = claimed("ehat")
    client = client_of(people.sam)
    assert (
        f"/assessments/{assessment.pk}/withdraw/"
        in client.get(f"/assessments/{assessment.pk}/progress/").content.decode()
    )
    response = client.post(f"/assessments/{assessment.pk}/withdraw/", {"reason": "The family moved away"})
    assert response["Location"] == "/assessments/"
    assert (fresh(assessment).status, fresh(assessment).outcome) == (Status.CLOSED, Outcome.WITHDRAWN)
    told = last_email_to(people.priya.email).body
    assert f"Sam Taylor has withdrawn {assessment.reference}" in told
    assert "The family moved away" not in told


@pytest.mark.parametrize(
    ("action", "make", "who", "reason"),
    [
        pytest.param("claim", lambda: returned("ehat"), "priya", "This assessment is not in the queue", id="claim"),
        pytest.param(
            "release",
            lambda: submitted("ehat"),
            "jo",
            "Only an assessment under review can be put back in the queue",
            id="release",
        ),
        pytest.param("resume", lambda: claimed("ehat"), "priya", "The clock is not paused", id="resume"),
    ],
)
def test_refused_button_action_shows_the_reason_on_the_case_page(people, action, make, who, reason):
    """A refused press of a button (a POST-only address) comes back to a page that says why, not a 405."""
    assessment = make()
    response = client_of(getattr(people, who)).post(f"/cases/{assessment.pk}/{action}/", follow=True)
    assert response.status_code == 200
    assert reason in response.content.decode()


def test_refusal_never_redirects_off_the_portal(people):
    """A 'back' address posted with a refused action must not send the officer to another site."""
    assessment = returned("ehat")
    client = client_of(people.priya)
    response = client.post(
        f"/cases/{assessment.pk}/decide/", {"outcome": "signposted", "back": "https://evil.example.org/phish"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith(("http:", "https:", "//"))
    # With a note typed, the refusal is a page of its own, whose one link is the case.
    response = client.post(
        f"/cases/{assessment.pk}/decide/",
        {"outcome": "signposted", "note": "Late", "back": "https://evil.example.org/phish"},
    )
    assert response.status_code == 409
    assert "evil.example.org" not in response.content.decode()
    assert f'href="/cases/{assessment.pk}/"' in response.content.decode()


def test_refused_transition_shows_the_reason_and_keeps_the_note_typed(people):
    """Deciding a case that has gone back to the author says why, with the note typed there to copy."""
    assessment = returned("ehat")
    response = client_of(people.priya).post(
        f"/cases/{assessment.pk}/decide/", {"outcome": "signposted", "note": "Late"}, follow=True
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Only an assessment under review can be decided" in page
    assert "What you typed has not been saved" in page and "readonly>Late</textarea>" in page
    assert fresh(assessment).status == Status.RETURNED
