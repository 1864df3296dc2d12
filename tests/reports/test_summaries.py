"""The daily summaries give the same figures as the case rows, after generation and after every kind of change."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Assessment, Outcome, Status
from identity.models import OrganisationKind, Team, TeamMembership, TeamRole
from tests.reports import raw_figures
from tests.reports.conftest import _request, at
from tests.workflows import ehc_steps
from tests.workflows.conftest import LEE, person
from workflows import ehc, reports, services
from workflows.models import DailyTeamDuration, DailyTeamSummary, NeedsAssessment, NeedsAssessmentStage
from workflows.reports import ReportFilters, report_scope
from workflows.selectors import kinds_routed_to
from workflows.services import OUTCOMES_BY_KIND, TransitionRefused
from workflows.summaries import buckets_of, counted_from_cases, daily_summaries_rebuild, durations_from_cases

pytestmark = pytest.mark.django_db

COUNTED_REPORTS = (
    "weekly_volumes",
    "outcomes_by_type",
    "returns_per_case",
    "return_reasons",
    "ehcp_decisions",
    "local_targets",
)


def kept_rows() -> dict:
    """The summary table as it stands, without the rows a change brought back to nought."""
    return {
        (team, day, kind, organisation_kind, figure): cases
        for team, day, kind, organisation_kind, figure, cases in DailyTeamSummary.objects.values_list(
            "team_id", "day", "kind", "organisation_kind", "figure", "cases"
        )
        if cases
    }


def kept_buckets() -> dict:
    """The duration histograms as they stand, without the buckets a change emptied."""
    return {
        (team, grain, day, kind, organisation_kind, measure, tenths): (cases, microseconds)
        for team, grain, day, kind, organisation_kind, measure, tenths, cases, microseconds in (
            DailyTeamDuration.objects.values_list(
                "team_id",
                "grain",
                "day",
                "kind",
                "organisation_kind",
                "measure",
                "tenths",
                "cases",
                "microseconds",
            )
        )
        if cases or microseconds
    }


# The page shows days to a tenth; a median whose two middle cases fall in different tenths is read between them.
DISPLAY_STEP = 0.1


def assert_times_equal_the_rows(scope, filters) -> None:
    """Each time figure from the histograms is the rows' own to the page's precision; counts are exact."""
    kept = reports._process_times(scope, filters)
    raw = raw_figures.process_times(scope, filters)
    assert kept.keys() == raw.keys()
    for measure, figure in kept.items():
        expected = raw[measure]
        where = (measure, filters.describe())
        assert (figure.measure, figure.label, figure.cases) == (expected.measure, expected.label, expected.cases), where
        if not expected.cases:
            assert figure == expected, where
            continue
        # Sums are kept to the microsecond; the rows' days are SQLite's julianday arithmetic (about 1 ms).
        assert figure.total == pytest.approx(expected.total, abs=1e-6 * figure.cases), where
        assert figure.mean == pytest.approx(expected.mean, abs=1e-6), where
        assert abs(figure.p90 - expected.p90) <= DISPLAY_STEP / 2 + 1e-6, where
        assert abs(figure.median - expected.median) <= DISPLAY_STEP + 1e-6, where


def filter_sets(today: dt.date) -> list[ReportFilters]:
    """Two years, six months and one month, with every filter, and across the clocks changing."""
    now = timezone.now()
    sets = [
        ReportFilters(date_from=today - dt.timedelta(days=730), date_to=today, now=now),
        ReportFilters(date_from=today - dt.timedelta(days=182), date_to=today, now=now),
        ReportFilters(date_from=today - dt.timedelta(days=40), date_to=today - dt.timedelta(days=10), now=now),
    ]
    wide = sets[0]
    sets += [ReportFilters(date_from=wide.date_from, date_to=today, kind=kind, now=now) for kind in OUTCOMES_BY_KIND]
    sets += [ReportFilters(date_from=wide.date_from, date_to=today, team=team, now=now) for team in Team.objects.all()]
    sets += [
        ReportFilters(date_from=wide.date_from, date_to=today, organisation_kind=kind, now=now)
        for kind in (OrganisationKind.SCHOOL, OrganisationKind.HEALTH)
    ]
    return sets


def assert_summaries_equal_the_rows() -> None:
    """The kept rows equal a count from the cases, and every counted report the same from either."""
    assert kept_rows() == {key: cases for key, cases in counted_from_cases().items() if cases}
    assert kept_buckets() == buckets_of(durations_from_cases())
    scope = report_scope(person(LEE))
    for filters in filter_sets(timezone.localdate()):
        assert_times_equal_the_rows(scope, filters)
        for name in COUNTED_REPORTS:
            assert getattr(reports, name)(scope, filters) == getattr(raw_figures, name)(scope, filters), (
                name,
                filters.describe(),
            )
        assert reports.ehcp_plans(scope, filters) == raw_figures.ehcp_plans(scope, filters), filters.describe()


@pytest.fixture
def generated(demo_data):
    call_command("generate_demo_data", cases=250, seed=17, verbosity=0)


def test_generated_cases_are_summarised_as_their_rows_count(generated):
    """The generator writes in bulk, past the services, and counts the summaries at the end."""
    assert DailyTeamSummary.objects.exists()
    assert_summaries_equal_the_rows()


def _manager_of(team):
    """The team's manager; Lee (the service manager) manages the teams the demo gives none."""
    membership = TeamMembership.objects.filter(team=team, role=TeamRole.MANAGER).select_related("user").first()
    if membership is None:
        membership = TeamMembership.objects.create(team=team, user=person(LEE), role=TeamRole.MANAGER)
    return membership.user


