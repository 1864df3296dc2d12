"""The generated EHC needs assessments: one for every request agreed to assess, at the stage its age gives it,
with the rows and the viewflow process the services of workflows.ehc leave, so that the services carry them on;
and the annual reviews of the issued plans, as workflows.annual_review leaves them."""

import datetime as dt
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task

from casework.models import Assessment, CaseEvent, CaseEventKind, Outcome, Status
from identity.models import User
from tests.helpers import sign_in
from tests.workflows.annual_review_steps import MEETING, assert_annual_review_flow_agrees
from tests.workflows.conftest import SAM, TOM
from tests.workflows.ehc_steps import ANSWER, DRAFT_SECTIONS, assert_needs_assessment_flow_agrees, at
from workflows import annual_review, ehc
from workflows.annual_review import months_after
from workflows.generator_ehc import NeedsAssessmentSimulator
from workflows.models import (
    AdviceRequest,
    AnnualReview,
    AnnualReviewProcess,
    AnnualReviewStage,
    DraftPlanComment,
    NeedsAssessment,
    NeedsAssessmentProcess,
    NeedsAssessmentStage,
    ReviewOutcome,
)

STAGES = set(NeedsAssessmentStage.values)


@pytest.fixture
def generated(db):
    call_command("generate_demo_data", cases=400, seed=11, verbosity=0)
    return NeedsAssessment.objects.select_related("assessment", "coordinator")


def test_every_request_agreed_to_assess_has_one_needs_assessment_and_no_other_case_has_one(generated):
    agreed = Assessment.objects.filter(status=Status.CLOSED, outcome=Outcome.AGREED_TO_ASSESS)
    assert agreed.count() > 20
    assert set(generated.values_list("assessment_id", flat=True)) == set(agreed.values_list("pk", flat=True))


def test_needs_assessments_are_at_every_stage_and_their_process_agrees(generated):
    """The stage and the active tasks agree exactly as the services leave them, for every needs assessment."""
    assert set(generated.values_list("stage", flat=True)) == STAGES
    for needs_assessment in generated:
        assert_needs_assessment_flow_agrees(needs_assessment)
        # Every task but the start came from the one before it (viewflow's links, which its graph reads).
        for task in Task.objects.filter(process__needsassessmentprocess__needs_assessment=needs_assessment):
            assert task.previous.exists() == (task.flow_task_type != "START"), task


def test_the_stage_follows_the_needs_assessments_age(generated):
    today = timezone.localdate()
    ages = {stage: [] for stage in STAGES}
    for needs_assessment in generated:
        ages[needs_assessment.stage].append((today - needs_assessment.agreed_to_assess_on).days)
    # Asking for advice takes days; a plan is issued months after the agreement to assess.
    assert max(ages[NeedsAssessmentStage.REQUESTING_ADVICE]) <= 10
    assert min(ages[NeedsAssessmentStage.ISSUED]) >= 60
    assert sorted(ages[NeedsAssessmentStage.REQUESTING_ADVICE]) < sorted(ages[NeedsAssessmentStage.ISSUED])


def test_advice_is_given_on_time_late_or_never(generated):
    today = timezone.localdate()
    advice = AdviceRequest.objects.filter(needs_assessment__in=generated)
    assert advice.filter(answered_on__isnull=False).exists()
    assert advice.filter(closed_unanswered_on__gt=dt.date.min).exists()
    waiting = advice.filter(answered_on__isnull=True, closed_unanswered_on__isnull=True)
    assert waiting.filter(due_on__lt=today).exists(), "no advice overdue"
    assert waiting.filter(due_on__gte=today).exists(), "no advice still due"
    for request in advice.filter(answered_on__isnull=False):
        assert request.answer.keys() == ehc.ADVICE_QUESTIONS.keys()
        assert request.answered_by_id in (request.professional_id, request.needs_assessment.coordinator_id)
    for request in advice.filter(closed_unanswered_on__isnull=False):
        assert request.closed_unanswered_on > request.due_on
    # Every request is written through history, the first row when it was asked for.
    for request in advice[:200]:
        reasons = list(request.history.order_by("history_date").values_list("history_change_reason", flat=True))
        assert reasons[0] == "Advice asked for"
        assert len(reasons) == (1 if request.answered_on is None and request.closed_unanswered_on is None else 2)


