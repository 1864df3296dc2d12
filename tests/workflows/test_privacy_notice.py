"""The privacy notice says only what is true: its figures are the ones the portal runs on, and what it says
is recorded is recorded."""

import datetime as dt
import html
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from casework.models import Disclosure, DisclosureKind
from casework.retention import months_after, retention_due, years_after
from tests.workflows import annual_review_steps
from tests.workflows.conftest import claimed, client_of, close_it, draft

pytestmark = pytest.mark.django_db


def notice_text() -> str:
    page = Client().get("/privacy/").content.decode()
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_notice_gives_the_retention_schedule_the_portal_runs(db):
    text = notice_text()
    assert "a closed Request for an EHC needs assessment is kept until the child's 31st birthday" in text
    assert "a closed Early Help Assessment is kept for 6 years after it closed" in text
    assert "a closed Young Carers assessment is kept for 6 years after it closed" in text
    assert "a draft that nobody has changed for 6 months is deleted" in text
    assert "never confirmed is deleted after 7 days" in text


RETENTION_OF_TWO_YEARS = {
    "ehcp": {"anchor": "date_of_birth", "years": 22},
    "ehat": {"anchor": "closed", "years": 2},
    "young_carers": {"anchor": "closed", "years": 1},
}


@override_settings(
    PORTAL_RETENTION=RETENTION_OF_TWO_YEARS, PORTAL_RETENTION_DRAFT_MONTHS=3, PORTAL_UNVERIFIED_RETENTION_DAYS=1
)
def test_a_council_that_changes_its_schedule_changes_the_notice_and_what_the_portal_does(people):
    """The notice and the schedule read the same settings: each figure it gives is the day a case goes."""
    text = notice_text()
    assert "kept until the child's 22nd birthday" in text
    assert "a closed Early Help Assessment is kept for 2 years after it closed" in text
    assert "a closed Young Carers assessment is kept for 1 year after it closed" in text
    assert "nobody has changed for 3 months" in text and "deleted after 1 day" in text

    closed = close_it(claimed("ehat"))
    closed_on = timezone.localdate(closed.closed_at)
    assert retention_due(today=years_after(closed_on, 2) - dt.timedelta(days=1)) == []
    assert [due.reference for due in retention_due(today=years_after(closed_on, 2))] == [closed.reference]

    untouched = draft("young_carers")
    touched_on = timezone.localdate(untouched.updated_at)
    due = retention_due(today=months_after(touched_on, 3))
    assert untouched.reference in [item.reference for item in due]


NOTICE_PAGES = {
    "the case": ("/cases/{pk}/", DisclosureKind.CASE_VIEWED),
    "its answers": ("/assessments/{pk}/answers/", DisclosureKind.ANSWERS_VIEWED),
    "its history": ("/assessments/{pk}/history/", DisclosureKind.HISTORY_VIEWED),
    "its documents": ("/assessments/{pk}/evidence/", DisclosureKind.EVIDENCE_VIEWED),
    "its progress": ("/assessments/{pk}/progress/", DisclosureKind.PROGRESS_VIEWED),
    "its EHC needs assessment": ("/cases/{pk}/needs-assessment/", DisclosureKind.NEEDS_ASSESSMENT_VIEWED),
    "the annual reviews of its plan": (
        "/cases/{pk}/needs-assessment/annual-review/",
        DisclosureKind.ANNUAL_REVIEW_VIEWED,
    ),
}


def test_every_page_the_notice_says_is_recorded_is_recorded(people):
    text = notice_text()
    listed = re.search(r"opens it – (.*?) – the portal records who it was and when", text).group(1)
    assert [part.strip() for part in re.split(r",| or ", listed) if part.strip()] == list(NOTICE_PAGES)
    # A plan issued, so that every page of the request, its annual reviews' too, is there to read.
    case = annual_review_steps.plan_issued().assessment
    reader = client_of(people.lee)
    for address, _ in NOTICE_PAGES.values():
        assert reader.get(address.format(pk=case.pk)).status_code == 200, address
    recorded = list(Disclosure.objects.filter(actor=people.lee, assessment=case).values_list("kind", flat=True))
    assert sorted(recorded) == sorted(kind for _, kind in NOTICE_PAGES.values())
