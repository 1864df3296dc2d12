"""Account work through a real Celery worker on the configured broker (memory here, Redis in CI).

Eager mode hides serialisation and wiring bugs; these tests send real messages.
"""

import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from identity.emails import send_account_email
from identity.models import User
from identity.tasks import delete_stale_registrations
from portal.celery import app
from tests.factories import ProfessionalFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    import celery.contrib.testing.tasks  # noqa: F401  (the ping task start_worker checks with)

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="threads", concurrency=1, perform_ping_check=True, shutdown_timeout=10) as running:
            yield running
    finally:
        app.conf.task_always_eager = True


def test_account_email_is_delivered_by_a_worker(worker):
    result = send_account_email.delay(
        template="identity/email/account_approved",
        to="pat@oakfield.plymouth.sch.uk",
        subject="Your Professional Portal account has been approved",
        context={"full_name": "Pat Quinn", "sign_in_url": "https://portal.example.gov.uk/account/sign-in/"},
    )
    result.get(timeout=20)
    (message,) = [m for m in mail.outbox if "pat@oakfield.plymouth.sch.uk" in m.to]
    assert "Pat Quinn" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_stale_registration_cleanup_runs_on_a_worker(worker, settings):
    stale = ProfessionalFactory(email="old@oakfield.plymouth.sch.uk")
    User.objects.filter(pk=stale.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=settings.PORTAL_UNVERIFIED_RETENTION_DAYS + 1)
    )
    assert delete_stale_registrations.delay().get(timeout=20) == 1
    assert not User.objects.filter(pk=stale.pk).exists()
