"""Subject access requests: the data protection officer finds a child, records the request, and exports a copy."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.utils import timezone

from casework.models import Child, Disclosure, DisclosureKind, SubjectAccessRequest
from casework.services import disclosure_record
from identity.roles import Role
from tests.casework.conftest import attach, pdf_bytes, share, verified_professional
from tests.factories import CouncilUserFactory, UserFactory
from tests.workflows.conftest import claimed, client_of, close_it, draft, fresh, return_it
from workflows import services
from workflows.subject_access import (
    subject_access_due_on,
    subject_access_export,
    subject_access_request_answered,
    subject_access_request_record,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zephyrine", "Quillfeather"
OTHER_FIRST, OTHER_LAST = "Barnaby", "Okonkwo-Hale"


@pytest.fixture
def uploads(settings, tmp_path):
    """Documents go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def dpo(demo_data):
    return CouncilUserFactory(
        roles=[Role.DATA_PROTECTION_OFFICER], email_verified_at=timezone.now(), full_name="Dana Protection"
    )


def _today_parts(prefix: str, day: dt.date | None = None) -> dict:
    day = day or timezone.localdate()
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _child_of(assessment) -> Child:
    return Child.objects.get(pk=fresh(assessment).child_id)


@pytest.fixture
def held(people, uploads):
    """Two children: one with a case holding every kind of data, another whose case must never leak into the copy."""
    other = draft("ehcp", first_name=OTHER_FIRST, last_name=OTHER_LAST)
    attach(other, name="other-childs-report.pdf", content=pdf_bytes("OTHER CHILD REPORT"))
    services.assessment_submit(actor=other.author, assessment=other, declaration=True)
    services.assessment_claim(actor=people.tom, assessment=fresh(other))
    other = fresh(other)
    disclosure_record(actor=people.tom, kind=DisclosureKind.CASE_VIEWED, assessment=other)
    services.message_post(actor=other.assigned_to, assessment=other, body="Secret about the other child")

    case = draft("ehat", first_name=FIRST, last_name=LAST)
    section = case.sections.get(key="reason")
    section.data = {**section.data, "reason": "First reason, later changed"}
    section.version += 1
    section.save()
    section.data = {**section.data, "reason": "The reason as it stands now"}
    section.version += 1
    section.save()
    attachment = attach(case, name="school-report.pdf", content=pdf_bytes("ZEPHYRINE SCHOOL REPORT"))
    share(case, with_user=verified_professional(organisation=people.sam.organisation, full_name="Casey Coauthor"))
    services.assessment_submit(actor=case.author, assessment=case, declaration=True)
    services.assessment_claim(actor=people.priya, assessment=fresh(case))
    services.message_post(actor=people.priya, assessment=fresh(case), body="Could you tell me about attendance?")
    disclosure_record(actor=people.priya, kind=DisclosureKind.CASE_VIEWED, assessment=fresh(case))
    case = close_it(fresh(case), note="Accepted: a family support worker will call")
    return {"case": case, "child": _child_of(case), "attachment": attachment, "other": other}


def _request(dpo, child, received_on=None):
    return subject_access_request_record(
        actor=dpo, child=child, requester="Lucy Quillfeather, mother", received_on=received_on or timezone.localdate()
    )


def _zip_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# ---------------------------------------------------------------- the month


@pytest.mark.parametrize(
    ("received", "due"),
    [
        pytest.param(dt.date(2026, 3, 10), dt.date(2026, 4, 10), id="same-day-next-month"),
        pytest.param(dt.date(2026, 1, 15), dt.date(2026, 2, 16), id="sunday-moves-to-monday"),
        pytest.param(dt.date(2026, 1, 31), dt.date(2026, 3, 2), id="no-31-february-last-day-then-working-day"),
        pytest.param(dt.date(2025, 12, 31), dt.date(2026, 2, 2), id="december-to-a-saturday-in-january"),
        pytest.param(dt.date(2026, 4, 25), dt.date(2026, 5, 26), id="bank-holiday-moves-on"),
    ],
)
def test_the_due_date_is_one_calendar_month_then_a_working_day(received, due):
    holidays = frozenset({dt.date(2026, 5, 25), dt.date(2026, 1, 1)})
    assert subject_access_due_on(received, holidays) == due


