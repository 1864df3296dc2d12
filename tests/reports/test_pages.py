"""The reports pages: who may see them, the filters, and downloads that hold exactly the page's figures."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from identity.models import Team
from tests.casework.conftest import verified_professional
from tests.conftest import CommittingClient
from tests.factories import AdministratorFactory
from tests.helpers import sign_in
from tests.reports.conftest import NOW, PERIOD, filters, page_tables
from tests.workflows.conftest import ANA, JO, LEE, PRIYA, TOM, person
from workflows import reports

pytestmark = pytest.mark.django_db

REPORTS_URL = "/reports/"
PERIOD_QUERY = (
    f"date_from_day={PERIOD[0].day}&date_from_month={PERIOD[0].month}&date_from_year={PERIOD[0].year}"
    f"&date_to_day={PERIOD[1].day}&date_to_month={PERIOD[1].month}&date_to_year={PERIOD[1].year}"
)


@pytest.fixture
def now():
    """The case book's 'now', for the requests (the case book travels to its own days first)."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


def client_as(user) -> CommittingClient:
    return sign_in(CommittingClient(), user)


@pytest.fixture
def lee_client(casebook, now):
    return client_as(casebook.lee)


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# ---------------------------------------------------------------- who may see the reports


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param(LEE, 200, id="service-manager"),
        pytest.param(JO, 200, id="team-manager"),
        pytest.param(PRIYA, 200, id="officer-own-team"),
        pytest.param("professional", 403, id="professional-403"),
        pytest.param("administrator", 403, id="administrator-without-a-team-403"),
    ],
)
@pytest.mark.parametrize("path", [REPORTS_URL, "/reports/status.csv", "/reports/dashboard.xlsx"])
def test_reports_are_for_council_officers_and_managers(demo_data, who, status, path):
    """Professionals and council staff outside the teams are refused the page and every download."""
    if who == "professional":
        user = verified_professional()
    elif who == "administrator":
        user = AdministratorFactory()
    else:
        user = person(who)
    assert client_as(user).get(path).status_code == status


@pytest.mark.parametrize("path", [REPORTS_URL, "/reports/workload.csv", "/reports/dashboard.xlsx"])
def test_signed_out_visitors_are_sent_to_sign_in(db, path):
    response = CommittingClient().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        pytest.param(LEE, True, id="service-manager"),
        pytest.param(TOM, True, id="officer"),
        pytest.param("professional", False, id="professional"),
    ],
)
def test_navigation_shows_reports_to_those_who_may_see_them(demo_data, who, shown):
    user = verified_professional() if who == "professional" else person(who)
    page = client_as(user).get("/account/").content.decode()
    assert ('href="/reports/"' in page) is shown


def test_team_filter_offers_only_the_teams_in_scope(casebook, now):
    """Jo's team list is her own; asking for another team's figures is an error on the form, not a leak."""
    client = client_as(casebook.jo)
    page = client.get(REPORTS_URL).content.decode()
    assert "Early Help hub" in page
    assert "SEND statutory assessment team" not in page
    send = Team.objects.get(slug="send-statutory-assessment")
    refused = client.get(REPORTS_URL, {"team": send.pk})
    assert refused.status_code == 200
    assert "Select one of your teams" in refused.content.decode()
    assert "Figures for" not in refused.content.decode()


# ---------------------------------------------------------------- the page and its downloads agree


def test_dashboard_shows_every_report_with_a_chart_and_a_captioned_table(lee_client):
    response = lee_client.get(f"{REPORTS_URL}?{PERIOD_QUERY}")
    assert response.status_code == 200
    page = response.content.decode()
    tables = page_tables(page)
    board_captions = {
        "Cases received in the period, by their status now",
        "Cases received, decided and closed each week",
        "Outcomes of the cases closed in the period, by type",
        "Days from the first submission to each step",
        "Days spent in each state by the cases received in the period",
        "Returns to the author on the cases received in the period",
        "Sections most often returned for changes",
        "Open cases and running needs assessments now, with annual reviews overdue or due soon, by officer",
        "Open cases past their decision due date, and needs assessments and annual reviews past a statutory date",
        "Open cases, needs assessments and annual reviews due in the next 10 days",
        "EHCP requests: decisions whether to assess made within 6 weeks, by month of decision",
        "EHC needs assessments: advice returned within 6 weeks of being asked for, by month it was due",
        "EHC needs assessments: decisions whether to issue a plan made within 16 weeks, by month of decision",
        "EHC plans issued within 20 weeks of the request, by month of issue",
    }
    assert board_captions <= set(tables)
    assert page.count('role="img"') == 12  # every report but the two lists has a chart
    assert "England 2024: 46.4%" in page
    assert "Figures for 1 January 2026 to 30 June 2026; all assessment types; all your teams" in page


