"""A form refused once sent (the case handed to someone else, the stage moved on, access ended) shows the reason
with everything typed, to copy: long writing is never dropped on a redirect."""

import datetime as dt
import re
from html import unescape

from django.urls import reverse
from viewflow.workflow.exceptions import FlowLockFailed

from casework.models import Status
from casework.sections import spec_for
from identity.models import TeamRole
from tests.workflows.annual_review_steps import MEETING, current_review, plan_issued
from tests.workflows.conftest import claimed, client_of, fresh, join, leave
from tests.workflows.ehc_steps import (
    ANSWER,
    DRAFT_SECTIONS,
    advice_asked,
    advice_of,
    agreed,
    at,
    decided_to_issue,
    finalising,
    recipients,
    refreshed,
)
from workflows import annual_review, ehc, services
from workflows.ehc_forms import PLAN_SECTIONS
from workflows.models import NeedsAssessmentStage

D = dt.date
PLAN_TEXT = {f"section_{key}": text for key, text in DRAFT_SECTIONS.items()}


def url(name: str, needs_assessment, *args) -> str:
    return reverse(f"workflows:{name}", args=[needs_assessment.assessment_id, *args])


def kept_boxes(response) -> dict[str, str]:
    """The not-saved page's read-only boxes: label to text, as a person sees them."""
    html = response.content.decode()
    labels = dict(re.findall(r'<label class="govuk-label govuk-label--s" for="(typed-\d+)">(.*?)</label>', html))
    boxes = re.findall(
        r'<textarea class="govuk-textarea" id="(typed-\d+)" rows="\d+" readonly>(.*?)</textarea>', html, re.S
    )
    return {unescape(labels[box_id]): unescape(text) for box_id, text in boxes}


def test_a_draft_plan_sent_after_the_hand_over_is_shown_back_with_the_reason(people):
    needs_assessment = decided_to_issue()
    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    newcomer = join("send-statutory-assessment")
    client = client_of(people.tom)
    version = client.get(url("ehc-draft", needs_assessment)).context["version"]
    ehc.coordinator_assign(actor=manager, needs_assessment=needs_assessment, coordinator=newcomer)

    response = client.post(url("ehc-draft", needs_assessment), {**PLAN_TEXT, "version": version})

    assert response.status_code == 403
    page = response.content.decode()
    assert "What you typed has not been saved" in page
    assert "Only the assessment coordinator can do this" in page
    boxes = kept_boxes(response)
    assert boxes == {f"Section {key}: {PLAN_SECTIONS[key]}": text for key, text in DRAFT_SECTIONS.items()}
    assert f'href="{url("ehc", needs_assessment)}"' in page
    assert refreshed(needs_assessment).plan_sections == {}


def test_a_final_plan_sent_once_the_plan_is_issued_is_shown_back_with_the_reason(people):
    needs_assessment = finalising()
    client = client_of(people.tom)
    assert client.get(url("ehc-final", needs_assessment)).status_code == 200
    sections = {**PLAN_TEXT, "section_I": "Hilltop Primary School"}
    ehc.final_plan_issue(
        actor=people.tom,
        needs_assessment=needs_assessment,
        sections={key.removeprefix("section_"): text for key, text in sections.items()},
    )
    second_go = {**sections, "section_F": "Weekly speech and language therapy, rewritten in the other tab."}

    response = client.post(url("ehc-final", needs_assessment), second_go)

    assert response.status_code == 409
    assert "The plan cannot be issued at this stage" in response.content.decode()
    assert kept_boxes(response)["Section F: " + PLAN_SECTIONS["F"]] == second_go["section_F"]
    assert refreshed(needs_assessment).plan_sections["F"] == sections["section_F"]


def test_a_refused_post_with_nothing_typed_still_goes_back_with_the_reason(people):
    needs_assessment = decided_to_issue()
    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    ehc.coordinator_assign(
        actor=manager, needs_assessment=needs_assessment, coordinator=join("send-statutory-assessment")
    )
    response = client_of(people.tom).post(url("ehc-draft", needs_assessment), {"version": "x"})
    assert response.status_code == 403
    assert "What you typed has not been saved" not in response.content.decode()


def test_advice_sent_after_the_assessment_went_on_without_it_is_shown_back_to_the_adviser(people):
    with at(D(2026, 9, 15)):
        needs_assessment = agreed(D(2026, 8, 3), D(2026, 9, 14))
        chosen = {**recipients(), "setting": ehc.AdviceRecipient(name="Sam Taylor", email=people.sam.email)}
        ehc.advice_request(actor=people.tom, needs_assessment=needs_assessment, recipients=chosen)
    with at(D(2026, 10, 28)):
        adviser = client_of(people.sam)
        assert adviser.get(url("ehc-advice", needs_assessment, "setting")).status_code == 200
        ehc.advice_close_unanswered(
            actor=people.tom, advice=advice_of(needs_assessment, "setting"), reason="Asked three times"
        )
        response = adviser.post(url("ehc-advice", needs_assessment, "setting"), ANSWER)

    assert response.status_code == 409
    page = response.content.decode()
    assert "The assessment went on without this advice on 28 October 2026" in page
    assert "send it to Tom Evans, the assessment coordinator" in page
    assert kept_boxes(response) == {question: ANSWER[key] for key, question in ehc.ADVICE_QUESTIONS.items()}
    assert advice_of(needs_assessment, "setting").answer == {}


