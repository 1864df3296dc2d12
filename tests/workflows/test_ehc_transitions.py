"""Every step of the needs assessment: allowed; refused at the wrong stage; refused for the wrong person; history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import ProfessionalFactory
from tests.workflows.conftest import join
from tests.workflows.ehc_steps import (
    ANSWER,
    DRAFT_SECTIONS,
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
from workflows import ehc
from workflows.models import NeedsAssessmentStage

D = dt.date
FINAL_SECTIONS = {**DRAFT_SECTIONS, "I": "Hillside Primary School, a mainstream primary school"}


def drafted():
    needs_assessment = decided_to_issue()
    return ehc.draft_plan_save(
        actor=needs_assessment.coordinator, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS
    )


def comments_in():
    needs_assessment = draft_sent()
    family_done(needs_assessment)
    return needs_assessment


def issued():
    needs_assessment = finalising()
    return ehc.final_plan_issue(
        actor=needs_assessment.coordinator, needs_assessment=needs_assessment, sections=FINAL_SECTIONS
    )


def not_issued():
    needs_assessment = all_advice_in()
    return ehc.issue_decide(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        decision="not_issue",
        reasons="Mia's needs can be met from the school's own resources",
        appeal_rights_given=True,
    )


AT_STAGE = {
    "requesting_advice": agreed,
    "gathering_advice": advice_asked,
    "deciding": all_advice_in,
    "drafting": decided_to_issue,
    "drafted": drafted,
    "comments": draft_sent,
    "comments_in": comments_in,
    "finalising": finalising,
    "issued": issued,
    "not_issued": not_issued,
}

# Each step of the coordinator: what it does, the stage it is made at, the stage after, the history's reason.
STEPS = {
    "ask-for-advice": (
        lambda actor, na: ehc.advice_request(actor=actor, needs_assessment=na, recipients=recipients()),
        "requesting_advice",
        NeedsAssessmentStage.GATHERING_ADVICE,
        "Advice asked for from 6 professional(s)",
    ),
    "decide-to-issue": (
        lambda actor, na: ehc.issue_decide(actor=actor, needs_assessment=na, decision="issue"),
        "deciding",
        NeedsAssessmentStage.DRAFTING,
        "Decided: Issue an EHC plan",
    ),
    "save-the-draft": (
        lambda actor, na: ehc.draft_plan_save(actor=actor, needs_assessment=na, sections=DRAFT_SECTIONS),
        "drafting",
        NeedsAssessmentStage.DRAFTING,
        "Draft plan saved",
    ),
    "send-the-draft": (
        lambda actor, na: ehc.draft_plan_send(actor=actor, needs_assessment=na),
        "drafted",
        NeedsAssessmentStage.COMMENTS,
        "Draft plan sent for comments",
    ),
    "end-the-comments": (
        lambda actor, na: ehc.comment_period_close(actor=actor, needs_assessment=na),
        "comments_in",
        NeedsAssessmentStage.FINALISING,
        "Comment period ended",
    ),
    "issue-the-plan": (
        lambda actor, na: ehc.final_plan_issue(actor=actor, needs_assessment=na, sections=FINAL_SECTIONS),
        "finalising",
        NeedsAssessmentStage.ISSUED,
        "Final plan issued",
    ),
}


@pytest.mark.parametrize("name", STEPS)
def test_each_step_moves_the_stage_and_writes_history_by_the_coordinator(people, name):
    act, at, after, reason = STEPS[name]
    needs_assessment = AT_STAGE[at]()
    act(needs_assessment.coordinator, needs_assessment)
    needs_assessment = refreshed(needs_assessment)
    assert needs_assessment.stage == after
    assert_needs_assessment_flow_agrees(needs_assessment)
    latest = needs_assessment.history.order_by("-history_id").first()
    assert (latest.history_change_reason, latest.history_user) == (reason, needs_assessment.coordinator)


@pytest.mark.parametrize("name", STEPS)
@pytest.mark.parametrize(
    "who",
    [
        pytest.param("send-officer", id="another-send-officer"),
        pytest.param("send-manager", id="send-manager"),
        pytest.param("professional", id="professional"),
    ],
)
def test_each_step_is_refused_for_anyone_but_the_coordinator(people, name, who):
    act, at, _after, _reason = STEPS[name]
    needs_assessment = AT_STAGE[at]()
    actor = {
        "send-officer": lambda: join("send-statutory-assessment"),
        "send-manager": lambda: join("send-statutory-assessment", role="manager"),
        "professional": ProfessionalFactory,
    }[who]()
    history_before = needs_assessment.history.count()
    with pytest.raises(PermissionDenied, match="assessment coordinator"):
        act(actor, needs_assessment)
    assert refreshed(needs_assessment).stage == needs_assessment.stage
    assert needs_assessment.history.count() == history_before
    assert_needs_assessment_flow_agrees(needs_assessment)


WRONG_STAGES = {
    "ask-for-advice": ("gathering_advice", "deciding"),
    "decide-to-issue": ("gathering_advice", "drafting", "not_issued"),
    "save-the-draft": ("deciding", "comments", "issued"),
    "send-the-draft": ("deciding", "comments"),
    "end-the-comments": ("drafted", "finalising"),
    "issue-the-plan": ("comments_in", "issued", "not_issued"),
}


@pytest.mark.parametrize(
    ("name", "at"), [pytest.param(name, at, id=f"{name}-at-{at}") for name, ats in WRONG_STAGES.items() for at in ats]
)
def test_each_step_is_refused_at_another_stage(people, name, at):
    act = STEPS[name][0]
    needs_assessment = AT_STAGE[at]()
    with pytest.raises(ehc.TransitionRefused, match="another stage"):
        act(needs_assessment.coordinator, needs_assessment)
    assert refreshed(needs_assessment).stage == needs_assessment.stage
    assert_needs_assessment_flow_agrees(needs_assessment)


# ---------------------------------------------------------------- what each step checks


def test_advice_left_out_without_a_reason_is_refused(people):
    needs_assessment = agreed()
    chosen = recipients(("health", "setting"))
    with pytest.raises(ehc.TransitionRefused, match="educational psychologist's advice or say why"):
        ehc.advice_request(actor=people.tom, needs_assessment=needs_assessment, recipients=chosen)
    assert not needs_assessment.advice_requests.exists()
    assert_needs_assessment_flow_agrees(needs_assessment)


@pytest.mark.parametrize(
    ("recipient", "message"),
    [
        pytest.param(
            ehc.AdviceRecipient(name=" ", email="a@b.example"), "Give the name and e-mail address", id="no-name"
        ),
        pytest.param(ehc.AdviceRecipient(name="Ann Lee", email=""), "Give the name", id="no-email"),
        pytest.param(
            ehc.AdviceRecipient(name="Ann Lee", email="not an address"),
            "valid e-mail address for the health advice",
            id="bad-email",
        ),
    ],
)
def test_advice_asked_of_nobody_in_particular_is_refused_and_nothing_is_kept(people, recipient, message):
    needs_assessment = agreed()
    chosen = {**recipients(), "health": recipient}
    with pytest.raises(ehc.TransitionRefused, match=message):
        ehc.advice_request(actor=people.tom, needs_assessment=needs_assessment, recipients=chosen)
    assert not needs_assessment.advice_requests.exists()
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.REQUESTING_ADVICE


def test_advice_both_asked_for_and_not_sought_is_refused(people):
    needs_assessment = agreed()
    with pytest.raises(ehc.TransitionRefused, match="not both"):
        ehc.advice_request(
            actor=people.tom,
            needs_assessment=needs_assessment,
            recipients=recipients(),
            not_sought={"health": "Already have it"},
        )


def test_advice_is_given_once_only(people):
    needs_assessment = advice_asked()
    advice = advice_of(needs_assessment, "health")
    ehc.advice_give(actor=people.tom, advice=advice, answer=ANSWER)
    with pytest.raises(ehc.TransitionRefused, match="already been given"):
        ehc.advice_give(actor=people.tom, advice=advice, answer=ANSWER)


def test_advice_is_refused_from_a_professional_it_was_not_asked_of(people):
    needs_assessment = advice_asked()
    with pytest.raises(PermissionDenied, match="Only the professional asked"):
        ehc.advice_give(actor=people.sam, advice=advice_of(needs_assessment, "setting"), answer=ANSWER)
    assert advice_of(needs_assessment, "setting").answered_on is None


def test_advice_may_be_given_by_an_invited_professional_once_registered_with_that_address(people):
    needs_assessment = advice_asked()
    newcomer = ProfessionalFactory(email="Health@Adviser.example.org")
    ehc.advice_give(actor=newcomer, advice=advice_of(needs_assessment, "health"), answer=ANSWER)
    assert advice_of(needs_assessment, "health").answered_by == newcomer


@pytest.mark.parametrize(
    ("reasons", "appeal", "message"),
    [
        pytest.param("", True, "Give the reasons", id="no-reasons"),
        pytest.param("Needs met by the school", False, "right to appeal", id="appeal-rights-not-told"),
    ],
)
def test_not_issuing_without_reasons_or_appeal_rights_is_refused(people, reasons, appeal, message):
    needs_assessment = all_advice_in()
    with pytest.raises(ehc.TransitionRefused, match=message):
        ehc.issue_decide(
            actor=people.tom,
            needs_assessment=needs_assessment,
            decision="not_issue",
            reasons=reasons,
            appeal_rights_given=appeal,
        )
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.DECIDING


def test_not_issuing_keeps_the_reasons_and_that_appeal_rights_were_given(people):
    needs_assessment = not_issued()
    assert needs_assessment.issue_decision == "not_issue"
    assert needs_assessment.appeal_rights_given
    assert needs_assessment.not_issue_reasons == "Mia's needs can be met from the school's own resources"


def test_a_draft_missing_a_required_section_is_not_sent(people):
    needs_assessment = decided_to_issue()
    ehc.draft_plan_save(
        actor=people.tom, needs_assessment=needs_assessment, sections={**DRAFT_SECTIONS, "B": " ", "F": ""}
    )
    with pytest.raises(ehc.TransitionRefused, match="Write sections B, F of the draft"):
        ehc.draft_plan_send(actor=people.tom, needs_assessment=needs_assessment)
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.DRAFTING


def test_a_draft_naming_a_school_is_not_sent(people):
    """The draft leaves section I empty, so the family can say which school they prefer (CoP 9.78)."""
    needs_assessment = decided_to_issue()
    ehc.draft_plan_save(actor=people.tom, needs_assessment=needs_assessment, sections=FINAL_SECTIONS)
    with pytest.raises(ehc.TransitionRefused, match="Leave section I empty"):
        ehc.draft_plan_send(actor=people.tom, needs_assessment=needs_assessment)


def test_a_plan_section_outside_a_to_k_is_refused(people):
    needs_assessment = decided_to_issue()
    with pytest.raises(ehc.TransitionRefused, match="sections A to K"):
        ehc.draft_plan_save(actor=people.tom, needs_assessment=needs_assessment, sections={"Z": "Extra"})


def test_the_comments_cannot_end_before_the_familys_15_days_unless_they_are_done(people):
    needs_assessment = draft_sent()
    ehc.draft_comment_record(
        actor=people.tom,
        needs_assessment=needs_assessment,
        from_whom="St Mary's Catholic Primary School",
        comments="Section F should say who delivers the therapy.",
    )
    with pytest.raises(ehc.TransitionRefused, match="to comment on the draft plan"):
        ehc.comment_period_close(actor=people.tom, needs_assessment=needs_assessment)
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.COMMENTS


def test_comments_are_kept_with_who_sent_them_and_the_preferred_school(people):
    needs_assessment = comments_in()
    comment = needs_assessment.draft_comments.get()
    assert (comment.from_whom, comment.preferred_school, comment.no_further_comments) == (
        "Mia's mother",
        "Hillside Primary",
        True,
    )
    assert comment.history.get().history_user == people.tom


def test_empty_comments_are_refused(people):
    needs_assessment = draft_sent()
    with pytest.raises(ehc.TransitionRefused, match="who the comments are from"):
        ehc.draft_comment_record(actor=people.tom, needs_assessment=needs_assessment, from_whom="Parent", comments=" ")


def test_the_final_plan_names_the_school(people):
    needs_assessment = finalising()
    with pytest.raises(ehc.TransitionRefused, match="Write section I of the plan"):
        ehc.final_plan_issue(actor=people.tom, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.FINALISING


# ---------------------------------------------------------------- advice that never comes, a new coordinator


def test_the_assessment_goes_on_without_overdue_advice_once_the_coordinator_says_why(people):
    with at(D(2026, 4, 14)):
        needs_assessment = advice_asked(kinds=("health", "social_care"))
        give(needs_assessment, "health")
    late = advice_of(needs_assessment, "social_care")
    with at(D(2026, 5, 26)), pytest.raises(ehc.TransitionRefused, match="until 26 May 2026"):
        ehc.advice_close_unanswered(actor=people.tom, advice=late, reason="No reply to three reminders")
    with at(D(2026, 5, 27)):
        with pytest.raises(ehc.TransitionRefused, match="Say why"):
            ehc.advice_close_unanswered(actor=people.tom, advice=late, reason=" ")
        ehc.advice_close_unanswered(actor=people.tom, advice=late, reason="No reply to three reminders")
    late.refresh_from_db()
    assert (late.closed_unanswered_on, late.closed_unanswered_reason) == (D(2026, 5, 27), "No reply to three reminders")
    assert refreshed(needs_assessment).stage == NeedsAssessmentStage.DECIDING
    assert_needs_assessment_flow_agrees(needs_assessment)
    with pytest.raises(ehc.TransitionRefused, match="gone on without this advice"):
        ehc.advice_give(actor=people.tom, advice=late, answer=ANSWER)


def test_only_the_coordinator_goes_on_without_advice(people):
    with at(D(2026, 4, 14)):
        needs_assessment = advice_asked()
    with at(D(2026, 6, 1)), pytest.raises(PermissionDenied):
        ehc.advice_close_unanswered(
            actor=join("send-statutory-assessment"), advice=advice_of(needs_assessment, "health"), reason="Late"
        )


def test_a_send_manager_hands_the_needs_assessment_and_its_task_to_another_officer(people):
    needs_assessment = agreed()
    manager = join("send-statutory-assessment", role="manager")
    dana = join("send-statutory-assessment")
    needs_assessment = ehc.coordinator_assign(actor=manager, needs_assessment=needs_assessment, coordinator=dana)
    assert refreshed(needs_assessment).coordinator == dana
    assert_needs_assessment_flow_agrees(needs_assessment)
    latest = needs_assessment.history.order_by("-history_id").first()
    assert latest.history_user == manager
    ehc.advice_request(actor=dana, needs_assessment=needs_assessment, recipients=recipients())
    with pytest.raises(PermissionDenied):
        ehc.issue_decide(actor=people.tom, needs_assessment=all_advice_in_by(dana, needs_assessment), decision="issue")


def all_advice_in_by(coordinator, needs_assessment):
    for advice in needs_assessment.advice_requests.all():
        ehc.advice_give(actor=coordinator, advice=advice, answer=ANSWER)
    return refreshed(needs_assessment)


@pytest.mark.parametrize(
    ("who", "to", "error"),
    [
        pytest.param("officer", "send-officer", PermissionDenied, id="an-officer-cannot"),
        pytest.param("early-help-manager", "send-officer", PermissionDenied, id="another-teams-manager-cannot"),
        pytest.param("manager", "early-help-officer", ehc.TransitionRefused, id="not-to-another-teams-officer"),
        pytest.param("manager", "same", ehc.TransitionRefused, id="not-to-the-coordinator-again"),
    ],
)
def test_handing_over_the_needs_assessment_is_refused(people, who, to, error):
    needs_assessment = agreed()
    actor = {
        "officer": join("send-statutory-assessment"),
        "early-help-manager": people.jo,
        "manager": join("send-statutory-assessment", role="manager"),
    }[who]
    coordinator = {
        "send-officer": join("send-statutory-assessment"),
        "early-help-officer": people.priya,
        "same": people.tom,
    }[to]
    with pytest.raises(error):
        ehc.coordinator_assign(actor=actor, needs_assessment=needs_assessment, coordinator=coordinator)
    assert refreshed(needs_assessment).coordinator == people.tom
