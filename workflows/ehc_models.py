"""The statutory EHC needs assessment of one request: weeks 6 to 20 (SEND Code of Practice 9.40–9.80).

Imported by workflows.models, so Django finds these models in the workflows app.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process

from casework.models import Assessment


class NeedsAssessmentStage(models.TextChoices):
    REQUESTING_ADVICE = "requesting_advice", "Asking for advice"
    GATHERING_ADVICE = "gathering_advice", "Waiting for advice"
    DECIDING = "deciding", "Deciding whether to issue a plan"
    DRAFTING = "drafting", "Writing the draft plan"
    COMMENTS = "comments", "Draft plan sent for comments"
    FINALISING = "finalising", "Finalising the plan"
    ISSUED = "issued", "Final plan issued"
    NOT_ISSUED = "not_issued", "Decided not to issue a plan"


class IssueDecision(models.TextChoices):
    ISSUE = "issue", "Issue an EHC plan"
    NOT_ISSUE = "not_issue", "Not issue an EHC plan"


class AdviceKind(models.TextChoices):
    """The advice and information sought for every EHC needs assessment (SEND Regulations 2014, reg. 6)."""

    EDUCATIONAL_PSYCHOLOGY = "educational_psychology", "Educational psychologist"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    SETTING = "setting", "The school or setting"
    PARENTS = "parents", "Parents' views"
    CHILD = "child", "The child's views"


class NeedsAssessment(models.Model):
    """The EHC needs assessment of one EHCP request, from the agreement to assess to the final plan.

    Its dates are counted from the day the council received the request (`received_on`); the statutory
    ones move on when the clock stops for a Code of Practice 9.42 exception (the request's ClockPause rows).
    """

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="needs_assessment")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinated_needs_assessments"
    )
    stage = models.CharField(
        max_length=30, choices=NeedsAssessmentStage.choices, default=NeedsAssessmentStage.REQUESTING_ADVICE
    )
    received_on = models.DateField(help_text="The day the council received the request: week 0 of the clock.")
    agreed_to_assess_on = models.DateField(help_text="Week 6: the decision to assess.")
    issue_decision_due = models.DateField(help_text="Week 16: the decision whether to issue a plan.")
    final_due = models.DateField(help_text="Week 20: the final plan.")
    advice_requested_on = models.DateField(null=True, blank=True)
    # Advice not asked for, and why: it is already available and everyone agrees it is enough (reg. 6(4)).
    advice_not_sought = models.JSONField(default=dict, blank=True)
    issue_decision = models.CharField(max_length=20, choices=IssueDecision.choices, blank=True)
    issue_decided_on = models.DateField(null=True, blank=True)
    # Not issuing: the reasons the parents are given in writing, and that they were told of their right to appeal.
    not_issue_reasons = models.TextField(blank=True)
    appeal_rights_given = models.BooleanField(default=False)
    # The draft plan, sections A to K as headed text ({"A": "...", ...}).
    plan_sections = models.JSONField(default=dict, blank=True)
    draft_sent_on = models.DateField(null=True, blank=True)
    comments_due = models.DateField(null=True, blank=True, help_text="At least 15 calendar days after the draft.")
    final_issued_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        indexes = [
            models.Index(fields=["coordinator", "stage"], name="workflows_ehc_coordinator"),
            # The team work tray and the overdue lists read the running ones; the dashboard reads the
            # decisions whether to issue and the final plans of a period, a narrow range of each.
            models.Index(fields=["stage"], name="workflows_ehc_stage"),
            models.Index(fields=["issue_decided_on"], name="workflows_ehc_decided_on"),
            models.Index(fields=["final_issued_on"], name="workflows_ehc_final_issued_on"),
        ]

    def __str__(self) -> str:
        return f"EHC needs assessment of {self.assessment_id} ({self.get_stage_display()})"


class AdviceRequest(models.Model):
    """A request for advice for one needs assessment, to a named professional, due 6 weeks after it is made."""

    needs_assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="advice_requests")
    kind = models.CharField(max_length=30, choices=AdviceKind.choices)
    # A registered professional, or a name and e-mail address invited to register.
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="advice_requests"
    )
    professional_name = models.CharField(max_length=150)
    professional_email = models.EmailField()
    requested_on = models.DateField()
    due_on = models.DateField()
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The structured answer: {"needs": ..., "outcomes": ..., "provision": ...}.
    answer = models.JSONField(default=dict, blank=True)
    # Advice that never came: the coordinator went on without it, after its due date, and said why.
    closed_unanswered_on = models.DateField(null=True, blank=True)
    closed_unanswered_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["needs_assessment", "pk"]
        indexes = [
            # The dashboard's "advice returned within 6 weeks" reads the advice due in a period.
            models.Index(fields=["due_on"], name="workflows_advice_due_on"),
            # "Advice asked of you" finds what was asked of an address before it was registered.
            models.Index(fields=["professional_email"], name="workflows_advice_email"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["needs_assessment", "kind"], name="workflows_advice_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} advice for {self.needs_assessment_id}"


def advice_attachment_path(instance, filename: str) -> str:
    # As for evidence (casework.models.attachment_path): the stored name is made here, never taken from the upload.
    return f"advice/{instance.advice_id}/{uuid.uuid4().hex}{instance.extension}"


class AdviceAttachment(models.Model):
    """A document sent with a professional's advice (a report), checked and stored as evidence is."""

    advice = models.ForeignKey(AdviceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=advice_attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class DraftPlanComment(models.Model):
    """Comments on the draft plan from the parents, the young person or the setting, and a preferred school."""

    needs_assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="draft_comments")
    from_whom = models.CharField(max_length=150)
    comments = models.TextField(max_length=10000)
    preferred_school = models.CharField(max_length=200, blank=True)
    received_on = models.DateField()
    # The parents (or young person) said they have nothing more to add: the plan may be finalised early.
    no_further_comments = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return f"Comments from {self.from_whom} on {self.needs_assessment_id}"


class NeedsAssessmentProcess(Process):
    """The viewflow process that drives one needs assessment (workflows.ehc_flows)."""

    needs_assessment = models.OneToOneField(NeedsAssessment, on_delete=models.CASCADE, related_name="process")

    class Meta:
        verbose_name = "EHC needs assessment process"
