"""Managers' reports: the dashboard page, a CSV of each report, and the whole dashboard as a spreadsheet.

The figures come from workflows.reports; this module only checks who may see them, reads the filters,
draws the charts (workflows.charts) and writes the same tables as CSV or xlsx.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as SheetTable
from openpyxl.worksheet.table import TableStyleInfo

from casework.models import AssessmentKind, DisclosureKind
from casework.sections import spec_for
from casework.services import disclosure_record
from identity.models import OrganisationKind
from identity.permissions import require
from portal.forms import GovukDateField
from portal.remembered import remembered

from . import charts, reports
from .reports import Dashboard, ReportFilters, ReportScope, Table
from .selectors import kinds_routed_to

# Long enough for two years of weekly figures, short enough to keep the page readable.
MAX_PERIOD_DAYS = 731
COLLAPSE_AFTER_ROWS = 12
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- filters


class ReportFilterForm(forms.Form):
    """The period and filters of the reports, as a GET form (so a filtered page can be bookmarked)."""

    date_from = GovukDateField(label="Start date", required=False, past_only=True, help_text="For example, 1 4 2026")
    date_to = GovukDateField(label="End date", required=False, past_only=True, help_text="For example, 30 6 2026")
    kind = forms.ChoiceField(
        label="Assessment type", required=False, choices=[("", "All types"), *AssessmentKind.choices]
    )
    team = forms.ModelChoiceField(
        label="Team",
        required=False,
        queryset=None,
        empty_label="All your teams",
        error_messages={"invalid_choice": "Select one of your teams"},
    )
    organisation_kind = forms.ChoiceField(
        label="Organisation type",
        required=False,
        choices=[("", "All organisation types"), *OrganisationKind.choices],
    )

    def __init__(self, data=None, *, scope: ReportScope, today: dt.date):
        self.today = today
        self.default_from, self.default_to = reports.default_period(today)
        super().__init__(data, initial={"date_from": self.default_from, "date_to": self.default_to})
        self.fields["team"].queryset = reports.teams_in_scope(scope)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        date_to = date_to or self.today
        date_from = date_from or reports.default_period(date_to)[0]
        if date_to < date_from:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        elif (date_to - date_from).days >= MAX_PERIOD_DAYS:
            self.add_error("date_to", "The period must be 2 years or shorter")
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned

    def report_filters(self, now: dt.datetime) -> ReportFilters | None:
        """The filters asked for (the default six months when none were), or None if they have errors."""
        if not self.is_bound:
            return ReportFilters(date_from=self.default_from, date_to=self.default_to, now=now)
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return ReportFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            kind=data["kind"],
            team=data["team"],
            organisation_kind=data["organisation_kind"],
            now=now,
        )


def _query(filters: ReportFilters) -> str:
    """The filters as a query string, with the period written out, so a link shows the same figures later."""
    params = {}
    for name, day in (("date_from", filters.date_from), ("date_to", filters.date_to)):
        params |= {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}
    if filters.kind:
        params["kind"] = filters.kind
    if filters.team is not None:
        params["team"] = filters.team.pk
    if filters.organisation_kind:
        params["organisation_kind"] = filters.organisation_kind
    return urlencode(params)


def _scope(request) -> ReportScope:
    scope = reports.report_scope(request.user)
    require(scope is not None, "Only council officers and managers can see reports")
    return scope


def _form_and_filters(request, scope: ReportScope) -> tuple[ReportFilterForm, ReportFilters | None]:
    now = timezone.now()
    form = ReportFilterForm(request.GET or None, scope=scope, today=timezone.localdate(now))
    return form, form.report_filters(now)


# ---------------------------------------------------------------- the page


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    about: str
    table: Table
    chart: charts.Chart | None
    csv_url: str
    note: str = ""

    @property
    def collapsed(self) -> bool:
        """A long table under a chart opens on request, so the page stays readable; lists stay open."""
        return self.chart is not None and not self.chart.empty and len(self.table.rows) > COLLAPSE_AFTER_ROWS


def _days(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f} days"


def _listing(pairs) -> str:
    return "; ".join(f"{label}: {text}" for label, text in pairs) + "."


TABLE_BELOW = " The table below gives the same figures."


def _charts(board: Dashboard) -> dict[str, charts.Chart]:
    """A chart for each report that has one (the overdue and due-soon lists are tables only)."""
    status = board.status.counts
    volumes = board.volumes
    outcomes = board.outcomes.counts
    times = board.times.milestones
    states = board.time_in_state.states
    reasons = board.return_reasons.reasons
    officers = board.workload.officers
    first_week, last_week = volumes.weeks[0].week, volumes.weeks[-1].week
    made = {
        "status": charts.horizontal_bars(
            id="chart-status",
            title="Cases received in the period, by their status now",
            description="Bar chart. " + _listing((item.label, item.cases) for item in status) + TABLE_BELOW,
            bars=[charts.Bar(item.label, item.cases, f"{item.cases:,}") for item in status],
        ),
        "volumes": charts.lines(
            id="chart-volumes",
            title="Cases received, decided and closed each week",
            description=(
                f"Line chart of the weeks beginning {first_week:%-d %B %Y} to {last_week:%-d %B %Y}. "
                f"In all, {volumes.received:,} received, {volumes.decided:,} decided and {volumes.closed:,} closed."
                + TABLE_BELOW
            ),
            categories=[f"{week.week:%-d %b}" for week in volumes.weeks],
            series=[
                charts.Series("Received", [week.received for week in volumes.weeks]),
                charts.Series("Decided", [week.decided for week in volumes.weeks]),
                charts.Series("Closed", [week.closed for week in volumes.weeks]),
            ],
        ),
        "outcomes": charts.horizontal_bars(
            id="chart-outcomes",
            title="Outcomes of the cases closed in the period",
            description="Bar chart. "
            + _listing((f"{spec_for(item.kind).short_title}, {item.label}", item.cases) for item in outcomes)
            + TABLE_BELOW,
            bars=[
                charts.Bar(f"{spec_for(item.kind).short_title}: {item.label}", item.cases, f"{item.cases:,}")
                for item in outcomes
            ],
        ),
        "times": charts.horizontal_bars(
            id="chart-times",
            title="Median and 90th-percentile days from the first submission",
            description="Bar chart. "
            + _listing(
                pair
                for item in times
                for pair in (
                    (f"{item.label}, median", _days(item.median)),
                    (f"{item.label}, 90th percentile", _days(item.p90)),
                )
            )
            + TABLE_BELOW,
            bars=[
                bar
                for item in times
                for bar in (
                    charts.Bar(f"{item.label}: median", item.median, _days(item.median)),
                    charts.Bar(f"{item.label}: 90th percentile", item.p90, _days(item.p90), "bar bar--secondary"),
                )
            ],
        ),
        "time-in-state": charts.horizontal_bars(
            id="chart-time-in-state",
            title="Mean days per case in each state",
            description="Bar chart. " + _listing((item.label, _days(item.mean)) for item in states) + TABLE_BELOW,
            bars=[charts.Bar(item.label, item.mean, _days(item.mean)) for item in states],
        ),
        "returns": charts.horizontal_bars(
            id="chart-returns",
            title="Returns per case received, by type",
            description="Bar chart. "
            + _listing(
                (spec_for(rate.kind).short_title, _per_case(rate.returns, rate.received))
                for rate in board.returns.by_kind
            )
            + TABLE_BELOW,
            bars=[
                charts.Bar(
                    spec_for(rate.kind).short_title,
                    rate.returns / rate.received if rate.received else None,
                    _per_case(rate.returns, rate.received),
                )
                for rate in board.returns.by_kind
            ],
        ),
        "return-reasons": charts.horizontal_bars(
            id="chart-return-reasons",
            title="Sections most often returned for changes",
            description="Bar chart. "
            + _listing((f"{spec_for(item.kind).short_title}, {item.title}", item.returns) for item in reasons)
            + TABLE_BELOW,
            bars=[
                charts.Bar(f"{spec_for(item.kind).short_title}: {item.title}", item.returns, f"{item.returns:,}")
                for item in reasons
            ],
        ),
        "workload": charts.horizontal_bars(
            id="chart-workload",
            title=reports.WORKLOAD_TITLE,
            description="Bar chart. " + _listing((item.name, _load(item)) for item in officers) + TABLE_BELOW,
            bars=[charts.Bar(item.name, item.open, _load(item)) for item in officers],
        ),
    }
    for slug, report, what in (
        ("ehcp-6-weeks", board.ehcp_decisions, "decisions whether to assess made within 6 weeks"),
        ("ehcp-advice", board.ehcp_advice, "advice returned within 6 weeks"),
        ("ehcp-16-weeks", board.ehcp_issue_decisions, "decisions whether to issue made within 16 weeks"),
        ("ehcp-20-weeks", board.ehcp_plans, "plans issued within 20 weeks"),
    ):
        reference = (
            charts.Reference(reports.ENGLAND_20_WEEKS_PERCENT, reports.ENGLAND_20_WEEKS_LABEL)
            if slug == "ehcp-20-weeks"
            else None
        )
        made[slug] = charts.vertical_bars(
            id=f"chart-{slug}",
            title=f"EHCP: share of {what}, by month",
            description=(
                "Column chart. "
                + _listing(
                    (f"{month.month:%B %Y}", "no cases" if month.percent is None else f"{month.percent:.1f}%")
                    for month in report.months
                )
                + (f" A reference line marks {reports.ENGLAND_20_WEEKS_LABEL}." if reference else "")
                + TABLE_BELOW
            ),
            bars=[
                charts.Bar(
                    f"{month.month:%b %Y}",
                    month.percent,
                    "none" if month.percent is None else f"{month.percent:.0f}%",
                )
                for month in report.months
            ],
            percent=True,
            reference=reference,
        )
    return made


def _per_case(returns: int, received: int) -> str:
    return f"{returns / received:.2f} per case" if received else "no cases"


def _load(item: reports.OfficerLoad) -> str:
    return f"{item.open:,} open, {item.overdue:,} overdue"


ABOUT = {
    "status": "Where the cases first submitted in the period are now.",
    "volumes": (
        "Received: first submitted that week. Decided: closed that week with an outcome other than withdrawn. "
        "Closed: closed that week, withdrawn included. Weeks begin on Monday."
    ),
    "outcomes": "The outcomes of the cases closed in the period, for each type of assessment.",
    "times": (
        "From the first submission to the first time an officer picked the case up or was assigned it "
        "(for cases first picked up in the period), to the decision (cases decided in the period) and to the "
        "close (cases closed in the period, withdrawn included). The median is the middle case; the 90th "
        "percentile is the case that 9 in 10 took no longer than."
    ),
    "time-in-state": (
        "How long the cases first submitted in the period spent waiting in the queue (submitted), with an "
        "officer (under review) and back with the professional (returned), counting every return. Cases "
        "still open count up to now."
    ),
    "returns": "How often the cases first submitted in the period were sent back to the professional.",
    "return-reasons": (
        "The sections officers asked professionals to change, on the cases first submitted in the period. "
        "One return can ask for changes to more than one section."
    ),
    "workload": (
        "Open cases now (submitted, under review or returned), whatever their dates, and the EHC needs assessments "
        "each officer coordinates that have not yet ended. A needs assessment is overdue or due soon by its next "
        "statutory date."
    ),
    "overdue": (
        "Open cases whose decision due date has passed, and EHC needs assessments whose advice, week 16 decision or "
        "week 20 final plan is late. A paused clock moves the date on when it restarts."
    ),
    "due-soon": (
        f"Open cases whose decision is due today or in the next {reports.DUE_SOON_DAYS} days, and EHC needs "
        "assessments whose next statutory date falls then."
    ),
    "ehcp-6-weeks": (
        "SEND Code of Practice 9.14: the decision whether to carry out an EHC needs assessment is due within "
        "6 weeks of the request. Due dates include the exceptions (9.42) recorded as clock pauses."
    ),
    "ehcp-advice": (
        "SEND Regulations 2014, regulation 8: advice for an EHC needs assessment is due within 6 weeks of being "
        "asked for. Counted by the month it was due, once that day has passed or the advice has come; a clock "
        "pause (Code of Practice 9.42) moves the due date on."
    ),
    "ehcp-16-weeks": (
        "SEND Code of Practice 9.42: the decision whether to issue an EHC plan is due by week 16 of the request, "
        "moved on by the clock's pauses. Counted by the month the decision was made."
    ),
    "ehcp-20-weeks": (
        "SEND Code of Practice 9.40: the final EHC plan is due within 20 weeks of the request, moved on by the "
        "clock's pauses. Read from the needs assessment: counted by the month the plan was issued, against the "
        f"national figure ({reports.ENGLAND_20_WEEKS_LABEL})."
    ),
}


EHCP_SECTIONS = ("ehcp-6-weeks", "ehcp-advice", "ehcp-16-weeks", "ehcp-20-weeks")


def _note(board: Dashboard, slug: str) -> str:
    if slug in EHCP_SECTIONS and not board.report(slug).applies:
        return "These figures are for EHCP requests only: choose all types, or EHCP requests, to see them."
    if slug == "workload" and not board.workload.named:
        return "You see your own open cases by name; your colleagues' are counted together as other officers."
    return ""


def _sections(board: Dashboard, query: str, kinds: tuple[str, ...]) -> list[Section]:
    """The page's sections; EHCP's statutory ones only for readers whose teams receive EHCP requests."""
    made = _charts(board)
    return [
        Section(
            slug=slug,
            title=definition.title,
            about=ABOUT[slug],
            table=board.report(slug).table(),
            chart=made.get(slug),
            csv_url=f"{reverse('workflows:report-csv', args=[slug])}?{query}",
            note=_note(board, slug),
        )
        for slug, definition in reports.REPORTS.items()
        if slug not in EHCP_SECTIONS or "ehcp" in kinds
    ]


def _figures_html(scope: ReportScope, filters: ReportFilters, board: Dashboard) -> str:
    """The figures part of the page, drawn once per worked-out dashboard (its charts and tables are most of
    the page's cost) and kept with it."""
    seconds = settings.PORTAL_REPORTS_CACHE_SECONDS
    query = _query(filters)

    def draw() -> str:
        return render_to_string(
            "workflows/reports/_figures.html",
            {
                "board": board,
                "filters": filters,
                "sections": _sections(board, query, kinds_routed_to(scope.team_ids)),
                "xlsx_url": f"{reverse('workflows:reports-xlsx')}?{query}",
                "england_20_weeks": reports.ENGLAND_20_WEEKS_PERCENT,
                "cache_minutes": seconds // 60,
            },
        )

    if seconds <= 0:
        return draw()
    return remembered(
        f"{reports.dashboard_cache_key(scope, filters)}:html:{board.filters.now.isoformat()}", draw, seconds
    )


@require_GET
def dashboard(request):
    scope = _scope(request)
    form, filters = _form_and_filters(request, scope)
    context = {"form": form, "named": bool(scope.named_team_ids)}
    if filters is not None:
        board = reports.dashboard_as_at(scope, filters)
        context |= {"board": board, "figures": _figures_html(scope, filters, board)}
    return render(request, "workflows/reports/dashboard.html", context)


# ---------------------------------------------------------------- downloads


# A spreadsheet would run a cell that starts like a formula: such text is written with a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    if text.startswith(_FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _download(request, scope):
    """The filters of a download, or a redirect to the page that shows what is wrong with them."""
    _, filters = _form_and_filters(request, scope)
    if filters is None:
        return None, redirect(f"{reverse('workflows:reports')}?{request.GET.urlencode()}")
    return filters, None


@require_GET
def report_csv(request, slug: str):
    """One report's table as CSV: the same rows and the same figures as the page."""
    scope = _scope(request)
    definition = reports.REPORTS.get(slug)
    if definition is None:
        raise Http404("No such report")
    filters, refusal = _download(request, scope)
    if refusal is not None:
        return refusal
    table = reports.dashboard_as_at(scope, filters).report(slug).table()
    disclosure_record(
        actor=request.user, kind=DisclosureKind.REPORT_EXPORTED, detail=f"{definition.title}, CSV: {filters.describe()}"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{filters.file_stem()}.csv"'
    # A byte order mark, so spreadsheet programs read the dashes and pound signs as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in table.text_rows():
        writer.writerow([_safe(text) for text in row])
    return response


def _write_table(sheet, table: Table, filters: ReportFilters, number: int) -> None:
    """The table's caption in A1 and its filters in A2 (as the GSS spreadsheet guidance asks), then the table."""
    sheet["A1"] = _safe(table.caption)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _safe(f"Figures for {filters.describe()}.")
    first_row = 4
    for column, header in enumerate(table.columns, start=1):
        cell = sheet.cell(row=first_row, column=column, value=_safe(header.label))
        cell.font = Font(bold=True)
    rows = [*table.rows, *([table.total] if table.total else [])]
    for offset, row in enumerate(rows, start=1):
        for column, item in enumerate(row, start=1):
            value = _safe(item.value) if isinstance(item.value, str) else item.value
            cell = sheet.cell(row=first_row + offset, column=column, value=value)
            if item.format:
                cell.number_format = item.format
    for column, header in enumerate(table.columns, start=1):
        widest = max([len(header.label), *(len(row[column - 1].text) for row in rows)])
        sheet.column_dimensions[get_column_letter(column)].width = min(60, widest + 2)
    if rows:
        reference = f"A{first_row}:{get_column_letter(len(table.columns))}{first_row + len(rows)}"
        marked = SheetTable(displayName=f"Table{number}", ref=reference)
        marked.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        sheet.add_table(marked)
    sheet.freeze_panes = f"A{first_row + 1}"


@require_GET
def dashboard_xlsx(request):
    """The dashboard as a spreadsheet: a cover sheet, then one sheet per report with the page's figures."""
    scope = _scope(request)
    filters, refusal = _download(request, scope)
    if refusal is not None:
        return refusal
    board = reports.dashboard_as_at(scope, filters)
    disclosure_record(
        actor=request.user,
        kind=DisclosureKind.REPORT_EXPORTED,
        detail=f"Every report, spreadsheet: {filters.describe()}",
    )
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover["A1"] = "Professional Portal reports"
    cover["A1"].font = Font(bold=True, size=14)
    cover["A2"] = _safe(f"Figures for {filters.describe()}.")
    cover["A3"] = f"Figures worked out {timezone.localtime(board.filters.now):%-d %B %Y at %H:%M}."
    cover["A5"] = "Sheet"
    cover["B5"] = "What it shows"
    cover["A5"].font = cover["B5"].font = Font(bold=True)
    for number, (slug, _, table) in enumerate(board.tables(), start=1):
        name = reports.REPORTS[slug].sheet
        cover.cell(row=5 + number, column=1, value=name)
        cover.cell(row=5 + number, column=2, value=ABOUT[slug])
        _write_table(book.create_sheet(name), table, filters, number)
    cover.column_dimensions["A"].width = 34
    cover.column_dimensions["B"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="reports-{filters.file_stem()}.xlsx"'
    return response