def _member_of(team):
    return TeamMembership.objects.filter(team=team).select_related("user").first().user


def _random_changes(rng: random.Random, count: int) -> list[str]:
    """Change random generated cases through the services, in every way that moves a figure."""
    made = []
    cases = list(
        Assessment.objects.exclude(status=Status.DRAFT).select_related("team", "author", "assigned_to").order_by("pk")
    )
    rng.shuffle(cases)
    for case in cases:
        if len(made) >= count:
            break
        try:
            if case.status == Status.SUBMITTED:
                officer = _member_of(case.team)
                services.assessment_claim(actor=officer, assessment=case)
                made.append("claim")
            elif case.status == Status.UNDER_REVIEW and case.assigned_to is not None:
                officer = case.assigned_to
                choice = rng.choice(("close", "return", "withdraw"))
                if choice == "close":
                    services.assessment_close(
                        request=_request(officer),
                        actor=officer,
                        assessment=case,
                        outcome=rng.choice(OUTCOMES_BY_KIND[case.kind]),
                        note="Decided",
                        details={},
                    )
                elif choice == "return":
                    keys = list(case.sections.values_list("key", flat=True))
                    services.assessment_return(
                        request=_request(officer),
                        actor=officer,
                        assessment=case,
                        comments=dict.fromkeys(rng.sample(keys, min(len(keys), rng.randint(1, 2))), "Say more"),
                    )
                else:
                    services.assessment_withdraw(actor=case.author, assessment=case, reason="Moved away")
                made.append(choice)
            elif case.status == Status.RETURNED:
                services.assessment_submit(actor=case.author, assessment=case, declaration=True)
                made.append("resubmit")
            elif case.status == Status.CLOSED and case.outcome != Outcome.WITHDRAWN:
                if case.kind == "ehcp" and case.outcome == Outcome.AGREED_TO_ASSESS and not _plan_ended(case):
                    _final_plan_issue(case)
                    made.append("plan")
                else:
                    services.assessment_reopen(actor=_manager_of(case.team), assessment=case, reason="New evidence")
                    made.append("reopen")
        except TransitionRefused:
            continue  # e.g. a closed case past the reopening window, a returned one with a gap
    return made


def _plan_ended(case: Assessment) -> bool:
    """Its needs assessment has issued a plan or decided not to: the request may be reopened instead."""
    ended = (NeedsAssessmentStage.ISSUED, NeedsAssessmentStage.NOT_ISSUED)
    return NeedsAssessment.objects.filter(assessment=case, stage__in=ended).exists()


