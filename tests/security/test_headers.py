"""Security headers on every kind of page, and the production settings' cookies and HSTS (ASVS 3.3, 3.4)."""

import importlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import ProfessionalFactory
from tests.helpers import code_in, last_email_to
from tests.identity.conftest import PASSWORD
from tests.security.conftest import World

BASE_DIR = Path(settings.BASE_DIR)

# (role, address, expected status): the public pages, each role's own pages, the error pages, and downloads.
PAGES = [
    ("anonymous", "/", 200),
    ("anonymous", "/account/sign-in/", 200),
    ("anonymous", "/account/register/", 200),
    ("anonymous", "/guides/early-help/", 200),
    ("anonymous", "/account/session/", 200),
    ("anonymous", "/no-such-page/", 404),
    ("anonymous", "/assessments/", 302),
    ("author", "/assessments/", 200),
    ("author", "/assessments/{draft}/", 200),
    ("author", "/assessments/{draft}/sections/reason/", 200),
    ("author", "/assessments/{draft}/evidence/", 200),
    ("author", "/assessments/{draft}/evidence/{attachment}/download/", 200),
    ("author", "/assessments/{submitted}/progress/", 200),
    ("author", "/account/", 200),
    ("author", "/notifications/", 200),
    ("author", "/work/", 403),
    ("other_org", "/assessments/{draft}/", 404),
    ("officer", "/work/queue/", 200),
    ("officer", "/cases/{submitted}/", 200),
    ("officer", "/cases/{under_review}/decide/", 200),
    ("team_manager", "/work/team/", 200),
    ("service_manager", "/reports/", 200),
    ("service_manager", "/reports/status.csv", 200),
    ("service_manager", "/reports/dashboard.xlsx", 200),
    ("administrator", "/account/approvals/", 200),
    ("administrator", "/admin/", 200),
]
SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [word.lower() for word in words[1:]]
    return directives


def assert_security_headers(response, where: str, *, legacy_frame_header: bool = True) -> None:
    csp = response.get("Content-Security-Policy")
    assert csp, f"{where}: no Content-Security-Policy"
    directives = csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, f"{where}: CSP has neither script-src nor default-src"
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in scripts, f"{where}: script-src allows {unsafe}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{where}: frame-ancestors is not 'none'"
    assert directives.get("object-src") == ["'none'"], f"{where}: object-src is not 'none'"
    assert "base-uri" in directives, f"{where}: no base-uri"
    assert response.get("X-Content-Type-Options") == "nosniff", where
    if legacy_frame_header:
        assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("Referrer-Policy") in SAFE_REFERRER_POLICIES, where
    assert_strict_permissions_policy(response, where)


# Browser features that could reach a child's surroundings or the user's devices: none is ever allowed.
FEATURES_DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "display-capture", "bluetooth", "serial")


def assert_strict_permissions_policy(response, where: str) -> None:
    header = response.get("Permissions-Policy")
    assert header, f"{where}: no Permissions-Policy"
    allowlists = dict(part.strip().split("=", 1) for part in header.split(","))
    for feature in FEATURES_DENIED:
        assert allowlists.get(feature) == "()", f"{where}: Permissions-Policy does not deny {feature}"


def assert_no_inline_code(html: str, where: str) -> None:
    """What the CSP would block must not be on the page: inline scripts, event handlers, style attributes."""
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert "src=" in tag, f"{where}: inline <script> {tag}"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, flags=re.IGNORECASE), f"{where}: inline event handler"
    assert not re.search(r"<[^>]+\sstyle\s*=", html, flags=re.IGNORECASE), f"{where}: inline style attribute"
    assert "javascript:" not in html.lower(), f"{where}: javascript: URL"


