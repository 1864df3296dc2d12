"""Reads for the council's side: queues from indexed columns of the case table, the case, its progress."""

from dataclasses import dataclass
from functools import cache, lru_cache

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Least
from django.http import Http404
from django.utils import timezone

from casework.models import (
    Assessment,
    AssessmentGroupObjectPermission,
    AssessmentKind,
    AssessmentUserObjectPermission,
    Child,
    ConsentWithdrawal,
    Status,
    SubjectAccessRequest,
)
from identity.models import Organisation, Team, TeamMembership, TeamRole, User
from identity.permissions import (
    REVIEW_ASSESSMENT,
    can_view_assessment,
    object_rights_tables,
    permission_id,
    right_through_groups_filter,
    user_right_filter,
)
from identity.roles import Role, has_role
from portal.access_log import access_denied_record
from portal.remembered import forget, remembered

from .models import (
    AdviceRequest,
    AnnualReview,
    AnnualReviewStage,
    CaseMessage,
    ClockPause,
    NeedsAssessment,
    NeedsAssessmentStage,
    Notification,
    TeamRoute,
)

OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED)


TEAM_ROUTES_CACHE_KEY = "workflows:team-routes"
# Every change made through Django forgets them at once (workflows.apps); this bounds any other change.
TEAM_ROUTES_KEPT_SECONDS = 60 * 60


def _routed_teams() -> dict[str, Team]:
    return remembered(
        TEAM_ROUTES_CACHE_KEY,
        lambda: {route.kind: route.team for route in TeamRoute.objects.select_related("team__group")},
        TEAM_ROUTES_KEPT_SECONDS,
    )


def kinds_routed_to(team_ids) -> tuple[str, ...]:
    """The kinds of assessment these teams receive today, in the portal's order (read from the remembered routes)."""
    teams = _routed_teams()
    return tuple(kind for kind in AssessmentKind.values if kind in teams and teams[kind].pk in team_ids)


def routed_team(kind: str) -> Team:
    """The team that reviews this kind of assessment, with its group.

    The routes and their teams are remembered in the cache (shared by the web processes in production):
    administrators change them rarely and every submission reads them (bench/README.md).
    """
    teams = _routed_teams()
    if kind not in teams:
        raise TeamRoute.DoesNotExist(f"No team reviews {kind} assessments")
    return teams[kind]


def team_routes_forget(**signal_arguments) -> None:
    """Forget the remembered routes and teams: the next submission reads them again."""
    forget(TEAM_ROUTES_CACHE_KEY)


def _memberships_read(user: User) -> None:
    """The teams the user works and those they manage, in one read, kept on the user object for the request."""
    memberships = list(TeamMembership.objects.filter(user=user).values_list("team_id", "role"))
    user._portal_team_ids = [team_id for team_id, _ in memberships]
    user._portal_managed_team_ids = [team_id for team_id, role in memberships if role == TeamRole.MANAGER]


def teams_of(user: User) -> list[int]:
    """The teams whose queues the user works (cached on the user object for the request)."""
    if getattr(user, "_portal_team_ids", None) is None:
        _memberships_read(user)
    return user._portal_team_ids


def managed_teams_of(user: User) -> list[int]:
    """The teams whose whole work the user oversees (cached on the user object for the request)."""
    if has_role(user, Role.SERVICE_MANAGER):
        cached = getattr(user, "_portal_service_team_ids", None)
        if cached is None:
            cached = user._portal_service_team_ids = list(Team.objects.values_list("pk", flat=True))
        return cached
    if getattr(user, "_portal_managed_team_ids", None) is None:
        _memberships_read(user)
    return user._portal_managed_team_ids


def is_council_user(user: User) -> bool:
    return bool(teams_of(user)) or has_role(user, Role.SERVICE_MANAGER)


def _reviewable_by(user: User):
    """An EXISTS on the direct permission tables: the user's groups, or the user, hold the review right.

    Built once per user object (a request's): the queue and its tab's count both filter by it, and building it
    (two subqueries, each with the right's id as another) costs more than the database takes to answer it.
    """
    remembered = getattr(user, "_portal_reviewable_by", None)
    if remembered is None:
        remembered = user._portal_reviewable_by = _reviewable_by_built(user)
    return remembered


