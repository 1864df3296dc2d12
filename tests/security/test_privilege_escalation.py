"""Nobody raises their own rights: no mass assignment through the portal's forms, no superuser through the admin."""

import pytest
from django.contrib.auth.models import Group, Permission

from identity.models import Organisation, Team, User
from tests.security.conftest import World


def _admin_change_form(user: User, **changes) -> dict:
    """The admin's user change form as the page fills it in for this account, with the changes given."""
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": changes.pop("job_title", user.job_title),
        "organisation": user.organisation_id,
        "phone": "",
        "is_active": "on",
        # The roles the administrator may change (Professional only) are ticked as held.
        "roles": [group.pk for group in user.groups.filter(name="Professional")],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "approval_required": "",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    return {**data, **changes}


@pytest.mark.parametrize("whom", ["administrator", "other_org"], ids=["themselves", "a-professional"])
def test_an_administrator_cannot_make_an_account_a_superuser_in_the_admin(world: World, whom):
    """The Administrator role manages accounts; a superuser holds every object right and could read every
    child's assessment, drafts included. Only a superuser may make a superuser.
    """
    account = world.user_for(whom)
    world.client_for("administrator").post(
        f"/admin/identity/user/{account.pk}/change/", _admin_change_form(account, is_superuser="on")
    )
    account.refresh_from_db()
    assert not account.is_superuser, f"the administrator made {whom} a superuser"
    draft = world.case("ehat", "draft")
    assert world.client_for(whom).get(f"/assessments/{draft.pk}/answers/").status_code == 404


@pytest.mark.parametrize(
    "posted",
    [
        pytest.param(lambda: {"group": Team.objects.get(slug="early-help-hub").group.pk}, id="team-group"),
        pytest.param(lambda: {"group": role_pk("Council officer")}, id="council-officer-role"),
        pytest.param(lambda: {"group": role_pk("Team manager")}, id="team-manager-role"),
        pytest.param(lambda: {"user_permissions": [right_pk("review_assessment")]}, id="review-right"),
    ],
)
def test_an_administrator_cannot_give_themselves_case_access_in_the_admin(world: World, posted):
    """Least privilege: roles reaching case data and team places are a superuser's to give, never one's own."""
    administrator = world.user_for("administrator")
    held = list(administrator.groups.values_list("pk", flat=True))
    changes = posted()
    wanted = [*held, *([changes.pop("group")] if "group" in changes else [])]
    # Posted as the portal's roles field and as Django's own groups field: neither name is a way in.
    world.client_for("administrator").post(
        f"/admin/identity/user/{administrator.pk}/change/",
        _admin_change_form(administrator, roles=wanted, groups=wanted, **changes),
    )
    assert list(administrator.groups.values_list("pk", flat=True)) == held
    assert not administrator.user_permissions.exists()
    submitted = world.case("ehat", "submitted")
    assert world.client_for("administrator").get(f"/cases/{submitted.pk}/").status_code == 404


def role_pk(name: str) -> int:
    return Group.objects.get(name=name).pk


def right_pk(codename: str) -> int:
    return Permission.objects.get(codename=codename).pk


def test_the_admin_change_form_is_the_one_the_administrator_really_posts(world: World):
    """The control for the test above: the same form, unchanged, is accepted, so a refusal would be the check."""
    account = world.user_for("other_org")
    response = world.client_for("administrator").post(
        f"/admin/identity/user/{account.pk}/change/", _admin_change_form(account, job_title="Head of year")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.job_title == "Head of year"


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"is_staff": "on", "is_superuser": "on"}, id="staff-and-superuser"),
        pytest.param({"email": "someone.else@plymouth.gov.uk"}, id="e-mail"),
        pytest.param({"organisation": "1", "organisation_id": "1"}, id="organisation"),
        pytest.param({"groups": ["1", "2", "3"], "user_permissions": ["1"]}, id="groups-and-permissions"),
        pytest.param({"is_active": "on", "approved_at": "2026-01-01", "email_verified_at": "2026-01-01"}, id="status"),
    ],
)
def test_the_account_details_form_changes_only_name_job_and_phone(world: World, extra):
    """Mass assignment: fields the form does not offer are ignored, whatever is posted."""
    user = world.user_for("other_org")
    before = User.objects.filter(pk=user.pk).values().get()
    groups = set(user.groups.values_list("pk", flat=True))
    response = world.client_for("other_org").post(
        "/account/details/", {"full_name": "Olly Outsider", "job_title": "Teacher", "phone": "", **extra}
    )
    assert response.status_code == 302
    after = User.objects.filter(pk=user.pk).values().get()
    changed = {key for key in after if after[key] != before[key]} - {"full_name", "job_title", "phone"}
    assert changed == set(), changed
    assert set(user.groups.values_list("pk", flat=True)) == groups
    assert not user.user_permissions.exists()


def test_registering_with_extra_fields_gives_no_rights(client, demo_data):
    """A registration that posts staff, superuser and group fields creates an ordinary, unconfirmed account."""
    response = client.post(
        "/account/register/",
        {
            "full_name": "Ava Stone",
            "email": "ava.stone@stmarys.plymouth.sch.uk",
            "organisation": Organisation.objects.get(name="St Mary's Catholic Primary School").pk,
            "job_title": "Teaching assistant",
            "phone": "",
            "password": "lantern orchard cobalt ferry",
            "security_question": "What was your childhood nickname?",
            "security_answer": "Sparky",
            "confirm_own_use": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": ["1", "2", "3", "4", "5"],
            "email_verified_at": "2026-01-01",
            "approved_at": "2026-01-01",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="ava.stone@stmarys.plymouth.sch.uk")
    assert not user.is_staff
    assert not user.is_superuser
    assert user.email_verified_at is None
    assert set(user.groups.values_list("name", flat=True)) <= {"Professional"}
