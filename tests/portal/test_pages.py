"""The start page, static pages and error pages: present, branded as the council's, never a stack trace."""

import pytest
from django.test import Client, override_settings

STATIC_PAGES = [
    pytest.param("/", "Submit and follow early help, EHCP and young carers assessments", id="start"),
    pytest.param("/accessibility/", "Accessibility statement", id="accessibility"),
    pytest.param("/privacy/", "Privacy notice", id="privacy"),
    pytest.param("/cookies/", "Cookies", id="cookies"),
    pytest.param("/guides/", "User guides", id="guides"),
    pytest.param("/guides/early-help/", "Early Help Assessment (EHAT)", id="guide-early-help"),
    pytest.param("/guides/send/", "Education, Health and Care needs assessment", id="guide-send"),
    pytest.param("/guides/young-carers/", "Young Carers assessment", id="guide-young-carers"),
]


@pytest.mark.parametrize(("url", "heading"), STATIC_PAGES)
def test_public_page_shows_its_heading_and_the_council_brand(client, db, url, heading):
    """Each public page answers 200 with its heading, the council's name and the footer links."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert "Plymouth City Council" in html
    for footer_link in ("/accessibility/", "/privacy/", "/cookies/", "/guides/"):
        assert f'href="{footer_link}"' in html


def test_pages_carry_no_gov_uk_brand(client, db):
    """A council service is not on GOV.UK: no crown, no GDS Transport font, no Crown copyright."""
    html = client.get("/").content.decode()
    for brand_mark in ("govuk-header__logotype", "govuk-logo", "Crown copyright", "GDS Transport", "govuk-crest"):
        assert brand_mark not in html


@override_settings(PORTAL_COUNCIL_NAME="Devon County Council")
def test_council_name_comes_from_the_setting(client, db):
    """Another council can run the portal under its own name."""
    html = client.get("/").content.decode()
    assert "Devon County Council" in html
    assert "Plymouth City Council" not in html


def test_unknown_page_gets_the_styled_not_found_page(client, db):
    """A wrong address says what happened and what to do next."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "If you typed the web address, check it is correct." in html


@pytest.mark.urls("tests.error_urls")
def test_server_error_gets_the_styled_page_without_a_stack_trace(db):
    """An unexpected failure shows a calm page with the safeguarding number, never a traceback."""
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "01752 668000" in html
    assert "Traceback" not in html
    assert "deliberate failure" not in html


@pytest.mark.urls("tests.error_urls")
def test_bad_request_gets_the_styled_page(client, db):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    assert "Sorry, there is a problem with the request" in response.content.decode()


@pytest.mark.urls("tests.error_urls")
def test_permission_denied_gets_the_styled_page(client, db):
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_unknown_host_header_is_refused_with_the_bad_request_page(client, db):
    """Host-header tricks get a 400 page, not a response built for another site."""
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "Sorry, there is a problem with the request" in response.content.decode()


def test_form_sent_without_csrf_token_gets_a_page_that_explains(db):
    """A missing CSRF token is a clear 403 page telling the user how to recover."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/", {"anything": "x"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


def test_security_headers_are_on_every_page(client, db):
    """CSP with no inline script, no framing, no MIME sniffing, a strict referrer policy."""
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client, db):
    """Every script is a file, so the Content-Security-Policy can forbid inline script."""
    html = client.get("/").content.decode()
    assert "<script>" not in html
    assert "<script " in html
    for tag in html.split("<script ")[1:]:
        assert tag.startswith("src=")
