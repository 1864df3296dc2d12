"""Managers' reports: volumes, outcomes, times, returns, workload, deadlines and the EHCP statutory clock.

Every figure is computed by the database. The counted figures of the period (received, decided and closed
per week, outcomes, returns and return reasons, the EHCP clocks) are sums of the per-team daily summaries
(workflows.summaries, one query); the figures of now (status, workload, overdue, due soon) are counts of
the case rows; medians and 90th percentiles are read from per-day histograms of the durations in tenths of
a day, the precision the page shows (workflows.summaries again, with the exact sums beside the counts), and
the time the open cases have spent in their states so far from their history. Python only lays out
the handful of rows that come back as tables, each of which is exactly what the page, its CSV and the
spreadsheet show.

Definitions (the issue's, kept here so the page, the exports and the tests agree):
- received: first submitted in the period; decided: closed in the period with an outcome other than
  withdrawn; closed: closed in the period, any outcome. Weeks start on Monday, in UK local time.
- time to first pick-up: from the first submission to the first "picked up" or "assigned" event after it,
  for cases first picked up in the period; to decision and to close: from the first submission to the
  close, for cases decided or closed in the period.
- median: the middle value, or the mean of the two middle values; 90th percentile: the nearest-rank value
  (the smallest value with at least 90% of the cases at or below it). Each is read at its case's tenth of a
  day, as the page shows it; a median whose two middle cases fall in different tenths is the mean of the
  two tenths, so it can differ from the exact one by up to a tenth of a day.
- time in each state: from the history of the cases received in the period, each status lasting until the
  next history row (the last one until now); returns included, draft and closed left out.
- returns per case: "returned" events on the cases received in the period, over those cases.
- workload, overdue and due soon: open cases (submitted, under review, returned) now, whatever their dates.
- EHCP 6 weeks: decisions whether to assess made in the period by the decision due date (which already
  includes the Code of Practice 9.42 pauses recorded). The needs assessment's (workflows.ehc_models, read
  by a narrow range of an indexed date): advice due in the period, returned by its due date; decisions
  whether to issue made in the period by week 16 — each due date moved on by the pauses. 20 weeks: final
  plans issued in the period by the final due date, the dates the needs assessment writes on the request.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import NotSupportedError, connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Func
from django.db.models.functions import Lead
from django.urls import reverse
from django.utils import timezone

from casework.models import Assessment, AssessmentKind, Outcome, Status
from casework.sections import spec_for
from identity.models import OrganisationKind, Team, User

from . import summaries
from .models import (
    AdviceRequest,
    AnnualReview,
    AnnualReviewStage,
    ClockPause,
    DailyTeamDuration,
    DailyTeamSummary,
    NeedsAssessment,
    NeedsAssessmentStage,
)
from .selectors import (
    NEXT_ADVICE,
    NEXT_COMMENTS,
    NEXT_FINAL,
    NEXT_ISSUE_DECISION,
    NEXT_REVIEW_DECISION,
    NEXT_REVIEW_MEETING,
    OPEN_STATUSES,
    is_council_user,
    kinds_routed_to,
    managed_teams_of,
    open_annual_reviews,
    running_needs_assessments,
    teams_of,
)
from .services import ENDINGS_WITHOUT_DECISION, OUTCOMES_BY_KIND

# England, 2024: the share of new EHC plans issued within 20 weeks (SEND statistics, DfE).
ENGLAND_20_WEEKS_PERCENT = 46.4
ENGLAND_20_WEEKS_LABEL = "England 2024: 46.4%"
DUE_SOON_DAYS = 10
# The overdue and due-soon lists show the most urgent cases; the count above each says how many there are.
LIST_LIMIT = 100
NO_FIGURE = "–"
KINDS = tuple(AssessmentKind.values)
# The states of the council's process whose time is measured (draft is the author's, closed is the end).
MEASURED_STATES = summaries.MEASURED_STATES
MILESTONES = (
    ("claim", "Submission to first pick-up"),
    ("decision", "Submission to decision"),
    ("close", "Submission to close"),
)


# ---------------------------------------------------------------- who sees what


@dataclass(frozen=True)
class ReportScope:
    """The teams whose figures a person sees, and those whose officers they may see by name."""

    user_id: int
    team_ids: frozenset[int]
    # Managers see each officer's workload in the teams they manage; officers see only their own.
    named_team_ids: frozenset[int]


def may_see_reports(user) -> bool:
    """Council officers and managers (and service managers) see reports; professionals do not."""
    return bool(user.is_authenticated) and is_council_user(user)


def report_scope(user: User) -> ReportScope | None:
    """Service managers: every team; team managers: the teams they manage; officers: their own teams."""
    if not may_see_reports(user):
        return None
    managed = frozenset(managed_teams_of(user))
    return ReportScope(user_id=user.pk, team_ids=managed | frozenset(teams_of(user)), named_team_ids=managed)


def teams_in_scope(scope: ReportScope) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=scope.team_ids).order_by("name")


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class ReportFilters:
    """The period (whole days, UK local time) and the filters a manager chose."""

    date_from: dt.date
    date_to: dt.date
    kind: str = ""
    team: Team | None = None
    organisation_kind: str = ""
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date_from, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period."""
        return timezone.make_aware(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min))

    @property
    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        return self.start, self.end

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    def describe(self) -> str:
        parts = [f"{_long_date(self.date_from)} to {_long_date(self.date_to)}"]
        parts.append(AssessmentKind(self.kind).label if self.kind else "all assessment types")
        parts.append(self.team.name if self.team else "all your teams")
        parts.append(
            f"from {OrganisationKind(self.organisation_kind).label.lower()}s"
            if self.organisation_kind
            else "from all organisation types"
        )
        return "; ".join(parts)

    def file_stem(self) -> str:
        return f"{self.date_from:%Y-%m-%d}-to-{self.date_to:%Y-%m-%d}"


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Six calendar months up to today: from the first of the month five months back."""
    month = today.month - 5
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1), today


def _cases(scope: ReportScope, filters: ReportFilters) -> QuerySet[Assessment]:
    """Submitted cases of the teams in scope, narrowed by type, team and organisation type (not by date)."""
    cases = Assessment.objects.exclude(status=Status.DRAFT).filter(team_id__in=scope.team_ids).order_by()
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.team is not None:
        cases = cases.filter(team=filters.team)
    if filters.organisation_kind:
        cases = cases.filter(organisation__kind=filters.organisation_kind)
    return cases


def _received(cases: QuerySet, filters: ReportFilters) -> QuerySet:
    return cases.filter(first_submitted_at__gte=filters.start, first_submitted_at__lt=filters.end)


def _closed(cases: QuerySet, filters: ReportFilters) -> QuerySet:
    return cases.filter(closed_at__gte=filters.start, closed_at__lt=filters.end)


def _kinds(filters: ReportFilters) -> tuple[str, ...]:
    return (filters.kind,) if filters.kind else KINDS


# (figure, kind, the week or month it is grouped by, or None when summed over the period) → cases
Summed = dict[tuple[str, str, dt.date | None], int]


def summed_figures(scope: ReportScope, filters: ReportFilters) -> Summed:
    """The daily summaries of the teams in scope over the period, narrowed by the filters, in one query.

    Volumes come back by week and the EHCP figures by month; everything else is summed over the period.
    """
    rows = DailyTeamSummary.objects.filter(
        team_id__in=scope.team_ids, day__gte=filters.date_from, day__lte=filters.date_to
    ).order_by()
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.team is not None:
        rows = rows.filter(team=filters.team)
    if filters.organisation_kind:
        rows = rows.filter(organisation_kind=filters.organisation_kind)
    grouped = (
        rows.annotate(
            bucket=Case(
                When(figure__in=summaries.WEEKLY_FIGURES, then=LocalPeriodStart("day", "week")),
                When(figure__in=summaries.MONTHLY_FIGURES, then=LocalPeriodStart("day", "month")),
                default=Value(None, output_field=DateField()),
                output_field=DateField(),
            )
        )
        .values_list("figure", "kind", "bucket")
        .annotate(cases=Sum("cases"))
    )
    return {(figure, kind, bucket): cases for figure, kind, bucket, cases in grouped if cases}


def _by_bucket(summed: Summed, figure: str) -> dict[dt.date, int]:
    found: dict[dt.date, int] = {}
    for (name, _, bucket), cases in summed.items():
        if name == figure:
            found[bucket] = found.get(bucket, 0) + cases
    return found


def _of_kind(summed: Summed, figure: str, kind: str) -> int:
    return summed.get((figure, kind, None), 0)


# ---------------------------------------------------------------- tables: what the page and the exports show


@dataclass(frozen=True)
class Cell:
    """One figure as shown (`text`) and as a spreadsheet holds it (`value`: a number, a date, or None)."""

    text: str
    value: object = None
    href: str = ""
    # The spreadsheet's number format, matching the text (places of decimals, how dates are written).
    format: str = ""
    numeric: bool = False


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """A report's data table: the page renders it, the CSV and the spreadsheet write the same cells."""

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None

    def text_rows(self) -> list[list[str]]:
        """The header and every row (the total last) as the page shows them."""
        rows = [[column.label for column in self.columns]]
        rows += [[cell.text for cell in row] for row in self.rows]
        if self.total:
            rows.append([cell.text for cell in self.total])
        return rows


