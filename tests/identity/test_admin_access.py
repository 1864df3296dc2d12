"""Least privilege in the Django admin: who may give which role, team places follow the team services, every change
of access is audited, and approving an account in the admin is the approvals page's service."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core import mail
from guardian.admin import GuardedModelAdminMixin
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from identity.models import AuthEvent, AuthEventKind, Team, TeamMembership, TeamRole, User
from identity.permissions import can_view_assessment
from identity.roles import Role
from tests.conftest import CommittingClient
from tests.factories import ProfessionalFactory, UserFactory, role_group
from tests.helpers import last_email_to, sign_in
from tests.workflows.conftest import ALEX, PRIYA, fresh, person, submitted

pytestmark = pytest.mark.usefixtures("demo_data")

CASE_ROLES = [Role.OFFICER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.DATA_PROTECTION_OFFICER, Role.ADMINISTRATOR]
EARLY_HELP = "early-help-hub"


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@plymouth.gov.uk", full_name="Sid Super", is_staff=True, is_superuser=True)


@pytest.fixture
def alex():
    return person(ALEX)


@pytest.fixture
def outsider():
    return ProfessionalFactory(email="olly@oakfield.plymouth.sch.uk", full_name="Olly Outsider")


def admin_client(user) -> CommittingClient:
    return sign_in(CommittingClient(), user)


def _field_value(field, value):
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [getattr(item, "pk", item) for item in value]
    return getattr(value, "pk", value)


def _form_values(form, prefix_of=lambda name: name) -> dict:
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = _field_value(field, form[name].value())
        if value is not None:
            data[prefix_of(name)] = str(value) if not isinstance(value, list) else [str(item) for item in value]
    return data


def admin_form_data(response, **changes) -> dict:
    """What the admin page's form posts as it stands (inlines included), with the changes given."""
    assert response.status_code == 200, response.status_code
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): str(management[name].value()) for name in management.fields})
        for form in formset.forms:
            data.update(_form_values(form, form.add_prefix))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def user_page(client, user):
    return client.get(f"/admin/identity/user/{user.pk}/change/")


def post_user(client, user, **changes):
    data = admin_form_data(user_page(client, user), **changes)
    return client.post(f"/admin/identity/user/{user.pk}/change/", data)


def group(role) -> Group:
    return role_group(role) if isinstance(role, Role) else Group.objects.get(name=role)