def _reviewable_by_built(user: User):
    via_group = AssessmentGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), **right_through_groups_filter(user, REVIEW_ASSESSMENT)
    )
    own = AssessmentUserObjectPermission.objects.filter(
        user=user,
        content_object=OuterRef("pk"),
        **user_right_filter(REVIEW_ASSESSMENT),
    )
    return Q(Exists(via_group)) | Q(Exists(own))


TRAY_ROW_FIELDS = ("kind", "reference", "status", "child_name", "submitted_at", "decision_due", "team_id")


def queue_base(user: User, tray: str) -> QuerySet[Assessment]:
    """The cases of one work tray, before filters: team queue, my work, or team work (managers)."""
    # Only what a tray's rows show: the busiest page officers open, read 25 rows at a time. The sender's
    # name by a subquery, not a join: joined, PostgreSQL hash-joins the organisations and then sorts every
    # unclaimed case of the team; as a subquery it is read for the 25 rows shown.
    cases = Assessment.objects.only(*TRAY_ROW_FIELDS).annotate(
        organisation_name=Subquery(Organisation.objects.filter(pk=OuterRef("organisation_id")).values("name"))
    )
    held = cases.select_related("assigned_to").only(*TRAY_ROW_FIELDS, "assigned_to__full_name")
    if tray == "mine":
        # Only cases of the officer's own teams: one who has moved on no longer works the old team's cases.
        return held.filter(assigned_to=user, status__in=OPEN_STATUSES, team_id__in=teams_of(user))
    if tray == "team":
        return held.filter(team_id__in=managed_teams_of(user), status__in=OPEN_STATUSES)
    return cases.filter(team_id__in=teams_of(user), status=Status.SUBMITTED, assigned_to__isnull=True).filter(
        _reviewable_by(user)
    )


def tray_counts(user: User) -> dict[str, int]:
    """How many cases each tab holds, in one query: the same cases as each tray's unfiltered list.

    Written out in SQL (`_tray_counts_sql`): on the page officers open most, building this query through the
    ORM (four filtered counts, one with the two rights subqueries of `_reviewable_by`) took three times as long
    as the database took to answer it (bench/README.md). Tests hold it equal to each tray's list.
    """
    teams, managed = teams_of(user), managed_teams_of(user)
    everyone = sorted({*teams, *managed})
    review = permission_id(REVIEW_ASSESSMENT, Assessment)
    params = {
        "user": user.pk,
        "submitted": Status.SUBMITTED,
        "review": review,
        "today": connection.ops.adapt_datefield_value(timezone.localdate()),
        **{f"open{number}": status for number, status in enumerate(OPEN_STATUSES)},
        **_numbered("team", teams),
        **_numbered("managed", managed),
        **_numbered("any", everyone),
    }
    with connection.cursor() as cursor:
        cursor.execute(_tray_counts_sql(len(teams), len(managed), len(everyone)), params)
        queue, mine, team, overdue = cursor.fetchone()
    return {"queue": queue or 0, "mine": mine or 0, "team": team or 0, "overdue": overdue or 0}


def _numbered(prefix: str, values) -> dict[str, int]:
    return {f"{prefix}{number}": value for number, value in enumerate(values)}


