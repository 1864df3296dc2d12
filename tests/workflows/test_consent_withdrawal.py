"""The family withdraws consent to an Early Help Assessment: recorded who, when and how, and what it stops."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from casework.models import Assessment, CaseEventKind, ConsentWithdrawal, Outcome, Status
from casework.retention import retention_due, years_after
from casework.services import SharingRefused, collaborator_add
from tests.casework.conftest import FakeRequest, share, verified_professional
from tests.workflows.conftest import (
    claimed,
    client_of,
    close_it,
    events_of,
    fresh,
    join,
    officer_for,
    submitted,
)
from workflows import services
from workflows.models import AssessmentReview, Notification, NotificationKind
from workflows.reminders import deadline_reminders_send

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zephyrine", "Quillfeather"


def form(**changes):
    today = timezone.localdate()
    return {
        "withdrawn_by": "Lucy Quillfeather, mother",
        "withdrawn_on_day": str(today.day),
        "withdrawn_on_month": str(today.month),
        "withdrawn_on_year": str(today.year),
        "method": "phone",
        **changes,
    }


def url(assessment) -> str:
    return f"/assessments/{assessment.pk}/consent-withdrawn/"


def record(assessment, actor, **changes):
    return services.consent_withdrawal_record(
        actor=actor,
        assessment=assessment,
        withdrawn_on=changes.get("withdrawn_on", timezone.localdate()),
        withdrawn_by=changes.get("withdrawn_by", "Lucy Quillfeather, mother"),
        method=changes.get("method", "in_writing"),
    )


def test_the_author_records_it_and_the_case_closes_with_the_review_stopped(people):
    assessment = claimed("ehat", first_name=FIRST, last_name=LAST)

    response = client_of(people.sam).post(url(assessment), form())

    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/progress/"
    assessment = fresh(assessment)
    assert (assessment.status, assessment.outcome) == (Status.CLOSED, Outcome.CONSENT_WITHDRAWN)
    assert assessment.closed_at is not None
    assert AssessmentReview.objects.get(assessment=assessment).status == PROCESS.CANCELED
    withdrawal = ConsentWithdrawal.objects.get(assessment=assessment)
    assert (withdrawal.withdrawn_by, withdrawal.method, withdrawal.recorded_by) == (
        "Lucy Quillfeather, mother",
        "phone",
        people.sam,
    )
    assert withdrawal.withdrawn_on == timezone.localdate()
    [event] = events_of(assessment, CaseEventKind.CONSENT_WITHDRAWN)
    assert event.actor == people.sam and "Lucy Quillfeather, mother" in event.summary


def test_the_officer_holding_the_case_can_record_it(people):
    assessment = claimed("ehat")
    response = client_of(people.priya).post(url(assessment), form(method="in_person"))
    assert response["Location"] == f"/cases/{assessment.pk}/"
    assert fresh(assessment).outcome == Outcome.CONSENT_WITHDRAWN


def test_a_co_author_can_record_it(people):
    assessment = submitted("ehat")
    co_author = verified_professional(organisation=people.sam.organisation)
    share(assessment, with_user=co_author)
    record(fresh(assessment), co_author)
    assert fresh(assessment).outcome == Outcome.CONSENT_WITHDRAWN


@pytest.mark.parametrize("who", ["viewer", "other-officer-of-the-team", "manager-not-holding"])
def test_nobody_else_may_record_it(people, who):
    assessment = claimed("ehat")
    if who == "viewer":
        actor = verified_professional(organisation=people.sam.organisation)
        share(assessment, with_user=actor, role="viewer")
    elif who == "other-officer-of-the-team":
        actor = join("early-help-hub")
    else:
        actor = people.jo
    assert not services.can_record_consent_withdrawal(actor, fresh(assessment))
    with pytest.raises(PermissionDenied):
        record(fresh(assessment), actor)
    assert client_of(actor).post(url(assessment), form()).status_code in (403, 404)
    assert fresh(assessment).status == Status.UNDER_REVIEW
    assert not ConsentWithdrawal.objects.exists()


def test_only_an_early_help_assessment_relies_on_consent(people):
    assessment = claimed("ehcp")
    assert not services.can_record_consent_withdrawal(people.sam, assessment)
    with pytest.raises(services.TransitionRefused):
        record(assessment, people.sam)


def test_it_is_recorded_once(people):
    assessment = claimed("ehat")
    record(assessment, people.sam)
    with pytest.raises(services.TransitionRefused):
        record(fresh(assessment), people.sam)


def test_the_author_officer_and_team_are_told_without_the_childs_name(people):
    assessment = claimed("ehat", first_name=FIRST, last_name=LAST)
    mail.outbox.clear()

    client_of(people.sam).post(url(assessment), form())

    notifications = Notification.objects.filter(kind=NotificationKind.CONSENT_WITHDRAWN)
    told = {notification.recipient_email for notification in notifications}
    assert people.priya.email in told
    assert fresh(assessment).team.email in told
    for notification in notifications:
        text = notification.subject + notification.body + notification.html_body
        assert FIRST not in text and LAST not in text and "Quillfeather" not in text
        assert assessment.reference in notification.subject
    assert mail.outbox and all(FIRST not in message.subject + message.body for message in mail.outbox)


def test_a_decided_case_keeps_its_decision_but_cannot_be_reopened_or_shared(people):
    assessment = close_it(claimed("ehat"), outcome=Outcome.ACCEPTED)
    assert services.can_reopen(people.jo, assessment)

    record(assessment, people.sam)

    assessment = fresh(assessment)
    assert assessment.outcome == Outcome.ACCEPTED
    assert not services.can_reopen(people.jo, assessment)
    colleague = verified_professional(organisation=people.sam.organisation)
    with pytest.raises((SharingRefused, PermissionDenied)):
        share(assessment, with_user=colleague)


def test_sharing_is_refused_once_consent_is_withdrawn_even_if_the_case_were_open(people):
    assessment = submitted("ehat")
    ConsentWithdrawal.objects.create(
        assessment=assessment,
        withdrawn_on=timezone.localdate(),
        withdrawn_by="Lucy, mother",
        method="phone",
        recorded_by=people.sam,
    )
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.RETURNED)
    colleague = verified_professional(organisation=people.sam.organisation)
    with pytest.raises(SharingRefused):
        collaborator_add(
            request=FakeRequest(), actor=people.sam, assessment=fresh(assessment), email=colleague.email, role="viewer"
        )


def test_the_retention_clock_starts_when_consent_is_withdrawn(people):
    assessment = claimed("ehat")
    record(assessment, people.sam)
    withdrawn = timezone.localdate(fresh(assessment).closed_at)
    assert retention_due(today=years_after(withdrawn, 6) - dt.timedelta(days=1)) == []
    assert [item.reference for item in retention_due(today=years_after(withdrawn, 6))] == [assessment.reference]


def test_it_is_shown_on_the_history_and_progress_pages(people):
    assessment = claimed("ehat")
    record(assessment, people.priya, method="email")

    author = client_of(people.sam)
    progress = author.get(f"/assessments/{assessment.pk}/progress/").content.decode()
    assert "Consent withdrawn" in progress and "Lucy Quillfeather, mother" in progress and "by e-mail" in progress
    assert "Record that the family has withdrawn consent" not in progress
    history = author.get(f"/assessments/{assessment.pk}/history/").content.decode()
    assert "Consent withdrawn by the family" in history and "Lucy Quillfeather, mother" in history


def test_the_progress_page_offers_it_to_the_author_only_while_it_can_be_recorded(people):
    assessment = claimed("ehcp")
    assert (
        "withdrawn consent" not in client_of(people.sam).get(f"/assessments/{assessment.pk}/progress/").content.decode()
    )
    ehat = claimed("ehat")
    page = client_of(people.sam).get(f"/assessments/{ehat.pk}/progress/").content.decode()
    assert url(ehat) in page
    case_page = client_of(officer_for("ehat")).get(f"/cases/{ehat.pk}/").content.decode()
    assert url(ehat) in case_page


def test_missing_answers_get_the_error_summary_and_change_nothing(people):
    assessment = claimed("ehat")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_of(people.sam).post(
        url(assessment),
        form(
            withdrawn_by="",
            method="",
            **{
                "withdrawn_on_day": str(tomorrow.day),
                "withdrawn_on_month": str(tomorrow.month),
                "withdrawn_on_year": str(tomorrow.year),
            },
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter who in the family withdrew their consent" in page
    assert "Select how the family withdrew their consent" in page
    assert fresh(assessment).status == Status.UNDER_REVIEW
    assert not ConsentWithdrawal.objects.exists()


def test_deadline_reminders_stop_once_consent_is_withdrawn(people):
    withdrawn = claimed("ehat")
    still_open = claimed("ehat")
    record(withdrawn, people.sam)
    overdue_day = fresh(still_open).decision_due + dt.timedelta(days=3)

    deadline_reminders_send(today=overdue_day)

    reminded = set(Notification.objects.filter(kind=NotificationKind.OVERDUE).values_list("assessment_id", flat=True))
    assert still_open.pk in reminded
    assert withdrawn.pk not in reminded
