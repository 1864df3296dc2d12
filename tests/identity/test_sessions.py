"""Sessions: the second factor on every page, 30-minute idle time-out, one session per account."""

import datetime as dt

import pytest
import time_machine
from django.urls import get_resolver

from identity.models import AuthEvent, AuthEventKind
from tests.conftest import CommittingClient
from tests.factories import AdministratorFactory
from tests.helpers import sign_in
from tests.identity.conftest import sign_in_fully

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_every_page_but_the_public_ones_needs_signing_in(client, db):
    """Deny by default: a new view is private unless marked public."""
    public_prefixes = ("/account/sign-in/", "/account/register/", "/account/verify/", "/account/password-reset/")
    for path in ("/home/", "/account/", "/account/details/", "/account/approvals/", "/admin/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain, path
        assert response.redirect_chain[-1][0].startswith("/account/sign-in/?next="), path
    for path in ("/", "/guides/", "/accessibility/", "/privacy/", "/cookies/", *public_prefixes[:2]):
        assert client.get(path).status_code == 200, path


def test_password_alone_does_not_open_any_page(client, verified_professional):
    """A session signed in without the code (for example through Django's own login) is sent to sign in."""
    client.force_login(verified_professional, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
    assert "_auth_user_id" not in client.session


def test_admin_uses_the_portal_sign_in_with_its_second_factor(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/admin/"
    administrator = AdministratorFactory()
    client.force_login(administrator, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").status_code == 302
    sign_in(client, administrator)
    assert client.get("/admin/").status_code == 200


def test_idle_for_29_minutes_is_still_signed_in(client, verified_professional):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, verified_professional)
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/account/").status_code == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/account/").status_code == 200


def test_idle_for_31_minutes_times_out_to_sign_in_with_the_reason_and_the_way_back(client, verified_professional):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, verified_professional)
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/account/details/")
        assert response.status_code == 302
        assert response["Location"] == "/account/sign-in/?next=/account/details/"
        page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you did nothing for 30 minutes" in page
    assert AuthEvent.objects.filter(user=verified_professional, kind=AuthEventKind.TIMED_OUT).exists()


def test_pages_within_half_a_minute_of_the_last_activity_do_not_write_the_session(client, verified_professional):
    """Activity is counted to the half-minute, so most pages read the session without saving it again."""
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, verified_professional)
        assert client.get("/account/").status_code == 200
        counted_at = client.session["portal_last_activity"]
        traveller.shift(dt.timedelta(seconds=20))
        assert client.get("/account/").status_code == 200
        assert client.session["portal_last_activity"] == counted_at
        traveller.shift(dt.timedelta(seconds=20))
        assert client.get("/account/").status_code == 200
        assert client.session["portal_last_activity"] == counted_at + 40
        status = client.get("/account/session/").json()
        assert status["seconds_left"] == 1800


def test_the_status_check_does_not_keep_the_session_alive(client, verified_professional):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, verified_professional)
        traveller.shift(dt.timedelta(minutes=20))
        status = client.get("/account/session/").json()
        assert status == {"signed_in": True, "seconds_left": 600, "warning_seconds": 120}
        traveller.shift(dt.timedelta(minutes=11))
        assert client.get("/account/").status_code == 302


def test_staying_signed_in_restarts_the_idle_clock(client, verified_professional):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, verified_professional)
        traveller.shift(dt.timedelta(minutes=29))
        extended = client.post("/account/session/extend/").json()
        assert extended["seconds_left"] == 1800
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/account/").status_code == 200


def test_the_warning_running_out_signs_out_and_offers_the_same_page(client, verified_professional):
    sign_in(client, verified_professional)
    response = client.post("/account/session/timed-out/", {"next": "/account/details/"})
    assert response["Location"] == "/account/sign-in/?next=%2Faccount%2Fdetails%2F"
    assert client.get("/account/").status_code == 302
    assert AuthEvent.objects.filter(user=verified_professional, kind=AuthEventKind.TIMED_OUT).count() == 1


@pytest.mark.parametrize("next_path", ["https://evil.example.com/", "//evil.example.com"])
def test_the_time_out_page_will_not_redirect_off_site(client, verified_professional, next_path):
    sign_in(client, verified_professional)
    response = client.post("/account/session/timed-out/", {"next": next_path})
    assert response["Location"] == "/account/sign-in/"


def test_a_second_sign_in_ends_the_first_session(client, verified_professional):
    """Accounts are not shared (the seed): one active session; the first is told why."""
    sign_in_fully(client, verified_professional)
    assert client.get("/account/").status_code == 200

    second = CommittingClient()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)):
        sign_in_fully(second, verified_professional)
    assert second.get("/account/").status_code == 200

    response = client.get("/account/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because your account was signed in somewhere else" in page
    assert second.get("/account/").status_code == 200
    assert AuthEvent.objects.filter(user=verified_professional, kind=AuthEventKind.SESSION_REPLACED).count() == 1


def test_deactivation_ends_the_session_on_the_next_request(client, verified_professional, demo_data):
    from identity.models import User
    from identity.services import account_deactivate

    sign_in(client, verified_professional)
    assert client.get("/account/").status_code == 200
    administrator = User.objects.get(email="alex.reed@plymouth.gov.uk")
    account_deactivate(request=None, actor=administrator, user=verified_professional)
    assert client.get("/account/").status_code == 302


def test_deactivating_in_the_admin_ends_the_session(client, verified_professional, demo_data):
    from identity.models import User

    sign_in(client, verified_professional)
    admin_client = CommittingClient()
    administrator = User.objects.get(email="alex.reed@plymouth.gov.uk")
    administrator.is_superuser = True
    administrator.save()
    sign_in(admin_client, administrator)
    change_url = f"/admin/identity/user/{verified_professional.pk}/change/"
    form = admin_client.get(change_url)
    assert form.status_code == 200
    data = {
        "email": verified_professional.email,
        "full_name": verified_professional.full_name,
        "job_title": verified_professional.job_title,
        "organisation": verified_professional.organisation_id,
        "phone": "",
        "is_active": "",
        "groups": [group.pk for group in verified_professional.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "approval_required": "",
    }
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    verified_professional.refresh_from_db()
    assert not verified_professional.is_active
    assert client.get("/account/").status_code == 302
    assert AuthEvent.objects.filter(user=verified_professional, kind=AuthEventKind.DEACTIVATED).exists()


def test_every_url_of_the_project_is_public_only_on_purpose(db):
    """Views marked public (login_not_required) are exactly these; any other needs both factors."""
    expected_public = {
        "portal:start",
        "portal:accessibility",
        "portal:privacy",
        "portal:cookies",
        "portal:guides",
        "portal:guide-early-help",
        "portal:guide-send",
        "portal:guide-young-carers",
        "identity:sign-in",
        "identity:sign-out",
        "identity:signed-out",
        "identity:register",
        "identity:check-email",
        "identity:verify",
        "identity:verify-resend",
        "identity:verify-resend-for-link",
        "identity:password-reset",
        "identity:password-reset-link",
        "identity:password-reset-question",
        "identity:password-reset-new",
        "identity:password-reset-done",
        "identity:session-status",
        "identity:session-timed-out",
        "admin-login-redirect",
        # Django's admin marks its own login form public; the redirect above shadows it (tested above).
        "admin:login",
    }
    public = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif not getattr(pattern.callback, "login_required", True):
                public.add(f"{namespace}{pattern.name}" if pattern.name else "admin-login-redirect")

    walk(get_resolver().url_patterns)
    assert public == expected_public
