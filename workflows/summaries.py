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

The durations behind the medians and 90th percentiles are kept the same way, as histograms in tenths of a
day per day and per calendar month (`DailyTeamDuration`): a case's time to its first pick-up (added by
`summary_pickup_record` when it is claimed or assigned), to its decision and to its close, and – once it is
closed – the days it spent in each state of the review. `case_figures` holds these samples beside the
counted figures, so the services' before-and-after moves them too. The time in each state of a case still
open grows with the clock: the reports sum those from the open cases' history when they are shown.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from casework.models import NOT_DECISIONS, Assessment, AssessmentSection, CaseEvent, CaseEventKind, Outcome, Status

from .models import DailyTeamDuration, DailyTeamSummary

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
# A duration sample: (team id, day, kind, organisation type, measure, tenths of a day, microseconds).
SampleKey = tuple[int, dt.date, str, str, str, int, int]
SAMPLE_KEY_LENGTH = 7

# The measures of the durations (the reports' names): to the first pick-up, to decision, to close, and the
# states of the council's review whose days are counted (draft is the author's, closed is the end).
PICKUP = "claim"
DECISION = "decision"
CLOSE = "close"
MEASURED_STATES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED)
PICKUP_EVENTS = (CaseEventKind.CLAIMED, CaseEventKind.ASSIGNED)
MICROSECONDS_A_DAY = 86_400_000_000
# The duration histograms' rows: a day's, and a calendar month's.
DAY = "day"
MONTH = "month"


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


