"""The case page offers each person only the actions they may take, and the form pages refuse as their POST does."""

import re

import pytest

from casework.models import Status
from tests.workflows.conftest import claimed, client_of, fresh, resubmit, return_it, returned, submitted
from workflows.models import ClockPause

DECIDE, RETURN, PAUSE = "Record the decision", "Return for changes", "Pause the clock"


def case_page(client, assessment) -> str:
    return client.get(f"/cases/{assessment.pk}/").content.decode()


def test_officer_holding_a_case_is_offered_deciding_returning_and_pausing(people):
    assessment = claimed("ehat")
    page = case_page(client_of(people.priya), assessment)
    for action in (DECIDE, RETURN, PAUSE):
        assert action in page
    assert "Held by you" in page


@pytest.mark.parametrize("form", ["decide", "return", "pause"])
def test_service_manager_is_offered_no_form_and_cannot_open_one(people, form):
    """A service manager oversees the work but holds no case and manages no team: no button, and no form page."""
    assessment = claimed("ehat")
    client = client_of(people.lee)
    page = case_page(client, assessment)
    for action in (DECIDE, RETURN, PAUSE):
        assert action not in page
    assert f"/cases/{assessment.pk}/{form}/" not in page
    response = client.get(f"/cases/{assessment.pk}/{form}/")
    assert response.status_code == 403
    assert "<form" not in response.content.decode().split('id="main-content"')[-1].split("</main>")[0]
    assert client.post(f"/cases/{assessment.pk}/{form}/", {"reason": "school_closed"}).status_code == 403
    assert fresh(assessment).status == Status.UNDER_REVIEW


def test_officer_is_not_offered_pausing_a_colleagues_case_and_the_form_refuses(cast):
    assessment = claimed("ehat", officer=cast.priya)
    client = client_of(cast.second)
    page = case_page(client, assessment)
    for action in (DECIDE, RETURN, PAUSE):
        assert action not in page
    assert client.get(f"/cases/{assessment.pk}/pause/").status_code == 403
    assert client.post(f"/cases/{assessment.pk}/pause/", {"reason": "waiting_for_family"}).status_code == 403
    assert not ClockPause.objects.filter(assessment=assessment).exists()


def test_team_manager_may_pause_and_assign_but_not_decide_a_case_someone_holds(people):
    assessment = claimed("ehat")
    client = client_of(people.jo)
    page = case_page(client, assessment)
    assert PAUSE in page and "Assign" in page
    assert DECIDE not in page and RETURN not in page
    assert client.get(f"/cases/{assessment.pk}/pause/").status_code == 200
    assert client.get(f"/cases/{assessment.pk}/decide/").status_code == 403


def test_decide_form_of_a_case_not_under_review_goes_back_to_the_case_with_the_reason(people):
    """The holder opening an old link to the decision form once the case has gone back to its author."""
    assessment = returned("ehat")
    response = client_of(people.priya).get(f"/cases/{assessment.pk}/decide/", follow=True)
    assert response.redirect_chain == [(f"/cases/{assessment.pk}/", 302)]
    assert "Only an assessment under review can be decided" in response.content.decode()


def test_paused_case_offers_restarting_the_clock_not_pausing_it(people):
    assessment = claimed("ehat")
    client = client_of(people.priya)
    client.post(f"/cases/{assessment.pk}/pause/", {"reason": "waiting_for_family"})
    page = case_page(client, assessment)
    assert "Restart the clock" in page and PAUSE not in page
    assert client.get(f"/cases/{assessment.pk}/pause/", follow=True).redirect_chain == [
        (f"/cases/{assessment.pk}/", 302)
    ]


def test_resubmitted_case_waits_for_the_officer_who_returned_it_and_says_so(cast):
    """After return and resubmit the case goes back to the officer who returned it (not the queue), unclaimed:
    the page says it waits for them, offers them (only) the pick-up, and says "held" only once they have."""
    assessment = resubmit(return_it(claimed("ehat", officer=cast.priya)))
    assert (assessment.status, assessment.assigned_to) == (Status.SUBMITTED, cast.priya)

    priya = client_of(cast.priya)
    page = case_page(priya, assessment)
    assert "Held by" not in page
    assert "waiting for you to pick it up again" in page
    assert "Pick up this assessment" in page
    assert DECIDE not in page and RETURN not in page

    colleague = case_page(client_of(cast.second), assessment)
    assert "waiting for Priya Shah to pick it up again" in colleague
    assert "Pick up this assessment" not in colleague
    assert f"/cases/{assessment.pk}/" not in client_of(cast.second).get("/work/queue/").content.decode()
    assert f"/cases/{assessment.pk}/" in priya.get("/work/mine/").content.decode()

    priya.post(f"/cases/{assessment.pk}/claim/")
    page = case_page(priya, assessment)
    assert "Held by you" in page and "Pick up this assessment" not in page
    assert DECIDE in page


def test_case_in_the_queue_offers_picking_up_to_the_teams_officers_only(cast):
    assessment = submitted("ehat")
    assert "Pick up this assessment" in case_page(client_of(cast.second), assessment)
    assert "In the team&#x27;s queue" in case_page(client_of(cast.second), assessment)
    assert "Pick up this assessment" not in case_page(client_of(cast.lee), assessment)


def error_summary_of(html: str) -> str:
    assert html.index('class="govuk-error-summary"') < html.index("<h1"), "the error summary comes first"
    return html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]


def test_empty_message_on_the_case_comes_back_with_the_error_on_the_message_box(people):
    assessment = claimed("ehat")
    response = client_of(people.priya).post(f"/cases/{assessment.pk}/messages/", {"body": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_body">Write your message</a>' in error_summary_of(html)
    group = re.split(r'class="govuk-form-group[^"]* govuk-form-group--error"', html, maxsplit=1)[1]
    group = group.split("</textarea>", 1)[0]
    assert "Write your message" in group and 'id="id_body"' in group and "govuk-textarea--error" in group
    # The form still sends to the messages address, not to one built from the address it was posted to.
    assert f'action="/cases/{assessment.pk}/messages/"' in html
    assert not assessment.messages.exists()


def test_assign_with_no_officer_chosen_comes_back_with_the_error_on_the_list(people):
    assessment = submitted("ehat")
    response = client_of(people.jo).post(f"/cases/{assessment.pk}/assign/", {"officer": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_officer">Select an officer</a>' in error_summary_of(html)
    group = html.split("govuk-form-group govuk-form-group--error", 1)[1].split("</select>", 1)[0]
    assert "Select an officer" in group and 'id="id_officer"' in group
    assert fresh(assessment).assigned_to is None
