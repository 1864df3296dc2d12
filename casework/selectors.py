"""Reads about assessments. Lists and detail pages use the same visibility rule, so they cannot disagree."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from identity.models import TeamMembership, TeamRole
from identity.permissions import VIEW_ASSESSMENT, can_view_assessment, group_right_filter, user_right_filter
from identity.roles import Role, has_role
from portal.access_log import access_denied_record

from .models import (
    Assessment,
    AssessmentGroupObjectPermission,
    AssessmentSection,
    AssessmentUserObjectPermission,
    Attachment,
    CaseEvent,
    Child,
    Collaborator,
    CollaboratorRole,
    Disclosure,
    SectionDraft,
    SectionStatus,
    Status,
)
from .sections import AssessmentSpec, Gap, spec_for


def assessments_visible_to(user) -> QuerySet[Assessment]:
    """Assessments the user may see, by a right of their own or of one of their groups.

    Driven from the direct permission tables (indexed by user and by group), so the cost follows the
    rights the user holds, not the number of assessments.
    """
    if not user.is_authenticated or not user.is_active:
        return Assessment.objects.none()
    own = AssessmentUserObjectPermission.objects.filter(user=user, **user_right_filter(VIEW_ASSESSMENT))
    via_group = AssessmentGroupObjectPermission.objects.filter(group__user=user, **group_right_filter(VIEW_ASSESSMENT))
    visible = Q(pk__in=own.values("content_object_id")) | Q(pk__in=via_group.values("content_object_id"))
    if has_role(user, Role.SERVICE_MANAGER):
        # As can_view_assessment: a service manager also reads every assessment the council has.
        visible |= ~Q(status=Status.DRAFT)
    return Assessment.objects.filter(visible)


def assessment_for_user(user, pk: int) -> Assessment:
    """One assessment the user may see, or 404 – the same answer whether it does not exist or is not theirs."""
    assessment = Assessment.objects.select_related("author", "child", "team", "assigned_to").filter(pk=pk).first()
    if assessment is None or not can_view_assessment(user, assessment):
        if assessment is not None:
            access_denied_record(user=user, resource=f"assessment {pk}")
        raise Http404("No such assessment")
    return assessment


def is_one_of_its_professionals(user, assessment: Assessment) -> bool:
    """The author or a colleague they shared it with (anyone else reading it is the council)."""
    return assessment.author_id == user.pk or assessment.collaborators.filter(user=user).exists()


# Needing the professional's action first, then drafts, then with the council, then closed.
_HOME_ORDER = Case(
    When(status=Status.RETURNED, then=Value(0)),
    When(status=Status.DRAFT, then=Value(1)),
    When(status__in=(Status.SUBMITTED, Status.UNDER_REVIEW), then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def assessments_for_professional(user, *, search: str = "") -> QuerySet[Assessment]:
    """The professional's own and shared assessments: returned first, then drafts, with the council, closed."""
    own = AssessmentUserObjectPermission.objects.filter(user=user, **user_right_filter(VIEW_ASSESSMENT))
    assessments = Assessment.objects.filter(pk__in=own.values("content_object_id")).select_related(
        "author", "assigned_to"
    )
    search = search.strip()
    if search:
        assessments = assessments.filter(Q(child_name__icontains=search) | Q(reference__iexact=search))
    return assessments.annotate(needs_action_order=_HOME_ORDER).order_by("needs_action_order", "-updated_at", "-pk")


def children_of_author(user) -> QuerySet[Child]:
    return Child.objects.filter(created_by=user).order_by("last_name", "first_name", "date_of_birth")


