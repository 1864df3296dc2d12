"""The disclosure audit: every read of a case by someone else and every export is recorded, and the data
protection officer and managers can search the record by child or by person."""

import datetime as dt
import html as html_text
import re

import pytest
from django.utils import timezone

from casework.models import Disclosure, DisclosureKind
from casework.services import disclosure_record
from identity.roles import Role
from tests.casework.conftest import attach, share, verified_professional
from tests.factories import CouncilUserFactory, ProfessionalFactory
from tests.workflows.conftest import JO, LEE, PRIYA, SAM, TOM, client_of, draft, person, submitted
from workflows import services

pytestmark = pytest.mark.django_db

LOG = "/data-protection/disclosures/"

# Every page a council officer reads a case on, and what the log calls it.
COUNCIL_READS = [
    ("/cases/{pk}/", DisclosureKind.CASE_VIEWED),
    ("/assessments/{pk}/", DisclosureKind.CASE_VIEWED),
    ("/assessments/{pk}/answers/", DisclosureKind.ANSWERS_VIEWED),
    ("/assessments/{pk}/history/", DisclosureKind.HISTORY_VIEWED),
    ("/assessments/{pk}/evidence/", DisclosureKind.EVIDENCE_VIEWED),
    ("/assessments/{pk}/progress/", DisclosureKind.PROGRESS_VIEWED),
]


def data_protection_officer(**kwargs):
    return CouncilUserFactory(
        roles=[Role.DATA_PROTECTION_OFFICER], email_verified_at=timezone.now(), full_name="Dana Protector", **kwargs
    )


def cells_of(response) -> list[list[str]]:
    """The log's table as text, row by row (the header row left out)."""
    html = response.content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, flags=re.DOTALL)[1:]
    return [
        [
            html_text.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
        ]
        for row in rows
    ]


# ---------------------------------------------------------------- what is recorded


@pytest.mark.parametrize(("address", "kind"), COUNCIL_READS, ids=[address for address, _ in COUNCIL_READS])
def test_each_council_read_of_a_case_is_recorded_with_who_what_and_when(demo_data, media, address, kind):
    case = submitted("ehat")
    priya = person(PRIYA)
    before = timezone.now()
    assert client_of(priya).get(address.format(pk=case.pk)).status_code == 200
    disclosure = Disclosure.objects.get()
    assert (disclosure.kind, disclosure.actor, disclosure.assessment, disclosure.child_id) == (
        kind,
        priya,
        case,
        case.child_id,
    )
    assert before <= disclosure.created_at <= timezone.now()


def test_a_viewer_reading_is_recorded_but_authors_reading_their_own_work_are_not(demo_data, media):
    case = submitted("ehat")
    co_author = verified_professional(organisation=case.author.organisation)
    viewer = verified_professional(organisation=case.author.organisation)
    share(case, with_user=co_author, role="co_author")
    share(case, with_user=viewer, role="viewer")
    for reader in (case.author, co_author):
        assert client_of(reader).get(f"/assessments/{case.pk}/answers/").status_code == 200
    assert not Disclosure.objects.exists()
    assert client_of(viewer).get(f"/assessments/{case.pk}/answers/").status_code == 200
    assert list(Disclosure.objects.values_list("actor", "kind")) == [(viewer.pk, DisclosureKind.ANSWERS_VIEWED)]


def test_a_refused_read_records_nothing(demo_data, media):
    """An officer of another team is told the case does not exist, and nothing was disclosed."""
    case = submitted("ehat")
    client = client_of(person(TOM))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/assessments/{case.pk}/answers/").status_code == 404
    assert not Disclosure.objects.exists()


def test_every_download_of_a_document_is_recorded_the_authors_too(demo_data, media):
    """A downloaded copy has left the portal, whoever took it; the record names the document by number only."""
    case = draft("ehat", first_name="Zebedee")
    document = attach(case, name="zebedee-school-report.pdf")
    services.assessment_submit(actor=case.author, assessment=case, declaration=True)
    for reader in (case.author, person(PRIYA)):
        response = client_of(reader).get(f"/assessments/{case.pk}/evidence/{document.pk}/download/")
        assert response.status_code == 200
    downloads = Disclosure.objects.filter(kind=DisclosureKind.EVIDENCE_DOWNLOADED).order_by("id")
    assert [row.actor for row in downloads] == [case.author, person(PRIYA)]
    assert all(row.assessment == case and row.child_id == case.child_id for row in downloads)
    assert downloads[0].detail == f"Document {document.pk} (Report from a professional)"
    assert "zebedee" not in downloads[0].detail.lower()


