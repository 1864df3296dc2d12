"""Redis, the Celery broker, goes down or hangs while professionals submit: the submissions go through quickly,
the e-mails wait in the outbox, and once Redis is back the sweeper and a real worker send each exactly once.

Each test starts its own redis-server on a free loopback port and stops ("refused") or freezes ("hung",
SIGSTOP: connections open but nothing answers, the case that blocks a request for ever by default) it.
"""

import datetime as dt
import time
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.test import Client
from django.utils import timezone

from casework.models import Status
from portal.celery import app
from tests.casework.conftest import share, verified_professional
from tests.faults.conftest import wait_until
from tests.helpers import sign_in
from tests.workflows.conftest import SAM, draft, fresh
from workflows import services
from workflows.models import DeliveryStatus, Notification, NotificationKind
from workflows.notifications import notifications_sweep

pytestmark = [pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 3
# Generous: fail-fast publishing costs about a second per outage, and the bound is per request, whatever
# the request e-mails (measured here: 6 s per message when refused, 4 s when hung, adding up per message).
MAX_SECONDS_PER_REQUEST = 10


@pytest.mark.parametrize("outage", ["refused", "hung"])
def test_submissions_succeed_while_the_broker_is_down_and_each_email_leaves_once_after(people, on_redis, outage):
    """Three professionals submit during the outage: quick redirects, rows waiting; after it, one e-mail each."""
    drafts = [draft("ehat", first_name=f"Child{number}") for number in range(SUBMISSIONS)]
    client = sign_in(Client(), people.sam)
    mail.outbox.clear()

    on_redis.stop() if outage == "refused" else on_redis.hang()
    try:
        timings = []
        for assessment in drafts:
            started = time.monotonic()
            response = client.post(f"/assessments/{assessment.pk}/submit/", {"declaration": "yes"})
            timings.append(time.monotonic() - started)
            assert response.status_code == 302, response.content.decode()[:500]
            assert response["Location"] == f"/assessments/{assessment.pk}/submitted/"
            assert client.get(response["Location"]).status_code == 200
        assert {fresh(assessment).status for assessment in drafts} == {Status.SUBMITTED}
        # Each submission's two e-mails wait in the outbox; none left.
        assert Notification.objects.count() == 2 * SUBMISSIONS
        assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.CREATED}
        assert mail.outbox == []
    finally:
        on_redis.start() if outage == "refused" else on_redis.wake()

    # A minute on, the sweeper (beat runs it every 60 s) queues them again, and a real worker sends them.
    # (The worker starts after the sweep, so that on SQLite only one thread writes at a time.)
    Notification.objects.filter(status=DeliveryStatus.CREATED).update(
        created_at=timezone.now() - dt.timedelta(minutes=2)
    )
    assert notifications_sweep() == 2 * SUBMISSIONS
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, shutdown_timeout=10):
        wait_until(lambda: len(mail.outbox) >= 2 * SUBMISSIONS, timeout=30, what="every e-mail to leave")
        # Whatever a hung Redis took in before it froze arrives as well: it must not send anything again.
        wait_until(lambda: on_redis.queued() == 0, timeout=30, what="the queue to drain")
        time.sleep(1)
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert notifications_sweep() == 0

    sent = Counter((message.to[0], message.subject) for message in mail.outbox)
    expected = Counter(Notification.objects.values_list("recipient_email", "subject"))
    assert sent == expected, "an e-mail was lost or sent twice"
    assert sum(1 for message in mail.outbox if message.to == [SAM]) == SUBMISSIONS
    # Last, so that the outbox's recovery above is checked whatever the timing.
    assert max(timings) < MAX_SECONDS_PER_REQUEST, f"seconds per submission with the broker {outage}: {timings}"


def test_decision_for_many_co_authors_is_quick_while_the_broker_hangs(people, on_redis):
    """A decision e-mails the author and every co-author: the wait for a hung broker must not add up per e-mail."""
    assessment = draft("ehat")
    for number in range(3):
        share(
            assessment, with_user=verified_professional(organisation=people.sam.organisation, full_name=f"Co {number}")
        )
    services.assessment_submit(actor=people.sam, assessment=assessment, declaration=True)
    services.assessment_claim(actor=people.priya, assessment=fresh(assessment))
    client = sign_in(Client(), people.priya)

    on_redis.hang()
    try:
        started = time.monotonic()
        response = client.post(
            f"/cases/{assessment.pk}/decide/", {"outcome": "signposted", "note": "Signposted to the family hub"}
        )
        seconds = time.monotonic() - started
    finally:
        on_redis.wake()

    assert response.status_code == 302
    assert fresh(assessment).status == Status.CLOSED
    closed = Notification.objects.filter(assessment=assessment, kind=NotificationKind.CLOSED)
    assert closed.count() == 4
    assert set(closed.values_list("status", flat=True)) == {DeliveryStatus.CREATED}  # waiting for the sweeper
    assert seconds < MAX_SECONDS_PER_REQUEST, f"the decision took {seconds:.1f} s with the broker hung"