def child_matching(*, author, first_name: str, last_name: str, date_of_birth) -> Child | None:
    """The author's child with this name and date of birth, if they have entered them before."""
    return (
        Child.objects.filter(
            created_by=author,
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
        .order_by("pk")
        .first()
    )


def latest_child_section_data(child: Child) -> dict:
    """The child section as last written in any of this child's assessments, to start a new one from."""
    section = (
        AssessmentSection.objects.filter(
            assessment__child=child, key__in=("child", "young_carer"), status=SectionStatus.COMPLETED
        )
        .order_by("-updated_at")
        .first()
    )
    return dict(section.data) if section else {}


def sections_by_key(assessment: Assessment) -> dict[str, AssessmentSection]:
    return {section.key: section for section in assessment.sections.all()}


def section_draft_for(assessment: Assessment, key: str, user) -> SectionDraft | None:
    return SectionDraft.objects.filter(assessment=assessment, key=key, user=user).first()


@dataclass(frozen=True)
class TaskListRow:
    key: str
    title: str
    status: str  # a SectionStatus value, "needs_changes" or "cannot_start"
    return_comment: str


def task_list(assessment: Assessment) -> list[TaskListRow]:
    spec = spec_for(assessment.kind)
    saved = sections_by_key(assessment)
    stopped = (
        spec.safeguarding_screen
        and saved.get("safeguarding")
        and saved["safeguarding"].data.get("significant_harm") == "yes"
    )
    rows = []
    for section_spec in spec.sections:
        section = saved.get(section_spec.key)
        status = section.status if section else SectionStatus.NOT_STARTED
        comment = section.return_comment if section else ""
        if stopped and section_spec.key != "safeguarding":
            status = "cannot_start"
        elif comment and assessment.status == Status.RETURNED:
            status = "needs_changes"
        rows.append(TaskListRow(section_spec.key, section_spec.title, status, comment))
    return rows


def completed_answers(
    assessment: Assessment,
    spec: AssessmentSpec | None = None,
    saved: dict[str, AssessmentSection] | None = None,
    keys: Iterable[str] | None = None,
) -> dict[str, dict]:
    """Each completed section's checked answers (of the sections named by `keys`, or all), rows by name."""
    spec = spec or spec_for(assessment.kind)
    answers = {}
    wanted = None if keys is None else set(keys)
    for key, section in (saved if saved is not None else sections_by_key(assessment)).items():
        if section.status != SectionStatus.COMPLETED or (wanted is not None and key not in wanted):
            continue
        form_class = spec.section(key).form_class
        form = form_class(data=form_class.as_form_data(section.data), strict=False, context=section_context())
        if form.is_valid():
            answers[key] = {**form.cleaned_data, **{name: form.rows_cleaned(name) for name in form.row_sets}}
    return answers


def section_context() -> dict:
    """What section checks may need beyond the answers (today's date, for dates relative to now)."""
    return {"today": timezone.localdate()}


def assessment_gaps(assessment: Assessment) -> list[Gap]:
    """Everything that stops the assessment being submitted, so it is not returned for missing evidence."""
    spec = spec_for(assessment.kind)
    saved = sections_by_key(assessment)
    answers = completed_answers(assessment, spec, saved, keys=spec.checks_read)
    gaps = [
        Gap(f"Complete the section ‘{section_spec.title}’", section_spec.key)
        for section_spec in spec.sections_needed(answers)
        if saved.get(section_spec.key) is None or saved[section_spec.key].status != "completed"
    ]
    categories = set(assessment.attachments.values_list("category", flat=True)) if spec.checks_evidence else set()
    gaps += spec.extra_checks(answers, categories)
    return gaps


def attachments_of(assessment: Assessment) -> QuerySet[Attachment]:
    return assessment.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")


def collaborators_of(assessment: Assessment) -> QuerySet[Collaborator]:
    return assessment.collaborators.select_related("user").order_by("user__full_name")


def timeline(assessment: Assessment) -> QuerySet[CaseEvent]:
    return assessment.events.select_related("actor").order_by("-created_at", "-pk")


def answer_cards(assessment: Assessment) -> list[dict]:
    """Each section's answers as summary-card rows, read leniently from what was stored."""
    spec = spec_for(assessment.kind)
    saved = sections_by_key(assessment)
    cards = []
    for section_spec in spec.sections:
        section = saved.get(section_spec.key)
        form_class = section_spec.form_class
        form = form_class(
            data=form_class.as_form_data(section.data) if section else None, strict=False, context=section_context()
        )
        if section:
            form.is_valid()
        cards.append(
            {
                "spec": section_spec,
                "status": section.status if section else "not_started",
                "answers": form.answers() if section else [],
                "row_answers": form.row_answers() if section else [],
            }
        )
    return cards


# ---------------------------------------------------------------- the disclosure log


def is_author_or_co_author(user, assessment: Assessment) -> bool:
    """The person wrote the assessment or was invited to write it with the author (not a viewer)."""
    if assessment.author_id == user.pk:
        return True
    return Collaborator.objects.filter(assessment=assessment, user=user, role=CollaboratorRole.CO_AUTHOR).exists()


def disclosures_for_reader(user) -> QuerySet[Disclosure]:
    """The disclosures the person may search, newest first: all of them for the data protection officer and
    service managers, those of their own teams' cases for a team manager, none for anyone else.

    Only what the reader may already know: a team manager never learns who read another team's cases, nor
    which reports were exported (they hold no case). Rows carry the person, the case and the child, so a page
    of them costs one query.
    """
    disclosures = Disclosure.objects.select_related("actor", "assessment", "child").order_by("-created_at", "-id")
    if not user.is_authenticated or not user.is_active:
        return disclosures.none()
    if has_role(user, Role.DATA_PROTECTION_OFFICER, Role.SERVICE_MANAGER):
        return disclosures
    managed = TeamMembership.objects.filter(user=user, role=TeamRole.MANAGER).values("team_id")
    return disclosures.filter(assessment__team__in=managed)


def disclosures_matching(
    disclosures: QuerySet[Disclosure],
    *,
    child: str = "",
    date_of_birth=None,
    person: str = "",
    seen_from=None,
    seen_to=None,
    kind: str = "",
) -> QuerySet[Disclosure]:
    """The disclosures about a child (name words or case reference, date of birth) or to a person (name words
    or e-mail address), seen between two dates (inclusive, in the council's time zone), of one kind."""
    for word in child.split():
        disclosures = disclosures.filter(
            Q(assessment__child_name__icontains=word)
            | Q(child__first_name__icontains=word)
            | Q(child__last_name__icontains=word)
            | Q(assessment__reference__iexact=word)
        )
    if date_of_birth is not None:
        disclosures = disclosures.filter(
            Q(assessment__child_date_of_birth=date_of_birth) | Q(child__date_of_birth=date_of_birth)
        )
    person = person.strip()
    if "@" in person:
        disclosures = disclosures.filter(actor__email__iexact=person)
    else:
        for word in person.split():
            disclosures = disclosures.filter(actor__full_name__icontains=word)
    if seen_from is not None:
        disclosures = disclosures.filter(created_at__gte=_start_of(seen_from))
    if seen_to is not None:
        disclosures = disclosures.filter(created_at__lt=_start_of(seen_to + dt.timedelta(days=1)))
    if kind:
        disclosures = disclosures.filter(kind=kind)
    return disclosures


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
