"""Reminders of the needs assessment's advice: due soon, overdue, escalated; once each however often the job runs."""

import datetime as dt

import pytest
from django.core import mail

from identity.models import TeamRole
from tests.helpers import emails_to
from tests.workflows.conftest import TOM, join
from tests.workflows.ehc_steps import advice_asked, advice_of, agreed, at, give
from workflows import ehc
from workflows.models import Notification, NotificationKind, PauseReason
from workflows.reminders import advice_reminders_send
from workflows.tasks import send_deadline_reminders

D = dt.date
# Asked on Tuesday 14 April 2026: due on Tuesday 26 May, the day after the spring bank holiday (25 May).
ASKED_ON = D(2026, 4, 14)
DUE = D(2026, 5, 26)
HEALTH = "health@adviser.example.org"
SETTING = "setting@adviser.example.org"


@pytest.fixture
def asked(people):
    """Health and the setting asked for advice by Tom, the coordinator; the SEND team has a manager."""
    needs_assessment = agreed(received_on=D(2026, 3, 2), agreed_on=ASKED_ON)
    with at(ASKED_ON):
        needs_assessment = advice_asked(needs_assessment, kinds=("health", "setting"))
    assert advice_of(needs_assessment, "health").due_on == DUE
    return needs_assessment


@pytest.fixture
def send_manager(demo_data):
    return join("send-statutory-assessment", role=TeamRole.MANAGER)


def run(day, django_capture_on_commit_callbacks) -> int:
    with at(day), django_capture_on_commit_callbacks(execute=True):
        return advice_reminders_send()


def told(kind) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_email", flat=True))


def test_advice_due_within_5_working_days_reminds_each_professional_once(asked, django_capture_on_commit_callbacks):
    """The spring bank holiday is not a working day, so the reminder comes on Monday 18 May, not Tuesday."""
    mail.outbox.clear()
    assert run(D(2026, 5, 15), django_capture_on_commit_callbacks) == 0
    assert run(D(2026, 5, 18), django_capture_on_commit_callbacks) == 2
    assert run(D(2026, 5, 19), django_capture_on_commit_callbacks) == 0
    assert told(NotificationKind.ADVICE_DUE_SOON) == [HEALTH, SETTING]
    [email] = emails_to(HEALTH)
    assert email.subject == f"Advice due on 26 May 2026: {asked.assessment.reference}"
    # Not yet registered: the reminder says how to, with the address it went to.
    assert "register with this e-mail address first" in email.body


def test_overdue_advice_tells_the_professional_and_the_coordinator_once(asked, django_capture_on_commit_callbacks):
    """Due today is not overdue; the day after, the professional and the coordinator hear, once."""
    assert run(DUE, django_capture_on_commit_callbacks) == 2  # the last "due soon"
    assert told(NotificationKind.ADVICE_OVERDUE) == []
    mail.outbox.clear()
    assert run(D(2026, 5, 27), django_capture_on_commit_callbacks) == 4
    assert run(D(2026, 5, 28), django_capture_on_commit_callbacks) == 0
    assert told(NotificationKind.ADVICE_OVERDUE) == [HEALTH, SETTING, TOM, TOM]
    to_tom = sorted(email.body for email in emails_to(TOM))
    assert "health adviser was asked for the health advice" in to_tom[0]
    assert "contact health adviser today, or go on without the advice and say why" in to_tom[0]
    assert "setting adviser was asked for the school or setting advice" in to_tom[1]


def test_advice_still_missing_10_working_days_late_goes_to_the_send_managers(
    asked, send_manager, django_capture_on_commit_callbacks
):
    """10 working days after 26 May is 9 June: the managers hear that day, once, and not the day before."""
    give(asked, "setting")
    assert run(D(2026, 5, 27), django_capture_on_commit_callbacks) == 2
    assert run(D(2026, 6, 8), django_capture_on_commit_callbacks) == 0
    assert told(NotificationKind.ADVICE_ESCALATED) == []
    mail.outbox.clear()
    assert run(D(2026, 6, 9), django_capture_on_commit_callbacks) == 1
    assert run(D(2026, 6, 10), django_capture_on_commit_callbacks) == 0
    assert told(NotificationKind.ADVICE_ESCALATED) == [send_manager.email]
    [email] = emails_to(send_manager.email)
    assert email.subject == f"Advice still missing, due 26 May 2026: {asked.assessment.reference}"
    assert "still missing 10 working days after it was due on 26 May 2026" in email.body
    assert "Tom Evans coordinates the assessment" in email.body


