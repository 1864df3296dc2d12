"""The reports' figures survive the retention schedule: anonymised cases are still counted."""

import datetime as dt

import pytest

from casework.models import Assessment, Status
from tests.reports.conftest import filters, scope_of
from workflows import reports
from workflows.retention import retention_apply

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
