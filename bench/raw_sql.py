"""The dashboard's counting figures written by hand in SQL, to measure the ORM's queries against.

Covered: cases by status, weekly volumes, outcomes by type, workload, EHCP 6- and 20-week timeliness –
every figure that is a count or a share. (The medians, 90th percentiles and time in each state use
window functions whose hand-written forms differ between SQLite and PostgreSQL; they are left out of
this comparison on both sides.)
"""

import datetime as dt

from django.db import connection
from django.utils import timezone

from workflows.reports import (
    ReportFilters,
    default_period,
    ehcp_decisions,
    ehcp_plans,
    outcomes_by_type,
    report_scope,
    status_now,
    weekly_volumes,
    workload,
)


def bench_filters() -> ReportFilters:
    date_from, date_to = default_period(timezone.localdate())
    return ReportFilters(date_from=date_from, date_to=date_to)


def figures_by_orm(user, filters: ReportFilters) -> list:
    scope = report_scope(user)
    return [
        function(scope, filters)
        for function in (status_now, weekly_volumes, outcomes_by_type, workload, ehcp_decisions, ehcp_plans)
    ]


def _week(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('week', {column} AT TIME ZONE 'Europe/London')::date"
    return f"date({column}, 'weekday 0', '-6 days')"


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def _date(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE 'Europe/London')::date"
    return f"date({column})"


def figures_by_hand(user, filters: ReportFilters) -> list:
    scope = report_scope(user)
    teams = ",".join(str(int(team)) for team in scope.team_ids) or "0"
    start, end = filters.start, filters.end
    today = filters.today
    soon = today + dt.timedelta(days=10)
    cases = f"FROM casework_assessment WHERE status <> 'draft' AND team_id IN ({teams})"
    queries = [
        (
            f"SELECT status, COUNT(*) {cases} AND first_submitted_at >= %s AND first_submitted_at < %s GROUP BY status",
            [start, end],
        ),
        (
            f"SELECT {_week('first_submitted_at')}, COUNT(*) {cases} "
            "AND first_submitted_at >= %s AND first_submitted_at < %s GROUP BY 1",
            [start, end],
        ),
        (
            f"SELECT {_week('closed_at')}, SUM(CASE WHEN outcome <> 'withdrawn' THEN 1 ELSE 0 END), COUNT(*) {cases} "
            "AND closed_at >= %s AND closed_at < %s GROUP BY 1",
            [start, end],
        ),
        (
            f"SELECT kind, outcome, COUNT(*) {cases} AND closed_at >= %s AND closed_at < %s GROUP BY kind, outcome",
            [start, end],
        ),
        (
            "SELECT assigned_to_id, COUNT(*), SUM(CASE WHEN decision_due < %s THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN decision_due >= %s AND decision_due <= %s THEN 1 ELSE 0 END) "
            f"{cases} AND status IN ('submitted', 'under_review', 'returned') GROUP BY assigned_to_id",
            [today, today, soon],
        ),
        (
            f"SELECT {_month('closed_at')}, COUNT(*), "
            f"SUM(CASE WHEN {_date('closed_at')} <= decision_due THEN 1 ELSE 0 END) "
            f"{cases} AND kind = 'ehcp' AND outcome IN ('agreed_to_assess', 'refused_to_assess') "
            "AND closed_at >= %s AND closed_at < %s GROUP BY 1",
            [start, end],
        ),
        (
            f"SELECT {_month('plan_issued_on')}, COUNT(*), "
            "SUM(CASE WHEN plan_issued_on <= final_due THEN 1 ELSE 0 END) "
            f"{cases} AND kind = 'ehcp' AND plan_issued_on >= %s AND plan_issued_on <= %s GROUP BY 1",
            [filters.date_from, filters.date_to],
        ),
    ]
    results = []
    with connection.cursor() as cursor:
        for sql, parameters in queries:
            cursor.execute(sql, parameters)
            results.append(cursor.fetchall())
    return results