def roles_of(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("role", CASE_ROLES, ids=lambda role: role.value)
@pytest.mark.parametrize("whom", ["themselves", "a-professional"])
def test_an_administrator_cannot_give_a_role_that_reaches_case_data(alex, outsider, role, whom):
    """Roles reaching case data or managing accounts are given by a superuser only: the administrator's form does not
    offer them, and posting one anyway is refused with an error and changes nothing."""
    account = alex if whom == "themselves" else outsider
    before = roles_of(account)
    client = admin_client(alex)
    response = post_user(client, account, roles=[str(group(role).pk)])
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert roles_of(account) == before
    assert not AuthEvent.objects.filter(kind=AuthEventKind.ROLE_GIVEN).exists()


def test_an_administrator_gives_and_removes_the_professional_role_and_each_change_is_audited(alex):
    """Who, whom, what, when: each change is an entry on the person's account activity."""
    account = UserFactory(email="new.starter@oakfield.plymouth.sch.uk", full_name="Nia Starter")
    client = admin_client(alex)
    page = user_page(client, account).content.decode()
    assert 'name="roles"' in page
    response = post_user(client, account, roles=[str(group(Role.PROFESSIONAL).pk)])
    assert response.status_code == 302, response.content.decode()[:3000]
    assert roles_of(account) == {"Professional"}
    response = post_user(client, account, roles=[])
    assert response.status_code == 302
    assert roles_of(account) == set()
    events = list(AuthEvent.objects.filter(user=account).order_by("id"))
    assert [(event.kind, event.actor, event.detail) for event in events] == [
        (AuthEventKind.ROLE_GIVEN, alex, "Professional"),
        (AuthEventKind.ROLE_REMOVED, alex, "Professional"),
    ]
    assert all(event.created_at for event in events)
    activity = admin_client(account).get("/account/activity/").content.decode()
    assert "Role given: Professional, by Alex Reed" in activity
    assert "Role taken away: Professional, by Alex Reed" in activity


def test_a_superuser_gives_a_council_role_through_the_admin_and_it_is_audited(superuser):
    officer = UserFactory(email="new.officer@plymouth.gov.uk", full_name="Noor Officer")
    response = post_user(admin_client(superuser), officer, roles=[str(group(Role.OFFICER).pk)])
    assert response.status_code == 302, response.content.decode()[:3000]
    assert roles_of(officer) == {"Council officer"}
    event = AuthEvent.objects.get(user=officer)
    assert (event.kind, event.actor, event.detail) == (AuthEventKind.ROLE_GIVEN, superuser, "Council officer")


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_nobody_changes_their_own_roles_in_the_admin(alex, superuser, who):
    actor = alex if who == "administrator" else superuser
    before = roles_of(actor)
    client = admin_client(actor)
    assert "You cannot change this person" in user_page(client, actor).content.decode()
    response = post_user(client, actor, roles=[str(group(Role.SERVICE_MANAGER).pk), str(group(Role.PROFESSIONAL).pk)])
    assert response.status_code == 200
    assert roles_of(actor) == before


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_team_groups_cannot_be_given_in_the_admin_even_by_a_superuser(alex, superuser, outsider, who):
    """A team group follows the team's memberships: it is never ticked on an account."""
    team_group = Team.objects.get(slug=EARLY_HELP).group
    client = admin_client(alex if who == "administrator" else superuser)
    assert f'value="{team_group.pk}"' not in user_page(client, outsider).content.decode().split('name="roles"')[-1]
    for posted in ({"roles": [str(team_group.pk)]}, {"groups": [str(team_group.pk)]}):
        post_user(client, outsider, **posted)
        assert team_group.name not in roles_of(outsider)


def test_user_permissions_posted_to_the_admin_are_ignored(superuser, outsider):
    """Nobody grants a permission to a person directly: the admin's form has no such field."""
    right = Permission.objects.get(codename="view_assessment")
    response = post_user(admin_client(superuser), outsider, user_permissions=[str(right.pk)])
    assert response.status_code == 302
    assert not outsider.user_permissions.exists()


def test_no_admin_page_edits_permission_rows_or_object_rights():
    """guardian's per-case rights and Django's permission rows have no admin page, and no admin uses guardian's
    object-permission screens: rights on cases are given only by the portal's services."""
    for model, model_admin in admin.site._registry.items():
        assert model is not Permission
        assert not issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase), model
        assert not isinstance(model_admin, GuardedModelAdminMixin), model


# ---------------------------------------------------------------- e-mail address and password


def test_an_administrator_cannot_change_another_persons_email_or_set_their_password(alex):
    """Whoever sets an account's address or password can take it over, and with it the account's cases."""
    priya = person(PRIYA)
    client = admin_client(alex)
    response = post_user(client, priya, email="alex.reed+priya@plymouth.gov.uk")
    assert response.status_code == 302
    assert User.objects.get(pk=priya.pk).email == PRIYA
    assert client.get(f"/admin/identity/user/{priya.pk}/password/").status_code == 403
    password_before = User.objects.get(pk=priya.pk).password
    client.post(
        f"/admin/identity/user/{priya.pk}/password/",
        {"password1": "a takeover passphrase", "password2": "a takeover passphrase", "usable_password": "true"},
    )
    assert User.objects.get(pk=priya.pk).password == password_before


def test_a_superuser_can_correct_an_email_address(superuser, outsider):
    response = post_user(admin_client(superuser), outsider, email="olly.outsider@oakfield.plymouth.sch.uk")
    assert response.status_code == 302
    assert User.objects.get(pk=outsider.pk).email == "olly.outsider@oakfield.plymouth.sch.uk"


# ---------------------------------------------------------------- teams


def team_page(client, team):
    return client.get(f"/admin/identity/team/{team.pk}/change/")


def new_member_row(response, user, role=TeamRole.OFFICER) -> dict:
    """The empty row of the memberships inline, filled in."""
    [formset] = [inline.formset for inline in response.context["inline_admin_formsets"]]
    index = len(formset.initial_forms)
    return {
        f"memberships-{index}-user": str(user.pk),
        f"memberships-{index}-role": role,
        f"memberships-{index}-team": str(formset.instance.pk),
    }


