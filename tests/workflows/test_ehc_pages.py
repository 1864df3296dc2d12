"""The needs assessment's pages: the coordinator's overview, asking for advice, and the professional's advice."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from casework.models import CaseEventKind
from identity.models import TeamRole
from tests.factories import ProfessionalFactory
from tests.workflows.conftest import claimed, client_of, fresh, join
from tests.workflows.ehc_steps import (
    ANSWER,
    DRAFT_SECTIONS,
    EVERY_KIND,
    advice_asked,
    advice_of,
    agreed,
    all_advice_in,
    assert_needs_assessment_flow_agrees,
    at,
    decided_to_issue,
    draft_sent,
    family_done,
    finalising,
    give,
    recipients,
    refreshed,
)
from workflows import ehc, services
from workflows.errors import TransitionRefused
from workflows.models import AdviceRequest, ClockPause, NeedsAssessmentStage

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


# ---------------------------------------------------------------- the coordinator's remaining steps


def url(name: str, needs_assessment, *args) -> str:
    return reverse(f"workflows:{name}", args=[needs_assessment.assessment_id, *args])


def overview_after(response) -> str:
    """The page a refused step lands on: the overview, with the reason."""
    assert response.redirect_chain[-1][0].endswith("/needs-assessment/"), response.redirect_chain
    return response.content.decode()


def draft_form_data(needs_assessment, sections=DRAFT_SECTIONS) -> dict:
    data = {f"section_{key}": text for key, text in sections.items()}
    data["version"] = ehc.plan_version(refreshed(needs_assessment))
    return data


def test_the_overview_offers_each_step_only_to_the_coordinator_at_its_stage(people):
    needs_assessment = all_advice_in()
    client = client_of(people.tom)
    page = client.get(url("ehc", needs_assessment)).content.decode()
    assert url("ehc-decide", needs_assessment) in page
    assert url("ehc-draft", needs_assessment) not in page
    assert url("ehc-pause", needs_assessment) in page
    assert url("ehc-coordinator", needs_assessment) not in page
    other = client_of(join("send-statutory-assessment")).get(url("ehc", needs_assessment))
    assert other.status_code == 200
    assert url("ehc-decide", needs_assessment) not in other.content.decode()
    ehc.issue_decide(actor=people.tom, needs_assessment=needs_assessment, decision="issue")
    page = client.get(url("ehc", needs_assessment)).content.decode()
    assert url("ehc-decide", needs_assessment) not in page
    assert url("ehc-draft", needs_assessment) in page
    assert "Issue an EHC plan</strong>, decided on" in page
    assert url("ehc-draft-send", needs_assessment) not in page  # nothing written yet


def test_deciding_to_issue_through_the_page_goes_on_to_the_draft(people):
    needs_assessment = all_advice_in()
    response = client_of(people.tom).post(url("ehc-decide", needs_assessment), {"decision": "issue"}, follow=True)
    assert "Decided to issue a plan: write the draft plan next" in overview_after(response)
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.DRAFTING


def test_not_issuing_without_reasons_or_appeal_rights_shows_both_errors_and_keeps_the_choice(people):
    needs_assessment = all_advice_in()
    response = client_of(people.tom).post(url("ehc-decide", needs_assessment), {"decision": "not_issue"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_reasons"' in page and "Enter the reasons for not issuing a plan" in page
    assert 'href="#id_appeal_rights_given"' in page
    assert 'value="not_issue" checked' in page
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.DECIDING


def test_not_issuing_with_reasons_ends_the_assessment_and_the_overview_shows_the_reasons(people):
    needs_assessment = all_advice_in()
    client = client_of(people.tom)
    data = {
        "decision": "not_issue",
        "reasons": "Her needs can be met from the school's own resources.",
        "appeal_rights_given": "on",
    }
    response = client.post(url("ehc-decide", needs_assessment), data, follow=True)
    page = overview_after(response)
    assert "Her needs can be met from the school&#x27;s own resources." in page
    assert "told of their right to appeal" in page
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.NOT_ISSUED
    assert url("ehc-pause", needs_assessment) not in page


def test_a_step_at_another_stage_goes_to_the_overview_with_the_reason(people):
    needs_assessment = advice_asked()
    client = client_of(people.tom)
    response = client.get(url("ehc-decide", needs_assessment), follow=True)
    assert "The needs assessment is not waiting for the decision to issue" in overview_after(response)
    response = client.post(url("ehc-draft-send", needs_assessment), {"version": ""}, follow=True)
    assert "The draft plan has already been sent" in overview_after(response)
    response = client.post(url("ehc-comments-end", needs_assessment), follow=True)
    assert "The comment period has already ended" in overview_after(response)


@pytest.mark.parametrize(
    "name", ["ehc-decide", "ehc-draft", "ehc-comments", "ehc-final"], ids=["decide", "draft", "comments", "final"]
)
def test_another_officer_of_the_team_cannot_take_the_coordinators_steps(people, name):
    needs_assessment = all_advice_in()
    other = client_of(join("send-statutory-assessment"))
    assert other.get(url(name, needs_assessment)).status_code == 403
    assert other.post(url(name, needs_assessment), {"decision": "issue"}).status_code == 403
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.DECIDING


def test_the_draft_page_has_no_section_i_and_saves_as_you_go(people):
    needs_assessment = decided_to_issue()
    client = client_of(people.tom)
    page = client.get(url("ehc-draft", needs_assessment)).content.decode()
    assert 'name="section_A"' in page and 'name="section_I"' not in page
    assert page.count("govuk-character-count__message") == len(ehc.PLAN_SECTIONS) - 1
    response = client.post(url("ehc-draft", needs_assessment), draft_form_data(needs_assessment), follow=True)
    assert response.redirect_chain[-1][0] == url("ehc-draft", needs_assessment)
    assert "The draft plan has been saved" in response.content.decode()
    assert "Mia loves drawing and wants to be a vet." in response.content.decode()
    stored = refreshed(needs_assessment)
    assert stored.plan_sections["A"] == DRAFT_SECTIONS["A"] and stored.stage == NeedsAssessmentStage.DRAFTING


def test_a_save_over_a_draft_changed_meanwhile_is_refused_and_the_text_typed_is_kept(people):
    """Two tabs (or two coordinators) opened the draft: the later save must not silently overwrite the earlier."""
    needs_assessment = decided_to_issue()
    client = client_of(people.tom)
    first_tab = draft_form_data(needs_assessment, {"A": "First tab's words."})
    second_tab = draft_form_data(needs_assessment, {"A": "Second tab's words."})
    assert client.post(url("ehc-draft", needs_assessment), first_tab).status_code == 302
    response = client.post(url("ehc-draft", needs_assessment), second_tab)
    page = response.content.decode()
    assert response.status_code == 200
    assert "saved by someone else since you opened it" in page
    assert "Second tab&#x27;s words." in page  # in the box, kept
    assert "First tab&#x27;s words." in page  # the draft as saved meanwhile, to compare
    assert refreshed(needs_assessment).plan_sections["A"] == "First tab's words."
    # Having read the other version, saving again is deliberate: the page now carries the newer version.
    version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)
    assert client.post(url("ehc-draft", needs_assessment), {**second_tab, "version": version}).status_code == 302
    assert refreshed(needs_assessment).plan_sections["A"] == "Second tab's words."


def test_a_section_over_the_limit_shows_the_error_and_keeps_the_others(people):
    needs_assessment = decided_to_issue()
    data = {**draft_form_data(needs_assessment), "section_B": "x" * 10001}
    response = client_of(people.tom).post(url("ehc-draft", needs_assessment), data)
    page = response.content.decode()
    assert 'href="#id_section_B"' in page and "10,000 characters or fewer" in page
    assert "Mia loves drawing" in page
    assert refreshed(needs_assessment).plan_sections == {}


def test_sending_the_draft_is_post_only_and_starts_the_15_days(people):
    needs_assessment = decided_to_issue()
    ehc.draft_plan_save(actor=people.tom, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
    client = client_of(people.tom)
    assert client.get(url("ehc-draft-send", needs_assessment)).status_code == 405
    overview = client.get(url("ehc", needs_assessment)).content.decode()
    assert "Send the draft plan" in overview and DRAFT_SECTIONS["F"] in overview
    version = ehc.plan_version(refreshed(needs_assessment))
    response = client.post(url("ehc-draft-send", needs_assessment), {"version": version}, follow=True)
    assert "The draft plan has been sent: comments are due by" in overview_after(response)
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.COMMENTS


def test_sending_a_draft_changed_since_the_page_was_read_is_refused(people):
    needs_assessment = decided_to_issue()
    ehc.draft_plan_save(actor=people.tom, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
    read = ehc.plan_version(refreshed(needs_assessment))
    ehc.draft_plan_save(actor=people.tom, needs_assessment=needs_assessment, sections={**DRAFT_SECTIONS, "A": "New"})
    response = client_of(people.tom).post(url("ehc-draft-send", needs_assessment), {"version": read}, follow=True)
    assert "saved by someone else since you opened it" in overview_after(response)
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.DRAFTING


def test_sending_a_draft_with_sections_missing_says_which(people):
    needs_assessment = decided_to_issue()
    ehc.draft_plan_save(actor=people.tom, needs_assessment=needs_assessment, sections={"A": "Only A"})
    version = ehc.plan_version(refreshed(needs_assessment))
    response = client_of(people.tom).post(url("ehc-draft-send", needs_assessment), {"version": version}, follow=True)
    assert "Write sections B, E, F, K of the draft" in overview_after(response)


def test_comments_are_recorded_and_listed_on_the_overview(people):
    needs_assessment = draft_sent()
    client = client_of(people.tom)
    data = {"from_whom": "Mia's mother", "comments": "Please add swimming.", "preferred_school": "Hillside Primary"}
    response = client.post(url("ehc-comments", needs_assessment), data, follow=True)
    page = overview_after(response)
    assert "The comments from Mia&#x27;s mother have been recorded" in page
    assert "Please add swimming." in page and "Preferred school: Hillside Primary" in page
    assert "End the comment period</button>" not in page  # the 15 days are not over, and more may come


def test_comments_without_who_they_are_from_show_the_error_and_keep_the_comments(people):
    needs_assessment = draft_sent()
    response = client_of(people.tom).post(url("ehc-comments", needs_assessment), {"comments": "Please add swimming."})
    page = response.content.decode()
    assert 'href="#id_from_whom"' in page and "Enter who the comments are from" in page
    assert "Please add swimming." in page
    assert not needs_assessment.draft_comments.exists()


def test_ending_the_comment_period_early_is_refused_unless_the_family_are_done(people):
    needs_assessment = draft_sent()
    client = client_of(people.tom)
    assert client.get(url("ehc-comments-end", needs_assessment)).status_code == 405
    response = client.post(url("ehc-comments-end", needs_assessment), follow=True)
    assert "The family have until" in overview_after(response)
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.COMMENTS
    family_done(needs_assessment)
    assert "End the comment period</button>" in client.get(url("ehc", needs_assessment)).content.decode()
    response = client.post(url("ehc-comments-end", needs_assessment), follow=True)
    assert "The comment period has ended" in overview_after(response)
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.FINALISING


def test_the_comment_period_ends_after_the_15_days_without_the_family_saying_so(people):
    with at(D(2026, 10, 1)):
        needs_assessment = draft_sent(agreed(D(2026, 8, 3), D(2026, 9, 14)))
    with at(D(2026, 10, 17)):
        response = client_of(people.tom).post(url("ehc-comments-end", needs_assessment), follow=True)
    assert "The comment period has ended" in overview_after(response)


def test_the_final_plan_shows_the_preferred_schools_beside_section_i_and_needs_it(people):
    needs_assessment = finalising()
    client = client_of(people.tom)
    page = client.get(url("ehc-final", needs_assessment)).content.decode()
    assert "Preferred: Hillside Primary (Mia&#x27;s mother," in page
    assert DRAFT_SECTIONS["B"] in page  # the draft carried into the final plan's boxes
    data = {f"section_{key}": text for key, text in DRAFT_SECTIONS.items()}
    response = client.post(url("ehc-final", needs_assessment), data)
    assert 'href="#id_section_I"' in response.content.decode()
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.FINALISING
    response = client.post(url("ehc-final", needs_assessment), {**data, "section_I": "Hillside Primary"}, follow=True)
    page = overview_after(response)
    assert "The final EHC plan has been issued" in page and "The final plan" in page
    stored = refreshed(needs_assessment)
    assert stored.stage == NeedsAssessmentStage.ISSUED and stored.plan_sections["I"] == "Hillside Primary"


def test_the_clock_pauses_only_for_code_of_practice_reasons_and_restarts(people):
    needs_assessment = advice_asked()
    client = client_of(people.tom)
    page = client.get(url("ehc-pause", needs_assessment)).content.decode()
    offered = re.findall(r'name="reason" type="radio" value="([a-z_]+)"', page)
    assert offered == [str(reason) for reason in ehc.CODE_OF_PRACTICE_EXCEPTIONS]
    response = client.post(url("ehc-pause", needs_assessment), {"reason": "awaiting_information"})
    assert 'href="#id_reason_0"' in response.content.decode()
    response = client.post(url("ehc-pause", needs_assessment), {"reason": "child_away"}, follow=True)
    page = overview_after(response)
    assert "Clock paused" in page and "Restart the clock" in page and url("ehc-pause", needs_assessment) not in page
    assert client.get(url("ehc-resume", needs_assessment)).status_code == 405
    response = client.post(url("ehc-resume", needs_assessment), follow=True)
    assert "The clock has restarted" in overview_after(response)
    assert not ClockPause.objects.filter(assessment_id=needs_assessment.assessment_id, ended_on__isnull=True).exists()


def test_a_send_manager_may_pause_the_clock_but_another_officer_may_not(people):
    needs_assessment = advice_asked()
    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    assert client_of(manager).get(url("ehc-pause", needs_assessment)).status_code == 200
    other = client_of(join("send-statutory-assessment"))
    assert other.post(url("ehc-pause", needs_assessment), {"reason": "child_away"}).status_code == 403
    assert not ClockPause.objects.filter(assessment_id=needs_assessment.assessment_id).exists()


def test_going_on_without_advice_waits_for_its_due_date_then_needs_a_reason(people):
    with at(D(2026, 9, 15)):
        needs_assessment = advice_asked(agreed(D(2026, 8, 3), D(2026, 9, 14)), kinds=("health", "setting"))
        give(needs_assessment, "setting")
        client = client_of(people.tom)
        response = client.get(url("ehc-advice-go-on-without", needs_assessment, "health"), follow=True)
        assert "health adviser has until 27 October 2026" in overview_after(response)
    with at(D(2026, 10, 28)):
        client = client_of(people.tom)
        overview = client.get(url("ehc", needs_assessment)).content.decode()
        assert url("ehc-advice-go-on-without", needs_assessment, "health") in overview
        assert url("ehc-advice-go-on-without", needs_assessment, "setting") not in overview
        response = client.post(url("ehc-advice-go-on-without", needs_assessment, "health"), {"reason": " "})
        assert 'href="#id_reason"' in response.content.decode()
        reason = "Asked three times by e-mail and telephone; the service has no one to send."
        response = client.post(
            url("ehc-advice-go-on-without", needs_assessment, "health"), {"reason": reason}, follow=True
        )
    page = overview_after(response)
    assert "The assessment goes on without the health advice" in page and reason in page
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.DECIDING


def test_going_on_without_advice_never_asked_for_is_not_found(people):
    needs_assessment = advice_asked(kinds=("health",))
    response = client_of(people.tom).get(url("ehc-advice-go-on-without", needs_assessment, "setting"))
    assert response.status_code == 404


def test_a_send_manager_hands_the_needs_assessment_to_another_officer_of_the_team(people):
    needs_assessment = advice_asked()
    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    newcomer = join("send-statutory-assessment")
    client = client_of(manager)
    assert url("ehc-coordinator", needs_assessment) in client.get(url("ehc", needs_assessment)).content.decode()
    page = client.get(url("ehc-coordinator", needs_assessment)).content.decode()
    assert f'value="{newcomer.pk}"' in page and f'value="{people.tom.pk}"' not in page
    assert f'value="{people.priya.pk}"' not in page  # not in the SEND team
    response = client.post(url("ehc-coordinator", needs_assessment), {"coordinator": people.priya.pk})
    assert 'href="#id_coordinator"' in response.content.decode()
    response = client.post(url("ehc-coordinator", needs_assessment), {"coordinator": newcomer.pk}, follow=True)
    assert f"{escape(newcomer.full_name)} now coordinates this needs assessment" in overview_after(response)
    assert refreshed(needs_assessment).coordinator == newcomer


def test_only_a_send_manager_may_hand_over(people):
    needs_assessment = advice_asked()
    newcomer = join("send-statutory-assessment")
    response = client_of(people.tom).post(url("ehc-coordinator", needs_assessment), {"coordinator": newcomer.pk})
    assert response.status_code == 403
    assert refreshed(needs_assessment).coordinator == people.tom


def test_the_overview_with_the_plan_and_comments_takes_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    needs_assessment = draft_sent()
    for number in range(3):
        ehc.draft_comment_record(
            actor=people.tom, needs_assessment=needs_assessment, from_whom=f"Reader {number}", comments="Fine."
        )
    client = client_of(people.tom)
    client.get(url("ehc", needs_assessment))
    with django_assert_max_num_queries(18):
        page = client.get(url("ehc", needs_assessment)).content.decode()
    assert page.count("Fine.") == 3


# ---------------------------------------------------------------- the request's own pages, and the setting


def test_the_officers_case_page_links_to_the_needs_assessment(people):
    needs_assessment = agreed()
    page = client_of(people.tom).get(reverse("workflows:case", args=[needs_assessment.assessment_id]))
    assert url("ehc", needs_assessment) in page.content.decode()
    assessment = claimed("ehcp")
    page = client_of(people.tom).get(reverse("workflows:case", args=[assessment.pk])).content.decode()
    assert "/needs-assessment/" not in page


def test_the_setting_reads_the_draft_while_comments_are_open_and_sends_its_comments(people):
    needs_assessment = draft_sent()
    client = client_of(people.sam)
    progress = client.get(reverse("workflows:progress", args=[needs_assessment.assessment_id])).content.decode()
    assert "Draft plan sent for comments" in progress
    assert url("ehc-setting-draft", needs_assessment) in progress
    page = client.get(url("ehc-setting-draft", needs_assessment)).content.decode()
    assert DRAFT_SECTIONS["B"] in page and "Send your comments" in page
    response = client.post(url("ehc-setting-draft", needs_assessment), {"comments": ""})
    assert 'href="#id_comments"' in response.content.decode()
    data = {"comments": "Mia needs a quiet space at lunchtime.", "preferred_school": "St Mary's"}
    response = client.post(url("ehc-setting-draft", needs_assessment), data, follow=True)
    assert "Your comments have been sent to the assessment coordinator" in response.content.decode()
    comment = needs_assessment.draft_comments.get()
    assert comment.recorded_by == people.sam and comment.from_whom.startswith("Sam Taylor, St Mary")
    assert not comment.no_further_comments
    assert (
        "Mia needs a quiet space at lunchtime."
        in client_of(people.tom).get(url("ehc", needs_assessment)).content.decode()
    )


def test_the_draft_is_not_shown_to_the_setting_before_it_is_sent_or_to_anyone_else(people):
    needs_assessment = decided_to_issue()
    assert client_of(people.sam).get(url("ehc-setting-draft", needs_assessment)).status_code == 404
    ehc.draft_plan_save(actor=people.tom, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
    ehc.draft_plan_send(actor=people.tom, needs_assessment=needs_assessment)
    for outsider in (ProfessionalFactory(), people.tom, people.priya):
        assert client_of(outsider).get(url("ehc-setting-draft", needs_assessment)).status_code == 404
        assert (
            client_of(outsider).post(url("ehc-setting-draft", needs_assessment), {"comments": "x"}).status_code == 404
        )
    assert not needs_assessment.draft_comments.exists()


def test_the_setting_comment_service_is_refused_at_another_stage_and_for_anyone_else(people):
    needs_assessment = decided_to_issue()
    with pytest.raises(TransitionRefused):
        ehc.draft_comment_from_setting(actor=people.sam, needs_assessment=needs_assessment, comments="Early")
    ehc.draft_plan_save(actor=people.tom, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
    ehc.draft_plan_send(actor=people.tom, needs_assessment=needs_assessment)
    with pytest.raises(PermissionDenied):
        ehc.draft_comment_from_setting(actor=people.tom, needs_assessment=needs_assessment, comments="Mine")
    assert not needs_assessment.draft_comments.exists()


def test_the_setting_comment_service_writes_history_as_the_setting(people):
    needs_assessment = draft_sent()
    comment = ehc.draft_comment_from_setting(actor=people.sam, needs_assessment=needs_assessment, comments="Fine")
    history = comment.history.get()
    assert history.history_user == people.sam
    assert history.history_change_reason == "Comments on the draft plan from the setting"
    event = needs_assessment.assessment.events.filter(kind=CaseEventKind.DRAFT_COMMENTS_RECORDED).get()
    assert event.actor == people.sam
    assert event.summary.startswith("Comments from Sam Taylor")


# ---------------------------------------------------------------- reopening a request whose assessment runs


def test_a_request_whose_needs_assessment_is_running_cannot_be_reopened(people):
    needs_assessment = advice_asked()
    assessment = needs_assessment.assessment
    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    assert not services.can_reopen(manager, assessment)
    with pytest.raises(TransitionRefused, match="while its EHC needs assessment is under way"):
        services.assessment_reopen(actor=manager, assessment=assessment, reason="Wrong decision")
    response = client_of(manager).post(
        reverse("workflows:reopen", args=[assessment.pk]), {"reason": "Wrong decision"}, follow=True
    )
    assert "while its EHC needs assessment is under way" in response.content.decode()
    assert fresh(assessment).status == "closed"
    assert_needs_assessment_flow_agrees(needs_assessment)


def test_a_request_whose_needs_assessment_has_ended_may_be_reopened(people):
    needs_assessment = all_advice_in()
    ehc.issue_decide(
        actor=people.tom,
        needs_assessment=needs_assessment,
        decision="not_issue",
        reasons="Met by the school",
        appeal_rights_given=True,
    )
    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    assert services.can_reopen(manager, fresh(needs_assessment.assessment))


# ---------------------------------------------------------------- the final plan's date comes from the process


def test_a_request_with_a_needs_assessment_takes_no_typed_plan_date(people):
    """The 20-week measure reads the needs assessment's final plan: the typed date is neither offered nor taken."""
    needs_assessment = advice_asked()
    assessment = needs_assessment.assessment
    response = client_of(people.tom).get(reverse("workflows:case", args=[assessment.pk]))
    assert response.status_code == 200
    assert reverse("workflows:plan-issued", args=[assessment.pk]) not in response.content.decode()
    with pytest.raises(TransitionRefused, match="issued through its EHC needs assessment"):
        services.plan_issued_record(actor=people.tom, assessment=assessment, issued_on=timezone.localdate())
    assert fresh(assessment).plan_issued_on is None


def test_a_request_agreed_before_the_portal_carried_its_needs_assessment_still_takes_a_typed_date(people):
    """Requests agreed to assess before the needs assessment was built have only the date typed by hand."""
    needs_assessment = advice_asked()
    assessment = needs_assessment.assessment
    needs_assessment.delete()
    response = client_of(people.tom).get(reverse("workflows:case", args=[assessment.pk]))
    assert reverse("workflows:plan-issued", args=[assessment.pk]) in response.content.decode()
    services.plan_issued_record(actor=people.tom, assessment=assessment, issued_on=timezone.localdate())
    assert fresh(assessment).plan_issued_on == timezone.localdate()