def test_a_decision_note_sent_after_the_case_went_to_a_colleague_is_shown_back(people, second_officer):
    assessment = claimed("ehat", officer=people.priya)
    client = client_of(people.priya)
    assert client.get(f"/cases/{assessment.pk}/decide/").status_code == 200
    manager = join("early-help-hub", role=TeamRole.MANAGER)
    services.assessment_assign(actor=manager, assessment=fresh(assessment), officer=second_officer)
    note = "Met the family twice; the school's support is enough for now, with a review in the spring."

    response = client.post(f"/cases/{assessment.pk}/decide/", {"outcome": "signposted", "note": note})

    assert response.status_code == 403
    assert "Only the officer reviewing this assessment can decide it" in response.content.decode()
    assert kept_boxes(response) == {"Decision note": note}
    assert fresh(assessment).status == Status.UNDER_REVIEW


def test_a_return_sent_after_leaving_the_team_keeps_the_comments_without_naming_the_case(people):
    assessment = claimed("ehat", officer=people.priya, first_name="Ava", last_name="Stone")
    client = client_of(people.priya)
    assert client.get(f"/cases/{assessment.pk}/return/").status_code == 200
    leave("early-help-hub", people.priya)
    comments = "Please add the family's own words in the section about the child."

    response = client.post(f"/cases/{assessment.pk}/return/", {"section_family": comments, "message": ""})

    assert response.status_code == 404
    page = response.content.decode()
    assert "You can no longer see this case" in page
    family = next(section for section in spec_for("ehat").sections if section.key == "family")
    assert kept_boxes(response) == {f"{family.title}: what needs to change": comments}
    assert "Ava Stone" not in page and assessment.reference not in page
    assert fresh(assessment).status == Status.UNDER_REVIEW


def test_a_review_meeting_recorded_after_the_review_was_handed_on_is_shown_back(people):
    issued = plan_issued(D(2026, 3, 2))
    with at(D(2027, 2, 22)):
        client = client_of(people.tom)
        assert client.get(url("ehc-annual-review-meeting", issued)).status_code == 200
        manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
        annual_review.annual_review_assign(
            actor=manager, review=current_review(issued), holder=join("send-statutory-assessment")
        )
        form = {"meeting_on_day": "19", "meeting_on_month": "2", "meeting_on_year": "2027", **MEETING}
        response = client.post(url("ehc-annual-review-meeting", issued), form)

    assert response.status_code == 403
    boxes = kept_boxes(response)
    assert boxes["The parents' views"] == MEETING["parent_views"]
    assert boxes["Who took part"] == MEETING["participants"]
    assert "19" not in boxes.values() and MEETING["recommendation"] not in boxes.values()
    assert current_review(issued).meeting_on is None


def test_a_step_refused_at_another_stage_names_the_stage_it_is_at(people):
    needs_assessment = advice_asked()
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.GATHERING_ADVICE
    reasons = "The advice shows needs the school can meet from its own resources."
    response = client_of(people.tom).post(
        url("ehc-decide", needs_assessment), {"decision": "not_issue", "reasons": reasons}
    )
    assert response.status_code == 409
    assert "The needs assessment is not waiting for the decision to issue" in response.content.decode()
    assert kept_boxes(response) == {"Reasons for not issuing a plan": reasons}


def test_a_decision_note_caught_by_someone_else_changing_the_case_is_shown_back(people, monkeypatch):
    assessment = claimed("ehat", officer=people.priya)

    def locked_by_another_request(**kwargs):
        raise FlowLockFailed("The process is locked by another request")

    monkeypatch.setattr(services, "assessment_close", locked_by_another_request)
    note = "Signposted to the family hub's parenting course."
    response = client_of(people.priya).post(f"/cases/{assessment.pk}/decide/", {"outcome": "signposted", "note": note})
    assert response.status_code == 409
    assert "Someone else has just changed this case" in response.content.decode()
    assert kept_boxes(response) == {"Decision note": note}


def test_advice_sent_empty_after_it_was_given_goes_back_to_the_advice_given(people):
    needs_assessment = agreed()
    chosen = {**recipients(), "setting": ehc.AdviceRecipient(name="Sam Taylor", email=people.sam.email)}
    ehc.advice_request(actor=people.tom, needs_assessment=needs_assessment, recipients=chosen)
    ehc.advice_give(actor=people.sam, advice=advice_of(needs_assessment, "setting"), answer=ANSWER)
    response = client_of(people.sam).post(url("ehc-advice", needs_assessment, "setting"), {}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "This advice was given on" in page and "Your advice, given on" in page
    assert "What you typed has not been saved" not in page
