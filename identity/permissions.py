"""Every permission codename the portal checks, the checks themselves, and the grants.

Views and services ask `can_<verb>_<thing>(user, obj)`; only the grant and revoke functions here
write guardian's permission rows. Object rights live in direct foreign-key tables per model
(see SECURITY.md), and a right held only globally never counts for an object.
"""

from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Subquery
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from .roles import ROLE_NAMES, Role, has_role

# identity
APPROVE_ACCOUNTS = "identity.approve_accounts"
VIEW_AUTH_EVENTS = "identity.view_authevent"

# casework: a global right to start assessments, and rights on each assessment
START_ASSESSMENT = "casework.add_assessment"
VIEW_ASSESSMENT = "casework.view_assessment"
EDIT_ASSESSMENT = "casework.change_assessment"
SHARE_ASSESSMENT = "casework.share_assessment"
SUBMIT_ASSESSMENT = "casework.submit_assessment"
REVIEW_ASSESSMENT = "casework.review_assessment"
# A global right: finding any child and exporting everything held on them (the data protection officer's).
ANSWER_SUBJECT_ACCESS = "casework.answer_subject_access"
# The disclosure log (who saw which case): the data protection officer and managers; a team manager's
# view is narrowed to the cases of the teams they manage (casework.selectors.disclosures_for_reader).
VIEW_DISCLOSURES = "casework.view_disclosure"

# The object rights each part someone plays in an assessment carries.
AUTHOR_RIGHTS = (VIEW_ASSESSMENT, EDIT_ASSESSMENT, SHARE_ASSESSMENT, SUBMIT_ASSESSMENT)
CO_AUTHOR_RIGHTS = (VIEW_ASSESSMENT, EDIT_ASSESSMENT, SUBMIT_ASSESSMENT)
VIEWER_RIGHTS = (VIEW_ASSESSMENT,)
# Rights an author and co-authors hold only while the assessment is with them, not with the council.
DRAFTING_RIGHTS = (EDIT_ASSESSMENT, SUBMIT_ASSESSMENT)

# Statuses in which an assessment's answers can change (kept in step with casework.models.EDITABLE_STATUSES).
_EDITABLE = ("draft", "returned")


def _has_object_right(user, codename: str, obj) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    app_label, name = codename.split(".", 1)
    if user.is_superuser:
        return True
    return app_label == obj._meta.app_label and name in rights_on(user, obj)


def rights_on(user, obj) -> frozenset[str]:
    """The codenames of the rights the user holds on one object, directly or through a group.

    One query (the user's rows and the groups' rows as a UNION), remembered on the user object for the
    request, so repeated checks on a page and in a service cost one query per object.
    """
    remembered = getattr(user, "_portal_object_rights", None)
    if remembered is None:
        remembered = user._portal_object_rights = {}
    key = (obj._meta.label, obj.pk)
    if key not in remembered:
        with connection.cursor() as cursor:
            cursor.execute(_rights_on_sql(type(obj)), {"user": user.pk, "object": obj.pk})
            permission_ids = [pk for (pk,) in cursor.fetchall()]
        codenames = _codenames_by_id(obj)
        remembered[key] = frozenset(codenames[pk] for pk in permission_ids if pk in codenames)
    return remembered[key]


@cache
def _rights_on_sql(model) -> str:
    """`rights_on`'s query: the ids of the rights a user holds on one object, directly or through a group.

    Written out once per model from the tables' own names: it runs on every page and write that checks a
    right, and built through the ORM (a UNION of two filtered queries) compiling it cost four times as long
    as running it (bench/README.md).
    """
    user_rights, group_rights = _rights_tables(model)
    memberships = get_user_model().groups.through
    quote = connection.ops.quote_name

    def column(table_model, field: str) -> str:
        return quote(table_model._meta.get_field(field).column)

    # Names from the models' own metadata, quoted; the values are bound parameters.
    return (
        f"SELECT {column(user_rights, 'permission')} FROM {quote(user_rights._meta.db_table)}"  # noqa: S608
        f" WHERE {column(user_rights, 'user')} = %(user)s AND {column(user_rights, 'content_object')} = %(object)s"
        f" UNION SELECT rights.{column(group_rights, 'permission')}"
        f" FROM {quote(group_rights._meta.db_table)} rights"
        f" INNER JOIN {quote(memberships._meta.db_table)} membership"
        f" ON membership.{column(memberships, 'group')} = rights.{column(group_rights, 'group')}"
        f" WHERE membership.{column(memberships, 'user')} = %(user)s"
        f" AND rights.{column(group_rights, 'content_object')} = %(object)s"
    )


