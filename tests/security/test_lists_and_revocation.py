"""Lists hold only what their reader may open; taking a right away works on the very next request (ASVS 8.3.1)."""

import re

import pytest
from django.test import Client

from casework.models import Status
from identity.models import TeamRole
from identity.services import account_deactivate
from tests.helpers import sign_in
from tests.security.conftest import KINDS, ROLES, SIGNED_OUT_ROLES, STATES
from tests.workflows.conftest import TEAM_OF_KIND, join, leave
from workflows.models import NeedsAssessment, Notification

CASE_LINK = re.compile(r'href="(?:https?://[^/"]+)?/(assessments|cases)/(\d+)/')
SIGNED_IN_ROLES = [role for role in ROLES if role not in SIGNED_OUT_ROLES]
COUNCIL_ROLES = ("officer", "other_team_officer", "team_manager", "service_manager")


def linked_cases(html: str) -> set[tuple[str, int]]:
    return {(area, int(pk)) for area, pk in CASE_LINK.findall(html)}


def opens(client, area: str, pk: int) -> bool:
    path = f"/assessments/{pk}/" if area == "assessments" else f"/cases/{pk}/"
    return client.get(path).status_code == 200


def list_pages(role: str) -> list[str]:
    pages = ["/assessments/", "/notifications/"]
    if role in COUNCIL_ROLES:
        pages += ["/work/queue/", "/work/mine/"]
    if role in ("team_manager", "service_manager"):
        pages.append("/work/team/")
    return pages


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_list_pages_hold_no_row_the_reader_cannot_open(world, role):
    """Every case linked or named on Your assessments, the trays and the notifications opens for the reader."""
    client = world.client_for(role)
    for page in list_pages(role):
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        links = linked_cases(html)
        for area, pk in links:
            assert opens(client, area, pk), f"{page} links to /{area}/{pk}/, which {role} cannot open"
        linked_pks = {pk for _, pk in links}
        for case in world.cases.values():
            if case.reference in html:
                assert case.pk in linked_pks, f"{page} names {case.reference} without a link {role} may open"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param("author", 15, id="author-sees-all-fifteen"),
        pytest.param("co_author", 15, id="co-author-sees-the-shared-ones"),
        pytest.param("viewer", 15, id="viewer-sees-the-shared-ones"),
        pytest.param("other_org", 0, id="other-organisation-sees-none"),
        pytest.param("service_manager", 0, id="service-manager-has-none-of-their-own"),
        pytest.param("administrator", 0, id="administrator-has-none"),
    ],
)
def test_your_assessments_lists_exactly_the_readers_own_and_shared_cases(world, role, expected):
    """The professional's list is their own and shared cases, never a team's or another organisation's."""
    html = world.client_for(role).get("/assessments/").content.decode()
    shown = {case.reference for case in world.cases.values() if case.reference in html}
    assert len(shown) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_team_queue_lists_only_the_routed_teams_unclaimed_cases(world, kind):
    """An officer's queue shows their team's submitted case of the world, not another team's or a held one."""
    html = world.client_for("officer", kind).get("/work/queue/").content.decode()
    for (case_kind, state), case in world.cases.items():
        assert (case.reference in html) == (case_kind == kind and state == "submitted"), (case_kind, state)


def test_service_managers_team_work_lists_every_open_case_and_nothing_else(world):
    """Every open case in the cases' table; below it, only the running needs assessment of the EHCP request
    agreed to assess (a closed request whose assessment goes on)."""
    html = world.client_for("service_manager").get("/work/team/").content.decode()
    cases_table, needs_assessments = html.split('id="needs-assessments"')
    for (kind, state), case in world.cases.items():
        assert (case.reference in cases_table) == (state in ("submitted", "under_review", "returned")), (kind, state)
        running = NeedsAssessment.objects.filter(assessment=case).exclude(stage__in=("issued", "not_issued")).exists()
        assert (case.reference in needs_assessments) == running, (kind, state)
    assert NeedsAssessment.objects.filter(stage="requesting_advice").exists()


def test_notifications_list_only_the_readers_own(world):
    """Each person sees their own notifications: none of anybody else's subjects appear on their page."""
    for role in SIGNED_IN_ROLES:
        user = world.user_for(role)
        html = world.client_for(role).get("/notifications/").content.decode()
        own = set(Notification.objects.filter(recipient=user).values_list("link", flat=True))
        for link in re.findall(r'<a class="govuk-link" href="(http[^"]+)"', html):
            assert link in own, f"{role} sees a notification linking to {link} that is not theirs"
    assert Notification.objects.filter(recipient=world.user_for("author")).exists()


# ---------------------------------------------------------------- revocation takes effect at once