def test_history_and_the_requests_plan_are_those_the_services_write(generated):
    for needs_assessment in generated:
        history = list(needs_assessment.history.order_by("history_date", "history_id"))
        assert history[0].history_type == "+"
        assert history[0].history_change_reason.startswith("Needs assessment started, coordinated by ")
        assert history[-1].stage == needs_assessment.stage
        assert all(row.history_user_id for row in history)
        assessment = needs_assessment.assessment
        if needs_assessment.stage == NeedsAssessmentStage.ISSUED:
            assert assessment.plan_issued_on == needs_assessment.final_issued_on
            assert needs_assessment.plan_sections["I"]
            (event,) = CaseEvent.objects.filter(assessment=assessment, kind=CaseEventKind.PLAN_ISSUED)
            assert event.summary == f"Final EHC plan issued on {needs_assessment.final_issued_on:%-d %B %Y}"
        else:
            assert assessment.plan_issued_on is None
        if needs_assessment.stage == NeedsAssessmentStage.NOT_ISSUED:
            assert needs_assessment.not_issue_reasons and needs_assessment.appeal_rights_given


def test_the_services_carry_a_generated_needs_assessment_on_from_any_stage(generated):
    """What the generator leaves is what the services expect: each stage's next step works, and the flow agrees."""
    for stage in (
        NeedsAssessmentStage.REQUESTING_ADVICE,
        NeedsAssessmentStage.GATHERING_ADVICE,
        NeedsAssessmentStage.DECIDING,
        NeedsAssessmentStage.DRAFTING,
        NeedsAssessmentStage.COMMENTS,
        NeedsAssessmentStage.FINALISING,
    ):
        needs_assessment = generated.filter(stage=stage).first()
        coordinator = needs_assessment.coordinator
        if stage == NeedsAssessmentStage.REQUESTING_ADVICE:
            ehc.advice_request(
                actor=coordinator,
                needs_assessment=needs_assessment,
                recipients={
                    kind: ehc.AdviceRecipient(name="Adviser", email=f"{kind}@x.example.org") for kind in ehc.ADVICE_WHAT
                },
            )
        elif stage == NeedsAssessmentStage.GATHERING_ADVICE:
            for advice in needs_assessment.advice_requests.filter(answered_on=None, closed_unanswered_on=None):
                ehc.advice_give(actor=coordinator, advice=advice, answer=ANSWER)
            assert NeedsAssessment.objects.get(pk=needs_assessment.pk).stage == NeedsAssessmentStage.DECIDING
        elif stage == NeedsAssessmentStage.DECIDING:
            ehc.issue_decide(actor=coordinator, needs_assessment=needs_assessment, decision="issue")
        elif stage == NeedsAssessmentStage.DRAFTING:
            ehc.draft_plan_save(actor=coordinator, needs_assessment=needs_assessment, sections=DRAFT_SECTIONS)
            ehc.draft_plan_send(actor=coordinator, needs_assessment=needs_assessment)
        elif stage == NeedsAssessmentStage.COMMENTS:
            with at(needs_assessment.comments_due + dt.timedelta(days=1)):
                ehc.comment_period_close(actor=coordinator, needs_assessment=needs_assessment)
        else:
            ehc.final_plan_issue(
                actor=coordinator,
                needs_assessment=needs_assessment,
                sections={**DRAFT_SECTIONS, "I": "Hillside Primary"},
            )
        assert_needs_assessment_flow_agrees(needs_assessment)
        assert NeedsAssessment.objects.get(pk=needs_assessment.pk).stage != stage


def test_the_demo_accounts_have_needs_assessments_at_every_stage(generated):
    """`make demo`: Tom Evans coordinates one at each stage, and Sam Taylor has advice asked of her."""
    toms = generated.filter(coordinator__email=TOM)
    assert set(toms.values_list("stage", flat=True)) == STAGES
    sams = AdviceRequest.objects.filter(professional__email=SAM, answered_on=None, closed_unanswered_on=None)
    today = timezone.localdate()
    assert sams.filter(due_on__lt=today).exists(), "none of Sam Taylor's advice is overdue"
    assert sams.filter(due_on__gte=today).exists(), "none of Sam Taylor's advice is still due"


def test_small_runs_leave_the_demo_accounts_alone(db):
    call_command("generate_demo_data", cases=30, seed=5, verbosity=0)
    assert not NeedsAssessment.objects.filter(coordinator__email=TOM, assessment__author__email=SAM).exists()


