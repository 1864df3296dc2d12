"""Per-team daily summaries of the reports' counted figures, kept equal to what the case rows say.

A case counts towards figures on the council's local days its events fell on: received on the day of its
first submission, closed (and decided, unless withdrawn, with its outcome) on the day it closed, an EHCP
decision whether to assess (within 6 weeks or not) on that day too, and an EHC plan (within 20 weeks or
not) on the day it was issued. Returns, and the sections each return asked to change, count on the case's
day of receipt, because the report divides them by the cases received in the period.

Two ways in, which give the same rows:
- a service that changes a case works out the case's figures before and after the change
  (`case_figures`), and `summary_change_apply` adds the difference in the same transaction (one statement);
  `assessment_return` adds its return with `summary_return_record`;
- `daily_summaries_rebuild` counts every figure afresh from the case rows, their events and their
  sections' history (after generating or importing data, or to check: it is idempotent).
The reports' tests check that figures from the summaries equal those from the rows, on random histories.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from casework.models import NOT_DECISIONS, Assessment, AssessmentSection, CaseEvent, CaseEventKind, Outcome, Status

from .models import DailyTeamSummary

RECEIVED = "received"
DECIDED = "decided"
# Decided by the decision due date: the local target of an EHAT or a Young Carers assessment, 6 weeks for EHCP.
DECIDED_WITHIN = "decided_within"
CLOSED = "closed"
OUTCOME = "outcome:"
RETURNS = "returns"
RETURNED_CASES = "returned_cases"
REASON = "reason:"
EHCP_DECISIONS = "ehcp_decisions"
EHCP_DECISIONS_WITHIN = "ehcp_decisions_within"
EHCP_PLANS = "ehcp_plans"
EHCP_PLANS_WITHIN = "ehcp_plans_within"
# Figures the reports group by week, and by month; the others are summed over the whole period.
WEEKLY_FIGURES = (RECEIVED, DECIDED, CLOSED)
MONTHLY_FIGURES = (EHCP_DECISIONS, EHCP_DECISIONS_WITHIN, EHCP_PLANS, EHCP_PLANS_WITHIN)
# The change reason assessment_return gives each section it returns (the report counts those rows).
RETURN_REASON = "Returned for changes"

# (team id, day, kind, organisation type, figure)
Key = tuple[int, dt.date, str, str, str]


def _figures(
    *,
    team_id: int | None,
    kind: str,
    organisation_kind: str,
    first_submitted_at: dt.datetime | None,
    closed_at: dt.datetime | None,
    outcome: str,
    decision_due: dt.date | None,
    final_due: dt.date | None,
    plan_issued_on: dt.date | None,
) -> Counter[Key]:
    figures: Counter[Key] = Counter()
    if team_id is None or first_submitted_at is None:
        return figures

    def add(day: dt.date, figure: str) -> None:
        figures[(team_id, day, kind, organisation_kind, figure)] += 1

    add(timezone.localdate(first_submitted_at), RECEIVED)
    if closed_at is not None:
        closed_on = timezone.localdate(closed_at)
        add(closed_on, CLOSED)
        add(closed_on, OUTCOME + outcome)
        if outcome not in NOT_DECISIONS:
            add(closed_on, DECIDED)
            if decision_due is not None and closed_on <= decision_due:
                add(closed_on, DECIDED_WITHIN)
        if kind == "ehcp" and outcome in (Outcome.AGREED_TO_ASSESS, Outcome.REFUSED_TO_ASSESS):
            add(closed_on, EHCP_DECISIONS)
            if decision_due is not None and closed_on <= decision_due:
                add(closed_on, EHCP_DECISIONS_WITHIN)
    if kind == "ehcp" and outcome == Outcome.AGREED_TO_ASSESS and plan_issued_on is not None:
        add(plan_issued_on, EHCP_PLANS)
        if final_due is not None and plan_issued_on <= final_due:
            add(plan_issued_on, EHCP_PLANS_WITHIN)
    return figures


def _organisation_kind(assessment: Assessment) -> str:
    return assessment.organisation.kind if assessment.organisation_id else ""


def case_figures(assessment: Assessment) -> Counter[Key]:
    """The figures the case counts towards as it stands (drafts count towards none)."""
    if assessment.status == Status.DRAFT:
        return Counter()
    return _figures(
        team_id=assessment.team_id,
        kind=assessment.kind,
        organisation_kind=_organisation_kind(assessment),
        first_submitted_at=assessment.first_submitted_at,
        closed_at=assessment.closed_at,
        outcome=assessment.outcome,
        decision_due=assessment.decision_due,
        final_due=assessment.final_due,
        plan_issued_on=assessment.plan_issued_on,
    )


def _upsert(changes: Iterable[tuple[Key, int]]) -> None:
    """Add each change to its summary row, creating the row if need be, in one statement."""
    changes = [(key, cases) for key, cases in changes if cases]
    if not changes:
        return
    table = connection.ops.quote_name(DailyTeamSummary._meta.db_table)
    rows, params = [], []
    for (team_id, day, kind, organisation_kind, figure), cases in changes:
        rows.append("(%s, %s, %s, %s, %s, %s)")
        params += [team_id, connection.ops.adapt_datefield_value(day), kind, organisation_kind, figure, cases]
    # SQLite 3.24+ and PostgreSQL both add to the row already there, atomically, under concurrent writers.
    # Only the table's own name and placeholders are written into the statement; the values are parameters.
    sql = (
        f"INSERT INTO {table} (team_id, day, kind, organisation_kind, figure, cases) VALUES {', '.join(rows)} "  # noqa: S608
        "ON CONFLICT (team_id, day, kind, organisation_kind, figure) "
        f"DO UPDATE SET cases = {table}.cases + excluded.cases"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def summary_change_apply(before: Counter[Key], after: Counter[Key]) -> None:
    """Move a case's counts from the figures it counted towards to those it counts towards now."""
    if before == after:
        return
    difference = Counter(after)
    difference.subtract(before)
    _upsert(sorted(difference.items()))


