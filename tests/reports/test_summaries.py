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
from tests.reports.conftest import _request
from tests.workflows.conftest import LEE, person
from workflows import ehc, reports, services
from workflows.models import DailyTeamSummary, NeedsAssessment, NeedsAssessmentStage
from workflows.reports import ReportFilters, report_scope
from workflows.selectors import kinds_routed_to
from workflows.services import OUTCOMES_BY_KIND, TransitionRefused
from workflows.summaries import counted_from_cases, daily_summaries_rebuild

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
    scope = report_scope(person(LEE))
    for filters in filter_sets(timezone.localdate()):
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
                if case.kind == "ehcp" and case.outcome == Outcome.AGREED_TO_ASSESS:
                    _final_plan_issue(case)
                    made.append("plan")
                else:
                    services.assessment_reopen(actor=_manager_of(case.team), assessment=case, reason="New evidence")
                    made.append("reopen")
        except TransitionRefused:
            continue  # e.g. a closed case past the reopening window, a returned one with a gap
    return made


def _final_plan_issue(case: Assessment) -> None:
    """The request's final plan: through its needs assessment when it has one, else the date typed by hand."""
    needs_assessment = NeedsAssessment.objects.filter(assessment=case).select_related("coordinator").first()
    if needs_assessment is None:
        services.plan_issued_record(actor=_member_of(case.team), assessment=case, issued_on=timezone.localdate())
        return
    if needs_assessment.stage != NeedsAssessmentStage.FINALISING:
        raise TransitionRefused("Not ready for its final plan")
    ehc.final_plan_issue(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        sections={**needs_assessment.plan_sections, "I": "Hillside Primary School"},
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_summaries_kept_by_the_services_equal_the_rows_after_random_changes(generated, seed):
    made = _random_changes(random.Random(seed), 40)  # noqa: S311 (test data, not secrets)
    assert len(made) == 40 and len(set(made)) >= 5, made
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
    assert kept_rows() != counted_from_cases()
    assert daily_summaries_rebuild() == len(kept_rows()) > 0
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
    # The times, the summaries, status now, workload, overdue and due soon; the needs assessments' advice,
    # decisions whether to issue, and the running ones in the workload, overdue and due-soon lists; the open
    # annual reviews in the workload, overdue and due-soon lists.
    assert len(queries.captured_queries) == before == 14
