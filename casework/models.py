"""The assessments professionals write: the case, its sections, the child, evidence, sharing and timeline.

An assessment's status is exactly one of draft, submitted, under review, returned or closed, and only
services change it. Section answers are kept as the form data the professional typed, so a section
saved half-done comes back exactly as it was left; the forms in casework.sections validate them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from identity.models import Organisation, Team


class AssessmentKind(models.TextChoices):
    EHAT = "ehat", "Early Help Assessment"
    EHCP = "ehcp", "Request for an EHC needs assessment"
    YOUNG_CARERS = "young_carers", "Young Carers assessment"


# Each kind's name as it reads inside a sentence: "this request for an EHC needs assessment", never lower-cased
# whole (which would make "EHC" read "ehc"); the other two names are proper names and keep their capitals.
KIND_IN_SENTENCE = {
    AssessmentKind.EHAT: "Early Help Assessment",
    AssessmentKind.EHCP: "request for an EHC needs assessment",
    AssessmentKind.YOUNG_CARERS: "Young Carers assessment",
}


REFERENCE_PREFIXES = {
    AssessmentKind.EHAT: "EHAT",
    AssessmentKind.EHCP: "EHCP",
    AssessmentKind.YOUNG_CARERS: "YC",
}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    RETURNED = "returned", "Returned"
    CLOSED = "closed", "Closed"


# Statuses in which the author and co-authors may change the answers.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Describes themselves in another way"
    NOT_KNOWN = "not_known", "Not known"


class Child(models.Model):
    """A child or young person as last recorded by a professional, reused across their assessments.

    Each assessment keeps its own copy of the details in its child section, so a submitted assessment
    never changes when the child's record is updated for a later one.
    """

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    address = models.TextField(max_length=500, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    upn = models.CharField("unique pupil number", max_length=13, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="children_added")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "children"
        indexes = [
            models.Index(
                fields=["created_by", "last_name", "first_name", "date_of_birth"], name="casework_child_author"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Outcome(models.TextChoices):
    # EHAT
    ACCEPTED = "accepted", "Accepted for early help"
    SIGNPOSTED = "signposted", "Signposted to another service"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    # EHCP proposal
    AGREED_TO_ASSESS = "agreed_to_assess", "Agreed to assess"
    REFUSED_TO_ASSESS = "refused_to_assess", "Refused to assess"
    # Young Carers
    SUPPORT_PLAN = "support_plan", "Assessed with a support plan"
    NO_ELIGIBLE_NEEDS = "no_eligible_needs", "No eligible needs"
    # Any
    WITHDRAWN = "withdrawn", "Withdrawn"
    # EHAT: the family withdrew the consent early help relies on.
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn by the family"


# Ways a case closes with no decision made, so the reports do not count them as decisions.
NOT_DECISIONS = (Outcome.WITHDRAWN, Outcome.CONSENT_WITHDRAWN)


class Assessment(models.Model):
    """One assessment (the case): its kind, child, author, status, and where the council's review has it.

    The review columns (team, assigned officer, due dates) are written by the workflows app's services;
    queue pages read them here, on indexed columns of one table.
    """

    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    reference = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessments")
    # Kept from the child section for lists and searches, so they need no join into the answers.
    child_name = models.CharField(max_length=201)
    child_date_of_birth = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="assessments")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="The latest submission.")
    closed_at = models.DateTimeField(null=True, blank=True)

    # Review: routed team, the officer holding the case, and the clock.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_assessments"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    pickup_due = models.DateField(null=True, blank=True, help_text="When an officer should have picked it up.")
    decision_due = models.DateField(null=True, blank=True)
    final_due = models.DateField(null=True, blank=True, help_text="EHCP: the final plan, 20 weeks from the request.")
    decision_note = models.TextField(blank=True)
    # What the decision recorded besides the outcome: a lead professional, a coordinator, reasons for parents.
    outcome_details = models.JSONField(default=dict, blank=True)
    # EHCP: when the final plan was issued, for the 20-week measure (recorded after an agreement to assess).
    plan_issued_on = models.DateField(null=True, blank=True)
    # Set when the retention schedule anonymised the case: its dates, team, kind and outcome stay for the reports.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    # A change's reason can carry what a person wrote (why a manager reopened the case): kept whole.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-updated_at"]
        permissions = [
            ("share_assessment", "Can invite co-authors and viewers to an assessment"),
            ("submit_assessment", "Can submit an assessment to the council"),
            ("review_assessment", "Can review an assessment for the council"),
        ]
        indexes = [
            # The queue in date order; the trailing columns answer the work trays' counts from the index alone
            # (the id too: the queue's count checks each case's rights by it).
            models.Index(
                fields=["team", "status", "submitted_at", "assigned_to", "decision_due", "id"], name="casework_queue"
            ),
            # The team queue proper (submitted, nobody holding it) in the order officers read it. Partial, so
            # PostgreSQL reads it in (submitted_at, id) order and stops at the page's 25 rows: in the index
            # above "assigned_to IS NULL" comes after the date and is no equality it can order by, so it
            # fetched and sorted every unclaimed case of the team (bench/README.md).
            models.Index(
                fields=["team", "submitted_at", "id"],
                condition=models.Q(status="submitted", assigned_to__isnull=True),
                name="casework_unclaimed",
            ),
            models.Index(fields=["assigned_to", "status"], name="casework_assignee"),
            models.Index(fields=["status", "decision_due"], name="casework_due"),
            models.Index(fields=["author", "status", "updated_at"], name="casework_author"),
            models.Index(fields=["child_name"], name="casework_child_name"),
            models.Index(fields=["kind", "closed_at"], name="casework_closed"),
            models.Index(fields=["first_submitted_at"], name="casework_received"),
            # The reports count a team's cases received or closed in a period by status, kind and outcome:
            # covering indexes, so the counts are read from the index without visiting each case's row.
            models.Index(fields=["team", "first_submitted_at", "status", "kind"], name="casework_team_received"),
            models.Index(
                fields=["team", "closed_at", "kind", "outcome", "status", "first_submitted_at"],
                name="casework_team_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.child_name}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class AssessmentUserObjectPermission(UserObjectPermissionBase):
    """Per-assessment rights of a person (author, co-author, viewer, assigned officer)."""

    content_object = models.ForeignKey(Assessment, on_delete=models.CASCADE)


class AssessmentGroupObjectPermission(GroupObjectPermissionBase):
    """Per-assessment rights of a group (the council team the case is routed to)."""

    content_object = models.ForeignKey(Assessment, on_delete=models.CASCADE)


class ReferenceCounter(models.Model):
    """The last reference number given for a kind of assessment in a year (EHAT-2026-000123)."""

    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="casework_reference_counter_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"


class SectionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class AssessmentSection(models.Model):
    """The answers to one section of an assessment, as typed, with its progress and version."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=SectionStatus.choices, default=SectionStatus.NOT_STARTED)
    # Each save adds one; a save based on an older version is a conflict, never a silent overwrite.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Set when the council returns the assessment asking for changes here.
    return_comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="casework_section_once")]

    def __str__(self) -> str:
        return f"{self.assessment.reference} {self.key}"


