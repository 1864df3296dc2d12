"""Builders for the council's side: the demo council's people, assessments at each step, and the flow check."""

from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from casework.models import Assessment, AssessmentSection, CaseEvent, Outcome, Status
from casework.sections import spec_for
from identity.models import Team, TeamMembership, TeamRole, User
from identity.services import team_group_sync_members
from tests.casework.conftest import complete_all, start, valid_answers
from tests.conftest import CommittingClient
from tests.factories import OfficerFactory, ProfessionalFactory
from tests.helpers import sign_in
from workflows import services
from workflows.flows import FLOWS
from workflows.models import AssessmentReview

KINDS = ("ehat", "ehcp", "young_carers")

SAM = "sam.taylor@stmarys.plymouth.sch.uk"
PRIYA = "priya.shah@plymouth.gov.uk"
TOM = "tom.evans@plymouth.gov.uk"
ANA = "ana.costa@plymouth.gov.uk"
JO = "jo.bennett@plymouth.gov.uk"
LEE = "lee.morgan@plymouth.gov.uk"
ALEX = "alex.reed@plymouth.gov.uk"

TEAM_OF_KIND = {"ehat": "early-help-hub", "ehcp": "send-statutory-assessment", "young_carers": "young-carers"}
OFFICER_OF_KIND = {"ehat": PRIYA, "ehcp": TOM, "young_carers": ANA}

# A section of each kind that the officer asks to be changed.
RETURN_SECTION = {"ehat": "reason", "ehcp": "needs", "young_carers": "caring"}

# A valid decision for each kind, with what its form would record.
DECISIONS = {
    "ehat": (Outcome.SIGNPOSTED, {}),
    "ehcp": (Outcome.AGREED_TO_ASSESS, {"coordinator": "Dana Fox"}),
    "young_carers": (Outcome.SUPPORT_PLAN, {}),
}


def person(email: str) -> User:
    return User.objects.get(email=email)


@pytest.fixture
def people(demo_data):
    """The demo accounts, by first name."""
    return SimpleNamespace(
        sam=person(SAM),
        priya=person(PRIYA),
        tom=person(TOM),
        ana=person(ANA),
        jo=person(JO),
        lee=person(LEE),
        alex=person(ALEX),
    )


def team(slug: str) -> Team:
    return Team.objects.get(slug=slug)


def officer_for(kind: str) -> User:
    """The demo officer of the team each kind is routed to."""
    return person(OFFICER_OF_KIND[kind])


def join(slug: str, user=None, *, role=TeamRole.OFFICER) -> User:
    """A (new, by default) council officer added to a team, with the team group kept in step."""
    user = user or OfficerFactory(email_verified_at=timezone.now())
    TeamMembership.objects.create(team=team(slug), user=user, role=role)
    team_group_sync_members(team=team(slug))
    return user


def leave(slug: str, user) -> None:
    """The officer leaves the team, as the admin does it: membership and team group both go."""
    TeamMembership.objects.filter(team__slug=slug, user=user).delete()
    team_group_sync_members(team=team(slug))


@pytest.fixture
def second_officer(demo_data):
    """A second officer of the Early Help hub, beside Priya."""
    return join("early-help-hub")


@pytest.fixture
def cast(people, second_officer):
    """Everyone a permission matrix needs: the demo accounts, a second Early Help officer, an outside professional."""
    return SimpleNamespace(
        **vars(people),
        second=second_officer,
        outsider=ProfessionalFactory(email_verified_at=timezone.now(), full_name="Olly Outsider"),
    )


def client_of(user) -> CommittingClient:
    return sign_in(CommittingClient(), user)


def post_request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def fresh(assessment) -> Assessment:
    return Assessment.objects.select_related("assigned_to", "team").get(pk=assessment.pk)


# ---------------------------------------------------------------- assessments at each step


# What section_save stored for a complete assessment, by kind, child and day. The first draft of each goes
# through the section forms (tests/casework covers them); later ones get the same stored answers directly.
_STORED_ANSWERS: dict[tuple, dict[str, tuple[dict, str]]] = {}


def draft(kind: str = "ehat", author=None, *, first_name: str = "Mia", last_name: str = "Hart") -> Assessment:
    """A complete draft by the demo professional (or the author given) for the child named, ready to submit."""
    assessment = start(author or person(SAM), kind, first_name=first_name, last_name=last_name)
    cache_key = (kind, first_name, last_name, timezone.localdate())
    stored = _STORED_ANSWERS.get(cache_key)
    if stored is None:
        answers = valid_answers(kind)
        child_key = spec_for(kind).child_section
        answers[child_key] = {**answers[child_key], "first_name": first_name, "last_name": last_name}
        complete_all(assessment, answers=answers)
        _STORED_ANSWERS[cache_key] = {
            section.key: (section.data, section.status) for section in assessment.sections.all()
        }
    else:
        for key, (data, status) in stored.items():
            AssessmentSection.objects.update_or_create(
                assessment=assessment, key=key, defaults={"data": data, "status": status}
            )
    return assessment


