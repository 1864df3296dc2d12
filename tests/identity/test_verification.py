"""E-mail verification links: 12 hours, single use, clear pages when expired, used or tampered with."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from identity.models import User
from identity.tasks import delete_stale_registrations
from tests.factories import ProfessionalFactory
from tests.helpers import emails_to, last_email_to, link_in
from tests.identity.conftest import comparable, post_password

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def unverified(db):
    user = ProfessionalFactory(email="casey.lee@oakfield.plymouth.sch.uk")
    user.set_password("correct horse battery staple")
    user.save()
    return user


def send_link(client, user) -> str:
    """The path of a fresh verification link, as e-mailed."""
    mail.outbox.clear()
    client.post("/account/verify/resend/", {"email": user.email})
    return link_in(last_email_to(user.email)).split("testserver", 1)[1]


def test_link_shows_a_confirm_button_and_only_a_post_confirms(client, unverified):
    """Mail scanners open links with GET: that must not spend the link."""
    path = send_link(client, unverified)
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my e-mail address" in page.content.decode()
    unverified.refresh_from_db()
    assert not unverified.is_email_verified

    confirmed = client.post(path)
    assert confirmed.status_code == 200
    assert "E-mail address confirmed" in confirmed.content.decode()
    unverified.refresh_from_db()
    assert unverified.is_email_verified
    assert unverified.history.first().history_change_reason == "E-mail address confirmed"


def test_link_works_at_11_hours_59_minutes(client, unverified):
    with time_machine.travel(START, tick=False) as traveller:
        path = send_link(client, unverified)
        traveller.shift(dt.timedelta(hours=11, minutes=59))
        assert "E-mail address confirmed" in client.post(path).content.decode()


def test_link_is_refused_at_12_hours_1_minute_with_a_button_for_a_new_one(client, unverified):
    with time_machine.travel(START, tick=False) as traveller:
        path = send_link(client, unverified)
        traveller.shift(dt.timedelta(hours=12, minutes=1))
        response = client.post(path)
        html = response.content.decode()
        assert response.status_code == 400
        assert "This link has expired" in html
        assert "Send me a new link" in html
        unverified.refresh_from_db()
        assert not unverified.is_email_verified

        mail.outbox.clear()
        client.post(f"{path}new-link/")
        new_path = link_in(last_email_to(unverified.email)).split("testserver", 1)[1]
        assert new_path != path
        assert "E-mail address confirmed" in client.post(new_path).content.decode()


def test_used_link_says_the_address_is_already_confirmed(client, unverified):
    path = send_link(client, unverified)
    client.post(path)
    again = client.post(path)
    assert again.status_code == 200
    assert "Your e-mail address is already confirmed" in again.content.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"), id="changed-signature"),
        pytest.param(lambda token: token[:10], id="truncated"),
        pytest.param(lambda token: "nonsense", id="nonsense"),
    ],
)
def test_tampered_link_gets_a_clear_page(client, unverified, tamper):
    path = send_link(client, unverified)
    token = path.rstrip("/").rsplit("/", 1)[1]
    response = client.post(f"/account/verify/{tamper(token)}/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    unverified.refresh_from_db()
    assert not unverified.is_email_verified


def test_unconfirmed_account_cannot_sign_in_and_is_offered_a_new_link(client, unverified):
    response = post_password(client, unverified.email, "correct horse battery staple")
    html = response.content.decode()
    assert "You need to confirm your e-mail address before you can sign in" in html
    assert "Get a new link to confirm your e-mail address" in html
    assert not [m for m in mail.outbox if "sign-in code" in m.subject]


def test_resend_page_answers_the_same_for_any_address(client, unverified, demo_data):
    """No enumeration: unconfirmed, confirmed and unknown addresses get the same page."""
    pages = []
    for email in (unverified.email, "sam.taylor@stmarys.plymouth.sch.uk", "nobody@nowhere.example.org"):
        response = client.post("/account/verify/resend/", {"email": email})
        assert response.status_code == 200
        pages.append(comparable(response.content.decode()))
    assert pages[0] == pages[1] == pages[2]
    assert len(emails_to(unverified.email)) == 1
    assert emails_to("sam.taylor@stmarys.plymouth.sch.uk") == []
    assert emails_to("nobody@nowhere.example.org") == []


def test_resend_is_limited_to_one_link_a_minute(client, unverified):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            client.post("/account/verify/resend/", {"email": unverified.email})
        assert len(emails_to(unverified.email)) == 1
        traveller.shift(dt.timedelta(seconds=61))
        client.post("/account/verify/resend/", {"email": unverified.email})
        assert len(emails_to(unverified.email)) == 2


def test_stale_unconfirmed_registrations_are_deleted_by_the_periodic_task(db, settings):
    with time_machine.travel(START, tick=False) as traveller:
        stale = ProfessionalFactory(email="stale@oakfield.plymouth.sch.uk")
        confirmed = ProfessionalFactory(email="kept@oakfield.plymouth.sch.uk", email_verified_at=timezone.now())
        traveller.shift(dt.timedelta(days=settings.PORTAL_UNVERIFIED_RETENTION_DAYS - 1))
        fresh = ProfessionalFactory(email="fresh@oakfield.plymouth.sch.uk")
        traveller.shift(dt.timedelta(days=1, minutes=1))
        assert delete_stale_registrations.delay().get() == 1
    remaining = set(User.objects.values_list("email", flat=True))
    assert stale.email not in remaining
    assert {confirmed.email, fresh.email} <= remaining


def test_periodic_cleanup_is_scheduled_in_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "identity.tasks.delete_stale_registrations" in tasks
