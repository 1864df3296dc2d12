"""The needs assessment's pages: the coordinator's overview, asking for advice, and the professional's advice."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import ProfessionalFactory
from tests.workflows.conftest import claimed, client_of, join
from tests.workflows.ehc_steps import ANSWER, EVERY_KIND, advice_asked, advice_of, agreed, at, recipients
from workflows import ehc
from workflows.models import AdviceRequest, NeedsAssessmentStage

D = dt.date


def request_form_data(kinds=EVERY_KIND) -> dict:
    data = {}
    for kind, recipient in recipients(kinds).items():
        data[f"{kind}_name"] = recipient.name
        data[f"{kind}_email"] = recipient.email
    for kind in set(EVERY_KIND) - set(kinds):
        data[f"{kind}_not_needed"] = "The school's report of March 2026 is enough; the family agree"
    return data


def test_the_coordinator_sees_the_stage_the_statutory_dates_and_the_last_working_day(people):
    """Received 7 August 2026: week 20 is Christmas Day, so the plan has to go by Thursday 24 December."""
    needs_assessment = agreed(D(2026, 8, 7), D(2026, 9, 14))
    with at(D(2026, 9, 15)):
        response = client_of(people.tom).get(reverse("workflows:ehc", args=[needs_assessment.assessment_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Asking for advice" in page
    assert "Tom Evans (you)" in page
    assert "25 December 2026" in page and "Thursday 24 December 2026" in page
    assert reverse("workflows:ehc-advice-request", args=[needs_assessment.assessment_id]) in page


def test_the_overview_lists_each_kind_of_advice_in_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    needs_assessment = advice_asked(kinds=("health", "setting", "parents"))
    ehc.advice_give(actor=people.tom, advice=advice_of(needs_assessment, "health"), answer=ANSWER)
    client = client_of(people.tom)
    url = reverse("workflows:ehc", args=[needs_assessment.assessment_id])
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    page = response.content.decode()
    assert "Given " in page and "Waiting" in page
    assert "Not asked for: The school&#x27;s recent report is enough" in page
    assert "Ask for advice</a>" not in page


def test_a_request_without_a_needs_assessment_has_no_overview(people):
    assessment = claimed("ehcp")
    assert client_of(people.tom).get(reverse("workflows:ehc", args=[assessment.pk])).status_code == 404


def test_an_officer_of_another_team_cannot_see_the_needs_assessment(people):
    needs_assessment = agreed()
    response = client_of(people.priya).get(reverse("workflows:ehc", args=[needs_assessment.assessment_id]))
    assert response.status_code == 404


def test_asking_for_advice_through_the_form_sends_the_requests(people):
    needs_assessment = agreed()
    url = reverse("workflows:ehc-advice-request", args=[needs_assessment.assessment_id])
    client = client_of(people.tom)
    assert client.get(url).status_code == 200
    response = client.post(url, request_form_data(("educational_psychology", "health", "parents")))
    assert response.status_code == 302
    assert response["Location"] == reverse("workflows:ehc", args=[needs_assessment.assessment_id])
    assert set(AdviceRequest.objects.values_list("kind", flat=True)) == {"educational_psychology", "health", "parents"}
    assert needs_assessment.__class__.objects.get(pk=needs_assessment.pk).stage == NeedsAssessmentStage.GATHERING_ADVICE


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        pytest.param(
            {"health_email": ""},
            "health_email",
            "Enter the e-mail address of who is asked for the health advice",
            id="no-email",
        ),
        pytest.param({"health_email": "not-an-address"}, "health_email", "like name@example.org", id="bad-email"),
        pytest.param(
            {"health_name": ""}, "health_name", "Enter the name of who is asked for the health advice", id="no-name"
        ),
        pytest.param({"health_not_needed": "Already have it"}, "health_not_needed", "Either ask someone", id="both"),
        pytest.param(
            {"child_name": "", "child_email": ""},
            "child_name",
            "Enter who is asked for the child&#x27;s views, or say why",
            id="neither",
        ),
    ],
)
def test_a_request_form_with_a_mistake_shows_it_and_keeps_what_was_typed(people, change, field, message):
    needs_assessment = agreed()
    url = reverse("workflows:ehc-advice-request", args=[needs_assessment.assessment_id])
    response = client_of(people.tom).post(url, {**request_form_data(), **change})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in page
    assert f'href="#id_{field}"' in page
    assert message in page
    assert 'value="social_care adviser"' in page
    assert not AdviceRequest.objects.exists()


def test_only_the_coordinator_may_ask_for_advice(people):
    needs_assessment = agreed()
    url = reverse("workflows:ehc-advice-request", args=[needs_assessment.assessment_id])
    other = join("send-statutory-assessment")
    assert client_of(other).get(url).status_code == 403
    assert client_of(other).post(url, request_form_data()).status_code == 403
    assert not AdviceRequest.objects.exists()


def test_asking_again_goes_back_to_the_overview_with_the_reason(people):
    needs_assessment = advice_asked()
    url = reverse("workflows:ehc-advice-request", args=[needs_assessment.assessment_id])
    response = client_of(people.tom).get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("workflows:ehc", args=[needs_assessment.assessment_id])
    assert "Advice has already been asked for" in response.content.decode()


def test_the_professional_asked_gives_their_advice_through_the_portal(people):
    needs_assessment = agreed()
    sam = people.sam
    chosen = {**recipients(), "setting": ehc.AdviceRecipient(name="Sam Taylor", email=sam.email)}
    ehc.advice_request(actor=people.tom, needs_assessment=needs_assessment, recipients=chosen)
    url = reverse("workflows:ehc-advice", args=[needs_assessment.assessment_id, "setting"])
    client = client_of(sam)
    page = client.get(url).content.decode()
    assert "Advice for Mia Hart's EHC needs assessment" in page
    response = client.post(url, ANSWER, follow=True)
    assert "Thank you: your advice has been sent" in response.content.decode()
    assert "Your advice, given on" in response.content.decode()
    assert advice_of(needs_assessment, "setting").answer == ANSWER


def test_advice_with_an_empty_answer_shows_the_error_and_keeps_the_others(people):
    needs_assessment = agreed()
    chosen = {**recipients(), "setting": ehc.AdviceRecipient(name="Sam Taylor", email=people.sam.email)}
    ehc.advice_request(actor=people.tom, needs_assessment=needs_assessment, recipients=chosen)
    url = reverse("workflows:ehc-advice", args=[needs_assessment.assessment_id, "setting"])
    response = client_of(people.sam).post(url, {**ANSWER, "outcomes": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_outcomes"' in page
    assert "Weekly speech and language therapy" in page
    assert advice_of(needs_assessment, "setting").answered_on is None


@pytest.mark.parametrize("kind", ["setting", "health", "not-a-kind"])
def test_a_professional_not_asked_sees_no_request_for_advice(people, kind):
    needs_assessment = advice_asked()
    url = reverse("workflows:ehc-advice", args=[needs_assessment.assessment_id, kind])
    assert client_of(ProfessionalFactory()).get(url).status_code == 404
    assert client_of(people.priya).post(url, ANSWER).status_code == 404
    assert AdviceRequest.objects.filter(answered_on__isnull=False).count() == 0