def summary_return_record(assessment: Assessment, *, section_keys: Iterable[str], first_return: bool) -> None:
    """Count a return of the case, and each section it asked to change, on the case's day of receipt."""
    if assessment.team_id is None or assessment.first_submitted_at is None:
        return
    received_on = timezone.localdate(assessment.first_submitted_at)
    base = (assessment.team_id, received_on, assessment.kind, _organisation_kind(assessment))
    changes = Counter({(*base, RETURNS): 1})
    if first_return:
        changes[(*base, RETURNED_CASES)] += 1
    for key in section_keys:
        changes[(*base, REASON + key)] += 1
    _upsert(sorted(changes.items()))


def counted_from_cases() -> Counter[Key]:
    """Every figure counted from the case rows, their return events and their returned sections' history."""
    figures: Counter[Key] = Counter()
    received: dict[int, tuple[int, dt.date, str, str]] = {}
    cases = (
        Assessment.objects.exclude(status=Status.DRAFT)
        .filter(team__isnull=False, first_submitted_at__isnull=False)
        .values_list(
            "pk",
            "team_id",
            "kind",
            "organisation__kind",
            "first_submitted_at",
            "closed_at",
            "outcome",
            "decision_due",
            "final_due",
            "plan_issued_on",
        )
        .order_by()
    )
    for pk, team_id, kind, organisation_kind, first, closed, outcome, decision_due, final_due, plan in cases.iterator(
        chunk_size=5000
    ):
        organisation_kind = organisation_kind or ""
        # update(), not +=: Counter's += walks the whole counter each time to drop what is not positive.
        figures.update(
            _figures(
                team_id=team_id,
                kind=kind,
                organisation_kind=organisation_kind,
                first_submitted_at=first,
                closed_at=closed,
                outcome=outcome,
                decision_due=decision_due,
                final_due=final_due,
                plan_issued_on=plan,
            )
        )
        received[pk] = (team_id, timezone.localdate(first), kind, organisation_kind)
    returns = (
        CaseEvent.objects.filter(kind=CaseEventKind.RETURNED)
        .values_list("assessment_id")
        .annotate(returns=Count("pk"))
        .order_by()
    )
    for assessment_id, count in returns:
        if assessment_id in received:
            figures[(*received[assessment_id], RETURNS)] += count
            figures[(*received[assessment_id], RETURNED_CASES)] += 1
    reasons = (
        AssessmentSection.history.model.objects.filter(history_change_reason=RETURN_REASON)
        .values_list("assessment_id", "key")
        .annotate(returns=Count("history_id"))
        .order_by()
    )
    for assessment_id, key, count in reasons:
        if assessment_id in received:
            figures[(*received[assessment_id], REASON + key)] += count
    return figures


def daily_summaries_rebuild() -> int:
    """Count every summary afresh from the case rows, in place of what was kept; returns the rows written."""
    with transaction.atomic():
        # Writers wait for the swap (they add to the rows at the end of their own transactions), so no change
        # is lost or counted twice between the count and the writing: on PostgreSQL by a lock that lets
        # readers through, on SQLite by the write lock the delete takes.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(DailyTeamSummary._meta.db_table)} IN EXCLUSIVE MODE"
                )
        DailyTeamSummary.objects.all().delete()
        rows = [
            DailyTeamSummary(
                team_id=team_id, day=day, kind=kind, organisation_kind=organisation_kind, figure=figure, cases=cases
            )
            for (team_id, day, kind, organisation_kind, figure), cases in sorted(counted_from_cases().items())
            if cases
        ]
        DailyTeamSummary.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
