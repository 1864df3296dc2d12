"""Builders for casework tests: people, started assessments, valid answers for every section, documents."""

import datetime as dt
import io
import zipfile

import pytest
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from casework.models import AssessmentSection
from casework.sections import spec_for
from casework.services import assessment_start, attachment_add, child_create, collaborator_add, section_save
from identity.models import TeamMembership, TeamRole
from tests.conftest import CommittingClient
from tests.factories import OfficerFactory, ProfessionalFactory
from tests.helpers import sign_in
from workflows.services import assessment_claim, assessment_return, assessment_submit

KINDS = ("ehat", "ehcp", "young_carers")


# ---------------------------------------------------------------- people


def verified_professional(**kwargs):
    return ProfessionalFactory(email_verified_at=timezone.now(), **kwargs)


@pytest.fixture
def author(db):
    return verified_professional(full_name="Robin Author", job_title="SENCO")


@pytest.fixture
def colleague(author):
    """A verified professional of the author's own organisation."""
    return verified_professional(organisation=author.organisation, full_name="Casey Colleague")


@pytest.fixture
def outsider(db):
    """A verified professional of another organisation."""
    return verified_professional(full_name="Olly Outsider")


@pytest.fixture
def officer(db):
    return OfficerFactory(email_verified_at=timezone.now())


def client_for(user) -> CommittingClient:
    """A new browser, signed in as the user with both factors."""
    return sign_in(CommittingClient(), user)


@pytest.fixture
def author_client(author):
    return client_for(author)


class FakeRequest:
    """Just enough of a request for services that build absolute links."""

    def build_absolute_uri(self, location):
        return f"http://testserver{location}"


def share(assessment, *, with_user, role="co_author"):
    return collaborator_add(
        request=FakeRequest(), actor=assessment.author, assessment=assessment, email=with_user.email, role=role
    )


# ---------------------------------------------------------------- assessments


def start(author, kind="ehat", *, first_name="Mia", last_name="Hart", born=dt.date(2016, 4, 3), child=None):
    """A draft started through the service, as the start pages would."""
    child = child or child_create(actor=author, first_name=first_name, last_name=last_name, date_of_birth=born)
    screened = spec_for(kind).safeguarding_screen
    return assessment_start(actor=author, kind=kind, child=child, safeguarding_answer="no" if screened else "")


@pytest.fixture
def ehat(author):
    return start(author, "ehat")


def section_of(assessment, key) -> AssessmentSection | None:
    return AssessmentSection.objects.filter(assessment=assessment, key=key).first()


def version_of(assessment, key) -> int:
    section = section_of(assessment, key)
    return section.version if section else 0


def save(assessment, key, data, *, actor=None, complete=True):
    """Save a section through the service, based on its current version."""
    return section_save(
        actor=actor or assessment.author,
        assessment=assessment,
        key=key,
        data=data,
        base_version=version_of(assessment, key),
        complete=complete,
    )


def complete_all(assessment, *, actor=None, answers=None):
    """Complete every section with valid answers (or the ones given), checking each one completes."""
    answers = answers or valid_answers(assessment.kind)
    for key, data in answers.items():
        result = save(assessment, key, data, actor=actor)
        assert result.completed, (key, result.form.all_errors())
    return assessment


@pytest.fixture
def council(demo_data):
    """The council's teams, officers and routes (from the demo data), so assessments can be submitted."""


def submit(assessment, *, actor=None):
    """Submit through the workflows service, declaration ticked (needs the `council` fixture)."""
    assessment_submit(actor=actor or assessment.author, assessment=assessment, declaration=True)
    assessment.refresh_from_db()
    return assessment


def return_to_author(assessment, comments=None):
    """The routed team's officer picks the submitted assessment up and sends it back for changes."""
    officer = TeamMembership.objects.filter(team=assessment.team, role=TeamRole.OFFICER).first().user
    assessment_claim(actor=officer, assessment=assessment)
    request = RequestFactory().post("/")
    request.user = officer
    assessment_return(
        request=request, actor=officer, assessment=assessment, comments=comments or {"reason": "Say more"}
    )
    assessment.refresh_from_db()
    return assessment


# ---------------------------------------------------------------- valid answers


def date_parts(prefix: str, value: dt.date) -> dict:
    return {f"{prefix}_day": str(value.day), f"{prefix}_month": str(value.month), f"{prefix}_year": str(value.year)}


