"""The Django admin's pages of the portal's models, as a superuser and as an administrator: axe finds no WCAG 2.2
A or AA violation (every field labelled, inlines' headers and the user picker included)."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from identity.models import AuthEventKind, Organisation, Team, User
from identity.services import auth_event_record
from tests.browser.conftest import AXE_OPTIONS, save_screenshot
from tests.conftest import CommittingClient
from tests.factories import UserFactory
from tests.helpers import sign_in
from workflows.holidays import usual_bank_holidays
from workflows.models import BankHoliday, Notification, NotificationKind, TeamRoute

ALEX = "alex.reed@plymouth.gov.uk"
SUPERUSER = "root@plymouth.gov.uk"

# The portal's models in the admin, and which pages the Administrator role may open.
# c: changelist, a: add, e: change (or view, when read only).
PORTAL_MODELS = {
    "identity.organisation": "cae",
    "identity.team": "cae",
    "identity.user": "cae",
    "identity.authevent": "ce",
    "workflows.teamroute": "cae",
    "workflows.bankholiday": "cae",
    "workflows.notification": "ce",
    "auth.group": "",
}

# Logs nobody adds to, not even a superuser.
SUPERUSER_MAY = {"identity.authevent": "ce", "workflows.notification": "ce"}


def one_of_each(model: str):
    """A row of each model to open the change page of."""
    if model == "identity.organisation":
        return Organisation.objects.get(name="St Mary's Catholic Primary School")
    if model == "identity.team":
        return Team.objects.get(slug="early-help-hub")
    if model == "identity.user":
        return User.objects.get(email="priya.shah@plymouth.gov.uk")
    if model == "identity.authevent":
        return auth_event_record(kind=AuthEventKind.SIGNED_IN, user=User.objects.get(email=ALEX))
    if model == "workflows.teamroute":
        return TeamRoute.objects.first()
    if model == "workflows.bankholiday":
        return BankHoliday.objects.first()
    if model == "workflows.notification":
        return Notification.objects.create(
            kind=NotificationKind.CLAIMED,
            recipient_email="sam.taylor@stmarys.plymouth.sch.uk",
            subject="EHAT-2026-000001 is being reviewed by Priya Shah",
            body="Hello",
            html_body="<p>Hello</p>",
            link="http://127.0.0.1:8000/assessments/1/progress/",
        )
    if model == "auth.group":
        return Group.objects.get(name="Team: Early Help hub")
    raise AssertionError(model)


def signed_in_as(live_server, page, email):
    """Carry a signed-in session (both factors) into the browser."""
    client = sign_in(CommittingClient(), User.objects.get(email=email))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


# Django's forms.css @imports widgets.css: axe would read it by adding a <style> element, which the portal's CSP
# refuses (a console error that fails the page). Without that read only css-orientation-lock goes unchecked, and
# no stylesheet the admin loads has an orientation media query (test_no_admin_stylesheet_locks_the_orientation).
ADMIN_AXE_OPTIONS = {**AXE_OPTIONS, "preload": False}


@pytest.fixture
def check_admin_page(axe, page):
    """axe (WCAG 2.2 A and AA) on an admin page as it is now, and a screenshot of it to look at."""

    def check(name: str) -> None:
        results = axe.run(page, options=ADMIN_AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()
        save_screenshot(page, name)

    return check


@pytest.fixture
def superuser(demo_data):
    return UserFactory(email=SUPERUSER, full_name="Sid Super", is_staff=True, is_superuser=True)


def pages_of(model: str, may: str, obj) -> list[tuple[str, str]]:
    app_label, model_name = model.split(".")
    base = f"/admin/{app_label}/{model_name}/"
    pages = [("c", base), ("a", f"{base}add/"), ("e", f"{base}{obj.pk}/change/")]
    return [(kind, path) for kind, path in pages if kind in may]


@pytest.mark.parametrize("model", list(PORTAL_MODELS))
@pytest.mark.parametrize("who", ["superuser", "administrator"])
def test_admin_pages_of_the_portals_models_are_accessible(live_server, page, check_admin_page, superuser, who, model):
    """Changelist, add and change pages: axe WCAG 2.2 A and AA; pages the role may not open are refused."""
    email = SUPERUSER if who == "superuser" else ALEX
    may = SUPERUSER_MAY.get(model, "cae") if who == "superuser" else PORTAL_MODELS[model]
    obj = one_of_each(model)
    if model == "identity.user":
        # An account awaiting approval, so the change form shows the approval field too.
        obj = UserFactory(
            email="pat.quinn@gmail.com",
            full_name="Pat Quinn",
            approval_required=True,
            email_verified_at=timezone.now(),
        )
    signed_in_as(live_server, page, email)
    if not may:
        response = page.goto(f"{live_server.url}/admin/{model.replace('.', '/')}/")
        assert response.status == 403
        return
    for kind, path in pages_of(model, may, obj):
        response = page.goto(live_server.url + path)
        assert response.status == 200, (path, response.status)
        expect(page.locator("#content h1")).to_be_visible()
        check_admin_page(f"admin-{who}-{model.replace('.', '-')}-{kind}")


def test_admin_home_is_accessible(live_server, page, check_admin_page, superuser):
    for email in (SUPERUSER, ALEX):
        signed_in_as(live_server, page, email)
        page.goto(live_server.url + "/admin/")
        expect(page.locator("#content h1")).to_be_visible()
        check_admin_page("admin-home-" + email.split("@")[0])


def test_the_team_memberships_user_picker_is_named_in_every_row_added(live_server, page, check_admin_page, superuser):
    """Select2 names its combobox by the chosen person alone, or nothing: each picker is named "User" as well."""
    team = Team.objects.get(slug="early-help-hub")
    signed_in_as(live_server, page, SUPERUSER)
    page.goto(f"{live_server.url}/admin/identity/team/{team.pk}/change/")
    pickers = page.get_by_role("combobox", name=re.compile(r"^User\b"))
    # Two members and one empty row.
    expect(pickers).to_have_count(3)
    expect(page.get_by_role("combobox", name=re.compile(r"^User Priya Shah"))).to_have_count(1)
    page.get_by_role("button", name="Add another Team membership").click()
    expect(pickers).to_have_count(4)
    expect(page.get_by_role("textbox", name="Domain")).to_have_count(0)
    check_admin_page("admin-team-membership-added")

    # The picker works from the keyboard: choose a person by typing part of the name.
    pickers.nth(3).focus()
    page.keyboard.press("Enter")
    search = page.get_by_role("searchbox", name="User")
    expect(search).to_be_focused()
    search.fill("Sam")
    expect(page.get_by_role("option", name=re.compile("Sam Taylor"))).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Alex Reed"))).to_have_count(0)
    check_admin_page("admin-team-membership-picker-open")
    page.get_by_role("option", name=re.compile("Sam Taylor")).click()
    expect(page.get_by_role("combobox", name=re.compile(r"^User Sam Taylor"))).to_have_count(1)


def test_the_organisation_domains_and_the_organisation_picker_are_labelled(live_server, page, superuser):
    """Inline rows' fields carry their column's name; the account's organisation picker carries its label."""
    organisation = Organisation.objects.get(name="St Mary's Catholic Primary School")
    signed_in_as(live_server, page, SUPERUSER)
    page.goto(f"{live_server.url}/admin/identity/organisation/{organisation.pk}/change/")
    # The school's domain and an empty row to add one.
    expect(page.get_by_role("textbox", name="Domain")).to_have_count(2)
    expect(page.get_by_role("checkbox", name="Delete")).to_have_count(1)
    account = User.objects.get(email="priya.shah@plymouth.gov.uk")
    page.goto(f"{live_server.url}/admin/identity/user/{account.pk}/change/")
    expect(page.get_by_role("combobox", name=re.compile(r"^Organisation\b"))).to_have_count(1)