def _final_plan_issue(case: Assessment) -> None:
    """The request's final plan: its needs assessment taken there step by step through the services, or, for a
    request with none (agreed before the portal carried it), the date typed by hand."""
    needs_assessment = NeedsAssessment.objects.filter(assessment=case).select_related("assessment", "coordinator")
    needs_assessment = needs_assessment.first()
    if needs_assessment is None:
        services.plan_issued_record(actor=_member_of(case.team), assessment=case, issued_on=timezone.localdate())
        return
    coordinator = needs_assessment.coordinator
    if needs_assessment.stage == NeedsAssessmentStage.REQUESTING_ADVICE:
        needs_assessment = ehc_steps.advice_asked(needs_assessment, kinds=("health",))
    if needs_assessment.stage == NeedsAssessmentStage.GATHERING_ADVICE:
        awaited = needs_assessment.advice_requests.filter(answered_on=None, closed_unanswered_on=None)
        for advice in awaited.select_related("needs_assessment"):
            ehc.advice_give(actor=coordinator, advice=advice, answer=ehc_steps.ANSWER)
        needs_assessment = ehc_steps.refreshed(needs_assessment)
    if needs_assessment.stage == NeedsAssessmentStage.DECIDING:
        needs_assessment = ehc.issue_decide(actor=coordinator, needs_assessment=needs_assessment, decision="issue")
    if needs_assessment.stage == NeedsAssessmentStage.DRAFTING:
        ehc.draft_plan_save(actor=coordinator, needs_assessment=needs_assessment, sections=ehc_steps.DRAFT_SECTIONS)
        needs_assessment = ehc.draft_plan_send(actor=coordinator, needs_assessment=needs_assessment)
    if needs_assessment.stage == NeedsAssessmentStage.COMMENTS:
        ehc_steps.family_done(needs_assessment)
        needs_assessment = ehc.comment_period_close(actor=coordinator, needs_assessment=needs_assessment)
    ehc.final_plan_issue(
        actor=coordinator,
        needs_assessment=needs_assessment,
        sections={**ehc_steps.DRAFT_SECTIONS, **needs_assessment.plan_sections, "I": "Hillside Primary School"},
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_summaries_kept_by_the_services_equal_the_rows_after_random_changes(generated, seed):
    # Generated cases are mostly closed past reopening, and most plans issued: 20 changes are what it leaves.
    made = _random_changes(random.Random(seed), 20)  # noqa: S311 (test data, not secrets)
    assert len(made) == 20 and len(set(made)) >= 5, made
    assert_summaries_equal_the_rows()


def test_a_first_submission_return_and_close_each_move_the_summaries(casebook):
    """The hand-made case book (tests/reports/conftest.py), written by the services: nothing to rebuild."""
    assert_summaries_equal_the_rows()
    received = DailyTeamSummary.objects.filter(figure="received").values_list("day", "cases")
    assert sum(cases for _, cases in received) == 10  # A to K; L is a draft
    assert DailyTeamSummary.objects.get(figure="returned_cases", day=dt.date(2026, 1, 5), kind="ehat").cases == 1


def test_rebuilding_is_idempotent_and_matches_what_the_services_kept(casebook):
    kept = kept_rows()
    call_command("rebuild_daily_summaries", verbosity=0)
    once = list(DailyTeamSummary.objects.order_by("team", "day", "kind", "organisation_kind", "figure").values())
    call_command("rebuild_daily_summaries", verbosity=0)
    twice = list(DailyTeamSummary.objects.order_by("team", "day", "kind", "organisation_kind", "figure").values())
    assert [{**row, "id": None} for row in once] == [{**row, "id": None} for row in twice]
    assert kept_rows() == kept
    assert all(row["cases"] > 0 for row in twice)


def test_rebuilding_repairs_summaries_that_drifted(casebook):
    """A case changed outside the services (an import, a fix in the shell) is counted right after a rebuild."""
    DailyTeamSummary.objects.filter(figure="closed").delete()
    DailyTeamDuration.objects.filter(measure="close").delete()
    assert kept_rows() != counted_from_cases()
    assert kept_buckets() != buckets_of(durations_from_cases())
    assert daily_summaries_rebuild() == len(kept_rows()) + len(kept_buckets())
    assert DailyTeamDuration.objects.filter(measure="close").exists()
    assert_summaries_equal_the_rows()


def test_the_counted_figures_are_one_query_and_the_dashboard_a_fixed_number(generated):
    scope = report_scope(person(LEE))
    filters = filter_sets(timezone.localdate())[0]
    with CaptureQueriesContext(connection) as queries:
        reports.summed_figures(scope, filters)
    assert len(queries.captured_queries) == 1
    kinds_routed_to(scope.team_ids)
    with CaptureQueriesContext(connection) as queries:
        reports.dashboard(scope, filters)
    before = len(queries.captured_queries)
    call_command("generate_demo_data", cases=150, seed=18, verbosity=0)
    scope = report_scope(person(LEE))
    # The team routes are remembered for an hour (workflows.selectors); new demo teams made them be read again.
    kinds_routed_to(scope.team_ids)
    with CaptureQueriesContext(connection) as queries:
        reports.dashboard(scope, filters)
    # The times' histograms and the open cases' history, the summaries, status now, workload, overdue and due
    # soon; the needs assessments' advice, decisions whether to issue, and the running ones in the workload,
    # overdue and due-soon lists; the open annual reviews in the workload, overdue and due-soon lists.
    assert len(queries.captured_queries) == before == 15


def test_a_case_counts_one_pick_up_however_often_it_is_claimed_or_assigned(casebook):
    """Only the first pick-up after the first submission is timed; later claims and assignments add nothing."""
    pickups = DailyTeamDuration.objects.filter(measure="claim")
    before = sorted(pickups.values_list("team_id", "day", "tenths", "cases", "microseconds"))
    case = casebook.b  # under review by Priya since 15 January
    services.assessment_assign(actor=casebook.jo, assessment=case, officer=casebook.jo)
    assert sorted(pickups.values_list("team_id", "day", "tenths", "cases", "microseconds")) == before
    assert_summaries_equal_the_rows()


def test_a_closed_case_reopened_leaves_the_time_in_each_state_until_it_closes_again(casebook):
    """A closed case's days in each state are kept; reopened, they are read from its history until it closes."""
    states = DailyTeamDuration.objects.filter(measure__in=reports.MEASURED_STATES, day=dt.date(2026, 1, 5))
    kept_before = sum(states.values_list("cases", flat=True))
    with at(dt.date(2026, 1, 20)):  # A was accepted on 14 January
        services.assessment_reopen(actor=casebook.jo, assessment=casebook.a, reason="New evidence")
    assert sum(states.values_list("cases", flat=True)) < kept_before
    assert_summaries_equal_the_rows()
