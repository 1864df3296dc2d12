"""The retention schedule: what passes its date is anonymised or deleted, everywhere, once, and recorded."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from casework.models import (
    Assessment,
    AssessmentSection,
    Attachment,
    CaseEvent,
    Child,
    Disclosure,
    DisclosureKind,
    RetentionAction,
    RetentionRun,
    Status,
)
from casework.retention import months_after, retention_due, years_after
from casework.services import attachment_add, disclosure_record
from tests.casework.conftest import pdf_bytes, share, start, verified_professional
from tests.workflows.conftest import claimed, client_of, close_it, draft, fresh, officer_for, resubmit, return_it
from workflows import services
from workflows.annual_review_models import AnnualReview, AnnualReviewProcess
from workflows.ehc_models import AdviceRequest, NeedsAssessment
from workflows.models import AssessmentReview, CaseMessage, Notification
from workflows.retention import retention_apply
from workflows.tasks import apply_retention_schedule

pytestmark = pytest.mark.django_db

# A name found nowhere else in the database, so any copy of it left anywhere is found.
FIRST, LAST = "Zephyrine", "Quillfeather"
MESSAGE = "Zephyrine's mum rang about mornings"


def everything_stored(*, leaving_out=()) -> str:
    """Every row of the portal's own and viewflow's tables, as text (simple-history rows included)."""
    models = [
        model
        for label in ("casework", "workflows", "viewflow", "identity")
        for model in apps.get_app_config(label).get_models()
        if model not in leaving_out
    ]
    return serializers.serialize("json", [row for model in models for row in model._default_manager.all()])


def with_evidence(assessment):
    return attachment_add(
        actor=assessment.author,
        assessment=assessment,
        name=f"{FIRST} {LAST} report.pdf",
        content=pdf_bytes(f"{FIRST} {LAST}"),
        category="other",
        description=f"Report on {FIRST}",
    )


def full_life_case(kind="ehat"):
    """A case that went through everything: evidence, a co-author, a return, messages, a decision, a view."""
    assessment = draft(kind, first_name=FIRST, last_name=LAST)
    attachment = with_evidence(assessment)
    share(assessment, with_user=verified_professional(organisation=assessment.author.organisation))
    services.assessment_submit(actor=assessment.author, assessment=assessment, declaration=True)
    officer = claimed_by_officer(assessment)
    assessment = return_it(fresh(assessment), officer, message=MESSAGE)
    assessment = resubmit(assessment)
    services.assessment_claim(actor=officer, assessment=assessment)
    services.message_post(actor=officer, assessment=fresh(assessment), body=MESSAGE)
    disclosure_record(
        actor=officer, kind=DisclosureKind.EVIDENCE_DOWNLOADED, assessment=assessment, detail=f"{FIRST}.pdf"
    )
    assessment = close_it(fresh(assessment), officer, note=f"{FIRST} will get a morning club place")
    return assessment, attachment


def claimed_by_officer(assessment):
    officer = officer_for(assessment.kind)
    services.assessment_claim(actor=officer, assessment=assessment)
    return officer


def closed_years_ago(assessment, years: int, days: int = 0):
    Assessment.objects.filter(pk=assessment.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=365 * years + years // 4 + 1 + days)
    )
    return fresh(assessment)


def test_dates_count_whole_years_and_calendar_months():
    assert years_after(dt.date(2016, 2, 29), 31) == dt.date(2047, 2, 28)
    assert years_after(dt.date(2016, 4, 3), 31) == dt.date(2047, 4, 3)
    assert months_after(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert months_after(dt.date(2026, 3, 15), -6) == dt.date(2025, 9, 15)


def test_an_ehcp_case_is_due_on_the_childs_31st_birthday_not_the_day_before(people):
    assessment = close_it(claimed("ehcp", first_name=FIRST, last_name=LAST))
    born = fresh(assessment).child_date_of_birth
    birthday = years_after(born, 31)

    assert retention_due(today=birthday - dt.timedelta(days=1)) == []
    [due] = retention_due(today=birthday)
    assert (due.reference, due.due_on, due.action) == (assessment.reference, birthday, "anonymised")
    assert "date of birth + 31 years" in due.rule


def test_anonymising_an_ehcp_request_removes_its_needs_assessment_advice_and_plan(people):
    """The advice professionals gave and the plan's words name the child: none of it outlives the schedule."""
    from tests.workflows import ehc_steps

    needs_assessment = ehc_steps.agreed()
    assessment = needs_assessment.assessment
    needs_assessment = ehc_steps.advice_asked(needs_assessment)
    ehc_steps.give(needs_assessment, "health")
    written = ehc_steps.ANSWER["needs"]
    assert written in everything_stored()

    retention_apply(today=years_after(fresh(assessment).child_date_of_birth, 31))

    stored = everything_stored()
    assert written not in stored
    assert not NeedsAssessment.objects.filter(assessment=assessment).exists()
    assert not NeedsAssessment.history.filter(assessment_id=assessment.pk).exists()
    assert not AdviceRequest.history.exists()
    assert fresh(assessment).outcome == "agreed_to_assess", "the figures keep the decision"