def test_needs_assessments_are_written_in_bulk(db, monkeypatch):
    """Each query writes many rows (100,000 cases make about 18,000 needs assessments): bulk inserts, as for the
    cases, split only where the database limits a statement's parameters."""
    queries_made = []
    write = NeedsAssessmentSimulator.write

    def counted(self, planned_list):
        with CaptureQueriesContext(connection) as queries:
            write(self, planned_list)
        queries_made.append(len(queries))

    monkeypatch.setattr(NeedsAssessmentSimulator, "write", counted)
    call_command("generate_demo_data", cases=1000, seed=22, verbosity=0)
    rows = sum(
        model.objects.count()
        for model in (
            NeedsAssessment,
            NeedsAssessment.history.model,
            AdviceRequest,
            AdviceRequest.history.model,
            DraftPlanComment,
            DraftPlanComment.history.model,
            NeedsAssessmentProcess,
            AnnualReview,
            AnnualReview.history.model,
            AnnualReviewProcess,
        )
    )
    rows += Task.objects.filter(process__needsassessmentprocess__isnull=False).count()
    rows += Task.objects.filter(process__annualreviewprocess__isnull=False).count()
    assert NeedsAssessment.objects.count() > 150
    assert AnnualReview.objects.count() > 50
    assert rows / sum(queries_made) > 40, (rows, queries_made)


def test_the_demo_accounts_pages_show_their_needs_assessments(generated, client):
    """What a newcomer signed in as Tom Evans or Sam Taylor opens after `make demo`."""
    sign_in(client, User.objects.get(email=TOM))
    for needs_assessment in generated.filter(coordinator__email=TOM):
        response = client.get(f"/cases/{needs_assessment.assessment_id}/needs-assessment/")
        assert response.status_code == 200
        assert needs_assessment.get_stage_display() in response.content.decode()
    sign_in(client, User.objects.get(email=SAM))
    asked = AdviceRequest.objects.filter(professional__email=SAM, answered_on=None, closed_unanswered_on=None)
    assert asked.exists()
    for advice in asked:
        response = client.get(f"/cases/{advice.needs_assessment.assessment_id}/needs-assessment/advice/{advice.kind}/")
        assert response.status_code == 200


# ---------------------------------------------------------------- annual reviews


def reviews_of(needs_assessment) -> list[AnnualReview]:
    return list(needs_assessment.annual_reviews.order_by("number"))


def test_every_issued_plan_has_its_annual_reviews_and_each_agrees_with_its_flow(generated):
    """As final_plan_issue and annual_review_decide leave them: review 1 due 12 months after the final plan, each
    later one 12 months after the meeting before it, started only once the one before was kept or amended."""
    issued = generated.filter(stage=NeedsAssessmentStage.ISSUED)
    assert not AnnualReview.objects.exclude(needs_assessment__in=issued).exists()
    for needs_assessment in issued:
        reviews = reviews_of(needs_assessment)
        assert [review.number for review in reviews] == list(range(1, len(reviews) + 1))
        assert reviews[0].due_on == months_after(needs_assessment.final_issued_on, 12)
        for before, after in pairwise(reviews):
            assert before.stage == AnnualReviewStage.DECIDED and before.decision != ReviewOutcome.CEASE
            assert after.due_on == months_after(before.meeting_on, 12)
        last = reviews[-1]
        assert last.stage != AnnualReviewStage.DECIDED or last.decision == ReviewOutcome.CEASE
        for review in reviews:
            assert review.holder_id == needs_assessment.coordinator_id
            assert_annual_review_flow_agrees(review)
            for task in Task.objects.filter(process__annualreviewprocess__annual_review=review):
                assert task.previous.exists() == (task.flow_task_type != "START"), task


def test_annual_reviews_are_at_every_stage_on_dates_as_they_go_in_practice(generated):
    """Reviews waiting for a meeting not yet due and overdue, waiting for the decision, decided; meetings mostly
    within a few weeks of the due date, decisions mostly within the 4 weeks, plans mostly kept or amended."""
    today = timezone.localdate()
    reviews = AnnualReview.objects.filter(needs_assessment__in=generated)
    waiting = reviews.filter(stage=AnnualReviewStage.AWAITING_MEETING)
    assert waiting.filter(due_on__gte=today).exists(), "no review waiting for a meeting not yet due"
    assert waiting.filter(due_on__lt=today).exists(), "no review meeting overdue"
    assert reviews.filter(stage=AnnualReviewStage.AWAITING_DECISION).exists()
    assert reviews.filter(number=2).exists(), "no plan has been reviewed and gone on to its next review"
    met = list(reviews.exclude(meeting_on=None))
    assert len(met) > 10
    for review in met:
        assert met_after_the_plan_and_by_today(review)
        assert review.decision_due == review.meeting_on + dt.timedelta(weeks=4)
        assert review.recommendation in ReviewOutcome.values
        assert review.meeting_recorded_by_id == review.holder_id
    near_due = [review for review in met if abs((review.meeting_on - review.due_on).days) <= 28]
    assert len(near_due) > len(met) / 2
    decided = [review for review in met if review.stage == AnnualReviewStage.DECIDED]
    assert sum(review.decided_on <= review.decision_due for review in decided) > len(decided) / 2
    ceased = [review for review in decided if review.decision == ReviewOutcome.CEASE]
    assert len(ceased) < len(decided) / 4
    for review in decided:
        assert review.meeting_on <= review.decided_on <= today
        assert review.decided_by_id == review.holder_id


