"""The dashboard's figures drawn as HTML: a chart and a table for each report.

Drawn for the page when its figures are worked out, and by the worker for the dashboards it keeps
(workflows.kept_dashboards), so opening a dashboard does not wait for its drawing either.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from casework.sections import spec_for

from . import charts, reports
from .reports import Dashboard, ReportFilters, ReportScope, Table
from .selectors import kinds_routed_to

COLLAPSE_AFTER_ROWS = 12


def query_string(filters: ReportFilters) -> str:
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


def figures_html(scope: ReportScope, filters: ReportFilters, board: Dashboard) -> str:
    """The figures part of the dashboard page: every report's chart and table, and the links to download them."""
    query = query_string(filters)
    return render_to_string(
        "workflows/reports/_figures.html",
        {
            "board": board,
            "filters": filters,
            "sections": _sections(board, query, kinds_routed_to(scope.team_ids)),
            "xlsx_url": f"{reverse('workflows:reports-xlsx')}?{query}",
            "england_20_weeks": reports.ENGLAND_20_WEEKS_PERCENT,
            "cache_minutes": settings.PORTAL_REPORTS_CACHE_SECONDS // 60,
        },
    )