@pytest.mark.parametrize("slug", list(reports.REPORTS))
def test_each_csv_holds_exactly_the_table_on_the_page(lee_client, slug):
    """The CSV linked from a report has the same header, rows and totals as the page's table, as text."""
    page = lee_client.get(f"{REPORTS_URL}?{PERIOD_QUERY}").content.decode()
    caption = reports.REPORTS[slug].build(reports.report_scope(person(LEE)), filters()).table().caption
    link = f"/reports/{slug}.csv?"
    assert link in page
    response = lee_client.get(f"/reports/{slug}.csv?{PERIOD_QUERY}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{slug}-2026-01-01-to-2026-06-30.csv"'
    assert csv_rows(response) == page_tables(page)[caption]


def test_csv_link_keeps_the_filters_of_the_page(lee_client):
    """The page's download links carry its filters, so the file matches what was on screen."""
    page = lee_client.get(f"{REPORTS_URL}?{PERIOD_QUERY}&kind=ehcp").content.decode()
    assert "/reports/status.csv?date_from_day=1&amp;date_from_month=1&amp;date_from_year=2026" in page
    assert "kind=ehcp" in page
    rows = csv_rows(lee_client.get(f"/reports/status.csv?{PERIOD_QUERY}&kind=ehcp"))
    assert rows[-1] == ["Total", "3", "100.0"]


def test_spreadsheet_has_a_sheet_per_report_with_the_pages_figures(lee_client):
    """A cover sheet, then one sheet per report: its caption in A1, then the page's table as numbers and dates."""
    response = lee_client.get(f"/reports/dashboard.xlsx?{PERIOD_QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Cover", *(definition.sheet for definition in reports.REPORTS.values())]
    page = page_tables(lee_client.get(f"{REPORTS_URL}?{PERIOD_QUERY}").content.decode())
    for slug, definition in reports.REPORTS.items():
        sheet = book[definition.sheet]
        caption = sheet["A1"].value
        shown = page[caption]
        written = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
        assert len(written) == len(shown), slug
        assert written[0] == shown[0], slug
        for row, shown_row in zip(written[1:], shown[1:], strict=True):
            assert [as_shown(value, text) for value, text in zip(row, shown_row, strict=True)] == shown_row, slug


def as_shown(value, text: str) -> str:
    """A spreadsheet value written as the page writes it (the spreadsheet holds real numbers and dates)."""
    if value is None:
        return text if text in ("–", "") else "(empty)"
    if isinstance(value, int | float):
        places = len(text.split(".")[1]) if "." in text else 0
        return f"{value:,.{places}f}"
    if isinstance(value, dt.datetime):
        return f"{value:%-d %b %Y}" if len(text.split()) == 3 else f"{value:%B %Y}"
    return str(value)


def test_spreadsheet_cells_are_numbers_and_dates(lee_client):
    book = load_workbook(io.BytesIO(lee_client.get(f"/reports/dashboard.xlsx?{PERIOD_QUERY}").content))
    times = book["Time to each step"]
    assert [cell.value for cell in times[6]] == ["Submission to decision", 5, 39.0, 53.0, 31.4]
    assert times["C6"].number_format == "#,##0.0"
    weeks = book["Weekly volumes"]
    assert weeks["A5"].value.date().isoformat() == "2025-12-29"


def test_text_that_looks_like_a_formula_is_not_run_by_a_spreadsheet(casebook, now):
    """An officer named '=HYPERLINK(...)' appears as text in the CSV and the spreadsheet, never as a formula."""
    casebook.priya.full_name = '=HYPERLINK("http://evil.example","x")'
    casebook.priya.save(update_fields=["full_name"])
    client = client_as(casebook.lee)
    rows = csv_rows(client.get(f"/reports/workload.csv?{PERIOD_QUERY}"))
    assert rows[1][0] == "'" + casebook.priya.full_name
    book = load_workbook(io.BytesIO(client.get(f"/reports/dashboard.xlsx?{PERIOD_QUERY}").content))
    cell = book["Workload"]["A5"]
    assert cell.data_type == "s"
    assert cell.value.startswith("'=")


# ---------------------------------------------------------------- filters with mistakes


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param(
            "date_from_day=31&date_from_month=2&date_from_year=2026", "Start date must be a real date", id="not-a-date"
        ),
        pytest.param("date_from_day=1&date_from_year=2026", "Start date must include a month", id="no-month"),
        pytest.param(
            "date_to_day=1&date_to_month=1&date_to_year=2027", "End date must be today or in the past", id="future"
        ),
        pytest.param(
            "date_from_day=1&date_from_month=6&date_from_year=2026&date_to_day=1&date_to_month=5&date_to_year=2026",
            "The end date must be the same as or after the start date",
            id="backwards",
        ),
        pytest.param(
            "date_from_day=1&date_from_month=1&date_from_year=2023&date_to_day=1&date_to_month=6&date_to_year=2026",
            "The period must be 2 years or shorter",
            id="too-long",
        ),
        pytest.param("kind=bogus", "Select a valid choice", id="unknown-type"),
        pytest.param("team=abc", "Select one of your teams", id="team-not-a-number"),
        pytest.param("organisation_kind=%3Cscript%3E", "Select a valid choice", id="unknown-organisation-type"),
        pytest.param(
            "date_from_day=99999999999999999999&date_from_month=1&date_from_year=2026", "real date", id="huge"
        ),
    ],
)
def test_bad_filters_show_govuk_errors_and_no_figures(lee_client, query, message):
    response = lee_client.get(f"{REPORTS_URL}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert "<title>Error: Reports" in page
    assert "Figures for" not in page


def test_downloads_with_bad_filters_go_back_to_the_page(lee_client):
    query = "date_from_day=31&date_from_month=2&date_from_year=2026"
    for path in ("/reports/status.csv", "/reports/dashboard.xlsx"):
        response = lee_client.get(f"{path}?{query}")
        assert response.status_code == 302
        assert response["Location"] == f"{REPORTS_URL}?{query}"


def test_unknown_report_is_not_found(lee_client):
    assert lee_client.get("/reports/salaries.csv").status_code == 404


def test_page_without_filters_shows_the_last_six_months(lee_client):
    """With no filters the period is from 1 February to today, 1 July 2026, and the form says so."""
    page = lee_client.get(REPORTS_URL).content.decode()
    assert "Figures for 1 February 2026 to 1 July 2026" in page
    assert 'name="date_from_month" type="text" inputmode="numeric" value="2"' in page


# ---------------------------------------------------------------- the database does the work


def test_dashboard_query_count_does_not_grow_with_the_number_of_cases(demo_data, django_assert_max_num_queries):
    """The same number of queries for 60 cases as for 180: every figure is an aggregate, not a loop over cases."""
    counts = []
    for cases, seed in ((60, 3), (120, 4)):
        # The generator reloads the demo accounts (and so ends their sessions): sign in after it.
        call_command("generate_demo_data", cases=cases, seed=seed, verbosity=0)
        client = client_as(person(LEE))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REPORTS_URL).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(30):
        client.get(REPORTS_URL)


def test_reports_read_other_teams_nothing_for_an_officer(casebook, now):
    """Ana (Young Carers) sees only K among the cases; nothing of the Early Help or SEND teams."""
    page = client_as(person(ANA)).get(f"{REPORTS_URL}?{PERIOD_QUERY}").content.decode()
    tables = page_tables(page)
    assert tables["Cases received in the period, by their status now"][-1] == ["Total", "1", "100.0"]
    assert casebook.b.reference not in page
    assert "Priya" not in page
