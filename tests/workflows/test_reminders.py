"""Deadline reminders: due within 5 working days, overdue; once each however often the job runs."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from tests.helpers import emails_to
from tests.workflows.conftest import JO, PRIYA, TOM, claimed, close_it, return_it, returned, submitted
from workflows import services
from workflows.models import Notification, NotificationKind, PauseReason
from workflows.reminders import deadline_reminders_send
from workflows.tasks import send_deadline_reminders

D = dt.date
# Claimed on Monday 2 March 2026, so the decision is due on Monday 30 March 2026.
SUBMITTED_ON = D(2026, 3, 2)
DUE = D(2026, 3, 30)


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def held(people):
    """An Early Help Assessment held by Priya, decision due 30 March 2026."""
    with at(SUBMITTED_ON):
        assessment = claimed("ehat")
    assert assessment.decision_due == DUE
    return assessment


def run_reminders(day, django_capture_on_commit_callbacks) -> int:
    with at(day), django_capture_on_commit_callbacks(execute=True):
        return deadline_reminders_send()


def reminders(kind) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_email", "status"))


def test_case_due_within_5_working_days_notifies_the_officer_once(held, django_capture_on_commit_callbacks):
    """Six working days before, nothing; five before, Priya hears once; the next day, nothing new."""
    mail.outbox.clear()
    assert run_reminders(D(2026, 3, 20), django_capture_on_commit_callbacks) == 0
    assert run_reminders(D(2026, 3, 23), django_capture_on_commit_callbacks) == 1
    assert run_reminders(D(2026, 3, 24), django_capture_on_commit_callbacks) == 0
    assert reminders(NotificationKind.DEADLINE_SOON) == [(PRIYA, "sent")]
    [email] = mail.outbox
    assert email.to == [PRIYA]
    assert email.subject == f"Decision due on 30 March 2026: {held.reference}"


def test_reminder_task_run_twice_sends_once(held, django_capture_on_commit_callbacks):
    """Beat (or a redelivered message) may run the job twice: one notification, one e-mail."""
    mail.outbox.clear()
    with at(D(2026, 3, 25)), django_capture_on_commit_callbacks(execute=True):
        first = send_deadline_reminders.delay().get()
        second = send_deadline_reminders.delay().get()
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(kind=NotificationKind.DEADLINE_SOON).count() == 1
    assert len(emails_to(PRIYA)) == 1


def test_overdue_case_notifies_the_officer_and_each_team_manager_once(held, django_capture_on_commit_callbacks):
    manager = Notification.objects.none()
    mail.outbox.clear()
    # Due today: a last "due" reminder to the officer, not yet overdue.
    assert run_reminders(D(2026, 3, 30), django_capture_on_commit_callbacks) == 1
    assert reminders(NotificationKind.DEADLINE_SOON) == [(PRIYA, "sent")]
    assert run_reminders(D(2026, 3, 31), django_capture_on_commit_callbacks) == 2
    assert run_reminders(D(2026, 4, 1), django_capture_on_commit_callbacks) == 0
    assert reminders(NotificationKind.OVERDUE) == [(JO, "sent"), (PRIYA, "sent")]
    assert [email.subject for email in emails_to(JO)] == [f"Overdue since 30 March 2026: {held.reference}"]
    assert len(emails_to(PRIYA)) == 2  # "due today", then "overdue"
    assert not manager.exists()


def test_overdue_case_in_the_queue_goes_to_the_team_mailbox_and_the_manager(people, django_capture_on_commit_callbacks):
    with at(SUBMITTED_ON):
        submitted("ehat")
    assert run_reminders(D(2026, 4, 1), django_capture_on_commit_callbacks) == 2
    assert reminders(NotificationKind.OVERDUE) == [("earlyhelp@plymouth.gov.uk", "sent"), (JO, "sent")]


def test_paused_cases_get_no_reminders(held, people, django_capture_on_commit_callbacks):
    with at(D(2026, 3, 10)):
        services.clock_pause(actor=people.priya, assessment=held, reason=PauseReason.WAITING_FOR_FAMILY)
    with at(SUBMITTED_ON):
        back_with_author = returned("ehat")
    assert back_with_author.decision_due == DUE
    for day in (D(2026, 3, 25), D(2026, 4, 2)):
        assert run_reminders(day, django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(kind__in=(NotificationKind.DEADLINE_SOON, NotificationKind.OVERDUE))


def test_closed_cases_get_no_reminders(held, django_capture_on_commit_callbacks):
    with at(D(2026, 3, 10)):
        close_it(held)
    for day in (D(2026, 3, 25), D(2026, 4, 2)):
        assert run_reminders(day, django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(kind__in=(NotificationKind.DEADLINE_SOON, NotificationKind.OVERDUE))


def test_returned_ehcp_past_its_statutory_date_is_still_overdue(people, django_capture_on_commit_callbacks):
    """A return does not stop the EHCP clock (CoP 9.42 only), so its officer hears when the 6 weeks pass."""
    with at(SUBMITTED_ON):
        assessment = return_it(claimed("ehcp"))
    assert assessment.decision_due == D(2026, 4, 13)
    assert run_reminders(D(2026, 4, 14), django_capture_on_commit_callbacks) == 1
    assert reminders(NotificationKind.OVERDUE) == [(TOM, "sent")]