def test_report_exports_are_recorded_with_the_report_and_its_filters(demo_data):
    lee = person(LEE)
    client = client_of(lee)
    assert client.get("/reports/status.csv").status_code == 200
    assert client.get("/reports/dashboard.xlsx").status_code == 200
    exports = list(Disclosure.objects.order_by("id"))
    assert [(row.kind, row.actor, row.assessment, row.child) for row in exports] == [
        (DisclosureKind.REPORT_EXPORTED, lee, None, None)
    ] * 2
    assert exports[0].detail.startswith("Cases by status now, CSV: ")
    assert exports[1].detail.startswith("Every report, spreadsheet: ")
    assert "all assessment types" in exports[1].detail


def test_an_export_with_bad_filters_is_not_recorded(demo_data):
    """Nothing left the portal: the person is sent back to the page to put the dates right."""
    response = client_of(person(LEE)).get("/reports/status.csv", {"date_from_day": "31", "date_from_month": "2"})
    assert response.status_code == 302
    assert not Disclosure.objects.exists()


# ---------------------------------------------------------------- who may search the log


def test_the_data_protection_officer_finds_everyone_who_saw_a_child(demo_data, media):
    mia = submitted("ehat", first_name="Mia", last_name="Hart")
    other = submitted("ehat", first_name="Noah", last_name="Stone")
    client_of(person(PRIYA)).get(f"/cases/{mia.pk}/")
    client_of(person(JO)).get(f"/assessments/{mia.pk}/history/")
    client_of(person(PRIYA)).get(f"/cases/{other.pk}/")
    client = client_of(data_protection_officer())
    for search in (
        {"child": "mia hart"},
        {"child": mia.reference},
        {"child": "Hart", **_date("date_of_birth", dt.date(2016, 4, 3))},
    ):
        response = client.get(LOG, search)
        assert response.status_code == 200, search
        rows = cells_of(response)
        assert [row[1].split(" ")[0] for row in rows] == ["Jo", "Priya"], search
        assert all(mia.reference in row[4] for row in rows), search
    response = client.get(LOG, {"child": "Mia", **_date("date_of_birth", dt.date(2016, 4, 4))})
    assert "Nothing in the log matches this search." in response.content.decode()


def test_the_data_protection_officer_finds_everything_a_person_saw(demo_data, media):
    first, second = submitted("ehat"), submitted("ehcp")
    priya, tom = person(PRIYA), person(TOM)
    client_of(priya).get(f"/cases/{first.pk}/")
    client_of(tom).get(f"/cases/{second.pk}/")
    client_of(tom).get(f"/assessments/{second.pk}/answers/")
    client = client_of(data_protection_officer())
    by_email = cells_of(client.get(LOG, {"person": tom.email.upper()}))
    assert [row[2] for row in by_email] == ["Read the answers", "Opened the case Council's case page"]
    by_name = cells_of(client.get(LOG, {"person": tom.full_name.split()[0].lower()}))
    assert by_name == by_email
    answers_only = cells_of(client.get(LOG, {"person": tom.email, "kind": DisclosureKind.ANSWERS_VIEWED}))
    assert [row[2] for row in answers_only] == ["Read the answers"]


def test_the_dates_seen_narrow_the_search_and_include_both_days(demo_data):
    sam = person(SAM)
    days = [dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 4, 30), dt.date(2026, 5, 1)]
    for day in days:
        row = disclosure_record(actor=sam, kind=DisclosureKind.REPORT_EXPORTED, detail=f"Export of {day}")
        Disclosure.objects.filter(pk=row.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30)))
        )
    response = client_of(data_protection_officer()).get(
        LOG, {**_date("seen_from", dt.date(2026, 4, 1)), **_date("seen_to", dt.date(2026, 4, 30))}
    )
    assert [row[2] for row in cells_of(response)] == [
        "Exported a report Export of 2026-04-30",
        "Exported a report Export of 2026-04-01",
    ]


