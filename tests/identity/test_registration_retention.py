"""Unconfirmed registrations deleted after 7 days, as the privacy notice promises, leave nothing behind."""

import datetime as dt
import io

import time_machine
from django.core.management import call_command

from identity.models import AuthEvent, User
from identity.tasks import delete_stale_registrations
from tests.identity.test_registration import REGISTER_URL, organisation, registration  # noqa: F401

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_deleted_registration_leaves_no_history_row_and_no_sign_in_log(client, organisation, settings):  # noqa: F811
    with time_machine.travel(START, tick=False) as traveller:
        client.post(REGISTER_URL, registration(organisation, full_name="Robin Quillfeather"))
        user = User.objects.get(email="robin.hart@stmarys.plymouth.sch.uk")
        assert user.history.exists() and AuthEvent.objects.filter(user=user).exists()
        traveller.shift(dt.timedelta(days=settings.PORTAL_UNVERIFIED_RETENTION_DAYS, minutes=1))

        assert delete_stale_registrations.delay().get() == 1

    assert not User.objects.filter(pk=user.pk).exists()
    assert not User.history.filter(id=user.pk).exists()
    assert not User.history.filter(full_name="Robin Quillfeather").exists()
    assert not AuthEvent.objects.filter(email=user.email).exists()


def test_the_dry_run_lists_registrations_due_by_number_and_date_only(client, organisation, settings):  # noqa: F811
    with time_machine.travel(START, tick=False) as traveller:
        client.post(REGISTER_URL, registration(organisation))
        user = User.objects.get(email="robin.hart@stmarys.plymouth.sch.uk")
        traveller.shift(dt.timedelta(days=settings.PORTAL_UNVERIFIED_RETENTION_DAYS, minutes=1))
        out = io.StringIO()
        call_command("retention", "--dry-run", stdout=out)

    assert f"registration {user.pk}" in out.getvalue() and "2026-03-02" in out.getvalue()
    assert user.email not in out.getvalue() and "Robin" not in out.getvalue()
    assert User.objects.filter(pk=user.pk).exists()
