"""The reports' figures survive the retention schedule: anonymised cases are still counted."""

import datetime as dt

import pytest

from casework.models import Assessment, Status
from tests.reports.conftest import filters, scope_of
from tests.reports.test_summaries import kept_buckets, kept_rows
from workflows import reports
from workflows.models import DailyTeamDuration
from workflows.retention import retention_apply
from workflows.summaries import buckets_of, counted_from_cases, durations_from_cases

pytestmark = pytest.mark.django_db


# The retention schedule deletes a needs assessment with its advice (workflows.retention): the figures read
# from them alone are of requests decades old by then, and go with them.
FROM_THE_NEEDS_ASSESSMENT = ("ehcp-advice", "ehcp-16-weeks")


def test_every_report_shows_the_same_figures_after_every_closed_case_is_anonymised(casebook):
    """Anonymising keeps each case's team, kind, dates, outcome and status history, so no table changes
    (the 20-week figure included: it reads the dates the needs assessment wrote on the request)."""
    scope = scope_of(casebook.lee)

    def tables():
        board = reports.dashboard(scope, filters())
        return [(slug, table.text_rows()) for slug, _, table in board.tables() if slug not in FROM_THE_NEEDS_ASSESSMENT]

    before = tables()
    assert ["Total", "3", "2", "66.7"] in dict(before)["ehcp-20-weeks"]

    run = retention_apply(today=dt.date(2100, 1, 1))

    closed = Assessment.objects.filter(status=Status.CLOSED)
    assert closed.exists() and not closed.filter(anonymised_at__isnull=True).exists()
    assert run.counts["cases_anonymised"] == closed.count()
    assert tables() == before


def test_the_kept_summaries_and_histograms_still_equal_a_count_from_the_anonymised_cases(casebook):
    """Anonymising keeps the dates, events and status history the summaries and duration histograms count."""
    retention_apply(today=dt.date(2100, 1, 1))

    assert Assessment.objects.filter(anonymised_at__isnull=False).exists()
    assert kept_rows() == {key: cases for key, cases in counted_from_cases().items() if cases}
    assert kept_buckets() == buckets_of(durations_from_cases())
    assert DailyTeamDuration.objects.filter(measure__in=reports.MEASURED_STATES).exists()
