"""The EHC needs assessment's flow: it starts at "agreed to assess", and its stage and tasks agree at every step."""

import pytest
from guardian.shortcuts import get_user_perms
from viewflow.workflow.status import STATUS

from casework.models import Outcome
from tests.workflows.conftest import claimed, close_it, fresh, join, person
from tests.workflows.ehc_steps import (
    ANSWER,
    DRAFT_SECTIONS,
    EVERY_KIND,
    active_tasks,
    advice_asked,
    agreed,
    all_advice_in,
    assert_needs_assessment_flow_agrees,
    family_done,
    give,
    recipients,
    refreshed,
)
from workflows import ehc, services
from workflows.ehc_flows import NeedsAssessmentFlow
from workflows.models import NeedsAssessment, NeedsAssessmentProcess, NeedsAssessmentStage


def test_agreeing_to_assess_starts_a_needs_assessment_held_by_the_deciding_officer(people):
    """The coordinator named in the decision is no SEND officer here: the officer who decided holds it."""
    needs_assessment = agreed()
    assert needs_assessment.coordinator == people.tom
    assert needs_assessment.stage == NeedsAssessmentStage.REQUESTING_ADVICE
    assert_needs_assessment_flow_agrees(needs_assessment)
    assert needs_assessment.history.get().history_change_reason == "Needs assessment started, coordinated by Tom Evans"


def test_the_coordinator_named_in_the_decision_holds_it_when_they_are_a_send_officer(people):
    dana = join("send-statutory-assessment")
    dana.full_name = "Dana Fox"
    dana.save()
    needs_assessment = agreed(details={"coordinator": "dana fox"})
    assert needs_assessment.coordinator == dana
    assert active_tasks(needs_assessment)[0].owner == dana
    assert "review_assessment" in get_user_perms(dana, needs_assessment.assessment)


def test_refusing_to_assess_starts_no_needs_assessment(people):
    assessment = close_it(claimed("ehcp"), outcome=Outcome.REFUSED_TO_ASSESS, details={"appeal_information": True})
    assert not NeedsAssessment.objects.filter(assessment=assessment).exists()
    assert not NeedsAssessmentProcess.objects.exists()


def test_a_request_reopened_and_agreed_again_keeps_its_needs_assessment(people):
    """Reopening waits for the needs assessment to end (it is refused while it runs: test_ehc_pages.py)."""
    needs_assessment = all_advice_in()
    ehc.issue_decide(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        decision="not_issue",
        reasons="Met from the school's own resources",
        appeal_rights_given=True,
    )
    manager = join("send-statutory-assessment", role="manager")
    assessment = needs_assessment.assessment
    services.assessment_reopen(actor=manager, assessment=assessment, reason="Agreed on the wrong evidence")
    close_it(fresh(assessment))
    assert NeedsAssessment.objects.filter(assessment=assessment).count() == 1
    assert NeedsAssessmentProcess.objects.count() == 1