def forget_cached_rights(user) -> None:
    """Drop what this user object remembers about its rights (after a grant or revoke)."""
    for attribute in ("_portal_object_rights", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def can_approve_accounts(user) -> bool:
    return user.is_active and user.has_perm(APPROVE_ACCOUNTS)


def can_start_assessment(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(START_ASSESSMENT)


def can_answer_subject_access(user) -> bool:
    """The data protection officer (or a superuser) answers subject access requests."""
    return user.is_authenticated and user.is_active and user.has_perm(ANSWER_SUBJECT_ACCESS)


def can_read_disclosure_log(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(VIEW_DISCLOSURES)


def can_view_assessment(user, assessment) -> bool:
    """Whether the user may read the assessment: by a right on it, or as a service manager once it is submitted.

    Service managers oversee every team's work, so they read every case the council has (never a draft, which
    belongs to its authors) without holding a right on each; every page of a case asks this one question.
    """
    if _has_object_right(user, VIEW_ASSESSMENT, assessment):
        return True
    return assessment.status != "draft" and has_role(user, Role.SERVICE_MANAGER)


def can_edit_assessment(user, assessment) -> bool:
    return assessment.status in _EDITABLE and _has_object_right(user, EDIT_ASSESSMENT, assessment)


def can_share_assessment(user, assessment) -> bool:
    return assessment.status != "closed" and _has_object_right(user, SHARE_ASSESSMENT, assessment)


def can_submit_assessment(user, assessment) -> bool:
    return assessment.status in _EDITABLE and _has_object_right(user, SUBMIT_ASSESSMENT, assessment)


def require(allowed: bool, message: str = "You cannot do this") -> None:
    """Refuse the action unless the check passed (rendered as the styled 403 page)."""
    if not allowed:
        raise PermissionDenied(message)


def team_leavers_rights_revoke(*, team, users) -> None:
    """People who have left a team lose the rights of their own on the cases routed to it (the view and review
    rights given to whoever picks a case up), so access ends with the membership, not at the next claim.
    Cases they wrote or were invited to as professionals keep those rights."""
    if not users:
        return
    rights = apps.get_model("casework", "AssessmentUserObjectPermission")
    codenames = [codename.split(".", 1)[1] for codename in (VIEW_ASSESSMENT, REVIEW_ASSESSMENT)]
    rights.objects.filter(user__in=users, content_object__team=team, permission__codename__in=codenames).exclude(
        content_object__author__in=users
    ).exclude(content_object__collaborators__user__in=users).delete()
    for user in users:
        forget_cached_rights(user)


def _permission_id(codename: str) -> Subquery:
    """The id of an "app.codename" right, as a subquery the database runs once."""
    app_label, name = codename.split(".", 1)
    return Subquery(
        Permission.objects.filter(codename=name, content_type__app_label=app_label).order_by().values("pk")[:1]
    )


def user_right_filter(codename: str) -> dict:
    """A filter on guardian's user permission table for one right, by the permission's id.

    By id (an uncorrelated subquery the database runs once) so the (user, permission, object) index answers
    the lookup; by codename through joins, an officer holding rights on thousands of cases made every
    queue row scan them all (bench/README.md).
    """
    return {"permission_id": _permission_id(codename)}


def right_through_groups_filter(user, codename: str) -> dict:
    """A filter on guardian's group permission table: a right held by any of the user's groups, on one object.

    The user's groups and the right's id as uncorrelated subqueries, so that the (group, permission, object)
    unique index answers each case. Joined to the groups instead, SQLite's planner walks every row holding
    the right (seconds at 100,000 cases); by codename through joins it compiles and runs twice as slowly
    (bench/README.md).
    """
    groups = get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")
    return {"group_id__in": Subquery(groups), "permission_id": _permission_id(codename)}


def group_right_filter(codename: str) -> dict:
    """A filter on guardian's group permission table for one right, by its codename.

    Here by codename: a group holds the same right on most cases, and given the id SQLite's planner walks
    the index of every row with that right instead of the few rows of one case.
    """
    app_label, name = codename.split(".", 1)
    return {"permission__codename": name, "permission__content_type__app_label": app_label}


@cache
def _rights_tables(model) -> tuple[type, type]:
    """guardian's user and group object permission models of a model (guardian walks its relations each time)."""
    return get_user_obj_perms_model(model), get_group_obj_perms_model(model)


def _object_rights_model(holder, obj):
    user_rights, group_rights = _rights_tables(type(obj))
    return group_rights if isinstance(holder, Group) else user_rights


# Permission rows are written by migrate and never change while the portal runs; each model's are remembered
# per process (as Django remembers content types) and forgotten whenever migrate or a test flush runs.
_codenames_remembered: dict[int, dict[int, str]] = {}


def forget_permission_ids(**kwargs) -> None:
    _codenames_remembered.clear()


def _codenames_by_id(obj) -> dict[int, str]:
    """The codename of each permission of the object's model, by the permission's id."""
    content_type = ContentType.objects.get_for_model(obj)
    if content_type.pk not in _codenames_remembered:
        _codenames_remembered[content_type.pk] = dict(
            Permission.objects.filter(content_type=content_type).values_list("pk", "codename")
        )
    return _codenames_remembered[content_type.pk]


def _permission_ids(codenames, obj) -> list[int]:
    names = {codename.split(".", 1)[1] for codename in codenames}
    return [pk for pk, codename in _codenames_by_id(obj).items() if codename in names]


def permission_id(codename: str, model) -> int:
    """The id of one "app.codename" right of a model (remembered per process, as above)."""
    (found,) = _permission_ids([codename], model)
    return found


def object_rights_tables(model) -> tuple[type, type]:
    """guardian's user and group object permission models of a model, for SQL written from their names."""
    return _rights_tables(model)


def grant(holder, codenames, obj) -> None:
    """Give a user or group these rights on one object.

    Rows of guardian's direct permission tables, written in one statement (guardian's assign_perm costs a
    get-or-create per right, which made submitting an assessment several times dearer; see bench/README.md).
    """
    model = _object_rights_model(holder, obj)
    holder_field = "group" if isinstance(holder, Group) else "user"
    permission_ids = _permission_ids(codenames, obj)
    rows = [model(**{holder_field: holder}, permission_id=pk, content_object=obj) for pk in permission_ids]
    model.objects.bulk_create(rows, ignore_conflicts=True)
    forget_cached_rights(holder)


def revoke(holder, codenames, obj) -> None:
    revoke_from_all([holder], codenames, obj)


def revoke_from_all(holders, codenames, obj) -> None:
    """Take these rights on one object from several users (or several groups) in one statement."""
    holders = list(holders)
    if not holders:
        return
    model = _object_rights_model(holders[0], obj)
    holder_field = "group__in" if isinstance(holders[0], Group) else "user__in"
    model.objects.filter(
        **{holder_field: holders}, content_object=obj, permission_id__in=_permission_ids(codenames, obj)
    ).delete()
    for holder in holders:
        forget_cached_rights(holder)


def revoke_from_all_users(codenames, obj, *, in_hand=()) -> None:
    """Take these rights on one object from every user who holds them, in one statement.

    `in_hand`: user objects of this request, which must forget what they remembered about their rights.
    """
    user_rights, _ = _rights_tables(type(obj))
    user_rights.objects.filter(content_object=obj, permission_id__in=_permission_ids(codenames, obj)).delete()
    for user in in_hand:
        forget_cached_rights(user)


# ---------------------------------------------------------------- who may change whose access (least privilege)

# The object rights on assessments: held per case through a team or a part in it, never globally (a global grant
# of the review right would pass viewflow's node checks on every case). No group's permissions may hold them.
CASE_OBJECT_RIGHTS = (VIEW_ASSESSMENT, EDIT_ASSESSMENT, SHARE_ASSESSMENT, SUBMIT_ASSESSMENT, REVIEW_ASSESSMENT)


def can_give_role(actor, role_name: str, user) -> bool:
    """Whether the actor may give (or take away) this role of the portal to this person.

    Roles that reach case data or manage accounts (officer, managers, data protection officer, administrator)
    are given by a superuser only; an administrator may give the Professional role. Nobody changes their own
    roles, and team groups are never given directly: they follow team memberships.
    """
    if not actor.is_active or role_name not in ROLE_NAMES or actor.pk == user.pk:
        return False
    if actor.is_superuser:
        return True
    return role_name == Role.PROFESSIONAL and actor.has_perm("identity.change_user")


def can_manage_team_memberships(actor, user=None) -> bool:
    """Team memberships reach the team's cases: a superuser adds, changes and removes them, never their own."""
    return actor.is_active and actor.is_superuser and (user is None or user.pk != actor.pk)


def can_change_group_permissions(actor) -> bool:
    return actor.is_active and actor.is_superuser


def can_change_sign_in_details(actor, user) -> bool:
    """Another person's e-mail address or password in the admin: whoever sets them can take over the account
    (a reset link and the sign-in code go to the address), so only a superuser may."""
    return actor.is_active and actor.is_superuser
