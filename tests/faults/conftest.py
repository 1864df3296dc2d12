"""Shared pieces of the fault and race tests: waiting for a condition, a private Redis, a broker switch.

Tests marked `redis` start their own `redis-server` (Debian's package) on a free loopback port, so they
run wherever one is installed; without one they skip, except under PORTAL_REQUIRE_SERVERS=1 (CI's
second pass), where a missing server is a failure.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from portal.celery import app
from tests.casework.conftest import author, author_client, media  # noqa: F401  (fixtures for these tests)
from tests.conftest import REQUIRE_SERVERS
from tests.workflows.conftest import cast, people, second_officer  # noqa: F401  (fixtures for these tests)

REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "redis: starts its own redis-server on a free loopback port (Debian's redis-server package)"
    )


def pytest_runtest_setup(item):
    if item.get_closest_marker("redis") and not (REDIS_SERVER and REDIS_CLI):
        if REQUIRE_SERVERS:
            pytest.fail("PORTAL_REQUIRE_SERVERS=1 but redis-server is not installed (apt-get install redis-server)")
        pytest.skip("needs redis-server (Debian's redis-server package): runs in CI's second pass")


# ---------------------------------------------------------------- waiting for something to happen


def wait_until(check, *, timeout: float = 30, every: float = 0.1, what: str = "the condition"):
    """Poll `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


# ---------------------------------------------------------------- a private Redis


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of this test's own, on loopback, that the test can stop, hang and start again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", str(self.folder),
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--logfile", str(self.folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        result = subprocess.run(
            [REDIS_CLI, "-p", str(self.port), "ping"], capture_output=True, text=True, timeout=5, check=False
        )
        return result.stdout.strip() == "PONG"

    def queued(self, queue: str = "celery") -> int:
        result = subprocess.run(
            [REDIS_CLI, "-p", str(self.port), "llen", queue], capture_output=True, text=True, timeout=5, check=True
        )
        return int(result.stdout.strip())

    def stop(self) -> None:
        """Down: connections are refused."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def hang(self) -> None:
        """Hung: the port still accepts connections, but nothing answers (the process is stopped)."""
        self.process.send_signal(signal.SIGSTOP)

    def wake(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        wait_until(self.answers, timeout=10, what="redis-server to answer again")


@pytest.fixture
def redis_server():
    folder = Path(tempfile.mkdtemp(prefix="portal-faults-redis-"))
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def broker_switch(url: str) -> None:
    """Point the Celery app at another broker, dropping the connections it holds to the old one."""
    if "CELERY_BROKER_URL" in os.environ:
        # Celery reads this variable before its own setting (CI's PostgreSQL pass sets it).
        os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def on_redis(redis_server):
    """The Celery app publishes to this test's Redis (not eagerly), as production does; put back afterwards."""
    before = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_ignore_result)
    broker_switch(redis_server.url)
    app.conf.task_always_eager = False
    app.conf.task_ignore_result = True
    try:
        yield redis_server
    finally:
        broker_switch(before[0])
        app.conf.task_always_eager, app.conf.task_ignore_result = before[1], before[2]