class SectionDraft(models.Model):
    """What someone has typed into a section but not saved yet, kept every few seconds by the page.

    One per person and section; saving the section removes it. Not part of the history: the saves are.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="drafts")
    key = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    base_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "key", "user"], name="casework_draft_once")]

    def __str__(self) -> str:
        return f"Draft of {self.key} by user {self.user_id}"


class CollaboratorRole(models.TextChoices):
    CO_AUTHOR = "co_author", "Co-author (can change the answers)"
    VIEWER = "viewer", "Viewer (can read only)"


class Collaborator(models.Model):
    """A colleague the author has invited to an assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collaborations")
    role = models.CharField(max_length=20, choices=CollaboratorRole.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="casework_collaborator_once")]

    def __str__(self) -> str:
        return f"{self.user} on {self.assessment.reference} ({self.get_role_display()})"


def attachment_path(instance, filename: str) -> str:
    # The stored name is made here, never taken from the upload: no traversal, no clashes, nothing to guess.
    return f"attachments/{instance.assessment_id}/{uuid.uuid4().hex}{instance.extension}"


class AttachmentCategory(models.TextChoices):
    PROFESSIONAL_REPORT = "professional_report", "Report from a professional"
    PLAN = "plan", "Plan or review (for example SEN support plan, APDR record)"
    PROVISION_MAP = "provision_map", "Provision map"
    ATTENDANCE = "attendance", "Attendance record"
    VIEWS = "views", "Views of the child, young person or family"
    OTHER = "other", "Other evidence"