def test_a_date_that_is_not_real_gets_the_error_summary_and_keeps_what_was_typed(demo_data):
    response = client_of(data_protection_officer()).get(
        LOG, {"person": "priya", "seen_from_day": "31", "seen_from_month": "2", "seen_from_year": "2026"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_seen_from_0">Seen from must be a real date</a>' in html
    assert 'id="id_seen_from_0" name="seen_from_day"' in html
    assert "govuk-input--error" in html
    assert 'value="priya"' in html and 'value="31"' in html
    assert "govuk-table" not in html


def test_an_end_date_before_the_start_is_refused_with_a_message(demo_data):
    response = client_of(data_protection_officer()).get(
        LOG, {**_date("seen_from", dt.date(2026, 5, 1)), **_date("seen_to", dt.date(2026, 4, 1))}
    )
    html = response.content.decode()
    assert '<a href="#id_seen_to_0">The end date must be the same as or after the start date</a>' in html
    assert "govuk-table" not in html


def test_a_team_manager_sees_only_the_cases_of_their_own_team(demo_data, media):
    """Jo manages the Early Help hub: she sees who read its cases, not SEND's, nor the report exports."""
    early_help, send = submitted("ehat", first_name="Mia"), submitted("ehcp", first_name="Noah")
    client_of(person(PRIYA)).get(f"/cases/{early_help.pk}/")
    client_of(person(TOM)).get(f"/cases/{send.pk}/")
    client_of(person(LEE)).get("/reports/status.csv")
    rows = cells_of(client_of(person(JO)).get(LOG))
    assert [row[4] for row in rows] == [early_help.reference]
    everything = cells_of(client_of(person(LEE)).get(LOG))
    assert len(everything) == 3


@pytest.mark.parametrize("who", ["officer", "professional"])
def test_officers_and_professionals_may_not_read_the_log(demo_data, who):
    user = person(PRIYA) if who == "officer" else ProfessionalFactory(email_verified_at=timezone.now())
    assert client_of(user).get(LOG).status_code == 403


def test_the_log_is_in_the_navigation_only_for_those_who_may_read_it(demo_data):
    link = f'href="{LOG}"'
    for user in (data_protection_officer(), person(LEE), person(JO)):
        assert link in client_of(user).get("/account/").content.decode(), user
    for user in (person(PRIYA), person(SAM)):
        assert link not in client_of(user).get("/account/").content.decode(), user


def test_reading_the_log_records_nothing_itself(demo_data):
    client_of(data_protection_officer()).get(LOG, {"person": "priya"})
    assert not Disclosure.objects.exists()


def test_a_page_of_the_log_costs_the_same_queries_however_many_rows(demo_data, media, django_assert_max_num_queries):
    """Fifty rows of many people and cases cost what two rows do: people, cases and children come joined."""
    client = client_of(data_protection_officer())
    cases = [submitted("ehat", first_name=f"Child{number}") for number in range(3)]
    readers = [person(PRIYA), person(JO), person(LEE)]
    for number in range(2):
        disclosure_record(actor=readers[number], kind=DisclosureKind.CASE_VIEWED, assessment=cases[number])
    with django_assert_max_num_queries(QUERIES_PER_PAGE):
        assert len(cells_of(client.get(LOG))) == 2
    for number in range(80):
        disclosure_record(actor=readers[number % 3], kind=DisclosureKind.ANSWERS_VIEWED, assessment=cases[number % 3])
    with django_assert_max_num_queries(QUERIES_PER_PAGE) as queries:
        response = client.get(LOG, {"page": "2"})
    assert len(cells_of(response)) == 32
    assert "page 2 of 2" in response.content.decode()
    assert len(queries) == QUERIES_PER_PAGE


# The session, the person, their sign-in device, their rights (own and groups'), their roles; the count; the
# navigation's teams and unread notifications; and the page of rows with their people, cases and children.
QUERIES_PER_PAGE = 10


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}
