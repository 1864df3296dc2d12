"""The council's side of an assessment: review processes, routing, the clock, messages and notifications."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process

from casework.models import Assessment, AssessmentKind
from identity.models import NaturalKeyManager, Team


class AssessmentReview(Process):
    """One viewflow review process of an assessment, from a submission (or a reopening) to its close."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    # What the officer last decided on the review task, read by the flow to choose the next node.
    last_action = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = "assessment review"


class TeamRoute(models.Model):
    """Which council team reviews each kind of assessment (administrators change it in the admin)."""

    kind = models.CharField(max_length=20, choices=AssessmentKind.choices, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="routes")
    history = HistoricalRecords()

    objects = NaturalKeyManager("kind")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.team}"

    def natural_key(self):
        return (self.kind,)


class BankHoliday(models.Model):
    """A bank holiday in England and Wales: not a working day for the council's deadlines."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    objects = NaturalKeyManager("date")

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%-d %B %Y})"

    def natural_key(self):
        return (self.date.isoformat(),)


class PauseReason(models.TextChoices):
    RETURNED = "returned", "Returned to the professional for changes"
    # SEND Code of Practice 9.42: the exceptions to the statutory time limits.
    SCHOOL_CLOSED = "school_closed", "The school was closed for at least 4 weeks (CoP 9.42)"
    CHILD_AWAY = "child_away", "The child or parent was away from the area for at least 4 weeks (CoP 9.42)"
    FAMILY_CIRCUMSTANCES = (
        "family_circumstances",
        "Exceptional personal circumstances of the child or family (CoP 9.42)",
    )
    MISSED_APPOINTMENT = "missed_appointment", "The child or parent missed an appointment (CoP 9.42)"
    # Early Help and Young Carers: no statutory clock, only the team's local target, which stops for these.
    WAITING_FOR_FAMILY = "waiting_for_family", "The family is unavailable (for example ill, away or not responding)"
    AWAITING_AGENCY = "awaiting_agency", "Waiting for information from another agency"


class ClockPause(models.Model):
    """A time when an assessment's deadlines stood still, and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="clock_pauses")
    reason = models.CharField(max_length=30, choices=PauseReason.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"], condition=models.Q(ended_on__isnull=True), name="workflows_one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} paused {self.started_on} ({self.get_reason_display()})"


class CaseMessage(models.Model):
    """A message between the council officer and the professionals on one assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Message on {self.assessment_id} by {self.author_id}"


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "An assessment you wrote was submitted"
    NEW_IN_QUEUE = "new_in_queue", "A new assessment reached your team's queue"
    CLAIMED = "claimed", "An officer picked up your assessment"
    ASSIGNED = "assigned", "An assessment was assigned to you"
    RETURNED = "returned", "An assessment was returned to you for changes"
    RESUBMITTED = "resubmitted", "A returned assessment was submitted again"
    MESSAGE = "message", "A new message about an assessment"
    CLOSED = "closed", "A decision was made on your assessment"
    WITHDRAWN = "withdrawn", "An assessment you hold was withdrawn"
    REOPENED = "reopened", "A closed assessment was reopened"
    DEADLINE_SOON = "deadline_soon", "A deadline is 5 working days away"
    OVERDUE = "overdue", "An assessment is overdue"
    CONSENT_WITHDRAWN = "consent_withdrawn", "The family withdrew consent for an assessment"
    # The EHC needs assessment (workflows.ehc_notifications); a value fits the 20 characters of the column.
    ADVICE_REQUESTED = "advice_requested", "Your advice was asked for an EHC needs assessment"
    ADVICE_INVITATION = "advice_invitation", "An invitation to register and give advice"
    ADVICE_DUE_SOON = "advice_due_soon", "Advice you were asked for is due in 5 working days"
    ADVICE_OVERDUE = "advice_overdue", "Advice for an EHC needs assessment is overdue"
    ADVICE_ESCALATED = "advice_escalated", "Advice is still missing well after its due date"
    ADVICE_GIVEN = "advice_given", "A professional gave their advice"
    DRAFT_PLAN_SENT = "draft_plan_sent", "A draft EHC plan was sent for comments"
    PLAN_ISSUED = "plan_issued", "A final EHC plan was issued"
    PLAN_NOT_ISSUED = "plan_not_issued", "The council decided not to issue an EHC plan"
    # The annual review of an EHC plan (workflows.annual_review): its meeting due within 8 weeks or overdue,
    # and the council's decision overdue 4 weeks after the meeting.
    ANNUAL_REVIEW_SOON = "annual_review_soon", "An annual review of an EHC plan is due within 8 weeks"
    ANNUAL_REVIEW_LATE = "annual_review_late", "An annual review of an EHC plan is overdue"
    ANNUAL_DECISION_LATE = "annual_decision_late", "The decision after an annual review is overdue"


# People must get these whatever their choices: they need action, or they are a decision.
MANDATORY_KINDS = frozenset(
    {
        NotificationKind.RETURNED,
        NotificationKind.CLOSED,
        NotificationKind.OVERDUE,
        NotificationKind.ASSIGNED,
        NotificationKind.CONSENT_WITHDRAWN,
        NotificationKind.ADVICE_REQUESTED,
        NotificationKind.ADVICE_INVITATION,
        NotificationKind.ADVICE_OVERDUE,
        NotificationKind.ADVICE_ESCALATED,
        NotificationKind.DRAFT_PLAN_SENT,
        NotificationKind.PLAN_ISSUED,
        NotificationKind.PLAN_NOT_ISSUED,
        NotificationKind.ANNUAL_REVIEW_LATE,
        NotificationKind.ANNUAL_DECISION_LATE,
    }
)


class DeliveryStatus(models.TextChoices):
    CREATED = "created", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    NOT_EMAILED = "not_emailed", "Shown in the portal only (e-mail turned off)"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """A message for a person: shown in the portal, and e-mailed through the outbox.

    The row is written in the same transaction as the change it tells of; the e-mail leaves after the
    commit, and a periodic sweeper sends anything a broker outage or a lost worker left behind.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # For a team mailbox, which is not a person.
    recipient_email = models.EmailField()
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, null=True, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    html_body = models.TextField()
    link = models.CharField(max_length=300)
    # Work that could run twice (a reminder on two workers) uses a key, so it notifies once.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.CREATED)
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_since = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="workflows_notification_inbox"),
            models.Index(fields=["status", "created_at"], name="workflows_notification_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_email} ({self.status})"


class NotificationPreference(models.Model):
    """A person's choice to have a kind of notification only in the portal, not by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="workflows_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} e-mail={'on' if self.email else 'off'}"


class DailyTeamSummary(models.Model):
    """How many of a team's cases of one kind, from one type of organisation, counted towards a figure on a day.

    The reports read these instead of every case (workflows.summaries keeps them: the services that change
    a case add its change to them in the same transaction; `rebuild_daily_summaries` counts them afresh).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    # The council's local day the figure belongs to: received, closed or plan issued on it, as the figure says.
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    # The submitting organisation's type ("" when the case has none), for the organisation-type filter.
    organisation_kind = models.CharField(max_length=20, blank=True)
    # What is counted, e.g. "received", "closed", "outcome:accepted", "reason:child" (workflows.summaries).
    figure = models.CharField(max_length=60)
    cases = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "kind", "organisation_kind", "figure"], name="workflows_daily_summary_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day} {self.kind} {self.organisation_kind or '-'} {self.figure}={self.cases}"


