"""The public pages in a real browser: accessible (axe, WCAG 2.2 AA), usable by keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import tab_to

PUBLIC_PAGES = [
    pytest.param("/", "start", id="start"),
    pytest.param("/accessibility/", "accessibility", id="accessibility"),
    pytest.param("/privacy/", "privacy", id="privacy"),
    pytest.param("/cookies/", "cookies", id="cookies"),
    pytest.param("/guides/", "guides", id="guides"),
    pytest.param("/guides/early-help/", "guide-early-help", id="guide-early-help"),
    pytest.param("/guides/send/", "guide-send", id="guide-send"),
    pytest.param("/guides/young-carers/", "guide-young-carers", id="guide-young-carers"),
    pytest.param("/no-such-page/", "error-404", id="not-found"),
]


@pytest.mark.parametrize(("path", "name"), PUBLIC_PAGES)
def test_public_page_has_no_accessibility_violations(live_server, page, check_page, path, name):
    page.goto(live_server.url + path)
    expect(page.locator("h1")).to_have_count(1)
    check_page(name)


@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        pytest.param("/test-errors/500/", "Sorry, there is a problem with the service", id="500"),
        pytest.param("/test-errors/400/", "Sorry, there is a problem with the request", id="400"),
        pytest.param("/test-errors/403/", "You cannot do this", id="403"),
    ],
)
def test_error_page_has_no_accessibility_violations(live_server, page, check_page, path, heading):
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_page(f"error-{path.split('/')[-2]}")


def test_csrf_failure_page_has_no_accessibility_violations(live_server, page, check_page):
    """A form posted without its token (for example from a stale page) lands on an accessible explanation."""
    page.goto(live_server.url + "/cookies/")
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/";
            document.body.appendChild(form);
            form.submit();
        }"""
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Your form could not be sent")
    check_page("error-403-csrf")


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(live_server, page):
    """Keyboard users can jump past the header straight to the page's content."""
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))
    expect(page.locator("#main-content")).to_be_focused()


def test_footer_links_are_reachable_by_keyboard(live_server, page):
    """Every footer link can be reached with Tab and followed with Enter."""
    page.goto(live_server.url + "/")
    accessibility_link = page.get_by_role("link", name="Accessibility statement")
    tab_to(page, accessibility_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")


def test_govuk_frontend_starts_on_the_page(live_server, page):
    """The body is marked as JavaScript-capable and GOV.UK Frontend's components are initialised."""
    page.goto(live_server.url + "/")
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    expect(page.locator('[data-module="govuk-skip-link"]')).to_have_attribute("data-govuk-skip-link-init", "")