def test_removing_a_co_author_stops_them_on_their_next_request(world):
    """The author removes a co-author: their open browser gets 404 at once, and the list drops the case."""
    case = world.case("ehat", "draft")
    co_author = world.client_for("co_author")
    assert co_author.get(f"/assessments/{case.pk}/").status_code == 200
    collaborator = case.collaborators.get(user=world.user_for("co_author"))
    removed = world.client_for("author").post(f"/assessments/{case.pk}/sharing/{collaborator.pk}/remove/")
    assert removed.status_code == 302
    assert co_author.get(f"/assessments/{case.pk}/").status_code == 404
    assert co_author.post(f"/assessments/{case.pk}/sections/child/autosave/", {"version": "0"}).status_code == 404
    assert case.reference not in co_author.get("/assessments/").content.decode()


def test_removing_a_viewer_stops_them_on_their_next_request(world):
    case = world.case("ehcp", "under_review")
    viewer = world.client_for("viewer")
    assert viewer.get(f"/assessments/{case.pk}/progress/").status_code == 200
    removed = world.client_for("author").post(f"/assessments/{case.pk}/sharing/{world.viewer_rows[case.pk].pk}/remove/")
    assert removed.status_code == 302
    assert viewer.get(f"/assessments/{case.pk}/progress/").status_code == 404
    assert viewer.get(f"/assessments/{case.pk}/evidence/{world.attachments[case.pk].pk}/download/").status_code == 404


@pytest.mark.parametrize("role", ["author", "officer", "team_manager", "service_manager"])
def test_deactivating_an_account_ends_its_access_on_the_next_request(world, role):
    """An administrator switches the account off: the very next request is sent to sign in."""
    case = world.case("ehat", "under_review")
    client = world.client_for(role)
    page = f"/cases/{case.pk}/" if role != "author" else f"/assessments/{case.pk}/progress/"
    assert client.get(page).status_code == 200
    account_deactivate(request=None, actor=world.user_for("administrator"), user=world.user_for(role))
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_an_officer_removed_from_the_team_loses_its_queue_and_cases_at_once(world):
    """Membership removed (membership and team group, as the admin does it): the case and queue are gone."""
    case = world.case("ehat", "submitted")
    officer = join(TEAM_OF_KIND["ehat"])
    client = sign_in(Client(raise_request_exception=False), officer)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert case.reference in client.get("/work/queue/").content.decode()
    leave(TEAM_OF_KIND["ehat"], officer)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/claim/").status_code == 404
    assert client.get("/work/queue/").status_code == 403


def test_a_manager_removed_from_the_team_can_no_longer_manage_it(world):
    case = world.case("ehat", "submitted")
    manager = world.client_for("team_manager")
    assert manager.get("/work/team/").status_code == 200
    leave(TEAM_OF_KIND["ehat"], world.user_for("team_manager"))
    assert manager.get("/work/team/").status_code == 403
    assert manager.get(f"/cases/{case.pk}/").status_code == 404
    officer = world.user_for("officer")
    assert manager.post(f"/cases/{case.pk}/assign/", {"officer": officer.pk}).status_code == 404


def test_an_officer_moved_to_another_team_loses_the_case_they_held_at_once(world):
    """Moving from the Early Help hub to the SEND team: the hub's case they held is no longer theirs to see or decide.

    The object rights granted to the holder must not outlive their membership of the team the case is routed to.
    """
    case = world.case("ehat", "under_review")
    officer = world.user_for("officer")
    client = world.client_for("officer")
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    leave(TEAM_OF_KIND["ehat"], officer)
    join(TEAM_OF_KIND["ehcp"], officer, role=TeamRole.OFFICER)
    assert case.reference not in client.get("/work/mine/").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/assessments/{case.pk}/answers/").status_code == 404
    decided = client.post(f"/cases/{case.pk}/decide/", {"outcome": "signposted", "note": "Signposted elsewhere"})
    assert decided.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW


@pytest.mark.parametrize("state", ["under_review", "returned", "closed"])
def test_an_officer_removed_from_the_team_can_no_longer_read_the_cases_they_held(world, state):
    """Leaving the team ends access to its cases, including those the officer picked up while in it.

    Claiming grants the holder view and review rights of their own; they must not outlive the membership.
    """
    case = world.case("ehat", state)
    client = world.client_for("officer")
    attachment = world.attachments[case.pk]
    assert client.get(f"/assessments/{case.pk}/answers/").status_code == 200
    leave(TEAM_OF_KIND["ehat"], world.user_for("officer"))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/assessments/{case.pk}/answers/").status_code == 404
    assert client.get(f"/assessments/{case.pk}/evidence/{attachment.pk}/download/").status_code == 404
    assert case.reference not in client.get("/assessments/").content.decode()


def test_every_state_and_kind_is_in_the_world(world):
    """The matrix relies on the world: a case of each type in each state, held by the routed officer once claimed."""
    for (kind, state), case in world.cases.items():
        assert case.kind == kind
        assert case.status == state
        if state in ("under_review", "returned", "closed"):
            assert case.assigned_to == world.user_for("officer", kind)
    assert set(world.cases) == {(kind, state) for kind in KINDS for state in STATES}
