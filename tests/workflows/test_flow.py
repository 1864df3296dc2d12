"""Status and viewflow task agree after every step, end to end, for each kind; routing on resubmission and reopening."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from guardian.shortcuts import get_user_perms
from viewflow.workflow.status import PROCESS

from casework.models import CaseEventKind, Outcome, Status
from tests.workflows.conftest import (
    KINDS,
    assert_flow_agrees,
    claimed,
    close_it,
    closed,
    draft,
    fresh,
    leave,
    officer_for,
    resubmit,
    return_it,
    returned,
    submitted,
    withdraw_it,
)
from workflows import services
from workflows.flows import under_the_services_lock
from workflows.models import AssessmentReview, ClockPause, Notification, NotificationKind
from workflows.selectors import queue_base

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


_REVIEW_EVENTS = (
    CaseEventKind.SUBMITTED,
    CaseEventKind.CLAIMED,
    CaseEventKind.RETURNED,
    CaseEventKind.CLOSED,
)


def holds_review_right(user, assessment) -> bool:
    """The officer's own object right (the team's group right is separate)."""
    return "review_assessment" in get_user_perms(user, assessment)


@pytest.mark.parametrize("kind", KINDS)
def test_submit_claim_return_resubmit_claim_close_keeps_status_and_task_in_step(people, kind):
    """One end-to-end review per kind: after every step the status and the active task agree."""
    officer = officer_for(kind)
    assessment = submitted(kind)
    assert_flow_agrees(assessment)

    services.assessment_claim(actor=officer, assessment=assessment)
    assert fresh(assessment).status == Status.UNDER_REVIEW
    assert_flow_agrees(assessment)

    assessment = return_it(fresh(assessment))
    assert assessment.status == Status.RETURNED
    assert_flow_agrees(assessment)

    assessment = resubmit(assessment)
    assert (assessment.status, assessment.assigned_to) == (Status.SUBMITTED, officer)
    assert_flow_agrees(assessment)

    services.assessment_claim(actor=officer, assessment=assessment)
    assert_flow_agrees(assessment)

    assessment = close_it(fresh(assessment))
    assert assessment.status == Status.CLOSED
    assert_flow_agrees(assessment)
    assert AssessmentReview.objects.get(assessment=assessment).status == PROCESS.DONE
    assert list(assessment.events.filter(kind__in=_REVIEW_EVENTS).order_by("pk").values_list("kind", flat=True)) == [
        CaseEventKind.SUBMITTED,
        CaseEventKind.CLAIMED,
        CaseEventKind.RETURNED,
        CaseEventKind.SUBMITTED,
        CaseEventKind.CLAIMED,
        CaseEventKind.CLOSED,
    ]


def test_resubmission_goes_back_to_the_officer_who_returned_it(cast):
    """Still in the team: the officer is told and finds it in their own work, not in the team's queue."""
    assessment = resubmit(returned("ehat"))
    assert (assessment.status, assessment.assigned_to) == (Status.SUBMITTED, cast.priya)
    assert assessment in queue_base(cast.priya, "mine")
    assert assessment not in queue_base(cast.second, "queue")
    assert Notification.objects.filter(kind=NotificationKind.RESUBMITTED, recipient=cast.priya).count() == 1
    # The team's mailbox heard of the first submission only.
    assert Notification.objects.filter(kind=NotificationKind.NEW_IN_QUEUE, assessment=assessment).count() == 1
    services.assessment_claim(actor=cast.priya, assessment=assessment)
    assert fresh(assessment).assigned_to == cast.priya
    assert_flow_agrees(assessment)


def test_resubmission_goes_to_the_queue_when_the_officer_has_left_the_team(cast):
    """The officer who returned it has left: it waits unassigned in the queue and they lose their right."""
    assessment = returned("ehat", officer=cast.second)
    leave("early-help-hub", cast.second)
    assessment = resubmit(assessment)
    assert (assessment.status, assessment.assigned_to) == (Status.SUBMITTED, None)
    assert not holds_review_right(cast.second, assessment)
    assert assessment in queue_base(cast.priya, "queue")
    assert (
        Notification.objects.filter(assessment=assessment, kind=NotificationKind.NEW_IN_QUEUE)
        .order_by("-pk")
        .values_list("recipient_email", flat=True)
        .first()
        == "earlyhelp@plymouth.gov.uk"
    )
    assert_flow_agrees(assessment)


def test_release_puts_the_case_where_a_colleague_can_pick_it_up(cast):
    assessment = claimed("ehat")
    assert assessment not in queue_base(cast.second, "queue")
    services.assessment_release(actor=cast.priya, assessment=assessment)
    assert assessment in queue_base(cast.second, "queue")
    services.assessment_claim(actor=cast.second, assessment=fresh(assessment))
    assert fresh(assessment).assigned_to == cast.second
    assert_flow_agrees(assessment)


