"""The annual review of an EHC plan (SEND Code of Practice 9.166–9.185), one row per year's review.

Imported by workflows.models, so Django finds these models in the workflows app.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process

from .ehc_models import NeedsAssessment

# Who took part in the meeting: a list of names and roles, not an essay.
PARTICIPANTS_MAX_LENGTH = 1000
# The views of the child, of the parents, and the progress towards the outcomes: a few paragraphs each.
VIEWS_MAX_LENGTH = 5000


class AnnualReviewStage(models.TextChoices):
    AWAITING_MEETING = "awaiting_meeting", "Waiting for the review meeting"
    AWAITING_DECISION = "awaiting_decision", "Waiting for the council's decision"
    DECIDED = "decided", "Decided"


class ReviewOutcome(models.TextChoices):
    """What the review meeting recommends and the council decides (CoP 9.176)."""

    KEEP = "keep", "Keep the plan as it is"
    AMEND = "amend", "Amend the plan"
    CEASE = "cease", "Cease to maintain the plan"


class AnnualReview(models.Model):
    """One year's review of the EHC plan of one needs assessment.

    The first is due 12 months after the final plan, each later one 12 months after the previous review
    meeting (CoP 9.166); the council tells the family its decision within 4 weeks of the meeting (CoP 9.176).
    """

    needs_assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="annual_reviews")
    # 1 for the review a year after the final plan, 2 for the next, and so on.
    number = models.PositiveSmallIntegerField()
    # No index of its own: the (holder, stage) index below serves every read by holder, and SQLite, which keeps
    # no statistics here, would otherwise read all of a holder's past reviews through the holder's alone.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annual_reviews", db_index=False
    )
    stage = models.CharField(
        max_length=20, choices=AnnualReviewStage.choices, default=AnnualReviewStage.AWAITING_MEETING
    )
    due_on = models.DateField(help_text="The review meeting is due by this day.")
    meeting_on = models.DateField(null=True, blank=True)
    participants = models.TextField(max_length=PARTICIPANTS_MAX_LENGTH, blank=True)
    child_views = models.TextField(max_length=VIEWS_MAX_LENGTH, blank=True)
    parent_views = models.TextField(max_length=VIEWS_MAX_LENGTH, blank=True)
    progress = models.TextField(max_length=VIEWS_MAX_LENGTH, blank=True)
    recommendation = models.CharField(max_length=10, choices=ReviewOutcome.choices, blank=True)
    meeting_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_due = models.DateField(null=True, blank=True, help_text="4 weeks after the meeting.")
    decision = models.CharField(max_length=10, choices=ReviewOutcome.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["needs_assessment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["needs_assessment", "number"], name="workflows_annual_review_number"),
            # A plan has one review under way at a time: the next starts when this one is decided.
            models.UniqueConstraint(
                fields=["needs_assessment"],
                condition=~models.Q(stage="decided"),
                name="workflows_annual_review_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "stage"], name="workflows_annual_review_holder"),
            # The team's work tray and the reports' lists read the open reviews, whoever holds them.
            models.Index(fields=["stage"], name="workflows_annual_review_stage"),
        ]

    def __str__(self) -> str:
        return f"Annual review {self.number} of {self.needs_assessment_id} ({self.get_stage_display()})"


class AnnualReviewProcess(Process):
    """The viewflow process that drives one annual review (workflows.annual_review_flows)."""

    annual_review = models.OneToOneField(AnnualReview, on_delete=models.CASCADE, related_name="process")

    class Meta:
        verbose_name = "annual review process"