def test_no_reminder_for_advice_given_or_gone_on_without(asked, send_manager, django_capture_on_commit_callbacks):
    give(asked, "setting")
    with at(D(2026, 5, 27)):
        ehc.advice_close_unanswered(
            actor=asked.coordinator, advice=advice_of(asked, "health"), reason="No reply after three calls"
        )
    for day in (D(2026, 5, 18), D(2026, 5, 28), D(2026, 6, 30)):
        assert run(day, django_capture_on_commit_callbacks) == 0
    assert Notification.objects.filter(kind__startswith="advice_", dedupe_key__isnull=False).count() == 0


def test_no_reminder_while_the_clock_is_paused_and_a_new_one_for_the_moved_date(
    asked, django_capture_on_commit_callbacks
):
    """Paused for 14 days from 11 May: nothing while paused; the advice is then due on 9 June and reminded for it."""
    with at(D(2026, 5, 11)):
        ehc.needs_assessment_clock_pause(
            actor=asked.coordinator, needs_assessment=asked, reason=PauseReason.FAMILY_CIRCUMSTANCES
        )
    assert run(D(2026, 5, 18), django_capture_on_commit_callbacks) == 0
    assert run(D(2026, 5, 27), django_capture_on_commit_callbacks) == 0
    with at(D(2026, 5, 25)):
        ehc.needs_assessment_clock_resume(actor=asked.coordinator, needs_assessment=asked)
    assert advice_of(asked, "health").due_on == D(2026, 6, 9)
    assert run(D(2026, 5, 27), django_capture_on_commit_callbacks) == 0
    assert run(D(2026, 6, 2), django_capture_on_commit_callbacks) == 2
    assert told(NotificationKind.ADVICE_DUE_SOON) == [HEALTH, SETTING]
    assert told(NotificationKind.ADVICE_OVERDUE) == []


def test_no_reminder_once_the_needs_assessment_has_moved_on(asked, django_capture_on_commit_callbacks):
    """All the advice in, the decision is next: nothing more about advice, however late it is."""
    give(asked, "health")
    give(asked, "setting")
    assert run(D(2026, 7, 1), django_capture_on_commit_callbacks) == 0
    assert told(NotificationKind.ADVICE_OVERDUE) == []


def test_the_daily_task_sends_advice_reminders_once_however_often_it_runs(asked, django_capture_on_commit_callbacks):
    """Beat (or a redelivered message) may run the job twice: one reminder each."""
    mail.outbox.clear()
    with at(D(2026, 5, 18)), django_capture_on_commit_callbacks(execute=True):
        first = send_deadline_reminders.delay().get()
        second = send_deadline_reminders.delay().get()
    assert (first, second) == (2, 0)
    assert len(emails_to(HEALTH)) == 1
    assert len(emails_to(SETTING)) == 1


def test_a_registered_professional_gets_the_reminder_on_their_account(people, django_capture_on_commit_callbacks):
    """Sam, asked for the setting's advice, is a user: the reminder is theirs, with no invitation to register."""
    needs_assessment = agreed(received_on=D(2026, 3, 2), agreed_on=ASKED_ON)
    with at(ASKED_ON):
        ehc.advice_request(
            actor=needs_assessment.coordinator,
            needs_assessment=needs_assessment,
            recipients={"setting": ehc.AdviceRecipient(name="Sam Taylor", email=people.sam.email)},
            not_sought={kind: "The annual review is enough" for kind in ehc.ADVICE_WHAT if kind != "setting"},
        )
    mail.outbox.clear()
    assert run(D(2026, 5, 18), django_capture_on_commit_callbacks) == 1
    reminder = Notification.objects.get(kind=NotificationKind.ADVICE_DUE_SOON)
    assert reminder.recipient == people.sam
    [email] = emails_to(people.sam.email)
    assert "register" not in email.body
    assert f"/cases/{needs_assessment.assessment_id}/needs-assessment/advice/setting/" in email.body