def test_manager_assign_and_reassign_move_the_review_right_between_officers(cast):
    """Assigned to Priya, then reassigned: the right and the task both follow, and nobody else keeps it."""
    assessment = submitted("ehat")
    services.assessment_assign(actor=cast.jo, assessment=assessment, officer=cast.priya)
    assert holds_review_right(cast.priya, assessment)
    assert_flow_agrees(assessment)

    services.assessment_assign(actor=cast.jo, assessment=fresh(assessment), officer=cast.second)
    assert fresh(assessment).assigned_to == cast.second
    assert holds_review_right(cast.second, assessment)
    assert not holds_review_right(cast.priya, assessment)
    assert_flow_agrees(assessment)

    with pytest.raises(services.TransitionRefused, match="already has this assessment"):
        services.assessment_assign(actor=cast.jo, assessment=fresh(assessment), officer=cast.second)


def test_reopen_within_the_window_goes_back_to_the_last_officer(people):
    """29 days after the decision the manager reopens it: a new review, held by the officer who decided."""
    with time_machine.travel(START, tick=False) as traveller:
        assessment = closed("ehat")
        traveller.shift(dt.timedelta(days=29))
        services.assessment_reopen(actor=people.jo, assessment=assessment, reason="The school has new concerns")
    assessment = fresh(assessment)
    assert (assessment.status, assessment.assigned_to, assessment.outcome) == (
        Status.UNDER_REVIEW,
        people.priya,
        "",
    )
    assert assessment.closed_at is None
    statuses = list(AssessmentReview.objects.filter(assessment=assessment).order_by("pk").values_list("status"))
    assert statuses == [(PROCESS.DONE,), (PROCESS.NEW,)]
    assert_flow_agrees(assessment)


def test_reopen_is_refused_after_the_window(people):
    with time_machine.travel(START, tick=False) as traveller:
        assessment = closed("ehat")
        traveller.shift(dt.timedelta(days=30, minutes=1))
        assert not services.can_reopen(people.jo, fresh(assessment))
        with pytest.raises(services.TransitionRefused, match="closed in the last 30 days"):
            services.assessment_reopen(actor=people.jo, assessment=assessment, reason="Too late")
    assert fresh(assessment).status == Status.CLOSED
    assert_flow_agrees(assessment)


def test_reopen_puts_it_in_the_queue_when_the_last_officer_has_left(cast):
    """The officer who decided has left the team: the reopened case waits in the queue and they hold no right."""
    assessment = closed("ehat", officer=cast.second)
    leave("early-help-hub", cast.second)
    services.assessment_reopen(actor=cast.jo, assessment=assessment, reason="New information")
    assessment = fresh(assessment)
    assert (assessment.status, assessment.assigned_to) == (Status.SUBMITTED, None)
    assert assessment in queue_base(cast.priya, "queue")
    assert_flow_agrees(assessment)
    assert not holds_review_right(cast.second, assessment)


def test_closed_case_can_be_reopened_and_decided_again(people):
    assessment = closed("ehat")
    services.assessment_reopen(actor=people.jo, assessment=assessment, reason="New information")
    assessment = close_it(fresh(assessment), outcome=Outcome.STEPPED_UP)
    assert assessment.outcome == Outcome.STEPPED_UP
    assert_flow_agrees(assessment)
    assert AssessmentReview.objects.filter(assessment=assessment, status=PROCESS.DONE).count() == 2


STEPS = {
    "draft": lambda: draft("ehat"),
    "submitted": lambda: submitted("ehat"),
    "under_review": lambda: claimed("ehat"),
    "returned": lambda: returned("ehat"),
}


@pytest.mark.parametrize(
    ("at", "officer_told"),
    [
        pytest.param("draft", False, id="draft"),
        pytest.param("submitted", False, id="submitted"),
        pytest.param("under_review", True, id="under-review"),
        pytest.param("returned", True, id="returned"),
    ],
)
def test_withdraw_at_each_step_closes_as_withdrawn_and_tells_the_officer_holding_it(people, at, officer_told):
    """The process is cancelled (none for a draft), any open pause ends, and the holder is told (the reason is
    read on the portal, not in the e-mail)."""
    assessment = withdraw_it(STEPS[at](), reason="The family has moved out of the area")
    assert (assessment.status, assessment.outcome) == (Status.CLOSED, Outcome.WITHDRAWN)
    assert assessment.closed_at is not None
    assert_flow_agrees(assessment)
    assert not ClockPause.objects.filter(assessment=assessment, ended_on__isnull=True).exists()
    reviews = AssessmentReview.objects.filter(assessment=assessment)
    assert [review.status for review in reviews] == ([] if at == "draft" else [PROCESS.CANCELED])
    told = Notification.objects.filter(assessment=assessment, kind=NotificationKind.WITHDRAWN)
    assert [(n.recipient, "Their reason is on the portal" in n.body) for n in told] == (
        [(people.priya, True)] if officer_told else []
    )


@pytest.mark.django_db(transaction=True)
def test_a_review_is_changed_only_inside_a_transaction():
    """viewflow takes no lock of its own: it relies on the service's transaction holding the case's row."""
    with pytest.raises(RuntimeError, match="only inside a service's transaction"), under_the_services_lock(None, 1):
        pass
    with transaction.atomic(), under_the_services_lock(None, 1):
        pass
