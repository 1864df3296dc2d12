"""Fixtures shared by every test, and the rule for tests that need real servers."""

import os

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import ProfessionalFactory

# CI's second pass sets this: there, a test that needs PostgreSQL or Redis must run, never skip.
REQUIRE_SERVERS = os.environ.get("PORTAL_REQUIRE_SERVERS") == "1"


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        if REQUIRE_SERVERS:
            pytest.fail("PORTAL_REQUIRE_SERVERS=1 but the database is SQLite: set DATABASE_URL to PostgreSQL")
        pytest.skip("needs PostgreSQL row locks: runs in CI's PostgreSQL pass (.ci/run)")


@pytest.fixture
def demo_data(db):
    """The roles, organisations, teams and demo accounts that `make demo` loads."""
    call_command("load_demo_data", verbosity=0)


@pytest.fixture
def professional(db):
    return ProfessionalFactory()
