"""Fixtures shared by every test, and the rule for tests that need real servers."""

import os
import zlib

import factory.random
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, TestCase

from tests.factories import ProfessionalFactory

# CI's second pass sets this: there, a test that needs PostgreSQL or Redis must run, never skip.
REQUIRE_SERVERS = os.environ.get("PORTAL_REQUIRE_SERVERS") == "1"


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        if REQUIRE_SERVERS:
            pytest.fail("PORTAL_REQUIRE_SERVERS=1 but the database is SQLite: set DATABASE_URL to PostgreSQL")
        pytest.skip("needs PostgreSQL row locks: runs in CI's PostgreSQL pass (.ci/run)")


@pytest.fixture(autouse=True)
def same_names_every_run(request):
    """Each test draws the same made-up names every run: a name that trips a test trips it every time."""
    factory.random.reseed_random(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(autouse=True)
def nothing_remembered():
    """Each test starts with an empty cache: what an earlier test remembered may name rows rolled back since."""
    cache.clear()


class CommittingClient(Client):
    """A test client whose requests run their on-commit work (e-mails, tasks) as a real commit would.

    Tests run inside a transaction that never commits; without this, nothing queued with
    transaction.on_commit would happen.
    """

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def demo_data(db):
    """The roles, organisations, teams and demo accounts that `make demo` loads."""
    call_command("load_demo_data", verbosity=0)


@pytest.fixture
def professional(db):
    return ProfessionalFactory()