@pytest.mark.parametrize(("role", "address", "status"), PAGES, ids=[f"{r}:{a}" for r, a, _ in PAGES])
def test_every_kind_of_page_sends_the_security_headers(world: World, role, address, status):
    """CSP without inline script, nosniff, a referrer policy and no framing, on pages, errors and downloads."""
    draft, submitted = world.case("ehat", "draft"), world.case("ehat", "submitted")
    under_review = world.case("ehat", "under_review")
    path = address.format(
        draft=draft.pk, submitted=submitted.pk, under_review=under_review.pk, attachment=world.attachments[draft.pk].pk
    )
    response = world.client_for(role).get(path)
    assert response.status_code == status, path
    assert_security_headers(response, f"{role} {path}")
    if response.get("Content-Type", "").startswith("text/html"):
        assert_no_inline_code(response.content.decode(), f"{role} {path}")


@pytest.mark.parametrize("failure", ["bad-host-400", "csrf-403"])
def test_error_pages_send_the_security_headers_too(world: World, failure):
    if failure == "csrf-403":
        response = Client(enforce_csrf_checks=True).post("/account/sign-in/", {})
        assert response.status_code == 403
    else:
        response = Client().get("/", HTTP_HOST="evil.example")
        assert response.status_code == 400
    # A bad Host is refused by CommonMiddleware, before the clickjacking middleware adds X-Frame-Options;
    # CSP's frame-ancestors 'none' (checked) is what stops framing in today's browsers.
    assert_security_headers(response, failure, legacy_frame_header=failure == "csrf-403")


def test_static_files_send_the_permissions_policy_too(settings):
    """The policy is set outside whitenoise, so the style sheet and scripts are covered as well as pages."""
    settings.WHITENOISE_USE_FINDERS = True  # served from the source folders, as the demo server does
    response = Client().get("/static/build/portal.css")
    assert response.status_code == 200
    assert_strict_permissions_policy(response, "/static/build/portal.css")


# Every page that shows a case, or figures about cases, to the people who may see it.
CASE_PAGES = [
    ("author", "/assessments/"),
    ("author", "/assessments/{draft}/"),
    ("author", "/assessments/{draft}/sections/reason/"),
    ("author", "/assessments/{draft}/check-your-answers/"),
    ("author", "/assessments/{draft}/answers/"),
    ("author", "/assessments/{draft}/history/"),
    ("author", "/assessments/{draft}/evidence/"),
    ("author", "/assessments/{draft}/sharing/"),
    ("viewer", "/assessments/{draft}/answers/"),
    ("author", "/assessments/{submitted}/progress/"),
    ("officer", "/work/queue/"),
    ("officer", "/cases/{submitted}/"),
    ("officer", "/cases/{under_review}/decide/"),
    ("officer", "/assessments/{submitted}/"),
    ("officer", "/assessments/{submitted}/answers/"),
    ("officer", "/assessments/{submitted}/history/"),
    ("officer", "/assessments/{submitted}/evidence/"),
    ("officer", "/assessments/{submitted}/progress/"),
    ("team_manager", "/work/team/"),
    ("service_manager", "/reports/"),
    ("service_manager", "/reports/status.csv"),
    ("service_manager", "/reports/dashboard.xlsx"),
    ("service_manager", "/data-protection/disclosures/"),
    ("author", "/notifications/"),
    ("author", "/account/"),
]