def row_of(response, user) -> str:
    [formset] = [inline.formset for inline in response.context["inline_admin_formsets"]]
    [form] = [form for form in formset.initial_forms if form.instance.user_id == user.pk]
    return form.prefix


def test_an_administrator_cannot_add_themselves_or_anyone_to_a_team_in_the_admin(alex, outsider):
    """The memberships are shown read only; a posted row is ignored and nobody joins the team's group."""
    team = Team.objects.get(slug=EARLY_HELP)
    assessment = submitted("ehat")
    client = admin_client(alex)
    page = team_page(client, team)
    assert 'name="memberships-0-role"' not in page.content.decode()
    for whom in (alex, outsider):
        data = admin_form_data(page, **{"memberships-TOTAL_FORMS": "9"})
        data.update(
            {
                "memberships-8-user": str(whom.pk),
                "memberships-8-role": TeamRole.MANAGER,
                "memberships-8-team": str(team.pk),
            }
        )
        client.post(f"/admin/identity/team/{team.pk}/change/", data)
        assert not TeamMembership.objects.filter(team=team, user=whom).exists()
        assert not team.group.user_set.filter(pk=whom.pk).exists()
        assert not can_view_assessment(User.objects.get(pk=whom.pk), fresh(assessment))


def test_a_superuser_cannot_add_themselves_to_a_team(superuser):
    team = Team.objects.get(slug=EARLY_HELP)
    client = admin_client(superuser)
    page = team_page(client, team)
    response = client.post(
        f"/admin/identity/team/{team.pk}/change/", admin_form_data(page, **new_member_row(page, superuser))
    )
    assert response.status_code == 200
    assert "You cannot change your own team memberships" in response.content.decode()
    assert not TeamMembership.objects.filter(team=team, user=superuser).exists()