MEDIA_QUERIES_OF_THE_PAGE = """() => {
    const found = [];
    const read = (sheet) => {
        for (const rule of sheet.cssRules) {
            if (rule instanceof CSSImportRule && rule.styleSheet) read(rule.styleSheet);
            if (rule instanceof CSSMediaRule) found.push(rule.conditionText);
        }
    };
    for (const sheet of document.styleSheets) read(sheet);
    return found;
}"""


def test_no_admin_stylesheet_locks_the_orientation(live_server, page, superuser):
    """What axe's css-orientation-lock would check (WCAG 1.3.4), which the admin's pages run without."""
    team = Team.objects.get(slug="early-help-hub")
    signed_in_as(live_server, page, SUPERUSER)
    media_queries = []
    # A change page with inline rows and pickers, and a list with filters: between them every admin stylesheet.
    for path in (f"/admin/identity/team/{team.pk}/change/", "/admin/identity/user/"):
        page.goto(live_server.url + path)
        media_queries += page.evaluate(MEDIA_QUERIES_OF_THE_PAGE)
    assert media_queries, "the admin's stylesheets were not read"
    assert [query for query in media_queries if "orientation" in query] == []


def test_loading_next_years_bank_holidays_in_the_admin(live_server, page, check_admin_page, superuser, tmp_path):
    """The warning on the admin home and the bank holidays list, then the load page by keyboard: a wrong file's
    error, then GOV.UK's file loaded and the warning gone."""
    BankHoliday.objects.filter(date__year__gte=2027).delete()
    signed_in_as(live_server, page, ALEX)
    page.goto(live_server.url + "/admin/")
    warning = page.locator("#bank-holidays-warning")
    expect(warning).to_contain_text("Bank holidays for 2027 are not loaded.")
    check_admin_page("admin-home-bank-holidays-warning")
    page.goto(live_server.url + "/admin/workflows/bankholiday/")
    expect(warning).to_contain_text("The last one loaded is 28 December 2026.")
    check_admin_page("admin-bank-holidays-warning")
    page.goto(live_server.url + "/admin/workflows/bankholiday/add/")
    expect(warning).to_contain_text("Bank holidays for 2027 are not loaded.")
    check_admin_page("admin-bank-holidays-add-warning")
    page.goto(live_server.url + "/admin/workflows/bankholiday/")

    page.get_by_role("link", name="Load from a GOV.UK file").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#content h1")).to_have_text("Load bank holidays from a file")
    check_admin_page("admin-bank-holidays-load")
    wrong = tmp_path / "holidays.json"
    wrong.write_text('{"scotland": {"events": []}}')
    page.get_by_label("GOV.UK bank holidays file").set_input_files(wrong)
    page.get_by_label("GOV.UK bank holidays file").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Load bank holidays")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".errornote")).to_contain_text('must have the "england-and-wales" bank holidays')
    expect(page.get_by_label("GOV.UK bank holidays file")).to_have_attribute("aria-invalid", "true")
    check_admin_page("admin-bank-holidays-load-error")

    events = [
        {"title": name, "date": day.isoformat(), "notes": "", "bunting": True}
        for year in (2027, 2028)
        for day, name in sorted(usual_bank_holidays(year).items())
    ]
    gov_uk = tmp_path / "bank-holidays.json"
    gov_uk.write_text(json.dumps({"england-and-wales": {"division": "england-and-wales", "events": events}}))
    page.get_by_label("GOV.UK bank holidays file").set_input_files(gov_uk)
    page.get_by_role("button", name="Load bank holidays").click()
    expect(page.locator(".messagelist")).to_contain_text("Added 16 bank holidays (2027 to 2028).")
    expect(warning).to_have_count(0)
    check_admin_page("admin-bank-holidays-loaded")