# ---------------------------------------------------------------- the pages


def test_the_dpo_finds_the_child_records_the_request_and_sees_the_due_date(dpo, held):
    client = client_of(dpo)
    found = client.get("/subject-access/find-child/", {"last_name": LAST.lower(), "first_name": "zeph"})
    page = found.content.decode()
    assert found.status_code == 200
    assert f"{FIRST} {LAST}" in page and held["case"].reference in page
    assert OTHER_LAST not in page

    received = dt.date(2026, 11, 20)
    response = client.post(
        f"/subject-access/find-child/{held['child'].pk}/",
        {"requester": "Lucy Quillfeather, mother", **_today_parts("received_on", received)},
    )
    subject_access = SubjectAccessRequest.objects.get()
    assert response["Location"] == f"/subject-access/{subject_access.pk}/"
    assert (subject_access.child, subject_access.received_on, subject_access.recorded_by) == (
        held["child"],
        received,
        dpo,
    )
    assert subject_access.due_on == dt.date(2026, 12, 21)  # 20 December 2026 is a Sunday
    detail = client.get(response["Location"]).content.decode()
    assert "21 December 2026" in detail and "Lucy Quillfeather, mother" in detail
    assert f"/subject-access/{subject_access.pk}/export/" in detail
    listing = client.get("/subject-access/").content.decode()
    assert "21 Dec 2026" in listing and f"Request {subject_access.pk}" in listing


def test_signing_in_takes_the_dpo_to_the_subject_access_requests(dpo):
    assert client_of(dpo).get("/home/")["Location"] == "/subject-access/"


def test_a_case_reference_finds_the_child(dpo, held):
    page = client_of(dpo).get("/subject-access/find-child/", {"reference": held["case"].reference}).content.decode()
    assert f"{FIRST} {LAST}" in page and OTHER_LAST not in page


