"""The retention schedule: which cases have passed their date, and anonymising or deleting them.

What goes, and how (docs/security.md, "Data protection"):
- A closed case past its date (settings.PORTAL_RETENTION) is *anonymised*: the row stays with its kind,
  reference, team, organisation, author, dates, status and outcome, so the reports' figures do not change;
  the child's name becomes "Anonymised" and the date of birth keeps only its year; the decision note and
  details, every version of every answer (the sections and their history), the timeline's summaries and
  field changes, the disclosure log's details, and the consent withdrawal's "who" are emptied; evidence
  (rows, their history and the stored files), co-authors, unsaved typing and every right on the case are
  deleted, so nobody can open it again. The child's own record is anonymised, and its history deleted, once
  none of their cases still needs it.
- A draft untouched for settings.PORTAL_RETENTION_DRAFT_MONTHS is *deleted* with everything in it and every
  history row of it (it never reached the council, so no figure counts it), and the child's record with it
  when the child has no other case.
Other apps remove what they hold about a case through `case_cleaner_register` (workflows: messages, the
notification outbox, the review processes' data), called first for each case. The anonymisation writes
its changes with `update()` on purpose: a history row of it would keep a copy of what it removed.
Each case is done in a transaction of its own, its row locked, so a run that stops part-way, or two runs
at once, leave every case either untouched or fully done; a case done is never due again.
"""

import calendar
import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import (
    Assessment,
    AssessmentGroupObjectPermission,
    AssessmentKind,
    AssessmentSection,
    AssessmentUserObjectPermission,
    Attachment,
    CaseEvent,
    Child,
    Collaborator,
    ConsentWithdrawal,
    Disclosure,
    RetentionAction,
    RetentionActionKind,
    RetentionRun,
    SectionDraft,
    Status,
)

ANONYMISED_NAME = "Anonymised"

# What another app removes of one case: called with the case (its row locked) and the action, returns counts.
CaseCleaner = Callable[[Assessment, RetentionActionKind], dict[str, int]]
_case_cleaners: list[CaseCleaner] = []


def case_cleaner_register(cleaner: CaseCleaner) -> None:
    """Have retention also remove what another app holds about each case (registered in its AppConfig.ready)."""
    if cleaner not in _case_cleaners:
        _case_cleaners.append(cleaner)


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (a 29 February falls on the 28th in other years)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RetentionDue:
    """A case whose retention date has come: what will be done to it and under which rule (no personal data)."""

    assessment_id: int
    reference: str
    kind: str
    action: RetentionActionKind
    rule: str
    due_on: datetime.date


def _rule_words(kind: str, rule: dict) -> str:
    anchor = "date of birth" if rule["anchor"] == "date_of_birth" else "closed"
    return f"{AssessmentKind(kind).label}: {anchor} + {rule['years']} years"


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def retention_due(*, today: datetime.date | None = None) -> list[RetentionDue]:
    """Every case whose retention date is today or before, oldest date first."""
    today = today or timezone.localdate()
    due: list[RetentionDue] = []
    for kind, rule in settings.PORTAL_RETENTION.items():
        years = rule["years"]
        words = _rule_words(kind, rule)
        cases = Assessment.objects.filter(kind=kind, status=Status.CLOSED, anonymised_at__isnull=True)
        # The database narrows by a day's margin (29 February); the exact date is worked out below.
        latest_anchor = years_after(today, -years) + datetime.timedelta(days=1)
        if rule["anchor"] == "date_of_birth":
            rows = cases.filter(child_date_of_birth__lte=latest_anchor).values_list(
                "pk", "reference", "child_date_of_birth"
            )
        else:
            rows = [
                (pk, reference, timezone.localdate(closed_at))
                for pk, reference, closed_at in cases.filter(
                    closed_at__lt=_start_of(latest_anchor + datetime.timedelta(days=1))
                ).values_list("pk", "reference", "closed_at")
            ]
        for pk, reference, anchor in rows:
            due_on = years_after(anchor, years)
            if due_on <= today:
                due.append(RetentionDue(pk, reference, kind, RetentionActionKind.ANONYMISED, words, due_on))
    months = settings.PORTAL_RETENTION_DRAFT_MONTHS
    latest_touch = months_after(today, -months)
    drafts = Assessment.objects.filter(
        status=Status.DRAFT, updated_at__lt=_start_of(latest_touch + datetime.timedelta(days=1))
    ).values_list("pk", "reference", "kind", "updated_at")
    for pk, reference, kind, updated_at in drafts:
        due_on = months_after(timezone.localdate(updated_at), months)
        if due_on <= today:
            words = f"Draft untouched for {months} months"
            due.append(RetentionDue(pk, reference, kind, RetentionActionKind.DELETED, words, due_on))
    return sorted(due, key=lambda item: (item.due_on, item.reference))


def retention_apply(*, today: datetime.date | None = None) -> RetentionRun:
    """Anonymise or delete every case that is due, and record the run and what it did to each case."""
    run = RetentionRun.objects.create()
    totals: Counter = Counter()
    for item in retention_due(today=today):
        counts = _case_apply(item, run)
        if counts is not None:
            totals[f"cases_{item.action}"] += 1
            totals.update(counts)
    run.counts = dict(sorted(totals.items()))
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run


