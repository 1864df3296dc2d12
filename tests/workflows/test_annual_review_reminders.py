"""The annual review's reminders to its holder across a year: meeting due within 8 weeks, meeting overdue,
decision overdue 4 weeks after the meeting; each once however often the daily job runs."""

import datetime as dt

import pytest
from django.core import mail

from tests.workflows.annual_review_steps import current_review, meeting_recorded, plan_issued
from tests.workflows.conftest import TOM
from tests.workflows.ehc_steps import at
from workflows import annual_review
from workflows.models import Notification, NotificationKind
from workflows.reminders import annual_review_reminders_send
from workflows.tasks import send_deadline_reminders

D = dt.date
# Issued on Monday 2 March 2026: the first review meeting is due by 2 March 2027; 8 weeks before is 5 January.
ISSUED_ON = D(2026, 3, 2)


def run(day, django_capture_on_commit_callbacks) -> int:
    with at(day, hour=7), django_capture_on_commit_callbacks(execute=True):
        return annual_review_reminders_send()


def sent(kind) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_email", "subject"))


@pytest.fixture
def issued(people):
    return plan_issued(ISSUED_ON)


def test_the_holder_hears_8_weeks_before_the_review_is_due_once(issued, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    assert run(D(2026, 3, 3), django_capture_on_commit_callbacks) == 0
    assert run(D(2027, 1, 4), django_capture_on_commit_callbacks) == 0
    assert run(D(2027, 1, 5), django_capture_on_commit_callbacks) == 1
    assert run(D(2027, 1, 6), django_capture_on_commit_callbacks) == 0
    assert run(D(2027, 3, 2), django_capture_on_commit_callbacks) == 0
    reference = issued.assessment.reference
    assert sent(NotificationKind.ANNUAL_REVIEW_SOON) == [
        (TOM, f"Annual review of the EHC plan due by 2 March 2027: {reference}")
    ]
    [email] = mail.outbox
    assert email.to == [TOM]
    assert f"/cases/{issued.assessment_id}/needs-assessment/annual-review/" in email.body
    assert "at least 2 weeks before the meeting" in email.body


def test_the_holder_hears_once_when_the_review_is_overdue(issued, django_capture_on_commit_callbacks):
    assert run(D(2027, 3, 2), django_capture_on_commit_callbacks) == 1  # the 8 weeks' notice, late in the day
    assert run(D(2027, 3, 3), django_capture_on_commit_callbacks) == 1
    assert run(D(2027, 3, 4), django_capture_on_commit_callbacks) == 0
    assert run(D(2027, 6, 1), django_capture_on_commit_callbacks) == 0
    assert sent(NotificationKind.ANNUAL_REVIEW_LATE) == [
        (TOM, f"Annual review of the EHC plan overdue since 2 March 2027: {issued.assessment.reference}")
    ]


def test_a_meeting_recorded_in_time_stops_the_overdue_reminder(issued, django_capture_on_commit_callbacks):
    with at(D(2027, 2, 26)):
        meeting_recorded(current_review(issued), D(2027, 2, 26))
    assert run(D(2027, 3, 3), django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(kind=NotificationKind.ANNUAL_REVIEW_LATE).exists()


def test_the_decision_overdue_4_weeks_after_the_meeting_is_told_once_and_the_next_year_starts_again(
    issued, people, django_capture_on_commit_callbacks
):
    with at(D(2027, 3, 10)):
        review = meeting_recorded(current_review(issued), D(2027, 3, 10))
    assert run(D(2027, 4, 7), django_capture_on_commit_callbacks) == 0
    assert run(D(2027, 4, 8), django_capture_on_commit_callbacks) == 1
    assert run(D(2027, 4, 9), django_capture_on_commit_callbacks) == 0
    assert sent(NotificationKind.ANNUAL_DECISION_LATE) == [
        (TOM, f"Decision after the annual review overdue since 7 April 2027: {issued.assessment.reference}")
    ]
    with at(D(2027, 4, 9)):
        annual_review.annual_review_decide(actor=people.tom, review=review, decision="amend")
    # The second review is due 12 months after the meeting, 10 March 2028; 8 weeks before is 14 January 2028.
    assert run(D(2028, 1, 13), django_capture_on_commit_callbacks) == 0
    assert run(D(2028, 1, 14), django_capture_on_commit_callbacks) == 1
    assert [subject for _, subject in sent(NotificationKind.ANNUAL_REVIEW_SOON)] == [
        f"Annual review of the EHC plan due by 10 March 2028: {issued.assessment.reference}"
    ]


def test_a_ceased_plan_has_no_more_reminders(issued, people, django_capture_on_commit_callbacks):
    with at(D(2027, 2, 1)):
        review = meeting_recorded(current_review(issued), D(2027, 2, 1), recommendation="cease")
        annual_review.annual_review_decide(actor=people.tom, review=review, decision="cease")
    for day in (D(2027, 3, 3), D(2028, 1, 14), D(2028, 3, 3)):
        assert run(day, django_capture_on_commit_callbacks) == 0


def test_the_daily_reminder_job_sends_the_annual_reviews_reminders_once(issued, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with at(D(2027, 1, 5), hour=7), django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders.delay().get()
        send_deadline_reminders.delay().get()
    assert [email.subject for email in mail.outbox] == [
        f"Annual review of the EHC plan due by 2 March 2027: {issued.assessment.reference}"
    ]