def submitted_many(count: int, kind: str = "ehat") -> list[Assessment]:
    """Many submitted cases, each started and submitted through the services."""
    cases = [draft(kind) for _ in range(count)]
    for assessment in cases:
        services.assessment_submit(actor=assessment.author, assessment=assessment, declaration=True)
    return [fresh(assessment) for assessment in cases]


def submitted(kind: str = "ehat", author=None, **child) -> Assessment:
    assessment = draft(kind, author, **child)
    services.assessment_submit(actor=assessment.author, assessment=assessment, declaration=True)
    return fresh(assessment)


def claimed(kind: str = "ehat", officer=None, **child) -> Assessment:
    assessment = submitted(kind, **child)
    services.assessment_claim(actor=officer or officer_for(kind), assessment=assessment)
    return fresh(assessment)


def return_it(assessment, officer=None, comments=None, message: str = "") -> Assessment:
    officer = officer or assessment.assigned_to
    services.assessment_return(
        request=post_request(officer),
        actor=officer,
        assessment=assessment,
        comments=comments or {RETURN_SECTION[assessment.kind]: "Say what the family has tried already"},
        message=message,
    )
    return fresh(assessment)


def returned(kind: str = "ehat", officer=None, **child) -> Assessment:
    return return_it(claimed(kind, officer, **child))


def resubmit(assessment) -> Assessment:
    services.assessment_submit(actor=assessment.author, assessment=assessment, declaration=True)
    return fresh(assessment)


def close_it(assessment, officer=None, outcome=None, details=None, note="Decided after review") -> Assessment:
    officer = officer or assessment.assigned_to
    default_outcome, default_details = DECISIONS[assessment.kind]
    services.assessment_close(
        request=post_request(officer),
        actor=officer,
        assessment=assessment,
        outcome=outcome or default_outcome,
        note=note,
        details=default_details if details is None else details,
    )
    return fresh(assessment)


def closed(kind: str = "ehat", officer=None, **child) -> Assessment:
    return close_it(claimed(kind, officer, **child))


def withdraw_it(assessment, reason: str = "The family moved away") -> Assessment:
    services.assessment_withdraw(actor=assessment.author, assessment=assessment, reason=reason)
    return fresh(assessment)


# ---------------------------------------------------------------- what must hold


def latest_history(assessment):
    return fresh(assessment).history.order_by("-history_id").first()


def events_of(assessment, kind) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(assessment=assessment, kind=kind).order_by("pk"))


def active_tasks(assessment) -> list[Task]:
    return list(
        Task.objects.filter(
            process__in=AssessmentReview.objects.filter(assessment=assessment),
            status__in=(STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED),
        )
    )


def assert_flow_agrees(assessment) -> None:
    """The invariants of workflows/flows.py: the assessment's status and its viewflow process agree.

    submitted ⇔ active review task NEW; under review ⇔ review task ASSIGNED to the assigned officer;
    returned ⇔ active with_author task; closed ⇔ process DONE (CANCELED when withdrawn);
    exactly one active process while open.
    """
    assessment = fresh(assessment)
    flow_class = FLOWS[assessment.kind]
    reviews = AssessmentReview.objects.filter(assessment=assessment).order_by("pk")
    running = [review for review in reviews if review.status not in (PROCESS.DONE, PROCESS.CANCELED)]
    tasks = active_tasks(assessment)
    for review in reviews:
        assert review.flow_class is flow_class, (review.flow_class, assessment.kind)

    if assessment.status == Status.DRAFT:
        assert not reviews.exists()
        return
    if assessment.status == Status.CLOSED:
        assert running == [], "a closed assessment has a running process"
        assert tasks == [], f"a closed assessment has active tasks: {tasks}"
        latest = reviews.last()
        if assessment.outcome == Outcome.WITHDRAWN:
            assert latest is None or latest.status == PROCESS.CANCELED
        else:
            assert latest.status == PROCESS.DONE
        return

    assert len(running) == 1, f"{assessment.status} with {len(running)} running processes"
    assert len(tasks) == 1, f"{assessment.status} with active tasks {tasks}"
    task = tasks[0]
    assert task.process_id == running[0].pk
    if assessment.status == Status.SUBMITTED:
        assert (task.flow_task, task.status, task.owner_id) == (flow_class.review, STATUS.NEW, None)
    elif assessment.status == Status.UNDER_REVIEW:
        assert assessment.assigned_to_id is not None
        assert (task.flow_task, task.status, task.owner_id) == (
            flow_class.review,
            STATUS.ASSIGNED,
            assessment.assigned_to_id,
        )
    elif assessment.status == Status.RETURNED:
        assert (task.flow_task, task.status) == (flow_class.with_author, STATUS.NEW)
    else:  # pragma: no cover - every status is handled above
        raise AssertionError(assessment.status)
