"""The reports' counted figures worked out from the case rows, as the reports did before the daily summaries.

The tests hold the summaries to these: the same figures, whatever the cases' histories.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, FilteredRelation, Min, Q, QuerySet, Value, Window
from django.db.models.functions import Lead

from casework.models import (
    NOT_DECISIONS,
    Assessment,
    AssessmentKind,
    AssessmentSection,
    CaseEvent,
    CaseEventKind,
    Outcome,
    Status,
)
from casework.sections import spec_for
from workflows.reports import (
    ENDINGS_WITHOUT_DECISION,
    MEASURED_STATES,
    MILESTONES,
    OUTCOMES_BY_KIND,
    DaysBetween,
    Distribution,
    LocalPeriodStart,
    LocalTarget,
    MonthShare,
    OutcomeCount,
    Outcomes,
    ReportFilters,
    ReportScope,
    ReturnRate,
    ReturnReason,
    ReturnReasons,
    Returns,
    Timeliness,
    WeeklyVolumes,
    WeekVolume,
    _cases,
    _closed,
    _float,
    _kinds,
    _month_starts,
    _received,
    _week_starts,
)
from workflows.selectors import kinds_routed_to

RETURN_REASON = "Returned for changes"


def local_targets(scope: ReportScope, filters: ReportFilters) -> tuple[LocalTarget, ...]:
    targets = []
    for kind in kinds_routed_to(scope.team_ids):
        days = settings.PORTAL_DEADLINES[kind].get("decision_working_days")
        if days is None or kind not in _kinds(filters):
            continue
        decisions = (
            _closed(_cases(scope, filters), filters)
            .filter(kind=kind)
            .exclude(outcome__in=NOT_DECISIONS)
            .annotate(closed_on=LocalPeriodStart("closed_at", "day", period=filters.moments))
        )
        within = Count("pk", filter=Q(closed_on__lte=F("decision_due")))
        counted = decisions.aggregate(decided=Count("pk"), within=within)
        title = f"{spec_for(kind).short_title} decisions within {days} working days"
        targets.append(LocalTarget(kind, title, counted["decided"], counted["within"]))
    return tuple(targets)


def weekly_volumes(scope: ReportScope, filters: ReportFilters) -> WeeklyVolumes:
    cases = _cases(scope, filters)
    received = dict(
        _received(cases, filters)
        .annotate(week=LocalPeriodStart("first_submitted_at", "week", period=filters.moments))
        .values_list("week")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    closed = {
        week: (decided, closed)
        for week, decided, closed in _closed(cases, filters)
        .annotate(week=LocalPeriodStart("closed_at", "week", period=filters.moments))
        .values_list("week")
        .annotate(decided=Count("pk", filter=~Q(outcome__in=NOT_DECISIONS)), closed=Count("pk"))
        .order_by()
    }
    return WeeklyVolumes(
        tuple(WeekVolume(week, received.get(week, 0), *closed.get(week, (0, 0))) for week in _week_starts(filters))
    )


def outcomes_by_type(scope: ReportScope, filters: ReportFilters) -> Outcomes:
    found = {
        (kind, outcome): cases
        for kind, outcome, cases in _closed(_cases(scope, filters), filters)
        .values_list("kind", "outcome")
        .annotate(cases=Count("pk"))
        .order_by()
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


def returns_per_case(scope: ReportScope, filters: ReportFilters) -> Returns:
    found = {
        kind: (received, returns, returned_cases)
        for kind, received, returns, returned_cases in _received(_cases(scope, filters), filters)
        .annotate(
            returned=FilteredRelation("events", condition=Q(events__kind=CaseEventKind.RETURNED)),
        )
        .values_list("kind")
        .annotate(
            received=Count("pk", distinct=True),
            returns=Count("returned__pk"),
            returned_cases=Count("pk", distinct=True, filter=Q(returned__pk__isnull=False)),
        )
        .order_by()
    }
    return Returns(tuple(ReturnRate(kind, *found.get(kind, (0, 0, 0))) for kind in _kinds(filters)))


def return_reasons(scope: ReportScope, filters: ReportFilters) -> ReturnReasons:
    received = _received(_cases(scope, filters), filters)
    sections = AssessmentSection.history.model.objects.filter(
        history_change_reason=RETURN_REASON, assessment_id__in=received.values("pk")
    )
    rows = (
        sections.values_list("assessment__kind", "key")
        .annotate(returns=Count("history_id"))
        .order_by("-returns", "assessment__kind", "key")
    )
    returns = CaseEvent.objects.filter(kind=CaseEventKind.RETURNED, assessment__in=received.values("pk")).count()
    reasons = []
    for kind, key, count in rows:
        try:
            title = spec_for(kind).section(key).title
        except KeyError:  # a section since removed from the form
            title = key
        reasons.append(ReturnReason(kind, key, title, count))
    return ReturnReasons(tuple(reasons), returns)


def _ehcp(scope: ReportScope, filters: ReportFilters) -> QuerySet[Assessment] | None:
    if filters.kind not in ("", AssessmentKind.EHCP) or AssessmentKind.EHCP not in kinds_routed_to(scope.team_ids):
        return None
    return _cases(scope, filters).filter(kind=AssessmentKind.EHCP)


def ehcp_decisions(scope: ReportScope, filters: ReportFilters) -> Timeliness:
    """Decisions whether to assess, by month, made by the decision due date (6 weeks, plus recorded pauses)."""
    ehcp = _ehcp(scope, filters)
    found = {}
    if ehcp is not None:
        found = {
            month: (cases, within)
            for month, cases, within in _closed(ehcp, filters)
            .filter(outcome__in=(Outcome.AGREED_TO_ASSESS, Outcome.REFUSED_TO_ASSESS))
            .annotate(
                month=LocalPeriodStart("closed_at", "month", period=filters.moments),
                closed_on=LocalPeriodStart("closed_at", "day", period=filters.moments),
            )
            .values_list("month")
            .annotate(cases=Count("pk"), within=Count("pk", filter=Q(closed_on__lte=F("decision_due"))))
            .order_by()
        }
    return Timeliness(
        slug="ehcp-6-weeks",
        caption="EHCP requests: decisions whether to assess made within 6 weeks, by month of decision",
        count_label="Decisions",
        within_label="Within 6 weeks",
        months=tuple(
            MonthShare(month, *found.get(month, (0, 0))) for month in _month_starts(filters.date_from, filters.date_to)
        ),
        applies=ehcp is not None,
    )


def ehcp_plans(scope: ReportScope, filters: ReportFilters) -> Timeliness:
    """Final EHC plans issued in the period, by month of issue, issued by the final due date (20 weeks)."""
    ehcp = _ehcp(scope, filters)
    found = {}
    if ehcp is not None:
        found = {
            month: (cases, within)
            for month, cases, within in ehcp.filter(
                outcome=Outcome.AGREED_TO_ASSESS,
                plan_issued_on__gte=filters.date_from,
                plan_issued_on__lte=filters.date_to,
            )
            .annotate(month=LocalPeriodStart("plan_issued_on", "month"))
            .values_list("month")
            .annotate(cases=Count("pk"), within=Count("pk", filter=Q(plan_issued_on__lte=F("final_due"))))
            .order_by()
        }
    return Timeliness(
        slug="ehcp-20-weeks",
        caption="EHC plans issued within 20 weeks of the request, by month of issue",
        count_label="Plans issued",
        within_label="Within 20 weeks",
        months=tuple(
            MonthShare(month, *found.get(month, (0, 0))) for month in _month_starts(filters.date_from, filters.date_to)
        ),
        applies=ehcp is not None,
    )


# ---------------------------------------------------------------- times, ranked from every raw row


def _compiled(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, list(params)


# The samples come from querysets the ORM compiles for this database (the CTEs' column lists name their
# columns). Each measure's samples are ranked, and the median (the mean of the one or two middle ranks) and
# the nearest-rank 90th percentile (rank ceil(0.9 n), which is (9n + 9) div 10) are read off the ranks.
_DISTRIBUTION_SQL = """
WITH pickups (case_id, days) AS ({pickups}),
decisions (case_id, days) AS ({decisions}),
closes (case_id, days) AS ({closes}),
spans (case_id, status, days_to_next, days_to_now) AS ({spans}),
samples (measure, case_id, days) AS (
    SELECT 'claim', case_id, days FROM pickups
    UNION ALL SELECT 'decision', case_id, days FROM decisions
    UNION ALL SELECT 'close', case_id, days FROM closes
    UNION ALL SELECT status, case_id, SUM(COALESCE(days_to_next, days_to_now)) FROM spans
        WHERE status IN ({states}) GROUP BY case_id, status
),
ranked AS (
    SELECT measure, days,
           ROW_NUMBER() OVER (PARTITION BY measure ORDER BY days, case_id) AS rn,
           COUNT(*) OVER (PARTITION BY measure) AS n
    FROM samples
)
SELECT measure,
       MAX(n),
       AVG(CASE WHEN rn = (n + 1) / 2 OR rn = (n + 2) / 2 THEN days END),
       MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN days END),
       AVG(days),
       SUM(days)
