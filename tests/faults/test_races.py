"""Races the workflow tests do not cover (ASVS 2.3): co-authors saving together, a double-clicked submit,
the reminder job on two workers at once. Exactly one effect each, on PostgreSQL with real row locks.
"""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from viewflow.workflow.models import Task

from casework.models import AssessmentSection, CaseEvent, CaseEventKind, SectionDraft, Status
from casework.services import SectionConflict, section_save
from identity.models import TeamMembership, TeamRole
from tests.casework.conftest import share, valid_answers, verified_professional
from tests.helpers import at_once, emails_to, sign_in
from tests.workflows.conftest import SAM, claimed, draft, fresh, submitted
from workflows import deadlines, services
from workflows.models import AssessmentReview, DeliveryStatus, Notification, NotificationKind
from workflows.tasks import send_deadline_reminders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _people_answers(name: str) -> dict:
    return {**valid_answers("ehat")["people"], "completer_name": name}


@pytest.mark.parametrize("key", ["people", "reason"], ids=["section-already-saved", "first-save-of-the-section"])
def test_two_co_authors_saving_one_section_at_once_one_wins_the_other_keeps_a_draft(people, key):
    """Sam and a co-author press Save on the same section together: one save lands, the other is a conflict
    with what they typed kept as their draft; the history holds the winner's save only."""
    assessment = draft("ehat")
    co_author = verified_professional(organisation=people.sam.organisation, full_name="Casey Colleague")
    share(assessment, with_user=co_author)
    if key == "reason":
        AssessmentSection.objects.filter(assessment=assessment, key=key).delete()  # as if never saved
    section = AssessmentSection.objects.filter(assessment=assessment, key=key).first()
    base = section.version if section else 0
    history_before = AssessmentSection.history.filter(assessment_id=assessment.pk, key=key).count()
    events_before = CaseEvent.objects.filter(assessment=assessment).count()
    typed = {
        people.sam.pk: _people_answers("Typed by Sam")
        if key == "people"
        else {"reason": "Typed by Sam", "level_of_need": "multiple"},
        co_author.pk: _people_answers("Typed by Casey")
        if key == "people"
        else {"reason": "Typed by Casey", "level_of_need": "single"},
    }

    def save_as(user):
        return lambda: section_save(
            actor=user, assessment=fresh(assessment), key=key, data=typed[user.pk], base_version=base, complete=False
        )

    results = at_once(save_as(people.sam), save_as(co_author))

    assert sorted(outcome for outcome, _ in results) == ["done", "refused"], results
    writers = (people.sam, co_author)
    winner = writers[[outcome for outcome, _ in results].index("done")]
    loser = writers[[outcome for outcome, _ in results].index("refused")]
    [conflict] = [value for outcome, value in results if outcome == "refused"]
    assert isinstance(conflict, SectionConflict), conflict
    assert conflict.current.version == base + 1

    section = AssessmentSection.objects.get(assessment=assessment, key=key)
    assert section.version == base + 1
    assert section.updated_by == winner
    assert {k: section.data[k] for k in typed[winner.pk]} == typed[winner.pk]
    # The loser's typing is kept, against the version they started from, so the conflict page can offer it.
    kept = SectionDraft.objects.get(assessment=assessment, key=key, user=loser)
    assert (kept.base_version, {k: kept.data[k] for k in typed[loser.pk]}) == (base, typed[loser.pk])
    assert not SectionDraft.objects.filter(assessment=assessment, key=key, user=winner).exists()
    # One effect: one history row of the new version, the winner's; nothing of the loser's in the history.
    new_history = list(
        AssessmentSection.history.filter(assessment_id=assessment.pk, key=key).order_by("history_id")[history_before:]
    )
    [saved] = [row for row in new_history if row.version == base + 1]
    assert (saved.history_user_id, saved.data) == (winner.pk, section.data)
    assert all(row.history_user_id != loser.pk for row in new_history)
    assert all(
        row.data.get(next(iter(typed[loser.pk]))) != typed[loser.pk][next(iter(typed[loser.pk]))] for row in new_history
    )
    events = CaseEvent.objects.filter(assessment=assessment).order_by("pk")[events_before:]
    assert [(event.kind, event.actor_id) for event in events] == [(CaseEventKind.SECTION_SAVED, winner.pk)]

    # Back on the page, the loser finds what they typed, with the warning that someone saved since.
    page = sign_in(Client(), loser).get(f"/assessments/{assessment.pk}/sections/{key}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Typed by {escape(loser.full_name.split()[0])}" in html
    assert "Someone has saved this section since you typed this" in html


def test_double_clicked_submit_submits_once(people):
    """Two submits of one draft at the same moment: one submission, one event, one process, one e-mail each."""
    assessment = draft("ehat")
    mail.outbox.clear()

    def submit():
        return services.assessment_submit(actor=people.sam, assessment=fresh(assessment), declaration=True)

    results = at_once(submit, submit)

    assert sorted(outcome for outcome, _ in results) == ["done", "refused"], results
    [refusal] = [value for outcome, value in results if outcome == "refused"]
    assert isinstance(refusal, services.SubmissionRefused)
    assert str(refusal) == "This assessment has already been submitted"
    _assert_submitted_once(assessment)


def test_double_clicked_submit_button_through_the_page_submits_once(people):
    """The same browser posts the submit form twice at once: both land on a sensible page, one submission."""
    assessment = draft("ehat")
    session_cookie = sign_in(Client(), people.sam).cookies
    mail.outbox.clear()

    def press_submit():
        client = Client()
        client.cookies = session_cookie
        return client.post(f"/assessments/{assessment.pk}/submit/", {"declaration": "yes"})

    results = at_once(press_submit, press_submit)

    assert [outcome for outcome, _ in results] == ["done", "done"], results
    locations = sorted(response["Location"] for _, response in results)
    assert [response.status_code for _, response in results] == [302, 302]
    assert locations == sorted(
        [f"/assessments/{assessment.pk}/submitted/", f"/assessments/{assessment.pk}/check-your-answers/"]
    )
    _assert_submitted_once(assessment)


def _assert_submitted_once(assessment) -> None:
    assessment = fresh(assessment)
    assert assessment.status == Status.SUBMITTED
    assert CaseEvent.objects.filter(assessment=assessment, kind=CaseEventKind.SUBMITTED).count() == 1
    reviews = AssessmentReview.objects.filter(assessment=assessment)
    assert reviews.count() == 1
    assert Task.objects.filter(process__in=reviews, flow_task=reviews.get().flow_class.review).count() == 1
    assert list(
        Notification.objects.filter(assessment=assessment).order_by("kind").values_list("kind", "recipient_email")
    ) == [(NotificationKind.NEW_IN_QUEUE, assessment.team.email), (NotificationKind.SUBMITTED, SAM)]
    assert len(emails_to(SAM)) == 1
    assert len(emails_to(assessment.team.email)) == 1
    assert assessment.history.filter(history_change_reason="Submitted").count() == 1


def test_reminder_job_on_two_workers_at_once_notifies_once_per_reminder(people):
    """The job runs on three workers at once (two beats, a redelivery): each reminder is written and e-mailed once."""
    today = timezone.localdate()
    holidays = deadlines.bank_holidays()
    soon = [claimed("ehat", first_name=f"Soon{i}") for i in range(3)]
    overdue = [claimed("ehat", first_name=f"Late{i}") for i in range(2)] + [submitted("ehat", first_name="Queued")]
    for assessment in soon:
        type(assessment).objects.filter(pk=assessment.pk).update(
            decision_due=deadlines.add_working_days(today, 2, holidays)
        )
    for assessment in overdue:
        type(assessment).objects.filter(pk=assessment.pk).update(decision_due=today - dt.timedelta(days=3))
    managers = TeamMembership.objects.filter(team=overdue[0].team, role=TeamRole.MANAGER).count()
    assert managers >= 1
    Notification.objects.all().delete()
    mail.outbox.clear()

    def run_the_job():
        outcome = send_deadline_reminders.apply()  # the task as a worker runs it, on this thread
        assert outcome.successful(), outcome.traceback
        return outcome.result

    results = at_once(run_the_job, run_the_job, run_the_job)

    assert [outcome for outcome, _ in results] == ["done"] * 3, results
    expected = len(soon) + len(overdue) * (1 + managers)
    assert sum(value for _, value in results) == expected  # what the runs say they sent, between them
    notifications = Notification.objects.filter(kind__in=(NotificationKind.DEADLINE_SOON, NotificationKind.OVERDUE))
    assert notifications.count() == expected
    assert notifications.values("dedupe_key").distinct().count() == expected
    assert set(notifications.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    sent = sorted((message.to[0], message.subject) for message in mail.outbox)
    assert len(sent) == expected
    assert len(set(sent)) == expected, "an e-mail went out twice"
