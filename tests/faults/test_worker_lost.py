"""A worker dies in the middle of sending an e-mail: the task runs again (acks_late, reject_on_worker_lost) and
no notification is e-mailed twice by it; one cut short before the e-mail left is still sent, by the sweeper.

The first tests run the task body twice in this process, as a redelivery would (any database). The last ones
start a real prefork worker with production settings on PostgreSQL and a private Redis, and kill its pool
process with SIGKILL mid-send.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from tests.faults.conftest import wait_until
from tests.workflows.conftest import SAM, submitted
from workflows.models import DeliveryStatus, Notification, NotificationKind
from workflows.notifications import deliver_notification, notification_deliver, notifications_sweep

ROOT = Path(settings.BASE_DIR)
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


class WorkerKilled(BaseException):
    """What the task body sees of a SIGKILL: it stops where it is, and nothing after runs (not even `except`)."""


def _dies(after_sending: bool):
    real_send = EmailMultiAlternatives.send

    def send(self, *args, **kwargs):
        if after_sending:
            real_send(self, *args, **kwargs)
        raise WorkerKilled

    return send


@pytest.mark.django_db
def test_task_rerun_after_the_worker_died_past_the_send_emails_once(people, monkeypatch):
    """Killed after the e-mail left but before the row said so: the redelivered task sends nothing more."""
    submitted("ehat")
    notification = Notification.objects.get(kind=NotificationKind.SUBMITTED)
    Notification.objects.filter(pk=notification.pk).update(status=DeliveryStatus.CREATED, sent_at=None)
    mail.outbox.clear()

    monkeypatch.setattr(EmailMultiAlternatives, "send", _dies(after_sending=True))
    with pytest.raises(WorkerKilled):
        notification_deliver(notification.pk)
    monkeypatch.undo()
    assert len(mail.outbox) == 1

    rerun = deliver_notification.apply(args=[notification.pk])  # the message, delivered again
    assert rerun.successful() and rerun.result is False
    rerun = deliver_notification.apply(args=[notification.pk])  # and once more, for good measure
    assert rerun.result is False
    assert [message.to for message in mail.outbox] == [[SAM]]


@pytest.mark.django_db
def test_task_rerun_after_the_worker_died_before_the_send_leaves_it_to_the_sweeper(people, monkeypatch):
    """Killed before the e-mail left: the rerun does not send (it cannot know), the sweeper does, once."""
    with time_machine.travel(NOW, tick=False) as traveller:
        submitted("ehat")
        notification = Notification.objects.get(kind=NotificationKind.SUBMITTED)
        Notification.objects.filter(pk=notification.pk).update(status=DeliveryStatus.CREATED, sent_at=None)
        Notification.objects.exclude(pk=notification.pk).update(status=DeliveryStatus.SENT)  # only this one is ours
        mail.outbox.clear()

        monkeypatch.setattr(EmailMultiAlternatives, "send", _dies(after_sending=False))
        with pytest.raises(WorkerKilled):
            notification_deliver(notification.pk)
        monkeypatch.undo()
        assert deliver_notification.apply(args=[notification.pk]).result is False
        assert mail.outbox == []
        notification.refresh_from_db()
        assert notification.status == DeliveryStatus.SENDING

        traveller.shift(dt.timedelta(minutes=16))
        assert notifications_sweep() == 1
        assert notifications_sweep() == 0
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.SENT, 2)
    assert [message.to for message in mail.outbox] == [[SAM]]


# ---------------------------------------------------------------- a real worker, really killed


def _database_url() -> str:
    database = settings.DATABASES["default"]
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


class Worker:
    """`celery -A portal worker` in a process of its own (prefork, one pool process), production settings."""

    def __init__(self, folder: Path, broker_url: str):
        self.mail_dir = folder / "mail"
        self.flags = folder / "flags"
        self.log = folder / "worker.log"
        self.mail_dir.mkdir()
        self.flags.mkdir()
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": "faults-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": _database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "PORTAL_CACHE_URL": broker_url.rsplit("/", 1)[0] + "/1",
            "EMAIL_BACKEND": "tests.faults.killing_mail.KillingFileBackend",
            "PORTAL_MAIL_DIR": str(self.mail_dir),
            "PORTAL_FAULTS_FLAG_DIR": str(self.flags),
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "portal", "worker",
            "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname=faults@%h",
        ]  # fmt: skip
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(lambda: "ready." in self.log.read_text(), timeout=60, what="the worker to be ready")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish, give back what is not done
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this test started, and nothing else
            self.process.wait(timeout=10)

    def emails(self) -> list[str]:
        return sorted(path.read_text(errors="replace") for path in self.mail_dir.glob("*.eml"))

    def text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def real_worker(on_redis, tmp_path):
    worker = Worker(tmp_path, on_redis.url)
    try:
        yield worker
    finally:
        worker.stop()


def _statuses() -> dict[str, str]:
    return dict(Notification.objects.values_list("kind", "status"))


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("when", ["kill-after-send", "kill-before-send"])
def test_pool_process_killed_mid_send_the_task_runs_again_and_nothing_is_emailed_twice(people, real_worker, when):
    """SIGKILL of the pool process mid-send: the message comes back (reject_on_worker_lost), runs again on a new
    process, and sends nothing twice; an e-mail that had not left is sent once by the sweeper."""
    (real_worker.flags / when).touch()
    submitted("ehat")  # two notifications, published to Redis after the commit
    assert sorted(_statuses()) == [NotificationKind.NEW_IN_QUEUE, NotificationKind.SUBMITTED]

    real_worker.start()
    wait_until(lambda: (real_worker.flags / "killed.pid").exists(), timeout=60, what="the pool process to be killed")
    wait_until(
        lambda: real_worker.text().count("succeeded in") >= 2 and "False" in real_worker.text(),
        timeout=60,
        what="both tasks to finish, the killed one run again",
    )
    log = real_worker.text()
    assert "SIGKILL" in log and "WorkerLostError" in log, log[-3000:]

    killed = Notification.objects.get(status=DeliveryStatus.SENDING)  # the rerun left it as the kill did
    other = Notification.objects.exclude(pk=killed.pk).get()
    assert other.status == DeliveryStatus.SENT
    expected_now = 2 if when == "kill-after-send" else 1
    time.sleep(1)  # nothing more arrives late
    assert len(real_worker.emails()) == expected_now
    assert sum(killed.recipient_email in email for email in real_worker.emails()) == expected_now - 1

    if when == "kill-before-send":
        # After STUCK_SENDING_SECONDS the sweeper hands it to the worker again: sent, once.
        Notification.objects.filter(pk=killed.pk).update(sending_since=timezone.now() - dt.timedelta(minutes=16))
        assert notifications_sweep() == 1
        wait_until(
            lambda: Notification.objects.get(pk=killed.pk).status == DeliveryStatus.SENT,
            timeout=30,
            what="the sweeper's resend",
        )
        time.sleep(1)
        assert len(real_worker.emails()) == 2
        assert sum(killed.recipient_email in email for email in real_worker.emails()) == 1
