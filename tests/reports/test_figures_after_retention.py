"""The reports' figures survive the retention schedule: anonymised cases are still counted."""

import datetime as dt

import pytest

from casework.models import Assessment, Status
from tests.reports.conftest import filters, scope_of
from workflows import reports
from workflows.retention import retention_apply

pytestmark = pytest.mark.django_db


def test_every_report_shows_the_same_figures_after_every_closed_case_is_anonymised(casebook):
    """Anonymising keeps each case's team, kind, dates, outcome and status history, so no table changes."""
    scope = scope_of(casebook.lee)
    before = [(slug, table.text_rows()) for slug, _, table in reports.dashboard(scope, filters()).tables()]

    run = retention_apply(today=dt.date(2100, 1, 1))

    closed = Assessment.objects.filter(status=Status.CLOSED)
    assert closed.exists() and not closed.filter(anonymised_at__isnull=True).exists()
    assert run.counts["cases_anonymised"] == closed.count()
    after = [(slug, table.text_rows()) for slug, _, table in reports.dashboard(scope, filters()).tables()]
    assert after == before
