"""Two people acting on one case at the same moment: exactly one wins, and the case stays consistent.

SQLite has no row locks, so these run on PostgreSQL only (CI's second pass), each thread on its own connection.
"""

import pytest
from django.core import mail

from casework.models import Assessment, CaseEventKind, Outcome, Status
from tests.helpers import at_once, emails_to
from tests.workflows.conftest import (
    SAM,
    assert_flow_agrees,
    claimed,
    close_it,
    events_of,
    fresh,
    submitted,
    withdraw_it,
)
from workflows import services
from workflows.models import Notification, NotificationKind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_officers_claiming_at_once_exactly_one_wins(cast):
    """Priya and her colleague press 'Pick up' together: one has it, the other is told who."""
    assessment = submitted("ehat")
    mail.outbox.clear()
    officers = (cast.priya, cast.second)

    def claim_as(officer):
        return lambda: services.assessment_claim(actor=officer, assessment=Assessment.objects.get(pk=assessment.pk))

    results = at_once(*(claim_as(officer) for officer in officers))

    outcomes = sorted(outcome for outcome, _ in results)
    assert outcomes == ["done", "refused"], results
    winner = officers[[outcome for outcome, _ in results].index("done")]
    [error] = [value for outcome, value in results if outcome == "refused"]
    assert isinstance(error, services.AlreadyTaken)
    assert str(error) == f"{winner.full_name} has just picked this assessment up"

    assessment = fresh(assessment)
    assert (assessment.status, assessment.assigned_to) == (Status.UNDER_REVIEW, winner)
    assert [event.actor for event in events_of(assessment, CaseEventKind.CLAIMED)] == [winner]
    assert Notification.objects.filter(assessment=assessment, kind=NotificationKind.CLAIMED).count() == 1
    assert len(emails_to(SAM)) == 1
    assert_flow_agrees(assessment)  # one review task, ASSIGNED to the winner


def test_officer_deciding_while_the_author_withdraws_has_exactly_one_effect(people):
    """The decision and the withdrawal cross: the case closes once, one way, with the process to match."""
    assessment = claimed("ehat")
    mail.outbox.clear()

    results = at_once(
        lambda: close_it(Assessment.objects.get(pk=assessment.pk), officer=people.priya),
        lambda: withdraw_it(Assessment.objects.get(pk=assessment.pk)),
    )

    assert sorted(outcome for outcome, _ in results) == ["done", "refused"], results
    [error] = [value for outcome, value in results if outcome == "refused"]
    assert isinstance(error, services.TransitionRefused)
    decided = results[0][0] == "done"

    assessment = fresh(assessment)
    assert assessment.status == Status.CLOSED
    assert assessment.outcome == (Outcome.SIGNPOSTED if decided else Outcome.WITHDRAWN)
    assert len(events_of(assessment, CaseEventKind.CLOSED)) == (1 if decided else 0)
    assert len(events_of(assessment, CaseEventKind.WITHDRAWN)) == (0 if decided else 1)
    kinds = set(Notification.objects.filter(assessment=assessment).values_list("kind", flat=True))
    assert (NotificationKind.CLOSED in kinds, NotificationKind.WITHDRAWN in kinds) == (decided, not decided)
    assert_flow_agrees(assessment)  # DONE when decided, CANCELED when withdrawn