def case_figures(assessment: Assessment) -> Counter[Key | SampleKey]:
    """The figures and durations the case counts towards as it stands (drafts count towards none).

    Besides the counted figures: its time to decision and to close, and, once closed, its days in each
    state (one read of its history, only when it is closed before or after the change). Its time to first
    pick-up never changes once counted, so `summary_pickup_record` adds it on its own.
    """
    if assessment.status == Status.DRAFT:
        return Counter()
    figures: Counter = _figures(
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
    if assessment.team_id is None or assessment.first_submitted_at is None:
        return figures
    base = (assessment.team_id, assessment.kind, _organisation_kind(assessment))
    figures.update(_closing_samples(base, assessment.first_submitted_at, assessment.closed_at, assessment.outcome))
    if assessment.status == Status.CLOSED:
        history = (
            Assessment.history.filter(id=assessment.pk)
            .order_by("history_date", "history_id")
            .values_list("status", "history_date")
        )
        received_on = timezone.localdate(assessment.first_submitted_at)
        figures.update(_state_samples(base, received_on, state_days(history, now=timezone.now())))
    return figures


def microseconds_between(start: dt.datetime, end: dt.datetime) -> int:
    return (end - start) // dt.timedelta(microseconds=1)


def tenths_of(microseconds: int) -> int:
    """A duration as the page shows it, to a tenth of a day (a half rounded up), times ten: its bucket."""
    return (microseconds * 10 + MICROSECONDS_A_DAY // 2) // MICROSECONDS_A_DAY


def _sample(base: tuple[int, str, str], day: dt.date, measure: str, microseconds: int) -> SampleKey:
    team_id, kind, organisation_kind = base
    return (team_id, day, kind, organisation_kind, measure, tenths_of(microseconds), microseconds)


def _closing_samples(
    base: tuple[int, str, str], first_submitted_at: dt.datetime, closed_at: dt.datetime | None, outcome: str
) -> Counter[SampleKey]:
    """Time to close (and to decision, unless it ended without one), on the day it closed."""
    samples: Counter[SampleKey] = Counter()
    if closed_at is None:
        return samples
    closed_on = timezone.localdate(closed_at)
    took = microseconds_between(first_submitted_at, closed_at)
    samples[_sample(base, closed_on, CLOSE, took)] += 1
    if outcome not in NOT_DECISIONS:
        samples[_sample(base, closed_on, DECISION, took)] += 1
    return samples


def state_days(history: Iterable[tuple[str, dt.datetime]], *, now: dt.datetime) -> dict[str, int]:
    """Microseconds a case spent in each measured state: each history row's status lasts until the next row.

    `history` is the case's rows in order (date, then id); the last row's status lasts until `now`.
    """
    spent: dict[str, int] = {}
    previous: tuple[str, dt.datetime] | None = None
    for status, moment in [*history, (None, now)]:
        if previous is not None and previous[0] in MEASURED_STATES:
            spent[previous[0]] = spent.get(previous[0], 0) + microseconds_between(previous[1], moment)
        previous = (status, moment)
    return spent


def _state_samples(base: tuple[int, str, str], received_on: dt.date, spent: dict[str, int]) -> Counter[SampleKey]:
    return Counter({_sample(base, received_on, state, microseconds): 1 for state, microseconds in spent.items()})


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


def _upsert_samples(changes: Iterable[tuple[SampleKey, int]]) -> None:
    """Add each change of a duration sample to its bucket's count and sum, in one statement."""
    buckets = buckets_of(Counter(dict(changes)))
    if not buckets:
        return
    table = connection.ops.quote_name(DailyTeamDuration._meta.db_table)
    rows, params = [], []
    for (team_id, grain, day, kind, organisation_kind, measure, tenths), (cases, microseconds) in sorted(
        buckets.items()
    ):
        rows.append("(%s, %s, %s, %s, %s, %s, %s, %s, %s)")
        params += [
            team_id,
            grain,
            connection.ops.adapt_datefield_value(day),
            kind,
            organisation_kind,
            measure,
            tenths,
            cases,
            microseconds,
        ]
    # As _upsert: only the table's own name and placeholders are written into the statement.
    sql = (
        f"INSERT INTO {table} "  # noqa: S608
        "(team_id, grain, day, kind, organisation_kind, measure, tenths, cases, microseconds) "
        f"VALUES {', '.join(rows)} "
        "ON CONFLICT (team_id, grain, day, kind, organisation_kind, measure, tenths) "
        f"DO UPDATE SET cases = {table}.cases + excluded.cases, "
        f"microseconds = {table}.microseconds + excluded.microseconds"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def summary_change_apply(before: Counter, after: Counter) -> None:
    """Move a case's counts from the figures (and durations) it counted towards to those it counts towards now."""
    if before == after:
        return
    difference = Counter(after)
    difference.subtract(before)
    _upsert(sorted((key, cases) for key, cases in difference.items() if not _is_sample(key)))
    _upsert_samples((key, cases) for key, cases in difference.items() if _is_sample(key))


def _is_sample(key: tuple) -> bool:
    return len(key) == SAMPLE_KEY_LENGTH


def summary_pickup_record(assessment: Assessment, *, event: CaseEvent) -> None:
    """Count the case's time to its first pick-up (claimed or assigned) when `event` is that first pick-up."""
    if assessment.team_id is None or assessment.first_submitted_at is None:
        return
    picked_up_before = (
        CaseEvent.objects.filter(
            assessment_id=assessment.pk, kind__in=PICKUP_EVENTS, created_at__gte=assessment.first_submitted_at
        )
        .exclude(pk=event.pk)
        .exists()
    )
    if picked_up_before or event.created_at < assessment.first_submitted_at:
        return
    base = (assessment.team_id, assessment.kind, _organisation_kind(assessment))
    took = microseconds_between(assessment.first_submitted_at, event.created_at)
    _upsert_samples([(_sample(base, timezone.localdate(event.created_at), PICKUP, took), 1)])


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


def durations_from_cases() -> Counter[SampleKey]:
    """Every duration sample worked out from the case rows, their pick-up events and (closed cases') history."""
    samples: Counter[SampleKey] = Counter()
    cases: dict[int, tuple[tuple[int, str, str], dt.datetime]] = {}
    rows = (
        Assessment.objects.exclude(status=Status.DRAFT)
        .filter(team__isnull=False, first_submitted_at__isnull=False)
        .values_list("pk", "team_id", "kind", "organisation__kind", "first_submitted_at", "closed_at", "outcome")
        .order_by()
    )
    for pk, team_id, kind, organisation_kind, first, closed, outcome in rows.iterator(chunk_size=5000):
        base = (team_id, kind, organisation_kind or "")
        cases[pk] = (base, first)
        samples.update(_closing_samples(base, first, closed, outcome))
    pickups = (
        CaseEvent.objects.filter(kind__in=PICKUP_EVENTS, created_at__gte=F("assessment__first_submitted_at"))
        .values_list("assessment_id")
        .annotate(picked_up_at=Min("created_at"))
        .order_by()
    )
    for assessment_id, picked_up_at in pickups.iterator(chunk_size=5000):
        if assessment_id in cases:
            base, first = cases[assessment_id]
            key = _sample(base, timezone.localdate(picked_up_at), PICKUP, microseconds_between(first, picked_up_at))
            samples[key] += 1
    history = (
        Assessment.history.filter(id__in=Assessment.objects.filter(status=Status.CLOSED).values("pk"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "history_date")
    )
    now = timezone.now()
    for case_id, rows_of_case in groupby(history.iterator(chunk_size=5000), key=itemgetter(0)):
        if case_id in cases:
            base, first = cases[case_id]
            spent = state_days(((status, moment) for _, status, moment in rows_of_case), now=now)
            samples.update(_state_samples(base, timezone.localdate(first), spent))
    return samples


def buckets_of(samples: Counter[SampleKey]) -> dict[tuple, tuple[int, int]]:
    """Samples gathered into their buckets, each both in its day's row and in its calendar month's row.

    (team, "day" or "month", day – the month's first for a month's row –, kind, organisation type, measure,
    tenths) → (cases, microseconds). The reports read whole months of a period from the months' rows, a
    tenth as many rows as its days'.
    """
    buckets: dict[tuple, list[int]] = {}
    for (team_id, day, *rest, microseconds), cases in samples.items():
        for key in ((team_id, DAY, day, *rest), (team_id, MONTH, day.replace(day=1), *rest)):
            added = buckets.setdefault(key, [0, 0])
            added[0] += cases
            added[1] += cases * microseconds
    # A change can move a sample within its bucket: no case more or fewer, but a different sum.
    return {bucket: (cases, microseconds) for bucket, (cases, microseconds) in buckets.items() if cases or microseconds}


def daily_summaries_rebuild() -> int:
    """Count every summary afresh from the case rows, in place of what was kept; returns the rows written."""
    with transaction.atomic():
        # Writers wait for the swap (they add to the rows at the end of their own transactions), so no change
        # is lost or counted twice between the count and the writing: on PostgreSQL by a lock that lets
        # readers through, on SQLite by the write lock the delete takes.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (DailyTeamSummary, DailyTeamDuration):
                    cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN EXCLUSIVE MODE")
        DailyTeamSummary.objects.all().delete()
        rows = [
            DailyTeamSummary(
                team_id=team_id, day=day, kind=kind, organisation_kind=organisation_kind, figure=figure, cases=cases
            )
            for (team_id, day, kind, organisation_kind, figure), cases in sorted(counted_from_cases().items())
            if cases
        ]
        DailyTeamSummary.objects.bulk_create(rows, batch_size=2000)
        DailyTeamDuration.objects.all().delete()
        buckets = [
            DailyTeamDuration(
                team_id=team_id,
                grain=grain,
                day=day,
                kind=kind,
                organisation_kind=organisation_kind,
                measure=measure,
                tenths=tenths,
                cases=cases,
                microseconds=microseconds,
            )
            for (team_id, grain, day, kind, organisation_kind, measure, tenths), (cases, microseconds) in sorted(
                buckets_of(durations_from_cases()).items()
            )
        ]
        DailyTeamDuration.objects.bulk_create(buckets, batch_size=2000)
    return len(rows) + len(buckets)