@pytest.mark.parametrize(("role", "address"), CASE_PAGES, ids=[f"{r}:{a}" for r, a in CASE_PAGES])
def test_pages_with_case_data_are_never_stored(world: World, role, address):
    """No proxy, browser cache or back-forward cache keeps a case page for the next person at the computer."""
    draft, submitted = world.case("ehat", "draft"), world.case("ehat", "submitted")
    path = address.format(draft=draft.pk, submitted=submitted.pk, under_review=world.case("ehat", "under_review").pk)
    response = world.client_for(role).get(path)
    assert response.status_code == 200, path
    directives = {directive.strip() for directive in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, f"{path}: Cache-Control {response['Cache-Control']}"


def test_public_pages_may_still_be_cached(client, db):
    """Only what a signed-in person is shown is kept out of caches: the start page is the same for everyone."""
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_private_pages_are_not_kept_by_shared_caches(world: World):
    """A case page must not be stored by a proxy or the browser's back-forward cache for the next person."""
    case = world.case("ehat", "draft")
    response = world.client_for("author").get(
        f"/assessments/{case.pk}/evidence/{world.attachments[case.pk].pk}/download/"
    )
    assert "no-store" in response["Cache-Control"]


# ---------------------------------------------------------------- production settings

PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.plymouth.gov.uk",
    "CELERY_BROKER_URL": "memory://",
    "PORTAL_CACHE_URL": "redis://127.0.0.1:6379/1",
    "PORTAL_BASE_URL": "https://portal.plymouth.gov.uk",
}
HOST = "portal.plymouth.gov.uk"
# Set for this test process only (the browser tests' conftest allows Django's sync calls
# under Playwright's event loop); a production server never has them.
TEST_PROCESS_ONLY = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_the_production_settings_pass_djangos_deploy_check(tmp_path):
    """`manage.py check --deploy` with portal.settings.production: no warning at all."""
    environment = {
        **{key: value for key, value in os.environ.items() if key not in TEST_PROCESS_ONLY},
        **PRODUCTION_ENVIRONMENT,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def production(monkeypatch):
    """The transport settings exactly as portal.settings.production makes them, applied to this test."""
    for key, value in {**PRODUCTION_ENVIRONMENT, "DATABASE_URL": "sqlite:///unused.sqlite3"}.items():
        monkeypatch.setenv(key, value)
    module = importlib.reload(importlib.import_module("portal.settings.production"))
    names = [
        name
        for name in dir(module)
        if name.startswith(("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "CSRF_TRUSTED"))
        or name in ("DEBUG", "ALLOWED_HOSTS", "CONTENT_SECURITY_POLICY", "X_FRAME_OPTIONS")
    ]
    with override_settings(**{name: getattr(module, name) for name in names}):
        yield module


def test_production_sends_plain_http_to_https(production, db):
    response = Client().get("/account/sign-in/", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/account/sign-in/"


def test_production_sends_hsts_for_a_year_with_subdomains(production, db):
    response = Client().get("/", HTTP_HOST=HOST, secure=True)
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains; preload", hsts), hsts
    assert int(re.match(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000


def _cookie_attributes(morsel) -> dict:
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}


def test_production_cookies_are_secure_httponly_samesite_and_host_only(production, db):
    """Signing in over HTTPS: the session and CSRF cookies are __Host- cookies, Secure, HttpOnly and SameSite."""
    person = ProfessionalFactory(email="rowan.reid@stmarys.plymouth.sch.uk", email_verified_at=timezone.now())
    person.set_password(PASSWORD)
    person.save()
    client = Client()
    mail.outbox.clear()
    page = client.get("/account/sign-in/", HTTP_HOST=HOST, secure=True)
    assert page.status_code == 200
    client.post(
        "/account/sign-in/",
        {"sign_in_view-current_step": "auth", "auth-username": person.email, "auth-password": PASSWORD},
        HTTP_HOST=HOST,
        secure=True,
    )
    signed_in = client.post(
        "/account/sign-in/",
        {"sign_in_view-current_step": "token", "token-code": code_in(last_email_to(person.email))},
        HTTP_HOST=HOST,
        secure=True,
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies["__Host-sessionid"]
    csrf = page.cookies["__Host-csrftoken"]
    for name, morsel in (("session", session), ("csrf", csrf)):
        assert _cookie_attributes(morsel) == {"secure": True, "httponly": True, "samesite": "Lax"}, name
        assert morsel["path"] == "/", name
        assert not morsel["domain"], f"{name}: a __Host- cookie must not name a domain"
    assert "sessionid" not in signed_in.cookies
    assert "csrftoken" not in page.cookies