def test_team_memberships_changed_in_the_admin_go_through_the_services_which_keep_the_group_and_audit(superuser):
    """Adding a member puts them in the team's group (and so its cases); a new role is recorded; removing them takes
    them out of the group and their rights end at once. Each step is an audit entry naming who did it."""
    team = Team.objects.get(slug=EARLY_HELP)
    newcomer = UserFactory(email="nell.newcomer@plymouth.gov.uk", full_name="Nell Newcomer")
    assessment = submitted("ehat")
    client = admin_client(superuser)

    page = team_page(client, team)
    response = client.post(
        f"/admin/identity/team/{team.pk}/change/", admin_form_data(page, **new_member_row(page, newcomer))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = TeamMembership.objects.get(team=team, user=newcomer)
    assert membership.history.get().history_change_reason == "Added by Sid Super"
    assert team.group.user_set.filter(pk=newcomer.pk).exists()
    assert can_view_assessment(User.objects.get(pk=newcomer.pk), fresh(assessment))

    page = team_page(client, team)
    response = client.post(
        f"/admin/identity/team/{team.pk}/change/",
        admin_form_data(page, **{f"{row_of(page, newcomer)}-role": TeamRole.MANAGER}),
    )
    assert response.status_code == 302
    assert TeamMembership.objects.get(team=team, user=newcomer).role == TeamRole.MANAGER

    page = team_page(client, team)
    response = client.post(
        f"/admin/identity/team/{team.pk}/change/", admin_form_data(page, **{f"{row_of(page, newcomer)}-DELETE": "on"})
    )
    assert response.status_code == 302
    assert not TeamMembership.objects.filter(team=team, user=newcomer).exists()
    assert not team.group.user_set.filter(pk=newcomer.pk).exists()
    assert not can_view_assessment(User.objects.get(pk=newcomer.pk), fresh(assessment))

    events = AuthEvent.objects.filter(user=newcomer).order_by("id")
    assert [(event.kind, event.actor, event.detail) for event in events] == [
        (AuthEventKind.TEAM_JOINED, superuser, "Early Help hub as officer"),
        (AuthEventKind.TEAM_ROLE_CHANGED, superuser, "Early Help hub: officer to team manager"),
        (AuthEventKind.TEAM_LEFT, superuser, "Early Help hub"),
    ]
    # Others in the team keep their places.
    assert team.group.user_set.filter(email=PRIYA).exists()


# ---------------------------------------------------------------- groups


def test_an_administrator_cannot_open_or_change_groups(alex):
    client = admin_client(alex)
    officer_role = group(Role.OFFICER)
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get(f"/admin/auth/group/{officer_role.pk}/change/").status_code == 403
    review = Permission.objects.get(codename="review_assessment")
    client.post(f"/admin/auth/group/{officer_role.pk}/change/", {"name": "Council officer", "permissions": [review.pk]})
    assert not officer_role.permissions.exists()


def test_no_group_can_be_given_a_right_on_assessments_globally(superuser):
    """A global review right would pass viewflow's checks on every case: rights on cases are given case by case."""
    team_group = Team.objects.get(slug=EARLY_HELP).group
    client = admin_client(superuser)
    page = client.get(f"/admin/auth/group/{team_group.pk}/change/")
    review = Permission.objects.get(codename="review_assessment")
    response = client.post(
        f"/admin/auth/group/{team_group.pk}/change/", admin_form_data(page, permissions=[str(review.pk)])
    )
    assert response.status_code == 200
    assert "A group cannot hold a right on assessments (casework.review_assessment)" in response.content.decode()
    assert not team_group.permissions.exists()


def test_a_superuser_changes_a_roles_permissions_and_it_is_audited(superuser):
    role = group(Role.SERVICE_MANAGER)
    client = admin_client(superuser)
    page = client.get(f"/admin/auth/group/{role.pk}/change/")
    assert 'name="name"' not in page.content.decode()  # a role's name is what the code finds it by
    right = Permission.objects.get(codename="view_bankholiday")
    held = list(role.permissions.all())
    kept_and_added = [str(permission.pk) for permission in [*held, right]]
    response = client.post(f"/admin/auth/group/{role.pk}/change/", admin_form_data(page, permissions=kept_and_added))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(role.permissions.all()) == {*held, right}
    event = AuthEvent.objects.get(kind=AuthEventKind.GROUP_PERMISSIONS_CHANGED)
    assert (event.actor, event.detail) == (
        superuser,
        "Service manager: added workflows.view_bankholiday; removed none",
    )


# ---------------------------------------------------------------- approving accounts


@pytest.fixture
def applicant(db):
    from django.utils import timezone

    return ProfessionalFactory(
        email="pat.quinn@gmail.com", full_name="Pat Quinn", approval_required=True, email_verified_at=timezone.now()
    )


def _assert_approved_as_by_the_approvals_page(applicant, alex):
    applicant = User.objects.get(pk=applicant.pk)
    assert applicant.approved_at is not None
    assert applicant.approved_by == alex
    assert not applicant.is_awaiting_approval
    assert last_email_to(applicant.email).subject == "Your Professional Portal account has been approved"
    assert AuthEvent.objects.filter(kind=AuthEventKind.APPROVED, user=applicant, detail=f"by user {alex.pk}").exists()


def test_approving_on_the_admins_change_form_uses_the_approvals_service(alex, applicant):
    client = admin_client(alex)
    page = user_page(client, applicant)
    assert "Approve this account" in page.content.decode()
    mail.outbox.clear()
    response = client.post(f"/admin/identity/user/{applicant.pk}/change/", admin_form_data(page, approve="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    _assert_approved_as_by_the_approvals_page(applicant, alex)


def test_the_admins_approve_action_uses_the_approvals_service(alex, applicant):
    mail.outbox.clear()
    response = admin_client(alex).post(
        "/admin/identity/user/", {"action": "approve_selected", "_selected_action": [str(applicant.pk)]}
    )
    assert response.status_code == 302
    _assert_approved_as_by_the_approvals_page(applicant, alex)


def test_unticking_approval_required_in_the_admin_does_not_approve_behind_the_service(alex, applicant):
    """'Needs approval' is read only: the only way to approve is the service (the e-mail, the time, the audit)."""
    response = post_user(admin_client(alex), applicant, approval_required="")
    assert response.status_code == 302
    applicant = User.objects.get(pk=applicant.pk)
    assert applicant.is_awaiting_approval
    assert not AuthEvent.objects.filter(kind=AuthEventKind.APPROVED).exists()