def met_after_the_plan_and_by_today(review) -> bool:
    return review.needs_assessment.final_issued_on <= review.meeting_on <= timezone.localdate()


def test_each_annual_reviews_history_is_what_the_services_write(generated):
    for review in AnnualReview.objects.filter(needs_assessment__in=generated).select_related("holder"):
        history = list(review.history.order_by("history_date", "history_id"))
        reasons = [row.history_change_reason for row in history]
        expected = [f"Annual review due by {review.due_on:%-d %B %Y}, held by {review.holder.full_name}"]
        if review.meeting_on:
            expected.append(f"Review meeting of {review.meeting_on:%-d %B %Y} recorded")
        if review.decided_on:
            expected.append(f"Decided: {review.get_decision_display()}")
        assert reasons == expected
        assert [row.history_type for row in history] == ["+"] + ["~"] * (len(history) - 1)
        assert [row.stage for row in history] == [
            AnnualReviewStage.AWAITING_MEETING,
            AnnualReviewStage.AWAITING_DECISION,
            AnnualReviewStage.DECIDED,
        ][: len(history)]
        assert history[-1].needs_assessment_id == review.needs_assessment_id
        assert all(row.history_user_id for row in history)


def test_the_services_carry_generated_annual_reviews_on(generated):
    """A generated review waiting for its meeting is recorded and decided, starting the next; one waiting for the
    decision is decided; the flow agrees at each step."""
    waiting = AnnualReview.objects.filter(
        needs_assessment__in=generated, stage=AnnualReviewStage.AWAITING_MEETING
    ).select_related("holder", "needs_assessment__assessment")
    review = waiting.exclude(needs_assessment__coordinator__email=TOM).first() or waiting.first()
    review = annual_review.annual_review_meeting_record(
        actor=review.holder, review=review, meeting_on=timezone.localdate(), **MEETING
    )
    assert_annual_review_flow_agrees(review)
    decided = annual_review.annual_review_decide(actor=review.holder, review=review, decision=ReviewOutcome.AMEND)
    assert_annual_review_flow_agrees(decided)
    (next_review,) = AnnualReview.objects.filter(needs_assessment=review.needs_assessment, number=review.number + 1)
    assert next_review.due_on == months_after(timezone.localdate(), 12)
    assert_annual_review_flow_agrees(next_review)

    deciding = (
        AnnualReview.objects.filter(needs_assessment__in=generated, stage=AnnualReviewStage.AWAITING_DECISION)
        .select_related("holder", "needs_assessment__assessment")
        .first()
    )
    ceased = annual_review.annual_review_decide(actor=deciding.holder, review=deciding, decision=ReviewOutcome.CEASE)
    assert_annual_review_flow_agrees(ceased)
    assert not AnnualReview.objects.filter(
        needs_assessment=deciding.needs_assessment, number=deciding.number + 1
    ).exists()


def test_tom_evans_holds_annual_reviews_waiting_for_the_meeting_and_for_the_decision(generated):
    toms = AnnualReview.objects.filter(holder__email=TOM, needs_assessment__assessment__author__email=SAM)
    today = timezone.localdate()
    waiting = toms.filter(stage=AnnualReviewStage.AWAITING_MEETING)
    assert waiting.filter(due_on__gte=today).exists(), "none of Tom Evans's reviews is waiting for its meeting"
    assert waiting.filter(due_on__lt=today).exists(), "none of Tom Evans's review meetings is overdue"
    assert toms.filter(stage=AnnualReviewStage.AWAITING_DECISION, decision_due__gte=today).exists()
    assert toms.filter(stage=AnnualReviewStage.DECIDED, decision=ReviewOutcome.AMEND).exists()


def test_tom_evans_opens_the_annual_review_of_each_plan_he_coordinates(generated, client):
    sign_in(client, User.objects.get(email=TOM))
    current = AnnualReview.objects.filter(holder__email=TOM).exclude(stage=AnnualReviewStage.DECIDED)
    assert current.count() >= 3
    for review in current:
        response = client.get(f"/cases/{review.needs_assessment.assessment_id}/needs-assessment/annual-review/")
        assert response.status_code == 200
        page = response.content.decode()
        assert f"Review {review.number}" in page
        assert review.get_stage_display().replace("'", "&#x27;") in page
        action = (
            "Record the review meeting" if review.stage == AnnualReviewStage.AWAITING_MEETING else "Record the council"
        )
        assert action in page