def test_anonymising_an_ehcp_request_removes_the_annual_reviews_of_its_plan_with_their_history(people):
    """The child's and the parents' views at each annual review name the child: none of it outlives the schedule."""
    from tests.workflows import annual_review_steps

    needs_assessment = annual_review_steps.plan_issued()
    assessment = needs_assessment.assessment
    annual_review_steps.meeting_recorded(annual_review_steps.current_review(needs_assessment))
    written = annual_review_steps.MEETING["child_views"]
    assert written in everything_stored()

    retention_apply(today=years_after(fresh(assessment).child_date_of_birth, 31))

    assert written not in everything_stored()
    assert not AnnualReview.objects.exists()
    assert not AnnualReview.history.exists()
    assert not AnnualReviewProcess.objects.exists()
    assert fresh(assessment).plan_issued_on is not None, "the figures keep the plan's date"


def test_an_early_help_case_is_due_six_years_after_it_closed(people):
    assessment = close_it(claimed("ehat"))
    closed_on = timezone.localdate(assessment.closed_at)
    assert retention_due(today=years_after(closed_on, 6) - dt.timedelta(days=1)) == []
    assert [due.reference for due in retention_due(today=years_after(closed_on, 6))] == [assessment.reference]


def test_open_cases_are_never_due_whatever_their_age(people):
    """A case still with the council, or returned to its author, is live work: the schedule counts from closing."""
    claimed("ehcp")
    return_it(claimed("ehat"))
    assert retention_due(today=dt.date(2200, 1, 1)) == []


def test_anonymising_leaves_no_trace_of_the_child_anywhere_and_deletes_the_files(people):
    """Answers of every version, evidence and its files, messages, the outbox, timeline and disclosure details."""
    assessment, attachment = full_life_case()
    stored_file = Path(settings.MEDIA_ROOT) / attachment.file.name
    assert stored_file.exists()
    assert FIRST in everything_stored() and MESSAGE in everything_stored()

    retention_apply(today=years_after(timezone.localdate(assessment.closed_at), 6))

    stored = everything_stored()
    assert FIRST not in stored and LAST not in stored
    assert MESSAGE not in stored and "morning club" not in stored
    assert not stored_file.exists()
    assert not Attachment.objects.exists() and not Attachment.history.exists()
    assert not CaseMessage.objects.exists() and not CaseMessage.history.exists()
    assert not Notification.objects.filter(assessment=assessment).exists()
    assert set(CaseEvent.objects.filter(assessment=assessment).values_list("summary", flat=True)) == {""}
    assert set(Disclosure.objects.filter(assessment=assessment).values_list("detail", flat=True)) == {""}
    assert not AssessmentSection.history.exclude(data={}).filter(assessment_id=assessment.pk).exists()


def test_an_anonymised_case_keeps_what_the_reports_count(people):
    assessment, _ = full_life_case()
    before = fresh(assessment)
    events = list(CaseEvent.objects.filter(assessment=assessment).values_list("kind", "created_at"))

    retention_apply(today=years_after(timezone.localdate(assessment.closed_at), 6))

    after = fresh(assessment)
    kept = ("kind", "reference", "team_id", "organisation_id", "status", "outcome", "first_submitted_at", "closed_at")
    assert [getattr(after, name) for name in kept] == [getattr(before, name) for name in kept]
    assert after.child_name == "Anonymised"
    assert after.child_date_of_birth == dt.date(before.child_date_of_birth.year, 1, 1)
    assert after.anonymised_at is not None
    assert list(CaseEvent.objects.filter(assessment=assessment).values_list("kind", "created_at")) == events
    assert after.history.count() == before.history.count()


def test_nobody_can_open_an_anonymised_case(people):
    assessment, _ = full_life_case()
    retention_apply(today=years_after(timezone.localdate(assessment.closed_at), 6))

    assert client_of(assessment.author).get(f"/assessments/{assessment.pk}/").status_code == 404
    assert client_of(people.priya).get(f"/cases/{assessment.pk}/").status_code == 404


