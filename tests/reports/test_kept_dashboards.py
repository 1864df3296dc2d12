"""Each person's dashboard as first opened is kept, worked out again by the worker, and shown at once.

The cache is emptied before every look here: what the page shows then comes from the kept dashboard alone.
"""

import datetime as dt
import logging
import pickle

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory

from identity.models import Team, TeamRole
from identity.services import team_membership_add
from portal.celery import app
from tests.factories import AdministratorFactory
from tests.reports.conftest import NOW, day, page_tables, picked_up
from tests.reports.test_pages import REPORTS_URL, client_as, csv_rows
from workflows.kept_dashboards import KEEP_AFTER_VIEW_DAYS, kept_dashboards_refresh
from workflows.models import KeptDashboard
from workflows.tasks import keep_dashboards

pytestmark = pytest.mark.django_db

STATUS_CAPTION = "Cases received in the period, by their status now"


@pytest.fixture
def kept_five_minutes(settings):
    settings.PORTAL_REPORTS_CACHE_SECONDS = 5 * 60


def first_view(client) -> str:
    """The dashboard as first opened (no filters), with nothing in the cache."""
    cache.clear()
    return client.get(REPORTS_URL).content.decode()


def status_of(page: str) -> list[list[str]]:
    return page_tables(page)[STATUS_CAPTION]


def test_the_first_view_is_kept_and_shown_again_without_the_cache(casebook, kept_five_minutes):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = client_as(casebook.lee)
        before = first_view(client)
        assert KeptDashboard.objects.filter(viewer=casebook.lee).exists()

        picked_up(casebook.c, casebook.priya, day(6, 30))  # received in June: in the default period
        traveller.shift(dt.timedelta(minutes=4))
        again = first_view(client)
        assert status_of(again) == status_of(before)
        assert "Worked out at 13:00 on 1 July 2026" in again
        cache.clear()
        assert csv_rows(client.get("/reports/status.csv")) == status_of(before), "downloads read the kept figures"


def test_the_worker_works_the_kept_dashboards_out_again(casebook, kept_five_minutes):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = client_as(casebook.lee)
        before = status_of(first_view(client))
        picked_up(casebook.c, casebook.priya, day(6, 30))  # received in June: in the default period
        traveller.shift(dt.timedelta(minutes=4))

        assert keep_dashboards.apply().get() == 1

        page = first_view(client)
        assert status_of(page) != before
        assert "Worked out at 13:04 on 1 July 2026" in page
        traveller.shift(dt.timedelta(minutes=4))
        assert "Worked out at 13:04 on 1 July 2026" in first_view(client), "8 minutes on, 4 after the worker's run"
        cache.clear()
        assert csv_rows(client.get("/reports/status.csv")) == status_of(page)


def test_a_slow_run_of_the_worker_never_replaces_figures_worked_out_after_it_began(casebook, kept_five_minutes):
    with time_machine.travel(NOW, tick=False):
        client = client_as(casebook.lee)
        first_view(client)
        kept_dashboards_refresh(now=NOW - dt.timedelta(seconds=30))
        assert KeptDashboard.objects.get().worked_out_at == NOW
        assert "Worked out at 13:00 on 1 July 2026" in first_view(client)


def test_a_kept_dashboard_past_its_five_minutes_is_worked_out_afresh(casebook, kept_five_minutes):
    """Without the worker (stopped, or slow), the page never shows figures older than it says."""
    with time_machine.travel(NOW, tick=False) as traveller:
        client = client_as(casebook.lee)
        before = status_of(first_view(client))
        picked_up(casebook.c, casebook.priya, day(6, 30))  # received in June: in the default period
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        page = first_view(client)
    assert status_of(page) != before
    assert "Worked out at 13:05 on 1 July 2026" in page


def test_only_the_dashboard_as_first_opened_is_kept(casebook, kept_five_minutes):
    with time_machine.travel(NOW, tick=False):
        client = client_as(casebook.lee)
        cache.clear()
        client.get(f"{REPORTS_URL}?kind=ehat")
        assert not KeptDashboard.objects.exists()
        first_view(client)
    assert KeptDashboard.objects.get().key != ""


def test_each_person_has_their_own_kept_dashboard(casebook, kept_five_minutes):
    """A manager's dashboard names every officer; the officer of the same team sees only themself by name."""
    with time_machine.travel(NOW, tick=False):
        manager_page, officer_page = first_view(client_as(casebook.jo)), first_view(client_as(casebook.priya))
    assert KeptDashboard.objects.count() == 2
    assert "You see your own open cases by name" in officer_page
    assert "You see your own open cases by name" not in manager_page


def test_a_person_whose_teams_change_sees_their_new_teams_at_once(casebook, kept_five_minutes):
    with time_machine.travel(NOW, tick=False):
        client = client_as(casebook.jo)
        early_help_only = status_of(first_view(client))
        team_membership_add(
            request=RequestFactory().get("/"),
            actor=AdministratorFactory(is_superuser=True),
            team=Team.objects.get(slug="send-statutory-assessment"),
            user=casebook.jo,
            role=TeamRole.MANAGER,
        )
        with_send = status_of(first_view(client))
    assert with_send != early_help_only


def test_the_worker_forgets_dashboards_nobody_opens_and_people_who_may_no_longer_see_them(casebook, kept_five_minutes):
    with time_machine.travel(NOW, tick=False) as traveller:
        first_view(client_as(casebook.lee))
        first_view(client_as(casebook.jo))
        first_view(client_as(casebook.priya))
        casebook.priya.is_active = False
        casebook.priya.save(update_fields=["is_active"])
        traveller.shift(dt.timedelta(days=KEEP_AFTER_VIEW_DAYS - 1))
        first_view(client_as(casebook.lee))  # Lee keeps opening it; Jo has not since
        assert kept_dashboards_refresh() == 2
        assert set(KeptDashboard.objects.values_list("viewer__email", flat=True)) == {
            casebook.lee.email,
            casebook.jo.email,
        }
        traveller.shift(dt.timedelta(days=2))
        assert kept_dashboards_refresh() == 1
    assert list(KeptDashboard.objects.values_list("viewer__email", flat=True)) == [casebook.lee.email]


@pytest.mark.parametrize(
    "altered",
    [{"board": pickle.dumps({"not": "a dashboard"})}, {"figures_html": "<script>alert(1)</script>"}],
    ids=["figures", "drawing"],
)
def test_a_kept_dashboard_altered_in_the_database_is_never_loaded(casebook, kept_five_minutes, caplog, altered):
    """The figures are unpickled, and their HTML shown, only under the HMAC the portal wrote them with."""
    with time_machine.travel(NOW, tick=False):
        client = client_as(casebook.lee)
        expected = status_of(first_view(client))
        KeptDashboard.objects.update(**altered)
        with caplog.at_level(logging.WARNING, logger="workflows.kept_dashboards"):
            page = first_view(client)
    assert status_of(page) == expected
    assert "<script>alert(1)</script>" not in page
    assert "failed its signature check" in caplog.text


def test_the_worker_keeps_dashboards_a_minute_inside_the_time_they_may_be_shown():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["keep-dashboards"]
    assert schedule["task"] == "workflows.tasks.keep_dashboards"
    assert schedule["schedule"] == 4 * 60
    assert "workflows.tasks.keep_dashboards" in app.tasks
