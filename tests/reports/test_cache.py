"""The dashboard's figures are worked out at most every few minutes per set of filters, and say when."""

import datetime as dt

import pytest
import time_machine
from django.test import RequestFactory

from casework.models import Outcome
from identity.models import Team
from identity.services import team_membership_add
from tests.factories import AdministratorFactory, OfficerFactory
from tests.helpers import UNREACHABLE_CACHE
from tests.reports.conftest import NOW, day, decided, page_tables, picked_up
from tests.reports.test_pages import PERIOD_QUERY, REPORTS_URL, client_as, csv_rows

pytestmark = pytest.mark.django_db

STATUS_CAPTION = "Cases received in the period, by their status now"


@pytest.fixture
def cached_reports(settings):
    """Figures kept for five minutes (each test starts with an empty cache: tests/conftest.py)."""
    settings.PORTAL_REPORTS_CACHE_SECONDS = 5 * 60


def status_table(client, query: str = PERIOD_QUERY) -> list[list[str]]:
    return page_tables(client.get(f"{REPORTS_URL}?{query}").content.decode())[STATUS_CAPTION]


def test_figures_are_kept_for_five_minutes_and_downloads_match_the_page(casebook, cached_reports):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = client_as(casebook.lee)
        before = status_table(client)
        page = client.get(f"{REPORTS_URL}?{PERIOD_QUERY}").content.decode()
        assert "Worked out at 13:00 on 1 July 2026" in page
        assert "The figures shown are never more than 5 minutes old" in page

        decided(casebook.b, casebook.priya, day(6, 29), Outcome.ACCEPTED)
        traveller.shift(dt.timedelta(minutes=4))
        assert status_table(client) == before
        assert csv_rows(client.get(f"/reports/status.csv?{PERIOD_QUERY}")) == before
        assert status_table(client, f"{PERIOD_QUERY}&kind=ehat") != before, "other filters are worked out afresh"

        traveller.shift(dt.timedelta(minutes=2))
        after = status_table(client)
        assert after != before
        assert "Worked out at 13:06 on 1 July 2026" in client.get(f"{REPORTS_URL}?{PERIOD_QUERY}").content.decode()
        assert csv_rows(client.get(f"/reports/status.csv?{PERIOD_QUERY}")) == after


def test_a_team_manager_never_sees_figures_worked_out_for_other_teams(casebook, cached_reports):
    """The teams in scope are part of what the figures are kept under."""
    with time_machine.travel(NOW, tick=False):
        service_wide = status_table(client_as(casebook.lee))
        own_team = status_table(client_as(casebook.jo))
    assert service_wide != own_team


def test_the_dashboard_is_worked_out_when_the_shared_cache_is_down(casebook, cached_reports, settings):
    """The cache only keeps the figures: unreachable, the page works them out and shows them all the same."""
    with time_machine.travel(NOW, tick=False):
        client = client_as(casebook.lee)
        expected = status_table(client)
        settings.CACHES = UNREACHABLE_CACHE
        assert status_table(client) == expected
        assert csv_rows(client.get(f"/reports/status.csv?{PERIOD_QUERY}")) == expected


def test_an_officer_never_sees_the_workload_by_name_kept_for_their_manager(casebook, cached_reports):
    """The workload names every officer to a manager and only themself to an officer: who is looking is part of
    what the figures are kept under, even when the teams are the same."""
    colleague = OfficerFactory(full_name="Ola Other", email_verified_at=NOW)
    early_help = Team.objects.get(slug="early-help-hub")
    team_membership_add(
        request=RequestFactory().get("/"),
        actor=AdministratorFactory(is_superuser=True),
        team=early_help,
        user=colleague,
    )
    picked_up(casebook.c, colleague, day(6, 11))
    with time_machine.travel(NOW, tick=False):
        manager_sees = workload_table(client_as(casebook.jo))
        officer_sees = workload_table(client_as(casebook.priya))
    assert ["Ola Other", "1", "0", "1"] in manager_sees
    assert ["Other officers", "1", "0", "1"] in officer_sees
    assert "Ola Other" not in str(officer_sees)


def workload_table(client) -> list[list[str]]:
    tables = page_tables(client.get(f"{REPORTS_URL}?{PERIOD_QUERY}").content.decode())
    return next(rows for caption, rows in tables.items() if caption.endswith("by officer"))
