"""The generated demo data holds to the same rules as data the services write."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from guardian.shortcuts import get_group_perms, get_user_perms
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from casework.models import Assessment, AssessmentSection, CaseEvent, Status
from casework.sections import spec_for
from workflows.flows import FLOWS
from workflows.models import AssessmentReview
from workflows.selectors import OPEN_STATUSES

ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


@pytest.fixture
def generated(db):
    call_command("generate_demo_data", cases=400, seed=11, verbosity=0)
    return Assessment.objects.select_related("team", "author", "assigned_to")


def test_generator_makes_every_state_and_outcome(generated):
    """Two years of cases, of all three kinds, in every state and with every outcome."""
    assert generated.count() == 400
    assert set(generated.values_list("kind", flat=True)) == {"ehat", "ehcp", "young_carers"}
    statuses = set(generated.values_list("status", flat=True))
    assert {Status.DRAFT, Status.UNDER_REVIEW, Status.CLOSED} <= statuses
    outcomes = set(generated.filter(status=Status.CLOSED).values_list("outcome", flat=True))
    assert {"accepted", "agreed_to_assess", "refused_to_assess", "support_plan", "withdrawn"} <= outcomes


def test_same_seed_makes_the_same_cases(db):
    """From the same starting data, a seed always makes the same cases (benchmarks compare like with like)."""

    def generate() -> list:
        with transaction.atomic():
            call_command("generate_demo_data", cases=30, seed=5, verbosity=0)
            made = list(Assessment.objects.order_by("pk").values_list("kind", "status", "outcome", "child_name"))
            transaction.set_rollback(True)
        return made

    first, again = generate(), generate()
    assert len(first) == 30
    assert first == again


def test_if_empty_generates_nothing_the_second_time(generated):
    call_command("generate_demo_data", cases=50, seed=2, if_empty=True, verbosity=0)
    assert Assessment.objects.count() == 400


def test_status_agrees_with_the_review_process(generated):
    """Each status has the active viewflow task the services would leave, and nothing else."""
    for assessment in generated:
        reviews = list(AssessmentReview.objects.filter(assessment=assessment))
        if assessment.status == Status.DRAFT:
            assert reviews == []
            continue
        (review,) = reviews
        flow = FLOWS[assessment.kind]
        active = list(Task.objects.filter(process_id=review.pk, status__in=ACTIVE))
        if assessment.status == Status.CLOSED:
            assert active == []
            expected = PROCESS.CANCELED if assessment.outcome == "withdrawn" else PROCESS.DONE
            assert review.status == expected, assessment.reference
            continue
        assert review.status == PROCESS.NEW
        (task,) = active
        if assessment.status == Status.SUBMITTED:
            assert (task.flow_task, task.status) == (flow.review, STATUS.NEW)
        elif assessment.status == Status.UNDER_REVIEW:
            assert (task.flow_task, task.status) == (flow.review, STATUS.ASSIGNED)
            assert task.owner_id == assessment.assigned_to_id
        else:
            assert (task.flow_task, task.status) == (flow.with_author, STATUS.NEW)


def test_every_case_has_history_and_a_timeline(generated):
    for assessment in generated:
        history = list(assessment.history.order_by("history_date", "history_id"))
        assert history[0].history_type == "+"
        assert history[0].status == Status.DRAFT
        assert history[-1].status == assessment.status
        assert all(row.history_user_id for row in history)
        assert all(row.history_change_reason for row in history)
        kinds = set(CaseEvent.objects.filter(assessment=assessment).values_list("kind", flat=True))
        assert "created" in kinds
        if assessment.status != Status.DRAFT:
            assert "submitted" in kinds


def test_every_case_has_its_sections(generated):
    for assessment in generated.filter(status__in=OPEN_STATUSES):
        keys = set(AssessmentSection.objects.filter(assessment=assessment).values_list("key", flat=True))
        assert keys == {section.key for section in spec_for(assessment.kind).sections}


def test_rights_are_those_the_services_grant(generated):
    """Authors can edit only while the case is with them; the routed team's group reviews; nobody else."""
    for assessment in generated:
        author_rights = set(get_user_perms(assessment.author, assessment))
        assert {"view_assessment", "share_assessment"} <= author_rights
        drafting = {"change_assessment", "submit_assessment"}
        if assessment.status in (Status.DRAFT, Status.RETURNED):
            assert drafting <= author_rights
        else:
            assert not drafting & author_rights
        if assessment.status == Status.DRAFT:
            assert assessment.team is None
            continue
        assert set(get_group_perms(assessment.team.group, assessment)) == {"view_assessment", "review_assessment"}
        if assessment.assigned_to:
            assert "review_assessment" in get_user_perms(assessment.assigned_to, assessment)
    other_teams = Group.objects.filter(name__startswith="Team: ")
    for assessment in generated.exclude(status=Status.DRAFT)[:50]:
        for group in other_teams.exclude(pk=assessment.team.group_id):
            assert not get_group_perms(group, assessment)


def test_some_open_cases_are_overdue(db):
    call_command("generate_demo_data", cases=1500, seed=3, verbosity=0)
    from django.utils import timezone

    overdue = Assessment.objects.filter(status__in=OPEN_STATUSES, decision_due__lt=timezone.localdate())
    assert overdue.exists()