def test_request_to_final_plan_keeps_stage_and_tasks_in_step(people):
    """One end-to-end needs assessment: advice from three professionals in parallel, issue, draft, comments, final."""
    needs_assessment = agreed()
    tom = needs_assessment.coordinator
    kinds = ("educational_psychology", "health", "parents")
    needs_assessment = advice_asked(needs_assessment, kinds)
    assert needs_assessment.stage == NeedsAssessmentStage.GATHERING_ADVICE
    assert_needs_assessment_flow_agrees(needs_assessment)
    assert len(active_tasks(needs_assessment)) == 3

    for done, kind in enumerate(kinds, 1):
        give(needs_assessment, kind)
        assert_needs_assessment_flow_agrees(needs_assessment)
        assert refreshed(needs_assessment).stage == (
            NeedsAssessmentStage.DECIDING if done == len(kinds) else NeedsAssessmentStage.GATHERING_ADVICE
        )

    needs_assessment = ehc.issue_decide(actor=tom, needs_assessment=needs_assessment, decision="issue")
    assert needs_assessment.stage == NeedsAssessmentStage.DRAFTING
    assert_needs_assessment_flow_agrees(needs_assessment)

    ehc.draft_plan_save(actor=tom, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
    assert_needs_assessment_flow_agrees(needs_assessment)
    needs_assessment = ehc.draft_plan_send(actor=tom, needs_assessment=needs_assessment)
    assert needs_assessment.stage == NeedsAssessmentStage.COMMENTS
    assert_needs_assessment_flow_agrees(needs_assessment)

    family_done(needs_assessment)
    needs_assessment = ehc.comment_period_close(actor=tom, needs_assessment=needs_assessment)
    assert needs_assessment.stage == NeedsAssessmentStage.FINALISING
    assert_needs_assessment_flow_agrees(needs_assessment)

    needs_assessment = ehc.final_plan_issue(
        actor=tom, needs_assessment=needs_assessment, sections={**DRAFT_SECTIONS, "I": "Hillside Primary School"}
    )
    assert needs_assessment.stage == NeedsAssessmentStage.ISSUED
    assert_needs_assessment_flow_agrees(needs_assessment)
    assessment = fresh(needs_assessment.assessment)
    assert assessment.plan_issued_on == needs_assessment.final_issued_on
    assert assessment.events.filter(kind="plan_issued").count() == 1


def test_deciding_not_to_issue_ends_the_process(people):
    needs_assessment = advice_asked(kinds=("setting",))
    give(needs_assessment, "setting")
    needs_assessment = ehc.issue_decide(
        actor=people.tom,
        needs_assessment=needs_assessment,
        decision="not_issue",
        reasons="The school can meet Mia's needs from its own resources.",
        appeal_rights_given=True,
    )
    assert needs_assessment.stage == NeedsAssessmentStage.NOT_ISSUED
    assert_needs_assessment_flow_agrees(needs_assessment)


def test_advice_not_asked_for_is_not_waited_for(people):
    needs_assessment = advice_asked(kinds=("health", "child"))
    assert {task.flow_task for task in active_tasks(needs_assessment)} == {
        NeedsAssessmentFlow.health_advice,
        NeedsAssessmentFlow.child_advice,
    }
    assert set(needs_assessment.advice_not_sought) == set(EVERY_KIND) - {"health", "child"}


def test_advice_answered_at_once_by_every_professional_reaches_the_decision_once(people):
    needs_assessment = advice_asked()
    for kind in EVERY_KIND:
        give(needs_assessment, kind)
    decide_tasks = [
        task for task in active_tasks(needs_assessment) if task.flow_task == NeedsAssessmentFlow.decide_issue
    ]
    assert len(decide_tasks) == 1
    assert decide_tasks[0].status == STATUS.ASSIGNED


def test_a_registered_professional_is_named_on_the_request_and_may_give_the_advice(people):
    needs_assessment = agreed()
    sam = person("sam.taylor@stmarys.plymouth.sch.uk")
    chosen = recipients(EVERY_KIND)
    chosen["setting"] = ehc.AdviceRecipient(name="Sam Taylor", email=sam.email.upper())
    ehc.advice_request(actor=people.tom, needs_assessment=needs_assessment, recipients=chosen)
    advice = needs_assessment.advice_requests.get(kind="setting")
    assert advice.professional == sam
    ehc.advice_give(actor=sam, advice=advice, answer=ANSWER)
    advice.refresh_from_db()
    assert (advice.answered_by, advice.answer) == (sam, ANSWER)
    assert advice.history.first().history_change_reason == "Advice given"


@pytest.mark.parametrize("missing", ["needs", "outcomes", "provision"])
def test_advice_with_a_question_unanswered_is_refused_and_nothing_changes(people, missing):
    needs_assessment = advice_asked()
    advice = needs_assessment.advice_requests.get(kind="health")
    with pytest.raises(ehc.TransitionRefused, match="Answer every question"):
        ehc.advice_give(actor=people.tom, advice=advice, answer={**ANSWER, missing: "  "})
    advice.refresh_from_db()
    assert advice.answered_on is None
    assert_needs_assessment_flow_agrees(needs_assessment)