def _text(text: str, href: str = "") -> Cell:
    return Cell(text=text, value=text, href=href)


def _count(number: int) -> Cell:
    return Cell(text=f"{number:,}", value=number, format="#,##0", numeric=True)


def _decimal(number: float | None, places: int = 1) -> Cell:
    if number is None:
        return Cell(text=NO_FIGURE, numeric=True)
    return Cell(text=f"{number:,.{places}f}", value=round(number, places), format="#,##0." + "0" * places, numeric=True)


def _percent(part: int, whole: int) -> Cell:
    return _decimal(100 * part / whole if whole else None)


def _day(day: dt.date) -> Cell:
    return Cell(text=f"{day:%-d %b %Y}", value=day, format="d mmm yyyy")


def _long_date(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"


def _kind_title(kind: str) -> str:
    return spec_for(kind).short_title


def _week_starts(filters: ReportFilters) -> list[dt.date]:
    first = filters.date_from - dt.timedelta(days=filters.date_from.weekday())
    return [first + dt.timedelta(weeks=n) for n in range((filters.date_to - first).days // 7 + 1)]


def _month_starts(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    months, month = [], date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


# ---------------------------------------------------------------- cases by status now


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    cases: int


@dataclass(frozen=True)
class StatusNow:
    """Where the cases received in the period are now."""

    counts: tuple[StatusCount, ...]

    @property
    def total(self) -> int:
        return sum(count.cases for count in self.counts)

    def table(self) -> Table:
        return Table(
            caption="Cases received in the period, by their status now",
            columns=(Column("Status"), Column("Cases", numeric=True), Column("Share (%)", numeric=True)),
            rows=tuple(
                (_text(count.label), _count(count.cases), _percent(count.cases, self.total)) for count in self.counts
            ),
            total=(_text("Total"), _count(self.total), _percent(self.total, self.total)),
        )


def status_now(scope: ReportScope, filters: ReportFilters) -> StatusNow:
    counts = dict(
        _received(_cases(scope, filters), filters).values_list("status").annotate(cases=Count("pk")).order_by()
    )
    shown = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED, Status.CLOSED)
    return StatusNow(tuple(StatusCount(status, Status(status).label, counts.get(status, 0)) for status in shown))


# ---------------------------------------------------------------- received, decided and closed per week


@dataclass(frozen=True)
class WeekVolume:
    week: dt.date
    received: int
    decided: int
    closed: int


@dataclass(frozen=True)
class WeeklyVolumes:
    weeks: tuple[WeekVolume, ...]

    @property
    def received(self) -> int:
        return sum(week.received for week in self.weeks)

    @property
    def decided(self) -> int:
        return sum(week.decided for week in self.weeks)

    @property
    def closed(self) -> int:
        return sum(week.closed for week in self.weeks)

    def table(self) -> Table:
        return Table(
            caption="Cases received, decided and closed each week",
            columns=(
                Column("Week beginning"),
                Column("Received", numeric=True),
                Column("Decided", numeric=True),
                Column("Closed", numeric=True),
            ),
            rows=tuple(
                (_day(week.week), _count(week.received), _count(week.decided), _count(week.closed))
                for week in self.weeks
            ),
            total=(_text("Total"), _count(self.received), _count(self.decided), _count(self.closed)),
        )


def weekly_volumes(scope: ReportScope, filters: ReportFilters, summed: Summed | None = None) -> WeeklyVolumes:
    summed = summed if summed is not None else summed_figures(scope, filters)
    received, decided, closed = (
        _by_bucket(summed, figure) for figure in (summaries.RECEIVED, summaries.DECIDED, summaries.CLOSED)
    )
    return WeeklyVolumes(
        tuple(
            WeekVolume(week, received.get(week, 0), decided.get(week, 0), closed.get(week, 0))
            for week in _week_starts(filters)
        )
    )


# ---------------------------------------------------------------- outcomes by type


@dataclass(frozen=True)
class OutcomeCount:
    kind: str
    outcome: str
    label: str
    cases: int
    of_kind: int


@dataclass(frozen=True)
class Outcomes:
    """How the cases closed in the period ended, by type of assessment."""

    counts: tuple[OutcomeCount, ...]

    @property
    def total(self) -> int:
        return sum(count.cases for count in self.counts)

    def table(self) -> Table:
        return Table(
            caption="Outcomes of the cases closed in the period, by type",
            columns=(
                Column("Type"),
                Column("Outcome"),
                Column("Cases", numeric=True),
                Column("Share of the type's closed cases (%)", numeric=True),
            ),
            rows=tuple(
                (
                    _text(_kind_title(count.kind)),
                    _text(count.label),
                    _count(count.cases),
                    _percent(count.cases, count.of_kind),
                )
                for count in self.counts
            ),
            total=(_text("Total"), _text(""), _count(self.total), _text("")),
        )


def outcomes_by_type(scope: ReportScope, filters: ReportFilters, summed: Summed | None = None) -> Outcomes:
    summed = summed if summed is not None else summed_figures(scope, filters)
    found = {
        (kind, figure.removeprefix(summaries.OUTCOME)): cases
        for (figure, kind, _), cases in summed.items()
        if figure.startswith(summaries.OUTCOME)
    }
    counts = []
    for kind in _kinds(filters):
        outcomes = (*OUTCOMES_BY_KIND[kind], *ENDINGS_WITHOUT_DECISION[kind])
        of_kind = sum(found.get((kind, outcome), 0) for outcome in outcomes)
        counts += [
            OutcomeCount(kind, outcome, Outcome(outcome).label, found.get((kind, outcome), 0), of_kind)
            for outcome in outcomes
        ]
    return Outcomes(tuple(counts))


# ---------------------------------------------------------------- days, weeks and months in the council's time zone


def _utc_offsets(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime | None, int]]:
    """The council's offset from UTC, in minutes, over [start, end): (the moment it starts, minutes) pairs.

    The first pair starts with the period (None); a new one at each change of the clocks, found to the minute.
    """
    zone = timezone.get_current_timezone()

    def minutes(moment: dt.datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)

    # In UTC: arithmetic on two times of the council's zone would be on the wall clock.
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    offsets: list[tuple[dt.datetime | None, int]] = [(None, minutes(start))]
    moment = start
    while moment < end:
        following = min(moment + dt.timedelta(days=1), end)
        if minutes(following) != offsets[-1][1]:
            low, high = moment, following
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if minutes(middle) == offsets[-1][1] else (low, middle)
            offsets.append((high.replace(second=0, microsecond=0), minutes(following)))
        moment = following
    return offsets


class LocalPeriodStart(Func):
    """The first day of the day, week (Monday) or month that a moment falls in, in the council's time zone.

    PostgreSQL converts with its own time zone data. SQLite has none, so Django's Trunc functions call Python
    once per row there (most of the dashboard's time at 100,000 cases); here the offsets of the report's
    period, worked out in Python, are written into the query and SQLite's date() does the rest.
    For a date column (`period` None) no conversion is needed on either.
    """

    SQLITE_MODIFIERS = {"day": (), "week": ("weekday 0", "-6 days"), "month": ("start of month",)}

    def __init__(self, expression, unit: str, *, period: tuple[dt.datetime, dt.datetime] | None = None, **extra):
        self.unit = unit
        self.offsets = _utc_offsets(*period) if period else None
        super().__init__(expression, output_field=DateField(), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        arguments, params = [column], [*column_params]
        if self.offsets:
            (_, first), *changes = self.offsets
            if changes:
                whens = []
                previous = first
                for moment, minutes in changes:
                    whens.append(f"WHEN {column} < %s THEN %s")
                    params += [
                        *column_params,
                        connection.ops.adapt_datetimefield_value(moment),
                        f"{previous:+d} minutes",
                    ]
                    previous = minutes
                arguments.append(f"CASE {' '.join(whens)} ELSE %s END")
                params.append(f"{previous:+d} minutes")
            else:
                arguments.append("%s")
                params.append(f"{first:+d} minutes")
        for modifier in self.SQLITE_MODIFIERS[self.unit]:
            arguments.append("%s")
            params.append(modifier)
        return f"date({', '.join(arguments)})", params

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if self.offsets is not None:
            column, params = f"({column} AT TIME ZONE %s)", [*params, timezone.get_current_timezone_name()]
        if self.unit == "day":
            return f"({column})::date", params
        return f"date_trunc('{self.unit}', {column})::date", params

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("Reports run on SQLite or PostgreSQL")


# ---------------------------------------------------------------- times: medians and 90th percentiles


class DaysBetween(Func):
    """Days from `start` to `end` as a decimal number (SQLite's julianday, PostgreSQL's epoch)."""

    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, output_field=FloatField(), **extra)

    def _parts(self, compiler, connection):
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        return end_sql, start_sql, (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra):
        end_sql, start_sql, params = self._parts(compiler, connection)
        return f"(julianday({end_sql}) - julianday({start_sql}))", params

    def as_postgresql(self, compiler, connection, **extra):
        end_sql, start_sql, params = self._parts(compiler, connection)
        return f"(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 86400.0)", params

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("Reports run on SQLite or PostgreSQL")


@dataclass(frozen=True)
class Distribution:
    """How long something took across cases, in days."""

    measure: str
    label: str
    cases: int
    median: float | None
    p90: float | None
    mean: float | None
    total: float | None


@dataclass(frozen=True)
class Times:
    """Median and 90th-percentile days from the first submission to first pick-up, decision and close."""

    milestones: tuple[Distribution, ...]

    def table(self) -> Table:
        return Table(
            caption="Days from the first submission to each step",
            columns=(
                Column("From submission to"),
                Column("Cases", numeric=True),
                Column("Median (days)", numeric=True),
                Column("90th percentile (days)", numeric=True),
                Column("Mean (days)", numeric=True),
            ),
            rows=tuple(
                (_text(item.label), _count(item.cases), _decimal(item.median), _decimal(item.p90), _decimal(item.mean))
                for item in self.milestones
            ),
        )


@dataclass(frozen=True)
class TimeInState:
    """Days the cases received in the period spent in each state of the review, returns included."""

    states: tuple[Distribution, ...]

    def table(self) -> Table:
        return Table(
            caption="Days spent in each state by the cases received in the period",
            columns=(
                Column("State"),
                Column("Cases", numeric=True),
                Column("Total (days)", numeric=True),
                Column("Mean per case (days)", numeric=True),
                Column("Median per case (days)", numeric=True),
                Column("90th percentile (days)", numeric=True),
            ),
            rows=tuple(
                (
                    _text(item.label),
                    _count(item.cases),
                    _decimal(item.total),
                    _decimal(item.mean),
                    _decimal(item.median),
                    _decimal(item.p90),
                )
                for item in self.states
            ),
        )


def _distribution(measure: str, label: str, buckets: dict[int, list[int]]) -> Distribution:
    """Median, nearest-rank 90th percentile, mean and total of a histogram of tenths of a day.

    Each bucket holds the cases whose time the page shows as its tenth of a day, so a rank read at its
    bucket shows as that case's own time would: the 90th percentile exactly as the rows give it, the median
    too unless its two middle cases fall in different buckets (then within a tenth of a day). The sums are
    exact, so the mean and total are the rows' own.
    """
    cases = sum(count for count, _ in buckets.values())
    if not cases:
        return Distribution(measure, label, 0, None, None, None, None)
    ranks = {"low": (cases + 1) // 2, "high": (cases + 2) // 2, "p90": (9 * cases + 9) // 10}
    found: dict[str, int] = {}
    seen = 0
    for tenths in sorted(buckets):
        seen += buckets[tenths][0]
        for name, rank in ranks.items():
            if name not in found and rank <= seen:
                found[name] = tenths
    total = sum(microseconds for _, microseconds in buckets.values()) / summaries.MICROSECONDS_A_DAY
    median = (found["low"] + found["high"]) / 20
    return Distribution(measure, label, cases, median, found["p90"] / 10, total / cases, total)


# Each (open case, state): the days in it, every history row's status lasting until the case's next row and
# the last one until now. Summed by the database, so only a row per case and state comes back.
_OPEN_STATE_DAYS_SQL = """
WITH spans (case_id, status, days_to_next, days_to_now) AS ({spans})
SELECT status, SUM(COALESCE(days_to_next, days_to_now)) FROM spans
WHERE status IN ({states}) GROUP BY case_id, status
"""


def _open_state_days(scope: ReportScope, filters: ReportFilters) -> list[tuple[str, int]]:
    """(state, microseconds) of every case received in the period and still open, for each state it was in."""
    still_open = _received(_cases(scope, filters), filters).filter(status__in=MEASURED_STATES)
    history = Assessment.history.model
    next_row = Window(
        expression=Lead("history_date"),
        partition_by=[F("id")],
        order_by=[F("history_date").asc(), F("history_id").asc()],
    )
    spans = history.objects.filter(id__in=still_open.values("pk")).values_list(
        "id",
        "status",
        DaysBetween(next_row, F("history_date")),
        DaysBetween(Value(filters.now, output_field=history._meta.get_field("history_date")), F("history_date")),
    )
    spans_sql, params = spans.order_by().query.sql_with_params()
    sql = _OPEN_STATE_DAYS_SQL.format(spans=spans_sql, states=", ".join(["%s"] * len(MEASURED_STATES)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *MEASURED_STATES])
        return [(state, round(days * summaries.MICROSECONDS_A_DAY)) for state, days in cursor.fetchall()]


def _duration_rows_of_period(scope: ReportScope, filters: ReportFilters) -> Q:
    """The histograms' rows that make up the period: its whole calendar months' rows, and the days' rows of
    the rest (a six-month period reads about a third of the rows its days would). Each part names the teams
    and one range of the index, so that SQLite reads each part from the index on its own."""

    def next_month(day: dt.date) -> dt.date:
        return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)

    month = filters.date_from if filters.date_from.day == 1 else next_month(filters.date_from)
    months = []
    while next_month(month) - dt.timedelta(days=1) <= filters.date_to:
        months.append(month)
        month = next_month(month)
    if not months:
        parts = [(summaries.DAY, filters.date_from, filters.date_to)]
    else:
        parts = [
            (summaries.DAY, filters.date_from, months[0] - dt.timedelta(days=1)),
            (summaries.MONTH, months[0], months[-1]),
            (summaries.DAY, next_month(months[-1]), filters.date_to),
        ]
    condition = Q(pk__in=[])
    for grain, first, last in parts:
        if first <= last:
            condition |= Q(team_id__in=scope.team_ids, grain=grain, day__gte=first, day__lte=last)
    return condition


def _process_times(scope: ReportScope, filters: ReportFilters) -> dict[str, Distribution]:
    """Both time reports: days to each step, and days in each state, from the daily duration histograms.

    Two queries: the histograms of the period, and the history of the cases received in it that are still
    open (their time in the current state grows until they move on, so it is not kept in the histograms).
    """
    rows = DailyTeamDuration.objects.filter(_duration_rows_of_period(scope, filters)).order_by()
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.team is not None:
        rows = rows.filter(team=filters.team)
    if filters.organisation_kind:
        rows = rows.filter(organisation_kind=filters.organisation_kind)
    histograms: dict[str, dict[int, list[int]]] = {}
    for measure, tenths, cases, microseconds in rows.values_list("measure", "tenths").annotate(
        cases=Sum("cases"), microseconds=Sum("microseconds")
    ):
        if cases:
            histograms.setdefault(measure, {})[tenths] = [cases, microseconds]
    for state, microseconds in _open_state_days(scope, filters):
        bucket = histograms.setdefault(state, {}).setdefault(summaries.tenths_of(microseconds), [0, 0])
        bucket[0] += 1
        bucket[1] += microseconds
    labels = {**dict(MILESTONES), **{state: Status(state).label for state in MEASURED_STATES}}
    return {measure: _distribution(measure, label, histograms.get(measure, {})) for measure, label in labels.items()}


def _float(value) -> float | None:
    return None if value is None else float(value)


def times(scope: ReportScope, filters: ReportFilters) -> Times:
    found = _process_times(scope, filters)
    return Times(tuple(found[measure] for measure, _ in MILESTONES))


def time_in_state(scope: ReportScope, filters: ReportFilters) -> TimeInState:
    found = _process_times(scope, filters)
    return TimeInState(tuple(found[state] for state in MEASURED_STATES))


# ---------------------------------------------------------------- returns


@dataclass(frozen=True)
class ReturnRate:
    kind: str
    received: int
    returns: int
    returned_cases: int


@dataclass(frozen=True)
class Returns:
    """How often the cases received in the period were sent back to their authors."""

    by_kind: tuple[ReturnRate, ...]

    @property
    def received(self) -> int:
        return sum(rate.received for rate in self.by_kind)

    @property
    def returns(self) -> int:
        return sum(rate.returns for rate in self.by_kind)

    @property
    def returned_cases(self) -> int:
        return sum(rate.returned_cases for rate in self.by_kind)

    @property
    def per_case(self) -> float | None:
        return self.returns / self.received if self.received else None

    def table(self) -> Table:
        def row(label, received, returns, returned_cases):
            return (
                _text(label),
                _count(received),
                _count(returns),
                _decimal(returns / received if received else None, 2),
                _count(returned_cases),
                _percent(returned_cases, received),
            )

        return Table(
            caption="Returns to the author on the cases received in the period",
            columns=(
                Column("Type"),
                Column("Cases received", numeric=True),
                Column("Returns", numeric=True),
                Column("Returns per case", numeric=True),
                Column("Cases returned at least once", numeric=True),
                Column("Cases returned at least once (%)", numeric=True),
            ),
            rows=tuple(
                row(_kind_title(rate.kind), rate.received, rate.returns, rate.returned_cases) for rate in self.by_kind
            ),
            total=row("Total", self.received, self.returns, self.returned_cases),
        )


def returns_per_case(scope: ReportScope, filters: ReportFilters, summed: Summed | None = None) -> Returns:
    summed = summed if summed is not None else summed_figures(scope, filters)
    received: dict[str, int] = {}
    for (figure, kind, _), cases in summed.items():
        if figure == summaries.RECEIVED:  # summed by week
            received[kind] = received.get(kind, 0) + cases
    return Returns(
        tuple(
            ReturnRate(
                kind,
                received.get(kind, 0),
                _of_kind(summed, summaries.RETURNS, kind),
                _of_kind(summed, summaries.RETURNED_CASES, kind),
            )
            for kind in _kinds(filters)
        )
    )


@dataclass(frozen=True)
class ReturnReason:
    kind: str
    key: str
    title: str
    returns: int


@dataclass(frozen=True)
class ReturnReasons:
    """The sections officers most often asked authors to change, on the cases received in the period."""

    reasons: tuple[ReturnReason, ...]
    returns: int

    def table(self) -> Table:
        return Table(
            caption="Sections most often returned for changes",
            columns=(
                Column("Type"),
                Column("Section"),
                Column("Returns asking for changes", numeric=True),
                Column("Share of all returns (%)", numeric=True),
            ),
            rows=tuple(
                (
                    _text(_kind_title(reason.kind)),
                    _text(reason.title),
                    _count(reason.returns),
                    _percent(reason.returns, self.returns),
                )
                for reason in self.reasons
            ),
        )


def return_reasons(scope: ReportScope, filters: ReportFilters, summed: Summed | None = None) -> ReturnReasons:
    summed = summed if summed is not None else summed_figures(scope, filters)
    rows = sorted(
        (
            (-cases, kind, figure.removeprefix(summaries.REASON))
            for (figure, kind, _), cases in summed.items()
            if figure.startswith(summaries.REASON)
        )
    )
    returns = sum(cases for (figure, _, _), cases in summed.items() if figure == summaries.RETURNS)
    reasons = []
    for minus_count, kind, key in rows:
        try:
            title = spec_for(kind).section(key).title
        except KeyError:  # a section since removed from the form
            title = key
        reasons.append(ReturnReason(kind, key, title, -minus_count))
    return ReturnReasons(tuple(reasons), returns)


# ---------------------------------------------------------------- workload and deadlines


QUEUE = "Not picked up (in the team queue)"
WORKLOAD_TITLE = "Open cases and running needs assessments now, with annual reviews overdue or due soon, by officer"
OTHER_OFFICERS = "Other officers"


@dataclass(frozen=True)
class OfficerLoad:
    officer_id: int | None
    name: str
    open: int
    overdue: int
    due_soon: int


@dataclass(frozen=True)
class Workload:
    """Open cases now, by the officer holding them, with how many are overdue or due soon."""

    officers: tuple[OfficerLoad, ...]
    named: bool

    @property
    def open(self) -> int:
        return sum(officer.open for officer in self.officers)

    @property
    def overdue(self) -> int:
        return sum(officer.overdue for officer in self.officers)

    @property
    def due_soon(self) -> int:
        return sum(officer.due_soon for officer in self.officers)

    def table(self) -> Table:
        return Table(
            caption=WORKLOAD_TITLE,
            columns=(
                Column("Officer"),
                Column("Open", numeric=True),
                Column("Overdue", numeric=True),
                Column(f"Due in the next {DUE_SOON_DAYS} days", numeric=True),
            ),
            rows=tuple(
                (_text(officer.name), _count(officer.open), _count(officer.overdue), _count(officer.due_soon))
                for officer in self.officers
            ),
            total=(_text("Total"), _count(self.open), _count(self.overdue), _count(self.due_soon)),
        )


def _open(scope: ReportScope, filters: ReportFilters) -> QuerySet[Assessment]:
    return _cases(scope, filters).filter(status__in=OPEN_STATUSES)


def _due_soon_q(filters: ReportFilters) -> Q:
    return Q(decision_due__gte=filters.today, decision_due__lte=filters.today + dt.timedelta(days=DUE_SOON_DAYS))


def workload(scope: ReportScope, filters: ReportFilters) -> Workload:
    # Officers see their own cases by name, colleagues' as one "other officers" row; managers see everyone.
    named = Q(team_id__in=scope.named_team_ids) | Q(assigned_to_id=scope.user_id)
    rows = (
        _open(scope, filters)
        .annotate(
            officer=Case(
                When(assigned_to__isnull=True, then=Value(None)),
                When(named, then=F("assigned_to_id")),
                default=Value(0),
                output_field=IntegerField(),
            ),
            officer_name=Case(
                When(assigned_to__isnull=True, then=Value(QUEUE)),
                When(named, then=F("assigned_to__full_name")),
                default=Value(OTHER_OFFICERS),
                output_field=CharField(),
            ),
            # Named officers first, then the other officers, then the queue.
            place=Case(
                When(assigned_to__isnull=True, then=Value(2)),
                When(named, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .values_list("officer", "officer_name", "place")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(decision_due__lt=filters.today)),
            due_soon=Count("pk", filter=_due_soon_q(filters)),
        )
        .order_by("place", "-open", "officer_name")
    )
    counted: dict[tuple, list[int]] = {
        (place, officer, name): [open_cases, overdue_cases, soon]
        for officer, name, place, open_cases, overdue_cases, soon in rows
    }
    for key, figures in [*_needs_assessment_load(scope, filters).items(), *_annual_review_load(scope, filters).items()]:
        before = counted.setdefault(key, [0, 0, 0])
        counted[key] = [mine + theirs for mine, theirs in zip(before, figures, strict=True)]
    loads = tuple(
        OfficerLoad(officer, name, *figures)
        for (_, officer, name), figures in sorted(
            counted.items(), key=lambda item: (item[0][0], -item[1][0], item[0][2])
        )
    )
    return Workload(loads, named=bool(scope.named_team_ids))


def _load_by_person(rows: QuerySet, named: Q, person: str, filters: ReportFilters) -> dict[tuple, list[int]]:
    """Rows with a `next_due`, counted by the person field `person` (named as workload names officers): open,
    overdue and due soon."""
    counted = (
        rows.annotate(
            officer=Case(When(named, then=F(f"{person}_id")), default=Value(0), output_field=IntegerField()),
            officer_name=Case(
                When(named, then=F(f"{person}__full_name")), default=Value(OTHER_OFFICERS), output_field=CharField()
            ),
            place=Case(When(named, then=Value(0)), default=Value(1), output_field=IntegerField()),
        )
        .values_list("officer", "officer_name", "place")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(next_due__lt=filters.today)),
            due_soon=Count(
                "pk",
                filter=Q(next_due__gte=filters.today, next_due__lte=filters.today + dt.timedelta(days=DUE_SOON_DAYS)),
            ),
        )
        .order_by()
    )
    return {(place, officer, name): [opened, late, soon] for officer, name, place, opened, late, soon in counted}


def _needs_assessment_load(scope: ReportScope, filters: ReportFilters) -> dict[tuple, list[int]]:
    """Running needs assessments by coordinator (named as workload names officers), with those overdue or due soon."""
    running = _running_needs_assessments(scope, filters)
    if running is None:
        return {}
    named = Q(assessment__team_id__in=scope.named_team_ids) | Q(coordinator_id=scope.user_id)
    return _load_by_person(running, named, "coordinator", filters)


def _annual_review_load(scope: ReportScope, filters: ReportFilters) -> dict[tuple, list[int]]:
    """Annual reviews overdue or due soon, by holder (named as workload names officers).

    Only those: every plan has a review open all year, and a meeting months away is no load yet."""
    reviews = _open_annual_reviews(scope, filters)
    if reviews is None:
        return {}
    reviews = reviews.filter(next_due__lte=filters.today + dt.timedelta(days=DUE_SOON_DAYS))
    named = Q(needs_assessment__assessment__team_id__in=scope.named_team_ids) | Q(holder_id=scope.user_id)
    return _load_by_person(reviews, named, "holder", filters)


@dataclass(frozen=True)
class DueCase:
    pk: int
    reference: str
    kind: str
    team: str
    status: str
    decision_due: dt.date
    days: int
    holder: str
    paused_since: dt.date | None
    # A running EHC needs assessment rather than an open case: `status` is its stage, `what` the date due.
    what: str = ""
    # An open annual review of an EHC plan (numbered from 1): `status` is its stage, `what` the date due.
    review_number: int = 0

    @property
    def is_annual_review(self) -> bool:
        return bool(self.review_number)

    @property
    def is_needs_assessment(self) -> bool:
        return bool(self.what) and not self.is_annual_review

    @property
    def type_text(self) -> str:
        if self.is_annual_review:
            return ANNUAL_REVIEW_TYPE
        return NEEDS_ASSESSMENT_TYPE if self.is_needs_assessment else _kind_title(self.kind)

    @property
    def status_text(self) -> str:
        if self.is_annual_review:
            return f"Review {self.review_number}: {AnnualReviewStage(self.status).label} ({self.what})"
        if self.is_needs_assessment:
            return f"{NeedsAssessmentStage(self.status).label} ({self.what})"
        return Status(self.status).label

    @property
    def href(self) -> str:
        if self.is_annual_review:
            return reverse("workflows:ehc-annual-review", args=[self.pk])
        return reverse("workflows:ehc" if self.is_needs_assessment else "workflows:case", args=[self.pk])

    @property
    def order(self) -> tuple:
        """Earliest date first; on one day, cases, then needs assessments, then annual reviews."""
        return (self.decision_due, self.is_needs_assessment + 2 * self.is_annual_review, self.pk)


@dataclass(frozen=True)
class DueList:
    """Open cases past (or near) their decision due date, the most urgent first."""

    slug: str
    title: str
    cases: tuple[DueCase, ...]
    count: int
    days_label: str

    def table(self) -> Table:
        caption = self.title
        if self.count > len(self.cases):
            caption += f" (the {len(self.cases)} most urgent of {self.count})"
        return Table(
            caption=caption,
            columns=(
                Column("Case"),
                Column("Type"),
                Column("Team"),
                Column("Status"),
                Column("Due"),
                Column(self.days_label, numeric=True),
                Column("With"),
                Column("Clock"),
            ),
            rows=tuple(
                (
                    _text(case.reference, href=case.href),
                    _text(case.type_text),
                    _text(case.team),
                    _text(case.status_text),
                    _day(case.decision_due),
                    _count(case.days),
                    _text(case.holder),
                    _text(f"Paused since {case.paused_since:%-d %b %Y}" if case.paused_since else "Running"),
                )
                for case in self.cases
            ),
        )


def _due_list(
    scope,
    filters,
    *,
    slug,
    title,
    condition: Q,
    needs_assessment_condition: Q,
    annual_review_condition: Q,
    days_label: str,
    overdue: bool,
) -> DueList:
    named = Q(team_id__in=scope.named_team_ids) | Q(assigned_to_id=scope.user_id)
    open_pause = ClockPause.objects.filter(assessment=OuterRef("pk"), ended_on__isnull=True).values("started_on")[:1]
    rows = (
        _open(scope, filters)
        .filter(condition)
        .annotate(
            holder=Case(
                When(assigned_to__isnull=True, then=Value("Not picked up")),
                When(named, then=F("assigned_to__full_name")),
                default=Value("Another officer"),
                output_field=CharField(),
            ),
            paused_since=Subquery(open_pause, output_field=DateField()),
            how_many=Window(Count("pk")),
        )
        .values_list(
            "pk", "reference", "kind", "team__name", "status", "decision_due", "holder", "paused_since", "how_many"
        )
        .order_by("decision_due", "pk")[:LIST_LIMIT]
    )
    cases, count = [], 0
    for pk, reference, kind, team, status, due, holder, paused_since, how_many in rows:
        days = (filters.today - due).days if overdue else (due - filters.today).days
        cases.append(DueCase(pk, reference, kind, team, status, due, days, holder, paused_since))
        count = how_many
    assessments, assessments_count = _needs_assessments_due(
        scope, filters, condition=needs_assessment_condition, overdue=overdue
    )
    reviews, reviews_count = _annual_reviews_due(scope, filters, condition=annual_review_condition, overdue=overdue)
    if assessments or reviews:
        # Each list comes sorted and limited; together, the most urgent of any, up to the limit.
        cases = sorted([*cases, *assessments, *reviews], key=lambda case: case.order)
        cases, count = cases[:LIST_LIMIT], count + assessments_count + reviews_count
    return DueList(slug, title, tuple(cases), count, days_label)


NEEDS_ASSESSMENT_TYPE = "EHC needs assessment"
# What a running needs assessment's next date is, as the overdue and due-soon lists say it.
NEXT_DUE_WORDS = {
    NEXT_ADVICE: "advice due",
    NEXT_ISSUE_DECISION: "week 16 decision due",
    NEXT_COMMENTS: "comments on the draft close",
    NEXT_FINAL: "week 20 final plan due",
}


def _running_needs_assessments(scope: ReportScope, filters: ReportFilters) -> QuerySet[NeedsAssessment] | None:
    """The running needs assessments of the teams in scope, narrowed by the filters; None when EHCP is not chosen."""
    if filters.kind not in ("", AssessmentKind.EHCP):
        return None
    return running_needs_assessments(filters.today).filter(_of_requests_in_scope(scope, filters))


def _due_rows(rows: QuerySet, *, request: str, person: str, extra: str, scope, filters, overdue: bool):
    """Rows with a `next_due` and `next_what` (needs assessments or annual reviews), the most urgent first, in one
    query: each as (case id, reference, team, stage, date, days, what, holder, `extra`), and how many there are.

    `request` leads from a row to its request, `person` to whoever holds it (named as workload names officers).
    """
    named = Q(**{f"{request}__team_id__in": scope.named_team_ids}) | Q(**{f"{person}_id": scope.user_id})
    listed = (
        rows.annotate(
            holder_name=Case(
                When(named, then=F(f"{person}__full_name")),
                default=Value("Another officer"),
                output_field=CharField(),
            ),
            how_many=Window(Count("pk")),
        )
        .values_list(
            f"{request}_id",
            f"{request}__reference",
            f"{request}__team__name",
            "stage",
            "next_due",
            "next_what",
            "holder_name",
            extra,
            "how_many",
        )
        .order_by("next_due", "pk")[:LIST_LIMIT]
    )
    found, count = [], 0
    for pk, reference, team, stage, due, what, holder, more, how_many in listed:
        days = (filters.today - due).days if overdue else (due - filters.today).days
        found.append((pk, reference, team, stage, due, days, what, holder, more))
        count = how_many
    return found, count


def _needs_assessments_due(scope, filters, *, condition: Q, overdue: bool) -> tuple[list[DueCase], int]:
    """Running needs assessments whose next statutory date meets the condition, the most urgent first, in one query."""
    running = _running_needs_assessments(scope, filters)
    if running is None:
        return [], 0
    rows, count = _due_rows(
        running.filter(condition),
        request="assessment",
        person="coordinator",
        extra="paused_since",
        scope=scope,
        filters=filters,
        overdue=overdue,
    )
    return [
        DueCase(pk, reference, AssessmentKind.EHCP, team, stage, due, days, holder, paused, NEXT_DUE_WORDS[what])
        for pk, reference, team, stage, due, days, what, holder, paused in rows
    ], count


ANNUAL_REVIEW_TYPE = "Annual review"
# What an open annual review's next date is, as the overdue and due-soon lists say it.
NEXT_REVIEW_WORDS = {NEXT_REVIEW_MEETING: "meeting due", NEXT_REVIEW_DECISION: "decision due"}


def _open_annual_reviews(scope: ReportScope, filters: ReportFilters) -> QuerySet[AnnualReview] | None:
    """The open annual reviews of the plans of the teams in scope, narrowed by the filters (the request's team
    and organisation type); None when a type other than EHCP is chosen."""
    if filters.kind not in ("", AssessmentKind.EHCP):
        return None
    return open_annual_reviews().filter(
        _of_requests_in_scope(scope, filters, request="needs_assessment__assessment_id")
    )


def _annual_reviews_due(scope, filters, *, condition: Q, overdue: bool) -> tuple[list[DueCase], int]:
    """Open annual reviews whose meeting or decision date meets the condition, the most urgent first, in one query."""
    reviews = _open_annual_reviews(scope, filters)
    if reviews is None:
        return [], 0
    rows, count = _due_rows(
        reviews.filter(condition),
        request="needs_assessment__assessment",
        person="holder",
        extra="number",
        scope=scope,
        filters=filters,
        overdue=overdue,
    )
    return [
        DueCase(
            pk,
            reference,
            AssessmentKind.EHCP,
            team,
            stage,
            due,
            days,
            holder,
            None,
            NEXT_REVIEW_WORDS[what],
            review_number=number,
        )
        for pk, reference, team, stage, due, days, what, holder, number in rows
    ], count


OVERDUE_TITLE = (
    "Open cases past their decision due date, and needs assessments and annual reviews past a statutory date"
)
DUE_SOON_TITLE = f"Open cases, needs assessments and annual reviews due in the next {DUE_SOON_DAYS} days"


def overdue(scope: ReportScope, filters: ReportFilters) -> DueList:
    return _due_list(
        scope,
        filters,
        slug="overdue",
        title=OVERDUE_TITLE,
        condition=Q(decision_due__lt=filters.today),
        needs_assessment_condition=Q(next_due__lt=filters.today),
        annual_review_condition=Q(next_due__lt=filters.today),
        days_label="Days overdue",
        overdue=True,
    )


def due_soon(scope: ReportScope, filters: ReportFilters) -> DueList:
    return _due_list(
        scope,
        filters,
        slug="due-soon",
        title=DUE_SOON_TITLE,
        condition=_due_soon_q(filters),
        needs_assessment_condition=Q(
            next_due__gte=filters.today, next_due__lte=filters.today + dt.timedelta(days=DUE_SOON_DAYS)
        ),
        annual_review_condition=Q(
            next_due__gte=filters.today, next_due__lte=filters.today + dt.timedelta(days=DUE_SOON_DAYS)
        ),
        days_label="Days left",
        overdue=False,
    )


# ---------------------------------------------------------------- the EHCP statutory clock


@dataclass(frozen=True)
class MonthShare:
    month: dt.date
    cases: int
    within: int

    @property
    def percent(self) -> float | None:
        return 100 * self.within / self.cases if self.cases else None


@dataclass(frozen=True)
class Timeliness:
    """A monthly share of EHCP cases that met a statutory time limit."""

    slug: str
    caption: str
    count_label: str
    within_label: str
    months: tuple[MonthShare, ...]
    applies: bool

    @property
    def cases(self) -> int:
        return sum(month.cases for month in self.months)

    @property
    def within(self) -> int:
        return sum(month.within for month in self.months)

    @property
    def percent(self) -> float | None:
        return 100 * self.within / self.cases if self.cases else None

    def table(self) -> Table:
        return Table(
            caption=self.caption,
            columns=(
                Column("Month"),
                Column(self.count_label, numeric=True),
                Column(self.within_label, numeric=True),
                Column(f"{self.within_label} (%)", numeric=True),
            ),
            rows=tuple(
                (
                    Cell(text=f"{month.month:%B %Y}", value=month.month, format="mmmm yyyy"),
                    _count(month.cases),
                    _count(month.within),
                    _percent(month.within, month.cases),
                )
                for month in self.months
            ),
            total=(_text("Total"), _count(self.cases), _count(self.within), _percent(self.within, self.cases)),
        )


def _ehcp_applies(scope: ReportScope, filters: ReportFilters) -> bool:
    """EHCP's statutory figures are for those whose teams receive EHCP requests (not, say, Early Help's)."""
    return filters.kind in ("", AssessmentKind.EHCP) and AssessmentKind.EHCP in kinds_routed_to(scope.team_ids)


@dataclass(frozen=True)
class LocalTarget:
    """The share of one kind's decisions in the period made within the council's local target."""

    kind: str
    title: str
    decided: int
    within: int

    @property
    def percent(self) -> float | None:
        return 100 * self.within / self.decided if self.decided else None


def local_targets(scope: ReportScope, filters: ReportFilters, summed: Summed | None = None) -> tuple[LocalTarget, ...]:
    """For each kind with a local decision target that the reader's teams receive: decisions made within it."""
    summed = summed if summed is not None else summed_figures(scope, filters)
    targets = []
    for kind in kinds_routed_to(scope.team_ids):
        days = settings.PORTAL_DEADLINES[kind].get("decision_working_days")
        if days is None or kind not in _kinds(filters):
            continue
        decided = sum(
            cases for (figure, of_kind, _), cases in summed.items() if (figure, of_kind) == (summaries.DECIDED, kind)
        )
        title = f"{spec_for(kind).short_title} decisions within {days} working days"
        targets.append(LocalTarget(kind, title, decided, _of_kind(summed, summaries.DECIDED_WITHIN, kind)))
    return tuple(targets)


def _monthly(summed: Summed, figure: str) -> dict[dt.date, int]:
    return {bucket: cases for (name, kind, bucket), cases in summed.items() if name == figure and kind == "ehcp"}


def ehcp_decisions(scope: ReportScope, filters: ReportFilters, summed: Summed | None = None) -> Timeliness:
    """Decisions whether to assess, by month, made by the decision due date (6 weeks, plus recorded pauses)."""
    summed = summed if summed is not None else summed_figures(scope, filters)
    cases, within = _monthly(summed, summaries.EHCP_DECISIONS), _monthly(summed, summaries.EHCP_DECISIONS_WITHIN)
    return Timeliness(
        slug="ehcp-6-weeks",
        caption="EHCP requests: decisions whether to assess made within 6 weeks, by month of decision",
        count_label="Decisions",
        within_label="Within 6 weeks",
        months=tuple(
            MonthShare(month, cases.get(month, 0), within.get(month, 0))
            for month in _month_starts(filters.date_from, filters.date_to)
        ),
        applies=_ehcp_applies(scope, filters),
    )


def ehcp_plans(scope: ReportScope, filters: ReportFilters, summed: Summed | None = None) -> Timeliness:
    """Final EHC plans issued in the period, by month of issue, issued by the final due date (20 weeks).

    The needs assessment's final_plan_issue writes the request's plan_issued_on, and a pause its final_due,
    as it writes its own final_issued_on and final_due: the two agree, and the request's copies are what the
    daily summaries count and what the retention schedule keeps (it deletes the needs assessment).
    """
    summed = summed if summed is not None else summed_figures(scope, filters)
    cases, within = _monthly(summed, summaries.EHCP_PLANS), _monthly(summed, summaries.EHCP_PLANS_WITHIN)
    return Timeliness(
        slug="ehcp-20-weeks",
        caption="EHC plans issued within 20 weeks of the request, by month of issue",
        count_label="Plans issued",
        within_label="Within 20 weeks",
        months=tuple(
            MonthShare(month, cases.get(month, 0), within.get(month, 0))
            for month in _month_starts(filters.date_from, filters.date_to)
        ),
        applies=_ehcp_applies(scope, filters),
    )


# ---------------------------------------------------------------- the EHC needs assessment's statutory clock


def _needs_assessments(scope: ReportScope, filters: ReportFilters) -> QuerySet[NeedsAssessment] | None:
    """The needs assessments of the EHCP requests of the teams in scope, narrowed by the filters (not by date);
    None when the reader's teams receive no EHCP requests or another type is chosen."""
    if not _ehcp_applies(scope, filters):
        return None
    return NeedsAssessment.objects.filter(_of_requests_in_scope(scope, filters)).order_by()


def _of_requests_in_scope(scope: ReportScope, filters: ReportFilters, request: str = "assessment_id") -> Exists:
    """The needs assessment's request (or the annual review's, through `request`) is of a team in scope and meets
    the filters.

    An EXISTS per row, not a join: the date (or stage) index then drives the read, a narrow range, and each
    row's request is found by its key; joined, SQLite (which keeps no statistics here) reads every case of
    the teams first.
    """
    requests = Assessment.objects.filter(pk=OuterRef(request), team_id__in=scope.team_ids)
    if filters.team is not None:
        requests = requests.filter(team=filters.team)
    if filters.organisation_kind:
        requests = requests.filter(organisation__kind=filters.organisation_kind)
    return Exists(requests)


def _monthly_shares(rows: QuerySet | None, day: str, within: Q, filters: ReportFilters) -> tuple[MonthShare, ...]:
    """Rows whose `day` falls in the period (a narrow range of its index), by month, and how many are `within`."""
    found = {}
    if rows is not None:
        found = {
            month: (cases, within_count)
            for month, cases, within_count in rows.filter(
                **{f"{day}__gte": filters.date_from, f"{day}__lte": filters.date_to}
            )
            .annotate(month=LocalPeriodStart(day, "month"))
            .values_list("month")
            .annotate(cases=Count("pk"), within=Count("pk", filter=within))
            .order_by()
        }
    return tuple(
        MonthShare(month, *found.get(month, (0, 0))) for month in _month_starts(filters.date_from, filters.date_to)
    )


def ehcp_issue_decisions(scope: ReportScope, filters: ReportFilters) -> Timeliness:
    """Decisions whether to issue a plan, by month, made by week 16 (moved on by the clock's pauses)."""
    rows = _needs_assessments(scope, filters)
    return Timeliness(
        slug="ehcp-16-weeks",
        caption="EHC needs assessments: decisions whether to issue a plan made within 16 weeks, by month of decision",
        count_label="Decisions",
        within_label="Within 16 weeks",
        months=_monthly_shares(rows, "issue_decided_on", Q(issue_decided_on__lte=F("issue_decision_due")), filters),
        applies=rows is not None,
    )


def ehcp_advice(scope: ReportScope, filters: ReportFilters) -> Timeliness:
    """Advice asked for in needs assessments, by the month it was due, and how much came by its due date.

    Counted once its due date has passed or it has come (or the coordinator went on without it): advice
    still awaited and not yet due is neither late nor in time. A pause moves the due date on when it ends.
    """
    rows = _needs_assessments(scope, filters)
    advice = None
    if rows is not None:
        advice = AdviceRequest.objects.filter(
            Exists(rows.filter(pk=OuterRef("needs_assessment_id"))),
            Q(due_on__lt=filters.today) | Q(answered_on__isnull=False) | Q(closed_unanswered_on__isnull=False),
        )
    return Timeliness(
        slug="ehcp-advice",
        caption="EHC needs assessments: advice returned within 6 weeks of being asked for, by month it was due",
        count_label="Advice due",
        within_label="Returned within 6 weeks",
        months=_monthly_shares(advice, "due_on", Q(answered_on__lte=F("due_on")), filters),
        applies=rows is not None,
    )


# ---------------------------------------------------------------- the dashboard and the registry of reports


@dataclass(frozen=True)
class ReportDefinition:
    slug: str
    title: str
    build: Callable[[ReportScope, ReportFilters], object]
    # The Dashboard field that holds this report.
    attribute: str
    # The spreadsheet's name for its sheet (at most 31 characters).
    sheet: str


REPORTS: dict[str, ReportDefinition] = {
    definition.slug: definition
    for definition in (
        ReportDefinition("status", "Cases by status now", status_now, "status", "Status now"),
        ReportDefinition(
            "volumes", "Received, decided and closed each week", weekly_volumes, "volumes", "Weekly volumes"
        ),
        ReportDefinition("outcomes", "Outcomes by type", outcomes_by_type, "outcomes", "Outcomes"),
        ReportDefinition("times", "Time to pick-up, decision and close", times, "times", "Time to each step"),
        ReportDefinition(
            "time-in-state", "Time spent in each state", time_in_state, "time_in_state", "Time in each state"
        ),
        ReportDefinition("returns", "Returns per case", returns_per_case, "returns", "Returns per case"),
        ReportDefinition(
            "return-reasons", "Most common return reasons", return_reasons, "return_reasons", "Return reasons"
        ),
        ReportDefinition("workload", "Workload", workload, "workload", "Workload"),
        ReportDefinition("overdue", "Overdue cases", overdue, "overdue", "Overdue"),
        ReportDefinition("due-soon", "Cases due soon", due_soon, "due_soon", "Due soon"),
        ReportDefinition(
            "ehcp-6-weeks", "EHCP decisions within 6 weeks", ehcp_decisions, "ehcp_decisions", "EHCP 6 weeks"
        ),
        ReportDefinition("ehcp-advice", "EHC advice within 6 weeks", ehcp_advice, "ehcp_advice", "EHC advice 6 weeks"),
        ReportDefinition(
            "ehcp-16-weeks",
            "EHC decisions whether to issue within 16 weeks",
            ehcp_issue_decisions,
            "ehcp_issue_decisions",
            "EHCP 16 weeks",
        ),
        ReportDefinition("ehcp-20-weeks", "EHC plans within 20 weeks", ehcp_plans, "ehcp_plans", "EHCP 20 weeks"),
    )
}


@dataclass(frozen=True)
class Dashboard:
    filters: ReportFilters
    status: StatusNow
    volumes: WeeklyVolumes
    outcomes: Outcomes
    times: Times
    time_in_state: TimeInState
    returns: Returns
    return_reasons: ReturnReasons
    workload: Workload
    overdue: DueList
    due_soon: DueList
    ehcp_decisions: Timeliness
    ehcp_advice: Timeliness
    ehcp_issue_decisions: Timeliness
    ehcp_plans: Timeliness
    local_targets: tuple[LocalTarget, ...]

    def report(self, slug: str):
        return getattr(self, REPORTS[slug].attribute)

    def tables(self) -> Iterable[tuple[str, str, Table]]:
        """(slug, title, table) of every report, in the page's order."""
        for slug, definition in REPORTS.items():
            yield slug, definition.title, self.report(slug).table()


def dashboard_cache_key(scope: ReportScope, filters: ReportFilters) -> str:
    """What the figures are kept under: the whole scope, since the workload names officers by who is looking (a
    manager's named teams, an officer only themself), and the filters."""
    chosen = (
        scope.user_id,
        sorted(scope.team_ids),
        sorted(scope.named_team_ids),
        filters.date_from.isoformat(),
        filters.date_to.isoformat(),
        filters.kind,
        filters.team.pk if filters.team else None,
        filters.organisation_kind,
        filters.today.isoformat(),
    )
    return "reports:dashboard:" + hashlib.sha256(json.dumps(chosen).encode()).hexdigest()


def dashboard(scope: ReportScope, filters: ReportFilters) -> Dashboard:
    """Every report for the page and the spreadsheet (the two time reports share one query)."""
    process = _process_times(scope, filters)
    summed = summed_figures(scope, filters)
    return Dashboard(
        filters=filters,
        status=status_now(scope, filters),
        volumes=weekly_volumes(scope, filters, summed),
        outcomes=outcomes_by_type(scope, filters, summed),
        times=Times(tuple(process[measure] for measure, _ in MILESTONES)),
        time_in_state=TimeInState(tuple(process[state] for state in MEASURED_STATES)),
        returns=returns_per_case(scope, filters, summed),
        return_reasons=return_reasons(scope, filters, summed),
        workload=workload(scope, filters),
        overdue=overdue(scope, filters),
        due_soon=due_soon(scope, filters),
        ehcp_decisions=ehcp_decisions(scope, filters, summed),
        ehcp_advice=ehcp_advice(scope, filters),
        ehcp_issue_decisions=ehcp_issue_decisions(scope, filters),
        ehcp_plans=ehcp_plans(scope, filters, summed),
        local_targets=local_targets(scope, filters, summed),
    )