class DailyTeamDuration(models.Model):
    """How many of a team's cases of one kind and organisation type took a given time to a step, on a day.

    A histogram per day (and per calendar month) of the reports' durations (time to first pick-up, to
    decision, to close, and the days a closed case spent in each state of the review), in buckets of a
    tenth of a day – the precision the page shows – with the exact sum of the cases' times beside each
    count, so totals and means stay exact. Kept as `DailyTeamSummary` is (workflows.summaries): by the
    services, in the same transaction, and counted afresh by `rebuild_daily_summaries`.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    # Each sample is counted twice: in its day's row ("day") and in its calendar month's row ("month", `day`
    # the month's first), which the reports read for the whole months of a period.
    grain = models.CharField(max_length=5, default="day")
    # The council's local day the sample belongs to: of the first pick-up, of the close, or (for the time in
    # each state) of the case's first submission.
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    organisation_kind = models.CharField(max_length=20, blank=True)
    # "claim", "decision", "close", or the state: "submitted", "under_review", "returned".
    measure = models.CharField(max_length=20)
    # The bucket: the case's days as the page shows them (to 0.1 day, a half rounded up), times ten.
    tenths = models.IntegerField()
    cases = models.IntegerField(default=0)
    # The bucket's cases' times added up, to the microsecond (the moments are kept to the microsecond).
    microseconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "grain", "day", "kind", "organisation_kind", "measure", "tenths"],
                name="workflows_daily_duration_once",
            )
        ]
        # The dashboard reads the counts and sums from this index alone.
        indexes = [
            models.Index(
                fields=[
                    "team",
                    "grain",
                    "day",
                    "kind",
                    "organisation_kind",
                    "measure",
                    "tenths",
                    "cases",
                    "microseconds",
                ],
                name="workflows_daily_duration_read",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day} {self.kind} {self.measure} {self.tenths / 10:.1f} days={self.cases}"


class KeptDashboard(models.Model):
    """A person's dashboard as first opened (the default period, no filters), worked out ahead.

    Kept by workflows.kept_dashboards: the worker works it out again every few minutes while the person keeps
    opening it, so the page shows it at once instead of working out a county's figures; the page, its CSV
    files and its spreadsheet all read it, so they agree. Never older than PORTAL_REPORTS_CACHE_SECONDS when
    shown: older, it is worked out afresh.
    """

    viewer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # What the figures were worked out for (workflows.reports.dashboard_cache_key of the scope and filters):
    # a person whose teams have changed since gets them worked out afresh.
    key = models.CharField(max_length=100)
    worked_out_at = models.DateTimeField()
    # The figures (a pickled workflows.reports.Dashboard) and their drawing as the page shows them
    # (workflows.report_figures), used only if `signature` (an HMAC of both with the SECRET_KEY) matches: a
    # row altered in the database is worked out afresh, never unpickled or shown.
    board = models.BinaryField()
    figures_html = models.TextField()
    signature = models.CharField(max_length=64)
    # The worker stops keeping a dashboard nobody has opened for a while (kept_dashboards.KEEP_AFTER_VIEW_DAYS).
    last_viewed_on = models.DateField()

    def __str__(self) -> str:
        return f"Dashboard of {self.viewer_id} worked out at {self.worked_out_at:%Y-%m-%d %H:%M}"


# The EHC needs assessment's models, and the annual review's of its plan, live in modules of their own;
# imported here so Django finds them.
from .annual_review_models import (  # noqa: E402, F401
    AnnualReview,
    AnnualReviewProcess,
    AnnualReviewStage,
    ReviewOutcome,
)
from .ehc_models import (  # noqa: E402, F401
    AdviceKind,
    AdviceRequest,
    DraftPlanComment,
    IssueDecision,
    NeedsAssessment,
    NeedsAssessmentProcess,
    NeedsAssessmentStage,
)
