"""The review side of the retention schedule: messages, the notification outbox and the review processes.

Registered with casework.retention as a case cleaner (WorkflowsConfig.ready), so each case due is cleaned
here first, in the same transaction. The daily beat task and the dry-run command live here too, since this
app sees both sides.
"""

from collections import Counter

from viewflow.workflow.models import Task

from casework.models import Assessment, RetentionActionKind
from casework.retention import retention_apply, retention_due

from .annual_review_models import AnnualReview, AnnualReviewProcess
from .ehc_models import AdviceAttachment, AdviceRequest, DraftPlanComment, NeedsAssessment, NeedsAssessmentProcess
from .models import AssessmentReview, CaseMessage, ClockPause, Notification

__all__ = ["retention_apply", "retention_due", "review_data_remove"]


def review_data_remove(assessment: Assessment, action: RetentionActionKind) -> dict[str, int]:
    """Remove the review side's personal data of one case: what was written, what was e-mailed, flow data."""
    counts: Counter = Counter()
    messages = list(CaseMessage.objects.filter(assessment=assessment))
    for message in messages:
        message.delete()
    counts["messages_deleted"] = len(messages)
    counts["history_rows_deleted"] += CaseMessage.history.filter(assessment_id=assessment.pk).delete()[0]
    # The outbox keeps each e-mail's words (the child's name in the subject): sent or not, they go.
    counts["notifications_deleted"] = Notification.objects.filter(assessment=assessment).delete()[0]
    _needs_assessment_remove(assessment, counts)
    reviews = AssessmentReview.objects.filter(assessment=assessment)
    if action == RetentionActionKind.DELETED:
        pauses = list(ClockPause.objects.filter(assessment=assessment))
        for pause in pauses:
            pause.delete()
        counts["history_rows_deleted"] += ClockPause.history.filter(assessment_id=assessment.pk).delete()[0]
        counts["review_processes_deleted"] = len(reviews)
        Task.objects.filter(process__in=reviews).delete()
        reviews.delete()
    else:
        # The portal keeps nothing in viewflow's data columns, but whatever a step may have put there goes.
        counts["review_data_emptied"] = Task.objects.filter(process__in=reviews).exclude(data={}).update(data={})
        counts["review_data_emptied"] += reviews.exclude(data={}).update(data={})
    return dict(counts)


def _needs_assessment_remove(assessment: Assessment, counts: Counter) -> None:
    """An EHC needs assessment holds the professionals' advice and the plan's words: all of it goes, with its
    history and its process. The request's own dates (plan issued, final due) stay for the 20-week figures."""
    needs_assessment = NeedsAssessment.objects.filter(assessment=assessment).first()
    if needs_assessment is None:
        return
    processes = NeedsAssessmentProcess.objects.filter(needs_assessment=needs_assessment)
    Task.objects.filter(process__in=processes).delete()
    processes.delete()
    # The documents sent with the advice: the files first (inside the transaction, as for evidence: a file
    # already gone is no error), then their rows and history.
    documents = list(AdviceAttachment.objects.filter(advice__needs_assessment=needs_assessment))
    advice_ids = list(AdviceRequest.objects.filter(needs_assessment=needs_assessment).values_list("pk", flat=True))
    for document in documents:
        document.file.storage.delete(document.file.name)
        document.delete()
    if documents:
        counts["advice_files"] = len(documents)
    counts["history_rows_deleted"] += AdviceAttachment.history.filter(advice_id__in=advice_ids).delete()[0]
    # The annual reviews of the plan hold the child's and the parents' views: they go with it, processes and all.
    review_processes = AnnualReviewProcess.objects.filter(annual_review__needs_assessment=needs_assessment)
    Task.objects.filter(process__in=review_processes).delete()
    review_processes.delete()
    # Deleting through the ORM writes a last history row of each; those go with the rest afterwards.
    kept_id = needs_assessment.pk
    needs_assessment.delete()
    counts["needs_assessments_deleted"] = 1
    counts["history_rows_deleted"] += AdviceRequest.history.filter(needs_assessment_id=kept_id).delete()[0]
    counts["history_rows_deleted"] += DraftPlanComment.history.filter(needs_assessment_id=kept_id).delete()[0]
    counts["history_rows_deleted"] += NeedsAssessment.history.filter(id=kept_id).delete()[0]
    counts["history_rows_deleted"] += AnnualReview.history.filter(needs_assessment_id=kept_id).delete()[0]