def rows(prefix: str, *rows_data: dict) -> dict:
    """Formset data: the management form and each row's fields under their prefix."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows_data)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows_data):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def child_answers(**overrides) -> dict:
    return {
        "first_name": "Mia",
        "last_name": "Hart",
        **date_parts("date_of_birth", dt.date(2016, 4, 3)),
        "gender": "female",
        "ethnicity": "white_british",
        "address": "12 Harbour View\nPlymouth",
        "postcode": "PL1 2AA",
        "first_language": "English",
        "nhs_number": "943 476 5919",
        **overrides,
    }


def valid_answers(kind: str) -> dict[str, dict]:
    """A fully valid answer set for every section of the kind, as a browser would post it."""
    today = timezone.localdate()
    if kind == "ehat":
        return {
            "safeguarding": {"significant_harm": "no"},
            "people": {
                "completer_name": "Robin Author",
                "completer_role": "SENCO",
                "completer_organisation": "Test School",
                "completer_phone": "01752 668000",
                "completer_email": "robin@school.example.sch.uk",
                "lead_is_completer": "yes",
            },
            "child": child_answers(interpreter_needed="no"),
            "family": rows(
                "members",
                {
                    "name": "Lucy Hart",
                    "relationship": "Mother",
                    "parental_responsibility": "yes",
                    "lives_with_child": "yes",
                },
            ),
            "professionals": {"none_involved": "on", **rows("professionals", {})},
            "consent": {
                "consent_given": "yes",
                "given_by": "parent",
                "given_by_name": "Lucy Hart",
                **date_parts("given_on", today),
                "method": "written",
                "covers": ["share", "store"],
            },
            "reason": {"reason": "Attendance has fallen and Mia is withdrawn.", "level_of_need": "multiple"},
            "voice": {"voice_of_child": "I like drawing.", "family_views": "We want help with mornings."},
            "assessment": {
                f"{domain}_{aspect}": f"{domain} {aspect}"
                for domain in ("development", "parenting", "environment")
                for aspect in ("working_well", "worried_about", "needs_to_happen")
            },
            "plan": {
                **rows(
                    "actions",
                    {"action": "Morning club place", "who": "School", **date_parts("by_when", today + dt.timedelta(7))},
                ),
                "team_around_family": "Mum, school, health visitor",
                **date_parts("review_date", today + dt.timedelta(weeks=8)),
            },
        }
    if kind == "ehcp":
        cycle = {"assess": "Reading age 6", "plan": "Daily phonics", "do": "1:1 phonics", "review": "Some progress"}
        return {
            "child": child_answers(
                upn="H801200001001", looked_after="no", setting="St Mary's", year_group="year_3", attendance="87"
            ),
            "requester": {
                "requested_by": "professional",
                "requester_name": "Robin Author",
                "requester_role": "SENCO",
                "requester_setting": "Test School",
                "requester_phone": "01752 668000",
                "requester_email": "robin@school.example.sch.uk",
                "evidence": ["parent_views", "child_views"],
            },
            "parents": rows(
                "parents",
                {
                    "name": "Lucy Hart",
                    "relationship": "Mother",
                    "parental_responsibility": "yes",
                    "phone": "07700 900982",
                    "knows_of_request": "yes",
                },
            ),
            "needs": {
                "communication_needs": "Limited speech",
                "communication_level": "significant",
                "cognition_needs": "Behind in reading",
                "cognition_level": "some",
                "semh_needs": "None",
                "semh_level": "expected",
                "sensory_needs": "None",
                "sensory_level": "expected",
            },
            "support": {
                **rows(
                    "cycles",
                    {**cycle, **date_parts("started", today - dt.timedelta(days=200))},
                    {**cycle, **date_parts("started", today - dt.timedelta(days=100))},
                ),
                "baseline_and_targets": "Baseline and targets",
                "provision_map": "5 hours a week, £2,000",
                "beyond_usual": "Speech therapy",
            },
            "professionals": rows(
                "professionals",
                {"name": "Dr Ellis", "role": "Educational psychologist", "agency": "EPS", "report_attached": "no"},
            ),
            "views": {"parent_views": "We are worried.", "child_views": "Reading is hard."},
            "declaration": {"parents_told": "yes", **date_parts("parents_told_on", today), "accurate": "on"},
        }
    if kind == "young_carers":
        return {
            "safeguarding": {"significant_harm": "no"},
            "young_carer": child_answers(school="Plymouth High"),
            "consent": {
                "young_carer_consent": "yes",
                **date_parts("young_carer_consent_on", today),
                "young_carer_consent_method": "verbal",
                "parent_consent": "yes",
                "parent_name": "Lucy Hart",
                "parent_relationship": "Mum",
                **date_parts("parent_consent_on", today),
                "parent_consent_method": "written",
                "covers": ["share", "store"],
            },
            "cared_for": rows("people", {"name": "Lucy Hart", "relationship": "Mum", "condition": "MS"}),
            "caring": {
                "tasks": ["practical", "emotional"],
                "hours_per_week": "12",
                "reliance": "some",
                "details": "Cooks tea every night.",
            },
            "impact": {"wellbeing": "Tired", "education": "Late twice a week", "development": "Few friends"},
            "inappropriate": {"inappropriate": "no", "caring_appropriate": "yes"},
            "wishes": {"wishes": "Time with friends", "outcomes": "A break each week"},
            "needs": {"eligible_needs": "yes"},
            "plan": rows(
                "actions",
                {"action": "Young carers group", "who": "Young Carers service", **date_parts("by_when", today)},
            ),
        }
    raise ValueError(kind)


def form_for(kind: str, key: str, data: dict, *, strict=True):
    """The section's form, bound to answers as they are stored, checked as the service checks them."""
    form_class = spec_for(kind).section(key).form_class
    form = form_class(
        data=form_class.as_form_data(form_class.owned_keys(data)),
        strict=strict,
        context={"today": timezone.localdate()},
    )
    form.is_valid()
    return form


def messages_of(form) -> list[str]:
    return [message for _, message in form.all_errors()]


# ---------------------------------------------------------------- documents


def pdf_bytes(text: str = "evidence") -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\ntrailer << >>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attach(assessment, name="report.pdf", content=None, category="professional_report"):
    """Attach a document through the service, as the author (needs the `media` fixture)."""
    return attachment_add(
        actor=assessment.author,
        assessment=assessment,
        name=name,
        content=content or pdf_bytes(name),
        category=category,
        description="",
    )
