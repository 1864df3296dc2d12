"""Builders for the EHC needs assessment: requests agreed to assess, and the assessment at each stage."""

import datetime as dt

import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from tests.workflows.conftest import claimed, close_it, fresh
from workflows import ehc
from workflows.ehc_flows import ADVICE_NODES, NeedsAssessmentFlow
from workflows.models import AdviceKind, AdviceRequest, NeedsAssessment, NeedsAssessmentProcess, NeedsAssessmentStage

EVERY_KIND = tuple(AdviceKind.values)
ANSWER = {
    "needs": "Severe difficulties with expressive language; anxious in large groups.",
    "outcomes": "To ask for help in class and take part in group work by the end of Year 5.",
    "provision": "Weekly speech and language therapy and a daily small-group session.",
}
DRAFT_SECTIONS = {
    "A": "Mia loves drawing and wants to be a vet.",
    "B": "Communication and interaction: expressive language well below her age.",
    "C": "None related to her SEN.",
    "E": "By July 2027 Mia asks an adult for help in class without prompting.",
    "F": "Speech and language therapy weekly; small-group teaching daily.",
    "K": "Advice from the educational psychologist, health, social care, the school, Mia and her parents.",
}


def at(day: dt.date, hour: int = 10):
    """Travel to a working hour of a day (UK time is UTC or UTC+1, so 10:00 UTC is that day everywhere)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC), tick=False)


def recipients(kinds=EVERY_KIND) -> dict[str, ehc.AdviceRecipient]:
    return {kind: ehc.AdviceRecipient(name=f"{kind} adviser", email=f"{kind}@adviser.example.org") for kind in kinds}


def needs_assessment_of(assessment) -> NeedsAssessment:
    return NeedsAssessment.objects.select_related("assessment", "coordinator").get(assessment=assessment)


def agreed(received_on: dt.date | None = None, agreed_on: dt.date | None = None, **close) -> NeedsAssessment:
    """An EHCP request received, picked up by the SEND officer and agreed to assess: its needs assessment."""
    if received_on is None:
        assessment = claimed("ehcp")
        return needs_assessment_of(close_it(assessment, **close))
    with at(received_on):
        assessment = claimed("ehcp")
    with at(agreed_on or received_on):
        return needs_assessment_of(close_it(fresh(assessment), **close))


def advice_asked(needs_assessment=None, kinds=EVERY_KIND, **agree) -> NeedsAssessment:
    needs_assessment = needs_assessment or agreed(**agree)
    not_sought = {
        kind: "The school's recent report is enough; the family agree" for kind in EVERY_KIND if kind not in kinds
    }
    return ehc.advice_request(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        recipients=recipients(kinds),
        not_sought=not_sought,
    )


def advice_of(needs_assessment, kind) -> AdviceRequest:
    return AdviceRequest.objects.select_related("needs_assessment").get(needs_assessment=needs_assessment, kind=kind)


def give(needs_assessment, kind, actor=None) -> AdviceRequest:
    advice = advice_of(needs_assessment, kind)
    return ehc.advice_give(actor=actor or needs_assessment.coordinator, advice=advice, answer=ANSWER)


def all_advice_in(needs_assessment=None, kinds=EVERY_KIND) -> NeedsAssessment:
    needs_assessment = advice_asked(needs_assessment, kinds)
    for kind in kinds:
        give(needs_assessment, kind)
    return refreshed(needs_assessment)


def decided_to_issue(needs_assessment=None) -> NeedsAssessment:
    needs_assessment = all_advice_in(needs_assessment)
    return ehc.issue_decide(actor=needs_assessment.coordinator, needs_assessment=needs_assessment, decision="issue")


def draft_sent(needs_assessment=None) -> NeedsAssessment:
    needs_assessment = decided_to_issue(needs_assessment)
    ehc.draft_plan_save(actor=needs_assessment.coordinator, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
    return ehc.draft_plan_send(actor=needs_assessment.coordinator, needs_assessment=needs_assessment)


def family_done(needs_assessment) -> None:
    ehc.draft_comment_record(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        from_whom="Mia's mother",
        comments="We agree with the draft.",
        preferred_school="Hillside Primary",
        no_further_comments=True,
    )


def finalising(needs_assessment=None) -> NeedsAssessment:
    needs_assessment = draft_sent(needs_assessment)
    family_done(needs_assessment)
    return ehc.comment_period_close(actor=needs_assessment.coordinator, needs_assessment=needs_assessment)


def refreshed(needs_assessment) -> NeedsAssessment:
    return NeedsAssessment.objects.select_related("assessment", "coordinator").get(pk=needs_assessment.pk)


def active_tasks(needs_assessment) -> list[Task]:
    return list(
        Task.objects.filter(
            process__needsassessmentprocess__needs_assessment=needs_assessment, status__in=(STATUS.NEW, STATUS.ASSIGNED)
        ).order_by("pk")
    )


_COORDINATOR_NODE = {
    NeedsAssessmentStage.REQUESTING_ADVICE: NeedsAssessmentFlow.request_advice,
    NeedsAssessmentStage.DECIDING: NeedsAssessmentFlow.decide_issue,
    NeedsAssessmentStage.DRAFTING: NeedsAssessmentFlow.draft_plan,
    NeedsAssessmentStage.FINALISING: NeedsAssessmentFlow.finalise,
}


def assert_needs_assessment_flow_agrees(needs_assessment) -> None:
    """The invariants of workflows/ehc.py: the stage and the active tasks of the process agree."""
    needs_assessment = refreshed(needs_assessment)
    process = NeedsAssessmentProcess.objects.get(needs_assessment=needs_assessment)
    assert process.flow_class is NeedsAssessmentFlow
    tasks = active_tasks(needs_assessment)
    stage = needs_assessment.stage
    if stage in (NeedsAssessmentStage.ISSUED, NeedsAssessmentStage.NOT_ISSUED):
        assert process.status == PROCESS.DONE
        assert tasks == []
        ended = Task.objects.get(process=process, flow_task_type="END")
        expected_end = (
            NeedsAssessmentFlow.issued if stage == NeedsAssessmentStage.ISSUED else NeedsAssessmentFlow.not_issued
        )
        assert ended.flow_task == expected_end
        return
    assert process.status != PROCESS.DONE
    if stage in _COORDINATOR_NODE:
        assert [(task.flow_task, task.status, task.owner_id) for task in tasks] == [
            (_COORDINATOR_NODE[stage], STATUS.ASSIGNED, needs_assessment.coordinator_id)
        ]
    elif stage == NeedsAssessmentStage.GATHERING_ADVICE:
        waiting = needs_assessment.advice_requests.filter(
            answered_on__isnull=True, closed_unanswered_on__isnull=True
        ).values_list("kind", flat=True)
        expected = sorted(getattr(NeedsAssessmentFlow, ADVICE_NODES[kind]).name for kind in waiting)
        # The join waits too, once the first advice is in.
        assert sorted(task.flow_task.name for task in tasks if task.flow_task_type != "JOIN") == expected
        assert all(task.status == STATUS.NEW for task in tasks)
    elif stage == NeedsAssessmentStage.COMMENTS:
        assert [(task.flow_task, task.status) for task in tasks] == [(NeedsAssessmentFlow.comment_period, STATUS.NEW)]
    else:  # pragma: no cover - every stage is handled above
        raise AssertionError(stage)