@transaction.atomic
def _case_apply(item: RetentionDue, run: RetentionRun) -> dict[str, int] | None:
    """One case, all or nothing; None when another run got to it first."""
    cases = Assessment.objects.select_for_update(of=("self",)).filter(pk=item.assessment_id)
    if item.action == RetentionActionKind.ANONYMISED:
        cases = cases.filter(anonymised_at__isnull=True)
    assessment = cases.first()
    if assessment is None:
        return None
    counts: Counter = Counter()
    for cleaner in _case_cleaners:
        counts.update(cleaner(assessment, item.action))
    if item.action == RetentionActionKind.ANONYMISED:
        counts.update(_anonymise(assessment))
    else:
        counts.update(_delete(assessment))
    counts = Counter({name: number for name, number in counts.items() if number})
    RetentionAction.objects.create(
        run=run,
        reference=item.reference,
        kind=item.kind,
        action=item.action,
        rule=item.rule,
        due_on=item.due_on,
        counts=dict(sorted(counts.items())),
    )
    return counts


def _evidence_delete(assessment: Assessment) -> Counter:
    """Evidence rows, every history row of them, and the stored files."""
    counts: Counter = Counter()
    attachments = list(Attachment.objects.filter(assessment=assessment))
    for attachment in attachments:
        # Deleted inside the transaction: if it rolls back, the rows stay and the next run deletes them (a
        # file already gone is no error); deleting after the commit could leave a file nobody knows of.
        attachment.file.storage.delete(attachment.file.name)
        attachment.delete()
    counts["evidence_files"] = len(attachments)
    counts["history_rows_deleted"] += Attachment.history.filter(assessment_id=assessment.pk).delete()[0]
    return counts


def _year_only(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 1, 1)


def _anonymise(assessment: Assessment) -> Counter:
    pk = assessment.pk
    counts = _evidence_delete(assessment)
    counts["sections_emptied"] = AssessmentSection.objects.filter(assessment_id=pk).update(data={}, return_comment="")
    counts["section_versions_emptied"] = AssessmentSection.history.filter(assessment_id=pk).update(
        data={}, return_comment=""
    )
    counts["unsaved_drafts_deleted"] = SectionDraft.objects.filter(assessment_id=pk).delete()[0]
    co_authors = Collaborator.objects.filter(assessment_id=pk)
    counts["co_authors_removed"] = len(co_authors)
    for collaborator in co_authors:
        collaborator.delete()
    counts["history_rows_deleted"] += Collaborator.history.filter(assessment_id=pk).delete()[0]
    # Nobody opens an anonymised case again; the reports count it by its team, not by anyone's rights.
    AssessmentUserObjectPermission.objects.filter(content_object_id=pk).delete()
    AssessmentGroupObjectPermission.objects.filter(content_object_id=pk).delete()
    counts["events_emptied"] = CaseEvent.objects.filter(assessment_id=pk).update(summary="", changes=[])
    counts["disclosures_emptied"] = Disclosure.objects.filter(assessment_id=pk).update(detail="")
    ConsentWithdrawal.objects.filter(assessment_id=pk).update(withdrawn_by="")
    anonymous = {
        "child_name": ANONYMISED_NAME,
        "child_date_of_birth": _year_only(assessment.child_date_of_birth),
        "decision_note": "",
        "outcome_details": {},
    }
    Assessment.objects.filter(pk=pk).update(**anonymous, anonymised_at=timezone.now())
    # Reasons can hold what a person wrote (why a manager reopened the case).
    counts["case_versions_emptied"] = Assessment.history.filter(id=pk).update(**anonymous, history_change_reason=None)
    still_needed = (
        Assessment.objects.filter(child_id=assessment.child_id, anonymised_at__isnull=True).exclude(pk=pk).exists()
    )
    if not still_needed:
        counts.update(_child_anonymise(assessment.child_id))
    return counts


def _child_anonymise(child_id: int) -> Counter:
    child = Child.objects.get(pk=child_id)
    Child.objects.filter(pk=child_id).update(
        first_name=ANONYMISED_NAME,
        last_name="",
        date_of_birth=_year_only(child.date_of_birth),
        gender="",
        ethnicity="",
        address="",
        postcode="",
        first_language="",
        upn="",
        nhs_number="",
    )
    return Counter({"children_anonymised": 1, "history_rows_deleted": Child.history.filter(id=child_id).delete()[0]})


def _delete(assessment: Assessment) -> Counter:
    pk, child_id = assessment.pk, assessment.child_id
    counts = _evidence_delete(assessment)
    counts["disclosures_deleted"] = Disclosure.objects.filter(assessment_id=pk).delete()[0]
    counts["sections_deleted"] = AssessmentSection.objects.filter(assessment_id=pk).count()
    assessment.delete()
    # Deleting wrote a last history row of each audited row; none of the case's history may stay.
    histories = (
        Assessment.history.filter(id=pk),
        AssessmentSection.history.filter(assessment_id=pk),
        Collaborator.history.filter(assessment_id=pk),
    )
    for history in histories:
        counts["history_rows_deleted"] += history.delete()[0]
    if not Assessment.objects.filter(child_id=child_id).exists():
        Child.objects.filter(pk=child_id).first().delete()
        counts["children_deleted"] = 1
        counts["history_rows_deleted"] += Child.history.filter(id=child_id).delete()[0]
    return counts