@cache
def _tray_counts_sql(teams: int, managed: int, everyone: int) -> str:
    """`tray_counts`' statement for a person of so many teams, managed teams and both: names from the models'
    metadata, quoted; every value a bound parameter."""
    quote = connection.ops.quote_name
    user_rights, group_rights = object_rights_tables(Assessment)
    memberships = User.groups.through

    def column(model, field: str) -> str:
        return quote(model._meta.get_field(field).column)

    def one_of(prefix: str, count: int) -> str:
        # No teams: a list no id is in (an empty IN is not SQL).
        return ", ".join(f"%({prefix}{number})s" for number in range(count)) or "NULL"

    case = f"{quote(Assessment._meta.db_table)}.{quote(Assessment._meta.pk.column)}"
    team, holder = column(Assessment, "team"), column(Assessment, "assigned_to")
    by_group = (
        f"EXISTS (SELECT 1 FROM {quote(group_rights._meta.db_table)} rights"  # noqa: S608
        f" WHERE rights.{column(group_rights, 'content_object')} = {case}"
        f" AND rights.{column(group_rights, 'permission')} = %(review)s"
        f" AND rights.{column(group_rights, 'group')} IN (SELECT membership.{column(memberships, 'group')}"
        f" FROM {quote(memberships._meta.db_table)} membership"
        f" WHERE membership.{column(memberships, 'user')} = %(user)s))"
    )
    by_person = (
        f"EXISTS (SELECT 1 FROM {quote(user_rights._meta.db_table)} rights"  # noqa: S608
        f" WHERE rights.{column(user_rights, 'content_object')} = {case}"
        f" AND rights.{column(user_rights, 'permission')} = %(review)s"
        f" AND rights.{column(user_rights, 'user')} = %(user)s)"
    )
    own_teams, managed_teams = one_of("team", teams), one_of("managed", managed)
    return (
        f"SELECT COUNT(*) FILTER (WHERE {holder} IS NULL AND {column(Assessment, 'status')} = %(submitted)s"  # noqa: S608
        f" AND {team} IN ({own_teams}) AND ({by_group} OR {by_person})),"
        f" COUNT(*) FILTER (WHERE {holder} = %(user)s AND {team} IN ({own_teams})),"
        f" COUNT(*) FILTER (WHERE {team} IN ({managed_teams})),"
        f" COUNT(*) FILTER (WHERE {holder} = %(user)s AND {team} IN ({own_teams})"
        f" AND {column(Assessment, 'decision_due')} < %(today)s)"
        f" FROM {quote(Assessment._meta.db_table)}"
        f" WHERE {column(Assessment, 'status')} IN ({one_of('open', len(OPEN_STATUSES))})"
        f" AND {team} IN ({one_of('any', everyone)})"
    )


def case_for_council(user: User, pk: int) -> Assessment:
    """A submitted case for an officer with rights on it, or a service manager; 404 otherwise."""
    assessment = (
        Assessment.objects.select_related("author", "organisation", "team", "assigned_to", "child")
        .filter(pk=pk)
        .exclude(status=Status.DRAFT)
        .first()
    )
    if assessment is None:
        raise Http404("No such case")
    # The same question as every other page of the case (casework.selectors.assessment_for_user), so the case
    # page never links to a page that says "not found"; the council's pages are for council users only.
    if not (can_view_assessment(user, assessment) and is_council_user(user)):
        access_denied_record(user=user, resource=f"case {pk}")
        raise Http404("No such case")
    return assessment


def messages_of(assessment: Assessment) -> QuerySet[CaseMessage]:
    return assessment.messages.select_related("author").order_by("created_at", "pk")


def open_pause(assessment: Assessment) -> ClockPause | None:
    return ClockPause.objects.filter(assessment=assessment, ended_on__isnull=True).first()


def team_members(team: Team | None) -> QuerySet[User]:
    if team is None:
        return User.objects.none()
    return User.objects.filter(team_memberships__team=team, is_active=True).order_by("full_name").distinct()


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # "done", "current" or "to_do"


def progress_steps(assessment: Assessment) -> list[Step]:
    """Submitted → under review → decision, as the professional sees where their assessment is."""
    order = {
        Status.SUBMITTED: 0,
        Status.RETURNED: 1,
        Status.UNDER_REVIEW: 1,
        Status.CLOSED: 2,
    }
    position = order.get(assessment.status, -1)
    labels = ["Submitted", "Under review", "Decision"]
    steps = []
    for index, label in enumerate(labels):
        if index < position or (index == position and assessment.status == Status.CLOSED):
            state = "done"
        elif index == position:
            state = "current"
        else:
            state = "to_do"
        steps.append(Step(label, state))
    return steps


def next_step_text(assessment: Assessment) -> str:
    if assessment.status == Status.SUBMITTED:
        if assessment.assigned_to:
            return f"Waiting for {assessment.assigned_to.full_name} to look at your changes."
        return f"Waiting for an officer of the {assessment.team.name} to pick it up."
    if assessment.status == Status.UNDER_REVIEW:
        return f"{assessment.assigned_to.full_name} is reviewing it. They may message you with questions."
    if assessment.status == Status.RETURNED:
        return "The council has asked for changes: make them and submit the assessment again."
    if assessment.status == Status.CLOSED:
        return "A decision has been made. See it below."
    return "Complete the sections and submit."