def test_the_childs_record_stays_while_another_of_their_cases_needs_it(people):
    old = close_it(claimed("ehat", first_name=FIRST, last_name=LAST))
    closed_years_ago(old, 7)
    newer = start(old.author, "ehat", child=old.child)

    retention_apply()

    assert fresh(old).anonymised_at is not None
    assert Child.objects.get(pk=old.child_id).first_name == FIRST
    assert fresh(newer).child_name == f"{FIRST} {LAST}"


def test_viewflow_data_of_the_review_is_emptied(people):
    assessment = close_it(claimed("ehat"))
    AssessmentReview.objects.filter(assessment=assessment).update(data={"child": FIRST})
    retention_apply(today=years_after(timezone.localdate(assessment.closed_at), 6))
    assert list(AssessmentReview.objects.filter(assessment=assessment).values_list("data", flat=True)) == [{}]


def test_an_abandoned_draft_is_deleted_with_every_history_row_file_and_the_child(people):
    assessment = draft("ehat", first_name=FIRST, last_name=LAST)
    attachment = with_evidence(assessment)
    stored_file = Path(settings.MEDIA_ROOT) / attachment.file.name
    # Midday of a local day, so the summer time change between then and now cannot move it to another day.
    untouched_since = timezone.localdate() - dt.timedelta(days=200)
    midday = timezone.make_aware(dt.datetime.combine(untouched_since, dt.time(12)))
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=midday)

    assert retention_due(today=months_after(untouched_since, 6) - dt.timedelta(days=1)) == []
    run = retention_apply(today=months_after(untouched_since, 6))

    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert not Assessment.history.filter(id=assessment.pk).exists()
    assert not AssessmentSection.history.filter(assessment_id=assessment.pk).exists()
    assert not Child.objects.filter(pk=assessment.child_id).exists()
    assert not Child.history.filter(id=assessment.child_id).exists()
    assert not stored_file.exists()
    stored = everything_stored()
    assert FIRST not in stored and LAST not in stored
    assert run.counts["cases_deleted"] == 1


def test_a_draft_worked_on_recently_is_kept(people):
    assessment = draft("ehat")
    retention_apply()
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_each_run_is_recorded_with_counts_and_what_it_did_to_each_case_by_reference_only(people):
    assessment, _ = full_life_case()
    due_on = years_after(timezone.localdate(assessment.closed_at), 6)

    run = retention_apply(today=due_on)

    assert run.finished_at is not None
    assert run.counts["cases_anonymised"] == 1
    assert run.counts["evidence_files"] == 1
    assert run.counts["messages_deleted"] == 2
    assert run.counts["notifications_deleted"] >= 1
    [action] = RetentionAction.objects.filter(run=run)
    assert (action.reference, action.action, action.due_on) == (assessment.reference, "anonymised", due_on)
    recorded = serializers.serialize("json", [run, action])
    assert FIRST not in recorded and LAST not in recorded


def test_a_second_run_finds_nothing_and_changes_nothing(people):
    assessment, _ = full_life_case()
    today = years_after(timezone.localdate(assessment.closed_at), 6)
    retention_apply(today=today)
    stored = everything_stored(leaving_out=(RetentionRun,))

    second = retention_apply(today=today)

    assert second.counts == {}
    assert not RetentionAction.objects.filter(run=second).exists()
    assert RetentionRun.objects.count() == 2
    assert everything_stored(leaving_out=(RetentionRun,)) == stored


def test_the_dry_run_lists_references_and_dates_only_and_changes_nothing(people):
    assessment, _ = full_life_case()
    closed_years_ago(assessment, 7)
    before = everything_stored()
    out = io.StringIO()

    call_command("retention", "--dry-run", stdout=out)

    listing = out.getvalue()
    assert assessment.reference in listing and "Anonymised" in listing
    assert FIRST not in listing and LAST not in listing
    assert everything_stored() == before
    assert not RetentionRun.objects.exists()


def test_the_command_refuses_to_guess_between_listing_and_applying(db):
    with pytest.raises(CommandError):
        call_command("retention")


def test_beat_runs_the_retention_schedule_every_day_through_the_task(people):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "workflows.tasks.apply_retention_schedule" in schedule
    assessment = close_it(claimed("ehat"))
    closed_years_ago(assessment, 7)

    run_id = apply_retention_schedule.delay().get()

    assert RetentionRun.objects.get(pk=run_id).counts["cases_anonymised"] == 1
    assert fresh(assessment).status == Status.CLOSED and fresh(assessment).anonymised_at is not None
