"""The annual review's pages: the review for those who may see the request, the meeting and decision forms for
its holder, the link from the needs assessment, and reading it recorded as a disclosure."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape

from casework.models import Disclosure, DisclosureKind
from tests.workflows.annual_review_steps import MEETING, current_review, meeting_recorded, plan_issued, refreshed
from tests.workflows.conftest import client_of, join
from tests.workflows.ehc_steps import agreed, at
from workflows import annual_review
from workflows.models import AnnualReviewStage

D = dt.date
ISSUED_ON = D(2026, 3, 2)


def url(name: str, needs_assessment) -> str:
    return reverse(f"workflows:{name}", args=[needs_assessment.assessment_id])


def meeting_form(on: dt.date, **changes) -> dict:
    return {
        "meeting_on_day": str(on.day),
        "meeting_on_month": str(on.month),
        "meeting_on_year": str(on.year),
        **MEETING,
        **changes,
    }


@pytest.fixture
def issued(people):
    return plan_issued(ISSUED_ON)


def test_the_review_page_shows_the_plans_date_the_reviews_due_date_holder_and_stage(issued, people):
    with at(D(2026, 3, 3)):
        response = client_of(people.tom).get(url("ehc-annual-review", issued))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Final plan issued" in page and "2 March 2026" in page
    assert "Review 1" in page and "2 March 2027" in page
    assert "Waiting for the review meeting" in page
    assert "Tom Evans (you)" in page
    assert url("ehc-annual-review-meeting", issued) in page
    assert url("ehc-annual-review-decision", issued) not in page
    assert "No review has been decided yet" in page


def test_an_overdue_review_is_marked_overdue(issued, people):
    with at(D(2027, 3, 3)):
        page = client_of(people.tom).get(url("ehc-annual-review", issued)).content.decode()
    assert "Overdue" in page


def test_reading_the_review_is_a_disclosure(issued, people):
    manager = join("send-statutory-assessment", role="manager")
    assert client_of(manager).get(url("ehc-annual-review", issued)).status_code == 200
    disclosure = Disclosure.objects.filter(kind=DisclosureKind.ANNUAL_REVIEW_VIEWED).get()
    assert (disclosure.actor, disclosure.assessment_id) == (manager, issued.assessment_id)


def test_the_review_page_is_404_before_the_plan_is_issued(people):
    needs_assessment = agreed()
    assert client_of(people.tom).get(url("ehc-annual-review", needs_assessment)).status_code == 404


@pytest.mark.parametrize("who", ["early-help-officer", "author"])
def test_the_review_page_is_404_to_those_who_may_not_see_the_request(issued, people, who):
    user = {"early-help-officer": people.priya, "author": people.sam}[who]
    assert client_of(user).get(url("ehc-annual-review", issued)).status_code == 404
    assert not Disclosure.objects.filter(kind=DisclosureKind.ANNUAL_REVIEW_VIEWED).exists()


def test_the_needs_assessment_links_to_the_annual_review_once_the_plan_is_issued(issued, people):
    page = client_of(people.tom).get(url("ehc", issued)).content.decode()
    assert url("ehc-annual-review", issued) in page
    not_yet = agreed()
    assert url("ehc-annual-review", not_yet) not in client_of(people.tom).get(url("ehc", not_yet)).content.decode()


def test_the_holder_records_the_meeting_through_the_form(issued, people):
    with at(D(2027, 2, 22)):
        # Signed in on the day: a year's travel would end an older session.
        client = client_of(people.tom)
        assert client.get(url("ehc-annual-review-meeting", issued)).status_code == 200
        response = client.post(url("ehc-annual-review-meeting", issued), meeting_form(D(2027, 2, 19)))
    assert response.status_code == 302
    assert response["Location"] == url("ehc-annual-review", issued)
    review = current_review(issued)
    assert (review.stage, review.meeting_on, review.parent_views) == (
        AnnualReviewStage.AWAITING_DECISION,
        D(2027, 2, 19),
        MEETING["parent_views"],
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"meeting_on_day": ""}, "id_meeting_on_0", "must include a day", id="no-day"),
        pytest.param({"meeting_on_year": "2030"}, "id_meeting_on_0", "today or in the past", id="in-the-future"),
        pytest.param({"child_views": ""}, "id_child_views", "Enter the child&#x27;s views", id="no-child-views"),
        pytest.param({"progress": "x" * 5001}, "id_progress", "5,000 characters or fewer", id="progress-too-long"),
        pytest.param({"recommendation": ""}, "id_recommendation_0", "Select what the meeting", id="no-recommendation"),
    ],
)
def test_a_mistake_in_the_meeting_form_is_shown_linked_to_its_field_and_nothing_typed_is_lost(
    issued, people, changes, field, message
):
    with at(D(2027, 2, 22)):
        response = client_of(people.tom).post(
            url("ehc-annual-review-meeting", issued), meeting_form(D(2027, 2, 19), **changes)
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert f'href="#{field}"' in page
    assert "Mia is happier at school and talks more at home." in page
    assert current_review(issued).stage == AnnualReviewStage.AWAITING_MEETING


def test_the_meeting_form_has_character_counts(issued, people):
    page = client_of(people.tom).get(url("ehc-annual-review-meeting", issued)).content.decode()
    assert page.count('data-module="govuk-character-count"') == 4
    assert 'data-maxlength="1000"' in page and 'data-maxlength="5000"' in page


@pytest.mark.parametrize("name", ["ehc-annual-review-meeting", "ehc-annual-review-decision"])
def test_the_forms_are_refused_to_anyone_but_the_holder(issued, people, name):
    if name == "ehc-annual-review-decision":
        meeting_recorded(current_review(issued))
    manager = join("send-statutory-assessment", role="manager")
    assert client_of(manager).get(url(name, issued)).status_code == 403
    assert (
        client_of(manager).post(url(name, issued), {"decision": "cease", **meeting_form(ISSUED_ON)}).status_code == 403
    )
    assert client_of(people.priya).get(url(name, issued)).status_code == 404


def test_the_decision_form_before_the_meeting_goes_back_to_the_review_with_the_reason(issued, people):
    client = client_of(people.tom)
    response = client.get(url("ehc-annual-review-decision", issued))
    assert response["Location"] == url("ehc-annual-review", issued)
    page = client.get(response["Location"]).content.decode()
    assert "The annual review is at another stage: Waiting for the review meeting" in page


def test_the_holder_decides_and_next_years_review_is_shown(issued, people):
    with at(D(2027, 2, 22)):
        client = client_of(people.tom)
        meeting_recorded(current_review(issued), D(2027, 2, 19))
        page = client.get(url("ehc-annual-review-decision", issued)).content.decode()
        assert "recommended: <strong>keep the plan as it is</strong>" in page
        assert "19 March 2027" in page
        missing = client.post(url("ehc-annual-review-decision", issued), {})
        assert "Select the council&#x27;s decision" in missing.content.decode()
        response = client.post(url("ehc-annual-review-decision", issued), {"decision": "amend"})
        assert response["Location"] == url("ehc-annual-review", issued)
        page = client.get(response["Location"]).content.decode()
    assert "Decision recorded: amend the plan" in page
    assert "Review 2" in page and "19 February 2028" in page
    assert "Amend the plan on 22 February 2027" in page
    assert MEETING["child_views"].replace("'", "&#x27;") in page


def test_a_ceased_plan_says_no_further_review_is_due(issued, people):
    review = meeting_recorded(current_review(issued), recommendation="cease")
    annual_review.annual_review_decide(actor=people.tom, review=review, decision="cease")
    client = client_of(people.tom)
    page = client.get(url("ehc-annual-review", issued)).content.decode()
    assert "no further annual review is due" in page
    response = client.get(url("ehc-annual-review-meeting", issued))
    assert response["Location"] == url("ehc-annual-review", issued)
    assert refreshed(review).stage == AnnualReviewStage.DECIDED


def test_the_review_page_lists_past_reviews_in_a_fixed_number_of_queries(issued, people, django_assert_max_num_queries):
    client = client_of(people.tom)
    client.get(url("ehc-annual-review", issued))
    with django_assert_max_num_queries(15) as one_review:
        client.get(url("ehc-annual-review", issued))
    for _year in range(3):
        review = current_review(issued)
        with at(review.due_on):
            meeting_recorded(review, review.due_on)
            annual_review.annual_review_decide(actor=people.tom, review=review, decision="keep")
    with django_assert_max_num_queries(len(one_review.captured_queries)):
        page = client.get(url("ehc-annual-review", issued)).content.decode()
    assert page.count("<details") == 3


def test_a_send_manager_hands_the_review_over_through_the_form(issued, people):
    manager = join("send-statutory-assessment", role="manager")
    dana = join("send-statutory-assessment")
    client = client_of(manager)
    page = client.get(url("ehc-annual-review", issued)).content.decode()
    assert url("ehc-annual-review-assign", issued) in page
    form = client.get(url("ehc-annual-review-assign", issued)).content.decode()
    assert escape(dana.full_name) in form  # escaped: a generated name may hold an apostrophe
    assert f'<option value="{people.tom.pk}"' not in form, "not to the officer who holds it already"
    assert people.priya.full_name not in form, "only the SEND team's officers"
    missing = client.post(url("ehc-annual-review-assign", issued), {})
    assert 'href="#id_holder"' in missing.content.decode()
    outsider = client.post(url("ehc-annual-review-assign", issued), {"holder": people.priya.pk})
    assert "Select an officer of the SEND team" in outsider.content.decode()
    response = client.post(url("ehc-annual-review-assign", issued), {"holder": dana.pk})
    assert response["Location"] == url("ehc-annual-review", issued)
    assert current_review(issued).holder == dana
    assert "The annual review has been handed to" in client.get(response["Location"]).content.decode()


def test_only_a_send_manager_may_hand_the_review_over(issued, people):
    page = client_of(people.tom).get(url("ehc-annual-review", issued)).content.decode()
    assert url("ehc-annual-review-assign", issued) not in page
    assert client_of(people.tom).get(url("ehc-annual-review-assign", issued)).status_code == 403
    assert (
        client_of(people.tom).post(url("ehc-annual-review-assign", issued), {"holder": people.tom.pk}).status_code
        == 403
    )
    assert client_of(people.jo).get(url("ehc-annual-review-assign", issued)).status_code == 404
    assert current_review(issued).holder == people.tom