def holder_line(assessment: Assessment, viewer: User) -> str:
    """Who has the case now, as its page tells a council user: the truth at every step."""
    holder = assessment.assigned_to
    name = "you" if holder is not None and holder.pk == viewer.pk else (holder.full_name if holder else "")
    if assessment.status == Status.UNDER_REVIEW and holder:
        return f"Held by {name}"
    if assessment.status == Status.SUBMITTED and holder:
        # Resubmitted after a return: it goes back to the officer who returned it, who picks it up again.
        return f"Resubmitted with the changes asked for: waiting for {name} to pick it up again"
    if assessment.status == Status.SUBMITTED:
        return "In the team's queue"
    if assessment.status == Status.RETURNED:
        returned_by = f", returned by {name}" if holder else ""
        return f"With the professional for changes{returned_by}"
    if assessment.status == Status.CLOSED:
        return f"Closed{f', decided by {name}' if holder and assessment.outcome != 'withdrawn' else ''}"
    return ""


def notifications_for(user: User, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).select_related("assessment")[:limit])


def unread_notification_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def consent_withdrawal_of(assessment: Assessment) -> ConsentWithdrawal | None:
    """The family's withdrawal of consent to the assessment, if recorded."""
    return ConsentWithdrawal.objects.filter(assessment=assessment).select_related("recorded_by").first()


# ---------------------------------------------------------------- subject access requests


def subject_access_requests_list(*, limit: int = 100) -> list[SubjectAccessRequest]:
    """Subject access requests, those still to answer first by due date, then the answered ones latest first."""
    still_open = SubjectAccessRequest.objects.filter(completed_at__isnull=True).order_by("due_on", "pk")
    answered = SubjectAccessRequest.objects.filter(completed_at__isnull=False).order_by("-completed_at", "-pk")
    return [*still_open[:limit], *answered[:limit]]


def subject_access_request_get(pk: int) -> SubjectAccessRequest:
    """One subject access request with its child and who recorded it (404 when there is none)."""
    request = SubjectAccessRequest.objects.select_related("child", "recorded_by").filter(pk=pk).first()
    if request is None:
        raise Http404("No such subject access request")
    return request


def children_for_subject_access(
    *, reference: str = "", first_name: str = "", last_name: str = "", date_of_birth=None, limit: int = 50
) -> list[Child]:
    """Children matching a case reference, or a last name (narrowed by first name and date of birth),
    each with the references of their cases in `.references`."""
    children = Child.objects.all()
    if reference:
        children = children.filter(assessments__reference__iexact=reference.strip())
    if last_name:
        children = children.filter(last_name__iexact=last_name.strip())
    if first_name:
        children = children.filter(first_name__istartswith=first_name.strip())
    if date_of_birth:
        children = children.filter(date_of_birth=date_of_birth)
    found = list(children.distinct().order_by("last_name", "first_name", "date_of_birth", "pk")[:limit])
    by_child: dict[int, list[str]] = {child.pk: [] for child in found}
    rows = Assessment.objects.filter(child_id__in=by_child).order_by("created_at", "pk")
    for child_id, case_reference in rows.values_list("child_id", "reference"):
        by_child[child_id].append(case_reference)
    for child in found:
        child.references = by_child[child.pk]
    return found


def child_for_subject_access(pk: int) -> Child:
    """One child, for recording a subject access request about them (404 when there is none)."""
    child = Child.objects.filter(pk=pk).first()
    if child is None:
        raise Http404("No such child")
    return child


# ---------------------------------------------------------------- running EHC needs assessments


# What a running needs assessment waits for next, by stage: the statutory date the coordinator works to.
NEXT_ADVICE = "Advice due"
NEXT_ISSUE_DECISION = "Decision whether to issue (week 16)"
NEXT_COMMENTS = "Comments on the draft close"
NEXT_FINAL = "Final plan (week 20)"
NEEDS_ASSESSMENT_TRAY_LIMIT = 25
RUNNING_STAGES = tuple(
    stage
    for stage in NeedsAssessmentStage.values
    if stage not in (NeedsAssessmentStage.ISSUED, NeedsAssessmentStage.NOT_ISSUED)
)