@pytest.mark.parametrize(
    ("query", "message", "anchor"),
    [
        pytest.param(
            {"reference": "", "last_name": ""},
            "Enter a case reference or the child&#x27;s last name",
            "id_reference",
            id="nothing",
        ),
        pytest.param(
            {"last_name": LAST, "date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "2016"},
            "Date of birth must be a real date",
            "id_date_of_birth_0",
            id="not-a-date",
        ),
    ],
)
def test_a_bad_search_gets_the_error_summary_and_keeps_what_was_typed(dpo, held, query, message, anchor):
    response = client_of(dpo).get("/subject-access/find-child/", query)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page and f'href="#{anchor}"' in page
    assert page.count("child found") + page.count("children found") == 0
    if query.get("last_name"):
        assert f'value="{LAST}"' in page


def test_a_bad_request_form_gets_the_error_summary_and_records_nothing(dpo, held):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_of(dpo).post(
        f"/subject-access/find-child/{held['child'].pk}/",
        {"requester": "  ", **_today_parts("received_on", tomorrow)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter who asked for the copy" in page
    assert "Date the request was received must be today or in the past" in page
    assert not SubjectAccessRequest.objects.exists()


# ---------------------------------------------------------------- the copy


def test_the_export_holds_every_kind_of_data_on_the_child_and_nothing_on_another(dpo, held):
    subject_access = _request(dpo, held["child"])
    response = client_of(dpo).post(f"/subject-access/{subject_access.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert FIRST not in response["Content-Disposition"]  # the file name does not name the child
    archive = _zip_of(response)
    names = archive.namelist()
    assert {"index.html", "data.json"} <= set(names)
    [document] = [name for name in names if name.startswith("documents/")]
    assert document.startswith(f"documents/{held['case'].reference}/")
    assert archive.read(document) == held["attachment"].file.open("rb").read()

    data = json.loads(archive.read("data.json"))
    assert (data["child"]["first_name"], data["child"]["last_name"]) == (FIRST, LAST)
    assert data["child"]["versions"]
    [case] = data["cases"]
    assert case["reference"] == held["case"].reference
    reasons = [
        answer["value"]
        for section in case["sections"]
        if section["key"] == "reason"
        for version in section["versions"]
        for answer in version["answers"]
        if answer["name"] == "reason"
    ]
    assert "First reason, later changed" in reasons and "The reason as it stands now" in reasons
    assert {"Submitted to the council", "Picked up by an officer", "Decision recorded and closed"} <= {
        event["what"] for event in case["history"]
    }
    assert case["case_versions"] and case["review_steps"]
    assert [message["message"] for message in case["messages"]] == ["Could you tell me about attendance?"]
    assert case["decision"]["outcome"] == fresh(held["case"]).get_outcome_display()
    assert case["decision"]["note"] == "Accepted: a family support worker will call"
    assert [row["name"] for row in case["documents"]] == ["school-report.pdf"]
    assert any("Casey Coauthor" in row["person"] for row in case["shared_with"])
    assert any(row["what"] == "Opened the case" and "Priya" in row["who"] for row in data["who_saw_it"])
    assert case["emails_sent"]

    page = archive.read("index.html").decode()
    for shown in (FIRST, "The reason as it stands now", "Could you tell me about attendance?", "school-report.pdf"):
        assert shown in page
    assert f'href="{document}"' in page

    other = fresh(held["other"])
    for name in names:
        content = archive.read(name)
        for leak in (OTHER_FIRST, OTHER_LAST, other.reference, "Secret about the other child", "OTHER CHILD REPORT"):
            assert leak.encode() not in content, (name, leak)


def test_the_html_copy_reads_offline(dpo, held):
    archive = _zip_of(client_of(dpo).post(f"/subject-access/{_request(dpo, held['child']).pk}/export/"))
    page = archive.read("index.html").decode()
    assert "<style>" in page
    assert "<script" not in page and "<link" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_the_export_is_in_the_disclosure_log(dpo, held):
    subject_access = _request(dpo, held["child"])
    client_of(dpo).post(f"/subject-access/{subject_access.pk}/export/")

    [logged] = Disclosure.objects.filter(kind=DisclosureKind.SUBJECT_ACCESS_EXPORTED)
    assert (logged.actor, logged.child) == (dpo, held["child"])
    assert f"Subject access request {subject_access.pk}" in logged.detail
    assert FIRST not in logged.detail
    assert SubjectAccessRequest.objects.get().last_exported_at is not None


def test_a_request_is_marked_answered_only_after_the_copy_is_exported(dpo, held):
    subject_access = _request(dpo, held["child"])
    with pytest.raises(Exception, match="Export the copy"):
        subject_access_request_answered(actor=dpo, subject_access=subject_access)
    subject_access_export(actor=dpo, subject_access=subject_access)
    client_of(dpo).post(f"/subject-access/{subject_access.pk}/answered/")
    assert SubjectAccessRequest.objects.get().completed_at is not None


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["professional", "officer", "team_manager", "service_manager", "administrator"])
def test_nobody_but_the_dpo_or_a_superuser_may_answer_subject_access(people, held, dpo, who):
    subject_access = _request(dpo, held["child"])
    actor = {
        "professional": people.sam,
        "officer": people.priya,
        "team_manager": people.jo,
        "service_manager": people.lee,
        "administrator": people.alex,
    }[who]
    client = client_of(actor)
    child = held["child"].pk
    for method, url in [
        ("get", "/subject-access/"),
        ("get", f"/subject-access/find-child/?last_name={LAST}"),
        ("get", f"/subject-access/find-child/{child}/"),
        ("post", f"/subject-access/find-child/{child}/"),
        ("get", f"/subject-access/{subject_access.pk}/"),
        ("post", f"/subject-access/{subject_access.pk}/export/"),
        ("post", f"/subject-access/{subject_access.pk}/answered/"),
    ]:
        response = getattr(client, method)(
            url, {"requester": "x", **_today_parts("received_on")} if method == "post" else None
        )
        assert response.status_code == 403, (method, url)
    with pytest.raises(Exception, match="data protection officer"):
        subject_access_export(actor=actor, subject_access=subject_access)
    assert not Disclosure.objects.filter(kind=DisclosureKind.SUBJECT_ACCESS_EXPORTED).exists()
    assert SubjectAccessRequest.objects.count() == 1
    assert "Subject access requests" not in client.get("/account/").content.decode()


def test_a_superuser_may_export(people, held):
    superuser = UserFactory(is_superuser=True, is_staff=True, email_verified_at=timezone.now())
    subject_access = _request(superuser, held["child"])
    response = client_of(superuser).post(f"/subject-access/{subject_access.pk}/export/")
    assert response.status_code == 200
    assert "Subject access requests" in client_of(superuser).get("/account/").content.decode()


# ---------------------------------------------------------------- a fixed number of queries


def test_the_list_of_requests_takes_a_fixed_number_of_queries(dpo, held, django_assert_max_num_queries):
    client = client_of(dpo)
    for _ in range(2):
        _request(dpo, held["child"])
    client.get("/subject-access/")
    with django_assert_max_num_queries(12) as few:
        client.get("/subject-access/")
    for _ in range(20):
        _request(dpo, held["child"], received_on=timezone.localdate() - dt.timedelta(days=40))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/subject-access/").content.decode()
    assert page.count("Overdue") >= 20


def test_the_children_found_take_a_fixed_number_of_queries(dpo, people, django_assert_max_num_queries):
    client = client_of(dpo)
    for _ in range(2):
        draft("ehat", first_name="Ava", last_name="Lemon")
    with django_assert_max_num_queries(12) as few:
        client.get("/subject-access/find-child/", {"last_name": "Lemon"})
    for _ in range(15):
        draft("young_carers", first_name="Ava", last_name="Lemon")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/subject-access/find-child/", {"last_name": "Lemon"}).content.decode()
    assert "17 children found" in page


def test_a_returned_case_is_exported_with_the_officers_comments(dpo, people, uploads):
    case = return_it(claimed("ehat", first_name=FIRST, last_name=LAST), message="Please add the attendance figures")
    subject_access = _request(dpo, _child_of(case))
    made = subject_access_export(actor=dpo, subject_access=subject_access)
    data = json.loads(zipfile.ZipFile(made.file).read("data.json"))
    text = json.dumps(data)
    assert "Please add the attendance figures" in text


def test_the_export_of_an_ehcp_request_holds_its_needs_assessment_and_the_advice_given(dpo, people):
    from tests.workflows import ehc_steps

    needs_assessment = ehc_steps.advice_asked(ehc_steps.agreed())
    ehc_steps.give(needs_assessment, "health")
    subject_access = _request(dpo, needs_assessment.assessment.child)
    archive = _zip_of(client_of(dpo).post(f"/subject-access/{subject_access.pk}/export/"))

    [case] = json.loads(archive.read("data.json"))["cases"]
    needs = case["needs_assessment"]
    assert needs["coordinator"] and needs["final_due"]
    [health] = [advice for advice in needs["advice"] if advice["kind"] == "Health"]
    assert health["answer"] == ehc_steps.ANSWER
    assert ehc_steps.ANSWER["needs"] in archive.read("index.html").decode()


def test_the_export_of_an_ehcp_request_holds_the_annual_reviews_of_its_plan(dpo, people):
    from tests.workflows import annual_review_steps

    needs_assessment = annual_review_steps.plan_issued()
    annual_review_steps.meeting_recorded(annual_review_steps.current_review(needs_assessment))
    subject_access = _request(dpo, needs_assessment.assessment.child)
    archive = _zip_of(client_of(dpo).post(f"/subject-access/{subject_access.pk}/export/"))

    [case] = json.loads(archive.read("data.json"))["cases"]
    [review] = case["needs_assessment"]["annual_reviews"]
    meeting = annual_review_steps.MEETING
    assert (review["number"], review["child_views"], review["parent_views"], review["progress"]) == (
        1,
        meeting["child_views"],
        meeting["parent_views"],
        meeting["progress"],
    )
    assert review["recommendation"] == "Keep the plan as it is"
    page = archive.read("index.html").decode()
    assert "Annual review 1 of the EHC plan" in page
    assert "Mia is happier at school and talks more at home." in page
