"""Managers' reports: the dashboard page, a CSV of each report, and the whole dashboard as a spreadsheet.

The figures come from workflows.reports (kept by workflows.kept_dashboards, drawn by workflows.report_figures);
this module only checks who may see them, reads the filters and writes the same tables as CSV or xlsx.
"""

import csv
import datetime as dt
import io

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as SheetTable
from openpyxl.worksheet.table import TableStyleInfo

from casework.models import AssessmentKind, DisclosureKind
from casework.services import disclosure_record
from identity.models import OrganisationKind
from identity.permissions import require
from portal.forms import GovukDateField

from . import reports
from .kept_dashboards import dashboard_figures
from .report_figures import ABOUT
from .reports import ReportFilters, ReportScope, Table

# Long enough for two years of weekly figures, short enough to keep the page readable.
MAX_PERIOD_DAYS = 731
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


def _scope(request) -> ReportScope:
    scope = reports.report_scope(request.user)
    require(scope is not None, "Only council officers and managers can see reports")
    return scope


def _form_and_filters(request, scope: ReportScope) -> tuple[ReportFilterForm, ReportFilters | None]:
    now = timezone.now()
    form = ReportFilterForm(request.GET or None, scope=scope, today=timezone.localdate(now))
    return form, form.report_filters(now)


# ---------------------------------------------------------------- the page


@require_GET
def dashboard(request):
    scope = _scope(request)
    form, filters = _form_and_filters(request, scope)
    context = {"form": form, "named": bool(scope.named_team_ids)}
    if filters is not None:
        figures = dashboard_figures(scope, filters)
        context |= {"board": figures.board, "figures": figures.html}
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
    table = dashboard_figures(scope, filters).board.report(slug).table()
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
    board = dashboard_figures(scope, filters).board
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