def running_needs_assessments(today) -> QuerySet[NeedsAssessment]:
    """Needs assessments not yet finished, each with its next statutory date and what it is, and any pause.

    A fresh copy of the query as built once for the day: its annotations took longer to build than to run.

    The next date, in SQL so lists can sort and filter by it: while advice is awaited, the earliest advice
    due (or week 16, if that comes first); before and at the decision, week 16; while the draft is with the
    family, the day their comments close (then week 20); drafting and finalising, week 20.
    """
    return _running_needs_assessments_on(today).all()


@lru_cache(maxsize=4)
def _running_needs_assessments_on(today) -> QuerySet[NeedsAssessment]:
    stage = NeedsAssessmentStage
    advice_due = Subquery(
        AdviceRequest.objects.filter(
            needs_assessment=OuterRef("pk"), answered_on__isnull=True, closed_unanswered_on__isnull=True
        )
        .order_by("due_on")
        .values("due_on")[:1],
        output_field=DateField(),
    )
    paused_since = Subquery(
        ClockPause.objects.filter(assessment=OuterRef("assessment_id"), ended_on__isnull=True).values("started_on")[:1],
        output_field=DateField(),
    )
    advice_first = Q(stage=stage.GATHERING_ADVICE, advice_due__isnull=False, advice_due__lt=F("issue_decision_due"))
    comments_open = Q(stage=stage.COMMENTS, comments_due__gte=today)
    return (
        # The running stages named (not "not finished"), so the stage index narrows the read.
        NeedsAssessment.objects.filter(stage__in=RUNNING_STAGES)
        .annotate(advice_due=advice_due, paused_since=paused_since)
        .annotate(
            # The earliest advice due, if before week 16, as one mention of its subquery: a figure that compares
            # the date two or three times repeats the whole expression, and PostgreSQL ran the subquery for each
            # mention (nine a row in the workload's counts, bench/README.md).
            next_due=Case(
                When(
                    stage=stage.GATHERING_ADVICE,
                    then=Least(Coalesce("advice_due", "issue_decision_due"), "issue_decision_due"),
                ),
                When(
                    stage__in=(stage.REQUESTING_ADVICE, stage.DECIDING),
                    then=F("issue_decision_due"),
                ),
                When(comments_open, then=F("comments_due")),
                default=F("final_due"),
                output_field=DateField(),
            ),
            next_what=Case(
                When(advice_first, then=Value(NEXT_ADVICE)),
                When(
                    stage__in=(stage.REQUESTING_ADVICE, stage.GATHERING_ADVICE, stage.DECIDING),
                    then=Value(NEXT_ISSUE_DECISION),
                ),
                When(comments_open, then=Value(NEXT_COMMENTS)),
                default=Value(NEXT_FINAL),
                output_field=CharField(),
            ),
        )
        .order_by()
    )


@dataclass(frozen=True)
class NeedsAssessmentTray:
    """The running needs assessments of a work tray, the most urgent first, and how many there are."""

    rows: list[NeedsAssessment]
    count: int


def needs_assessments_for_tray(user: User, tray: str, today) -> NeedsAssessmentTray:
    """My work: those the officer coordinates; team work: those of the teams the manager manages. One query."""
    if tray not in ("mine", "team"):
        return NeedsAssessmentTray([], 0)
    running = running_needs_assessments(today)
    if tray == "mine":
        running = running.filter(coordinator=user)
    elif tray == "team":
        # An EXISTS, so the stage index drives the read (the running ones), not every case of the teams.
        running = running.filter(
            Exists(Assessment.objects.filter(pk=OuterRef("assessment_id"), team_id__in=managed_teams_of(user)))
        )
    rows = list(
        running.select_related("assessment", "coordinator")
        .only(
            "stage",
            "coordinator__full_name",
            "issue_decision_due",
            "final_due",
            "comments_due",
            "assessment__reference",
            "assessment__child_name",
            "assessment__team_id",
        )
        .annotate(how_many=Window(Count("pk")))
        .order_by("next_due", "pk")[:NEEDS_ASSESSMENT_TRAY_LIMIT]
    )
    return NeedsAssessmentTray(rows, rows[0].how_many if rows else 0)