FROM ranked
GROUP BY measure
"""


def process_times(scope: ReportScope, filters: ReportFilters) -> dict[str, Distribution]:
    """Both time reports in one query, ranked from every pick-up event and history span of the period."""
    cases = _cases(scope, filters)
    # The first "picked up" or "assigned" event after the first submission, per case, in one grouped pass.
    pickups = (
        CaseEvent.objects.filter(
            assessment__in=cases.filter(first_submitted_at__lt=filters.end).values("pk"),
            kind__in=(CaseEventKind.CLAIMED, CaseEventKind.ASSIGNED),
            created_at__gte=F("assessment__first_submitted_at"),
        )
        .values("assessment_id", "assessment__first_submitted_at")
        .annotate(picked_up_at=Min("created_at"))
        .filter(picked_up_at__gte=filters.start, picked_up_at__lt=filters.end)
        .values_list("assessment_id", DaysBetween(F("picked_up_at"), F("assessment__first_submitted_at")))
    )
    closed = _closed(cases, filters)
    decisions = closed.exclude(outcome__in=NOT_DECISIONS).values_list(
        "pk", DaysBetween(F("closed_at"), F("first_submitted_at"))
    )
    closes = closed.values_list("pk", DaysBetween(F("closed_at"), F("first_submitted_at")))
    # Each history row's status lasts until the case's next history row; the last one lasts until now.
    history = Assessment.history.model
    next_row = Window(
        expression=Lead("history_date"),
        partition_by=[F("id")],
        order_by=[F("history_date").asc(), F("history_id").asc()],
    )
    spans = history.objects.filter(id__in=_received(cases, filters).values("pk")).values_list(
        "id",
        "status",
        DaysBetween(next_row, F("history_date")),
        DaysBetween(Value(filters.now, output_field=history._meta.get_field("history_date")), F("history_date")),
    )
    compiled = {
        name: _compiled(queryset)
        for name, queryset in (("pickups", pickups), ("decisions", decisions), ("closes", closes), ("spans", spans))
    }
    sql = _DISTRIBUTION_SQL.format(
        **{name: part_sql for name, (part_sql, _) in compiled.items()},
        states=", ".join(["%s"] * len(MEASURED_STATES)),
    )
    params = [param for _, part_params in compiled.values() for param in part_params] + list(MEASURED_STATES)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    labels = {**dict(MILESTONES), **{state: Status(state).label for state in MEASURED_STATES}}
    result = {}
    for measure, label in labels.items():
        n, median, p90, mean, total = found.get(measure, (0, None, None, None, None))
        result[measure] = Distribution(
            measure, label, int(n or 0), _float(median), _float(p90), _float(mean), _float(total)
        )
    return result