class Attachment(models.Model):
    """A document attached as evidence, stored under a generated name, downloaded only through a checked view."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    category = models.CharField(max_length=30, choices=AttachmentCategory.choices, default=AttachmentCategory.OTHER)
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CaseEventKind(models.TextChoices):
    CREATED = "created", "Assessment started"
    SECTION_SAVED = "section_saved", "Section saved"
    SECTION_COMPLETED = "section_completed", "Section completed"
    ATTACHMENT_ADDED = "attachment_added", "Document attached"
    ATTACHMENT_REMOVED = "attachment_removed", "Document removed"
    ATTACHMENT_DOWNLOADED = "attachment_downloaded", "Document downloaded"
    SHARED = "shared", "Shared with a colleague"
    UNSHARED = "unshared", "Colleague's access removed"
    SUBMITTED = "submitted", "Submitted to the council"
    VIEWED_BY_COUNCIL = "viewed_by_council", "Viewed by the council"
    CLAIMED = "claimed", "Picked up by an officer"
    ASSIGNED = "assigned", "Assigned to an officer"
    RELEASED = "released", "Put back in the team's queue"
    RETURNED = "returned", "Returned to the author for changes"
    MESSAGE = "message", "Message"
    CLOSED = "closed", "Decision recorded and closed"
    WITHDRAWN = "withdrawn", "Withdrawn by the author"
    REOPENED = "reopened", "Reopened"
    CLOCK_PAUSED = "clock_paused", "Deadline clock paused"
    CLOCK_RESUMED = "clock_resumed", "Deadline clock resumed"
    PLAN_ISSUED = "plan_issued", "Final EHC plan issued"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn by the family"
    # The EHC needs assessment's steps (workflows.ehc).
    ADVICE_REQUESTED = "advice_requested", "Advice asked for"
    ADVICE_GIVEN = "advice_given", "Advice given"
    ADVICE_GONE_WITHOUT = "advice_gone_without", "Gone on without advice"
    COORDINATOR_CHANGED = "coordinator_changed", "Assessment coordinator changed"
    DECIDED_TO_ISSUE = "decided_to_issue", "Decided to issue an EHC plan"
    DECIDED_NOT_TO_ISSUE = "decided_not_to_issue", "Decided not to issue an EHC plan"
    DRAFT_PLAN_SENT = "draft_plan_sent", "Draft EHC plan sent for comments"
    DRAFT_COMMENTS_RECORDED = "draft_comments_recorded", "Comments on the draft plan recorded"
    COMMENT_PERIOD_ENDED = "comment_period_ended", "Comment period on the draft plan ended"


class CaseEvent(models.Model):
    """One entry of an assessment's timeline: who did what, when, with field-level before and after.

    Every service that changes an assessment writes one explicitly; so do events that change no field
    (a download, a view by the council). django-simple-history keeps the full rows behind them.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=CaseEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    summary = models.CharField(max_length=300, blank=True)
    # [{"field": label, "before": text, "after": text}, ...]
    changes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assessment", "-created_at", "-id"], name="casework_event_timeline"),
            # The reports count events of one kind per case (returns, first pick-ups).
            models.Index(fields=["kind", "assessment", "created_at"], name="casework_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class DisclosureKind(models.TextChoices):
    CASE_VIEWED = "case_viewed", "Opened the case"
    ANSWERS_VIEWED = "answers_viewed", "Read the answers"
    HISTORY_VIEWED = "history_viewed", "Read the history"
    PROGRESS_VIEWED = "progress_viewed", "Read the progress page"
    EVIDENCE_VIEWED = "evidence_viewed", "Read the list of documents"
    NEEDS_ASSESSMENT_VIEWED = "needs_assessment_viewed", "Read the EHC needs assessment"
    ANNUAL_REVIEW_VIEWED = "annual_review_viewed", "Read the annual reviews of the EHC plan"
    EVIDENCE_DOWNLOADED = "evidence_downloaded", "Downloaded a document"
    REPORT_EXPORTED = "report_exported", "Exported a report"
    SUBJECT_ACCESS_EXPORTED = "subject_access_exported", "Exported a subject access copy"


class Disclosure(models.Model):
    """One disclosure of case data to a person: who saw or took what, when (the audit a DPO searches).

    Kept apart from the timeline (CaseEvent) because every read is recorded here, and a professional's
    history page should not fill with them. Holds references, never what the record says.
    """

    kind = models.CharField(max_length=30, choices=DisclosureKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="disclosures"
    )
    child = models.ForeignKey(Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="disclosures")
    # What exactly was disclosed, as a reference: a document's id, a report's name and filters.
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["child", "-created_at", "-id"], name="casework_disclosure_child"),
            models.Index(fields=["actor", "-created_at", "-id"], name="casework_disclosure_actor"),
            models.Index(fields=["assessment", "-created_at", "-id"], name="casework_disclosure_case"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class ConsentWithdrawalMethod(models.TextChoices):
    IN_WRITING = "in_writing", "In writing (letter or form)"
    EMAIL = "email", "By e-mail"
    PHONE = "phone", "By phone"
    IN_PERSON = "in_person", "In person"


class ConsentWithdrawal(models.Model):
    """The family's withdrawal of the consent an Early Help Assessment relies on: who, when and how."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="consent_withdrawal")
    withdrawn_on = models.DateField()
    # Who in the family withdrew it, in the recorder's words (for example "Jane Hart, mother").
    withdrawn_by = models.CharField(max_length=200)
    method = models.CharField(max_length=20, choices=ConsentWithdrawalMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Consent withdrawn on {self.assessment_id} ({self.withdrawn_on})"


class RetentionRun(models.Model):
    """One run of the retention schedule: when, and how much it anonymised or deleted (counts only)."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M}"


class RetentionActionKind(models.TextChoices):
    ANONYMISED = "anonymised", "Anonymised (figures kept)"
    DELETED = "deleted", "Deleted"


class RetentionAction(models.Model):
    """What one retention run did to one case, by reference and dates only (no personal data)."""

    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    action = models.CharField(max_length=20, choices=RetentionActionKind.choices)
    # Which schedule rule applied, in words ("EHCP: date of birth + 31 years").
    rule = models.CharField(max_length=100)
    due_on = models.DateField()
    counts = models.JSONField(default=dict, blank=True)
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "id"]
        indexes = [models.Index(fields=["reference"], name="casework_retention_reference")]

    def __str__(self) -> str:
        return f"{self.reference} {self.action} {self.done_at:%Y-%m-%d}"


class SubjectAccessRequest(models.Model):
    """A request for a copy of everything held on a child (UK GDPR article 15), answered within a month."""

    requester = models.CharField("who asked", max_length=200)
    received_on = models.DateField()
    due_on = models.DateField()
    # How the child is found: by name and date of birth, or by a case reference.
    child_first_name = models.CharField(max_length=100, blank=True)
    child_last_name = models.CharField(max_length=100, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    case_reference = models.CharField(max_length=20, blank=True)
    # The child found for the request; the name and date of birth above stay if the record is later deleted.
    child = models.ForeignKey(
        Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="subject_access_requests"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    last_exported_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        permissions = [("answer_subject_access", "Can find a child and export everything held on them")]
        indexes = [models.Index(fields=["completed_at", "due_on"], name="casework_sar_open")]

    def __str__(self) -> str:
        return f"Subject access request {self.pk} received {self.received_on}"
