"""The needs assessment's steps on the request's timeline: who did what, when, written by each service."""

import datetime as dt

import pytest

from casework.models import CaseEvent, CaseEventKind
from identity.models import TeamRole
from tests.workflows.conftest import join
from tests.workflows.ehc_steps import (
    ANSWER,
    DRAFT_SECTIONS,
    advice_asked,
    advice_of,
    agreed,
    at,
    family_done,
    give,
    refreshed,
)
from workflows import ehc
from workflows.errors import TransitionRefused

D = dt.date
NEEDS_ASSESSMENT_EVENTS = (
    CaseEventKind.ADVICE_REQUESTED,
    CaseEventKind.ADVICE_GIVEN,
    CaseEventKind.ADVICE_GONE_WITHOUT,
    CaseEventKind.COORDINATOR_CHANGED,
    CaseEventKind.DECIDED_TO_ISSUE,
    CaseEventKind.DECIDED_NOT_TO_ISSUE,
    CaseEventKind.DRAFT_PLAN_SENT,
    CaseEventKind.DRAFT_COMMENTS_RECORDED,
    CaseEventKind.COMMENT_PERIOD_ENDED,
    CaseEventKind.PLAN_ISSUED,
)


def timeline_of(needs_assessment) -> list[tuple[str, str, str]]:
    events = CaseEvent.objects.filter(assessment_id=needs_assessment.assessment_id, kind__in=NEEDS_ASSESSMENT_EVENTS)
    return [
        (event.kind, event.actor.full_name, event.summary) for event in events.select_related("actor").order_by("pk")
    ]


def test_each_step_of_an_issued_plan_is_on_the_requests_timeline(people):
    """Asked 14 April 2026, advice due 26 May: each step once, by whom, with its dates."""
    needs_assessment = agreed(received_on=D(2026, 3, 2), agreed_on=D(2026, 4, 14))
    manager = join("send-statutory-assessment", role=TeamRole.MANAGER)
    colleague = join("send-statutory-assessment")
    with at(D(2026, 4, 14)):
        needs_assessment = advice_asked(needs_assessment, kinds=("health", "setting"))
        ehc.coordinator_assign(actor=manager, needs_assessment=needs_assessment, coordinator=colleague)
    with at(D(2026, 5, 4)):
        give(needs_assessment, "setting", actor=colleague)
    with at(D(2026, 5, 27)):
        needs_assessment = refreshed(needs_assessment)
        ehc.advice_close_unanswered(actor=colleague, advice=advice_of(needs_assessment, "health"), reason="No reply")
        ehc.issue_decide(actor=colleague, needs_assessment=needs_assessment, decision="issue")
        ehc.draft_plan_save(actor=colleague, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
        ehc.draft_plan_send(actor=colleague, needs_assessment=needs_assessment)
        family_done(refreshed(needs_assessment))
        ehc.comment_period_close(actor=colleague, needs_assessment=needs_assessment)
        ehc.final_plan_issue(
            actor=colleague, needs_assessment=needs_assessment, sections={**DRAFT_SECTIONS, "I": "Hillside Primary"}
        )
    tom, new = "Tom Evans", colleague.full_name
    assert timeline_of(needs_assessment) == [
        (CaseEventKind.ADVICE_REQUESTED, tom, "Advice asked of 2 professional(s), due 26 May 2026"),
        (CaseEventKind.COORDINATOR_CHANGED, manager.full_name, f"Assessment coordinator changed to {new}"),
        (CaseEventKind.ADVICE_GIVEN, new, "School or setting advice given"),
        (CaseEventKind.ADVICE_GONE_WITHOUT, new, "Gone on without the health advice due 26 May 2026"),
        (CaseEventKind.DECIDED_TO_ISSUE, new, "A draft EHC plan is next"),
        (CaseEventKind.DRAFT_PLAN_SENT, new, "Comments due by 11 June 2026"),
        (CaseEventKind.DRAFT_COMMENTS_RECORDED, new, "Comments from Mia's mother (no further comments)"),
        (CaseEventKind.COMMENT_PERIOD_ENDED, new, "The final plan is next"),
        (CaseEventKind.PLAN_ISSUED, new, "Final EHC plan issued on 27 May 2026"),
    ]
    asked = CaseEvent.objects.get(assessment_id=needs_assessment.assessment_id, kind=CaseEventKind.ADVICE_REQUESTED)
    assert asked.changes == [
        {"field": "Health advice", "before": "", "after": "health adviser"},
        {"field": "School or setting advice", "before": "", "after": "setting adviser"},
    ]
    changed = CaseEvent.objects.get(
        assessment_id=needs_assessment.assessment_id, kind=CaseEventKind.COORDINATOR_CHANGED
    )
    assert changed.changes == [{"field": "Assessment coordinator", "before": tom, "after": new}]


def test_deciding_not_to_issue_is_on_the_timeline_without_the_reasons(people):
    """The reasons go to the parents in writing; the timeline says the decision and that appeal rights were given."""
    needs_assessment = advice_asked(kinds=("health",))
    give(needs_assessment, "health")
    ehc.issue_decide(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        decision="not_issue",
        reasons="Needs met from the school's own resources",
        appeal_rights_given=True,
    )
    assert timeline_of(needs_assessment)[-1] == (
        CaseEventKind.DECIDED_NOT_TO_ISSUE,
        "Tom Evans",
        "The parents were told of their right to appeal",
    )


def test_a_refused_step_writes_nothing_on_the_timeline(people):
    """Advice given twice: the second is refused, and the timeline has one entry."""
    needs_assessment = advice_asked(kinds=("health",))
    give(needs_assessment, "health")
    with pytest.raises(TransitionRefused):
        ehc.advice_give(actor=needs_assessment.coordinator, advice=advice_of(needs_assessment, "health"), answer=ANSWER)
    assert [kind for kind, _, _ in timeline_of(needs_assessment)] == [
        CaseEventKind.ADVICE_REQUESTED,
        CaseEventKind.ADVICE_GIVEN,
    ]
