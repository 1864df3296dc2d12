"""Open redirects through every `next`, and host-header tricks (ASVS 3.7.2, 4.1.x, 13.x host validation)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from identity.models import User
from tests.factories import ProfessionalFactory
from tests.helpers import code_in, last_email_to, sign_in
from tests.identity.conftest import PASSWORD, post_code, post_password

OFF_SITE = [
    pytest.param("https://evil.example/", id="absolute-https"),
    pytest.param("http://evil.example", id="absolute-http"),
    pytest.param("//evil.example/path", id="scheme-relative"),
    pytest.param("/\\evil.example", id="slash-backslash"),
    pytest.param("\\\\evil.example", id="double-backslash"),
    pytest.param("https:evil.example", id="scheme-without-slashes"),
    pytest.param("javascript:alert(document.domain)", id="javascript"),
    pytest.param("data:text/html,<script>alert(1)</script>", id="data-url"),
    pytest.param(" //evil.example", id="leading-space"),
    pytest.param("\t//evil.example", id="leading-tab"),
    pytest.param("/%09/evil.example", id="encoded-tab"),
    pytest.param("https://testserver@evil.example/", id="userinfo"),
    pytest.param("https://evil.example%23@testserver/", id="encoded-hash"),
    pytest.param("///evil.example", id="triple-slash"),
]


def is_on_site(location: str) -> bool:
    """A redirect a browser follows to this site only: a path, with no scheme, host or slash-backslash trick."""
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and "\\" not in location
        and not any(character in location for character in "\t\r\n")
    )


@pytest.fixture
def person(db):
    user = ProfessionalFactory(email="rowan.reid@stmarys.plymouth.sch.uk", email_verified_at=timezone.now())
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize("next_path", OFF_SITE)
def test_signing_in_never_sends_the_browser_off_site(client, person, next_path):
    """Whatever `next` says, the end of signing in is a page of the portal."""
    mail.outbox.clear()
    page = client.get("/account/sign-in/", {"next": next_path})
    assert page.status_code == 200
    assert post_password(client, person.email, next_path=next_path).status_code == 200
    response = post_code(client, code_in(last_email_to(person.email)), next_path=next_path)
    assert response.status_code == 302
    assert is_on_site(response["Location"]), response["Location"]


def test_the_next_page_survives_signing_in(client, person):
    """The control: a path of the portal is kept, so the refusals above are the checks at work."""
    mail.outbox.clear()
    post_password(client, person.email, next_path="/account/details/")
    response = post_code(client, code_in(last_email_to(person.email)), next_path="/account/details/")
    assert response["Location"] == "/account/details/"


@pytest.mark.parametrize("next_path", OFF_SITE)
def test_the_admins_login_address_does_not_open_a_redirect(client, person, next_path):
    """/admin/login/?next= passes its query to the portal's sign-in, which must still refuse to leave the site."""
    first = client.get("/admin/login/", {"next": next_path})
    assert first.status_code == 302
    assert is_on_site(first["Location"])
    mail.outbox.clear()
    post_password(client, person.email, next_path=next_path)
    response = post_code(client, code_in(last_email_to(person.email)), next_path=next_path)
    assert is_on_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("next_path", OFF_SITE)
def test_the_session_time_out_never_sends_the_browser_off_site(client, person, next_path):
    sign_in(client, person)
    response = client.post("/account/session/timed-out/", {"next": next_path})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/account/sign-in/"
    kept = parse_qs(location.query).get("next", [])
    assert all(is_on_site(path) for path in kept), kept


@pytest.mark.parametrize("next_path", OFF_SITE)
def test_signing_out_never_sends_the_browser_off_site(client, person, next_path):
    sign_in(client, person)
    response = client.post(f"/account/sign-out/?next={next_path}", {"next": next_path})
    assert response.status_code == 302
    assert response["Location"] == "/account/signed-out/"


@pytest.mark.parametrize("next_path", OFF_SITE)
def test_signing_out_of_the_admin_never_sends_the_browser_off_site(client, demo_data, next_path):
    sign_in(client, User.objects.get(email="alex.reed@plymouth.gov.uk"))
    response = client.post("/admin/logout/", {"next": next_path})
    assert response.status_code == 302
    assert is_on_site(response["Location"]), response["Location"]


def test_the_next_field_is_written_into_the_sign_in_page_as_text(client, db):
    page = client.get("/account/sign-in/", {"next": '/"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in page


# ---------------------------------------------------------------- the Host header

HOSTILE_HOSTS = [
    pytest.param("evil.example", id="another-host"),
    pytest.param("testserver.evil.example", id="suffix"),
    pytest.param("evil.example:8000", id="another-host-with-port"),
    pytest.param("testserver@evil.example", id="userinfo"),
    pytest.param("127.0.0.1.evil.example", id="ip-prefix"),
    pytest.param("evil.example#testserver", id="fragment"),
    pytest.param("testserver:80:evil.example", id="two-ports"),
]


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
@pytest.mark.parametrize("path", ["/", "/account/sign-in/", "/account/password-reset/"])
def test_a_request_for_another_host_gets_the_styled_400(client, db, host, path):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 400
    assert "govuk-template" in response.content.decode()


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_a_password_reset_for_another_host_sends_no_e_mail(client, person, host):
    """Host-header poisoning: the reset link is built from the request's host, so such a request must fail."""
    mail.outbox.clear()
    response = client.post("/account/password-reset/", {"email": person.email}, HTTP_HOST=host)
    assert response.status_code == 400
    assert mail.outbox == []


def test_a_forwarded_host_is_not_believed(client, person):
    """X-Forwarded-Host is not trusted: the reset link names this site, not the one in the header."""
    mail.outbox.clear()
    response = client.post("/account/password-reset/", {"email": person.email}, HTTP_X_FORWARDED_HOST="evil.example")
    assert response.status_code == 200
    body = last_email_to(person.email).body
    assert "evil.example" not in body
    assert "http://testserver/account/password-reset/link/" in body
