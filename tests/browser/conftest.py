"""Playwright with Debian's Chromium against pytest-django's live server, and axe on every page."""

import os

# The live server runs in a thread beside Playwright's sync API, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
SCREENSHOT_DIR = Path(
    os.environ.get("PORTAL_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)
# Tests wait for what the page shows, never for a fixed time; these limits only bound how long a page
# may take on a busy machine (two cores shared with other work) before the test gives up on it.
EXPECT_TIMEOUT_MS = 60_000
ACTION_TIMEOUT_MS = 60_000
NAVIGATION_TIMEOUT_MS = 90_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)
# `make screenshots` keeps only the pages the README shows.
SCREENSHOTS_ONLY = {name for name in os.environ.get("PORTAL_SCREENSHOTS_ONLY", "").split(",") if name}


def save_screenshot(page, name: str) -> None:
    if SCREENSHOTS_ONLY and name not in SCREENSHOTS_ONLY:
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    # The README shows the top of each page; the tests keep whole pages to look at.
    page.screenshot(path=SCREENSHOT_DIR / f"{name}.png", full_page=not SCREENSHOTS_ONLY)


def use_generous_timeouts(context) -> None:
    """Give a browser context's actions and navigations the limits above (Playwright's defaults are 30 s)."""
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)


def assert_accessible(axe, page) -> None:
    """axe finds no WCAG 2.2 A or AA violation on the page as it is now."""
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def tab_to(page, locator, *, at_most: int = 60) -> None:
    """Move the focus to `locator` with the Tab key alone, as a keyboard user would, and check it got there."""
    for _ in range(at_most):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            break
    expect(locator).to_be_focused()


def pytest_collection_modifyitems(items):
    browser_dir = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(browser_dir):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def page(page):
    """A page that fails the test on any script error, CSP violation or missing file it loads.

    The page's own document may be an error page on purpose; everything it loads must succeed.
    """
    use_generous_timeouts(page.context)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}")
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} for {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    yield page
    assert errors == [], f"The browser reported errors: {errors}"


@pytest.fixture
def check_page(axe, page):
    """Run axe (WCAG 2.2 A and AA) on the page as it is now, and optionally keep a screenshot to look at."""

    def check(name: str | None = None) -> None:
        assert_accessible(axe, page)
        if name:
            save_screenshot(page, name)

    return check
