"""The database connection is lost in the middle of a transition: all or nothing, and a clear "try again" page.

On every database a step late in the service (after the status, the viewflow task and the rights have been
written) raises the error a dropped connection raises; on PostgreSQL the server really ends the connection
(pg_terminate_backend) at that step. Then the same button works once the database is back.
"""

import pytest
from django.core import mail
from django.db import OperationalError, connection
from guardian.shortcuts import get_perms
from viewflow.workflow.models import Task

from casework.models import Assessment, AssessmentSection, CaseEvent, Status
from identity.permissions import can_edit_assessment
from tests.conftest import CommittingClient
from tests.helpers import sign_in
from tests.workflows.conftest import SAM, claimed, draft, fresh, officer_for, submitted
from workflows import services
from workflows.models import AssessmentReview, Notification

ERROR_PAGE = "Sorry, there is a problem with the service"


def snapshot(assessment) -> dict:
    """Everything a transition writes, so that "nothing changed" can be compared whole."""
    assessment = fresh(assessment)
    reviews = AssessmentReview.objects.filter(assessment=assessment)
    officer = officer_for(assessment.kind)
    return {
        "status": assessment.status,
        "assigned_to": assessment.assigned_to_id,
        "due": (assessment.pickup_due, assessment.decision_due),
        "history": assessment.history.count(),
        "sections": sorted(AssessmentSection.objects.filter(assessment=assessment).values_list("key", "version")),
        "events": list(CaseEvent.objects.filter(assessment=assessment).values_list("kind", flat=True).order_by("pk")),
        "reviews": sorted(reviews.values_list("pk", "status")),
        "tasks": sorted(Task.objects.filter(process__in=reviews).values_list("pk", "status", "owner_id")),
        "notifications": Notification.objects.filter(assessment=assessment).count(),
        "author_can_edit": can_edit_assessment(assessment.author, assessment),
        "officer_rights": sorted(get_perms(officer, assessment)),
    }


def browser(user) -> CommittingClient:
    """A signed-in browser that shows the error page as a person would see it, rather than raising."""
    return sign_in(CommittingClient(raise_request_exception=False), user)


# (name, builder of the case in the state before, who presses the button, URL, form)
TRANSITIONS = [
    pytest.param(
        lambda: draft("ehat"), lambda a: a.author, "/assessments/{pk}/submit/", {"declaration": "yes"}, id="submit"
    ),
    pytest.param(lambda: submitted("ehat"), lambda a: officer_for(a.kind), "/cases/{pk}/claim/", {}, id="claim"),
    pytest.param(
        lambda: claimed("ehat"),
        lambda a: a.assigned_to,
        "/cases/{pk}/decide/",
        {"outcome": "signposted", "note": "Signposted to the family hub"},
        id="decide",
    ),
]

AFTER = {"submit": Status.SUBMITTED, "claim": Status.UNDER_REVIEW, "decide": Status.CLOSED}


def _lose_the_connection_at_the_timeline_step(monkeypatch, how):
    original = services.case_event_record

    def step(**kwargs):
        how()
        return original(**kwargs)

    monkeypatch.setattr(services, "case_event_record", step)


def _check_all_or_nothing(request_id, build, actor_of, url, form, monkeypatch, lose):
    assessment = build()
    actor = actor_of(assessment)
    before = snapshot(assessment)
    client = browser(actor)
    mail.outbox.clear()
    _lose_the_connection_at_the_timeline_step(monkeypatch, lose)

    response = client.post(url.format(pk=assessment.pk), form)

    html = response.content.decode()
    assert response.status_code in (500, 503)
    assert ERROR_PAGE in html
    assert "Try again" in html
    for leak in ("Traceback", "OperationalError", "InterfaceError", "terminating connection", 'File "'):
        assert leak not in html
    assert snapshot(assessment) == before, "part of the transition was kept"
    assert mail.outbox == []

    # The database is back: the same button does the whole transition, once.
    monkeypatch.undo()
    again = client.post(url.format(pk=assessment.pk), form)
    assert again.status_code == 302, again.content.decode()[:500]
    assert fresh(assessment).status == AFTER[request_id]
    assert Notification.objects.filter(assessment=assessment).count() > before["notifications"]


@pytest.mark.django_db
@pytest.mark.parametrize(("build", "actor_of", "url", "form"), TRANSITIONS)
def test_connection_error_mid_transition_changes_nothing_and_shows_try_again(
    request, people, build, actor_of, url, form, monkeypatch
):
    """The driver reports the connection gone part-way through: nothing of the transition is kept."""

    def dropped():
        raise OperationalError("server closed the connection unexpectedly")

    _check_all_or_nothing(request.node.callspec.id, build, actor_of, url, form, monkeypatch, dropped)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("build", "actor_of", "url", "form"), TRANSITIONS)
def test_server_ending_the_connection_mid_transition_changes_nothing(
    request, people, build, actor_of, url, form, monkeypatch
):
    """PostgreSQL ends the request's connection (an administrator, a failover) inside the transaction."""

    def terminated():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    _check_all_or_nothing(request.node.callspec.id, build, actor_of, url, form, monkeypatch, terminated)
    assert Assessment.objects.filter(author__email=SAM).exists()  # the connection after it works