# What an open annual review waits for next: the meeting (CoP 9.166), then the council's decision (CoP 9.176).
NEXT_REVIEW_MEETING = "Meeting due by"
NEXT_REVIEW_DECISION = "Decision due by"
ANNUAL_REVIEW_TRAY_LIMIT = 25
OPEN_REVIEW_STAGES = (AnnualReviewStage.AWAITING_MEETING, AnnualReviewStage.AWAITING_DECISION)


def open_annual_reviews() -> QuerySet[AnnualReview]:
    """Annual reviews not yet decided, each with its next date (the meeting's, then the decision's) and what it is.

    A fresh copy of the query as built once, as for the running needs assessments."""
    return _open_annual_reviews().all()


@cache
def _open_annual_reviews() -> QuerySet[AnnualReview]:
    waits_for_decision = Q(stage=AnnualReviewStage.AWAITING_DECISION)
    return (
        # The open stages named (not "not decided"), so a stage index narrows the read.
        AnnualReview.objects.filter(stage__in=OPEN_REVIEW_STAGES)
        .annotate(
            next_due=Case(When(waits_for_decision, then=F("decision_due")), default=F("due_on")),
            next_what=Case(
                When(waits_for_decision, then=Value(NEXT_REVIEW_DECISION)),
                default=Value(NEXT_REVIEW_MEETING),
                output_field=CharField(),
            ),
        )
        .order_by()
    )


@dataclass(frozen=True)
class AnnualReviewTray:
    """The open annual reviews of a work tray, the nearest date first, and how many there are."""

    rows: list[AnnualReview]
    count: int


def annual_reviews_for_tray(user: User, tray: str) -> AnnualReviewTray:
    """My work: those the officer holds; team work: those of the plans of the teams the manager manages. One query.

    Every open review, not only those due soon: a coordinator plans the year's meetings from this list."""
    if tray not in ("mine", "team"):
        return AnnualReviewTray([], 0)
    reviews = open_annual_reviews()
    if tray == "mine":
        # The (holder, stage) index.
        reviews = reviews.filter(holder=user)
    elif tray == "team":
        # An EXISTS, so the stage index drives the read (the open ones), not every case of the teams.
        reviews = reviews.filter(
            Exists(
                Assessment.objects.filter(
                    pk=OuterRef("needs_assessment__assessment_id"), team_id__in=managed_teams_of(user)
                )
            )
        )
    rows = list(
        reviews.select_related("needs_assessment__assessment", "holder")
        .only(
            "number",
            "stage",
            "due_on",
            "decision_due",
            "holder__full_name",
            "needs_assessment__assessment_id",
            "needs_assessment__assessment__reference",
            "needs_assessment__assessment__child_name",
        )
        .annotate(how_many=Window(Count("pk")))
        .order_by("next_due", "pk")[:ANNUAL_REVIEW_TRAY_LIMIT]
    )
    return AnnualReviewTray(rows, rows[0].how_many if rows else 0)


# What a running or finished needs assessment means, as the professional who made the request reads it.
NEEDS_ASSESSMENT_STAGE_TEXT = {
    NeedsAssessmentStage.REQUESTING_ADVICE: "The council is about to ask professionals for their advice.",
    NeedsAssessmentStage.GATHERING_ADVICE: "The council is waiting for advice from the professionals it asked.",
    NeedsAssessmentStage.DECIDING: "The advice is in. The council is deciding whether to issue an EHC plan.",
    NeedsAssessmentStage.DRAFTING: "The council has decided to issue an EHC plan and is writing the draft.",
    NeedsAssessmentStage.COMMENTS: "The draft plan is with the family and the school or setting for their comments.",
    NeedsAssessmentStage.FINALISING: "The comments are in. The council is finalising the plan.",
    NeedsAssessmentStage.ISSUED: "The final EHC plan has been issued.",
    NeedsAssessmentStage.NOT_ISSUED: "The council decided not to issue an EHC plan.",
}


def needs_assessment_of(assessment: Assessment) -> NeedsAssessment | None:
    """The EHC needs assessment of a request agreed to assess, with its coordinator; None before that.

    A request reopened after its needs assessment ended keeps it, so the status is not what decides."""
    if assessment.kind != AssessmentKind.EHCP:
        return None
    found = NeedsAssessment.objects.select_related("coordinator").filter(assessment=assessment).first()
    if found is not None:
        found.assessment = assessment
    return found
