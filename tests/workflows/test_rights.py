"""Who holds which rights on a case as it moves, who can open it, and whose queues it appears in."""

import pytest
from django.contrib.auth.models import Group, Permission
from guardian.shortcuts import get_group_perms

from casework.models import CaseEvent, Status
from identity.models import Team, User
from identity.permissions import can_edit_assessment, can_submit_assessment, can_view_assessment
from tests.workflows.conftest import (
    claimed,
    client_of,
    close_it,
    closed,
    fresh,
    resubmit,
    return_it,
    submitted,
)
from workflows import services
from workflows.flows import FLOWS


def case_links(html: str, assessment) -> int:
    return html.count(f'href="/cases/{assessment.pk}/"')


def test_after_submission_only_the_routed_teams_group_holds_view_and_review_rights(people):
    assessment = submitted("ehcp")
    for team in Team.objects.all():
        expected = {"view_assessment", "review_assessment"} if team.slug == "send-statutory-assessment" else set()
        assert set(get_group_perms(team.group, assessment)) == expected, team.slug


def test_nobody_holds_the_review_right_globally(people):
    """A global grant would pass every review task's check, so no group or person may hold it."""
    review = Permission.objects.get(codename="review_assessment", content_type__app_label="casework")
    claimed("ehat")
    assert not Group.objects.filter(permissions=review).exists()
    assert not User.objects.filter(user_permissions=review).exists()
    for user in User.objects.all():
        assert not user.has_perm("casework.review_assessment"), user.email


def test_review_task_checks_the_object_right_of_the_routed_team(people):
    """The flow's review node lets the Early Help hub's officer take the task, not another team's."""
    assessment = submitted("ehat")
    task = services._review_task(assessment)
    assert FLOWS["ehat"].review.can_assign(people.priya, task)
    assert not FLOWS["ehat"].review.can_assign(people.tom, task)


def test_author_cannot_edit_while_the_council_has_it_and_can_again_when_returned(people):
    """Edit and submit rights go on submission, come back with a return, and go again on resubmission."""
    sam = people.sam

    def drafting_rights(assessment):
        assessment = fresh(assessment)
        return can_edit_assessment(sam, assessment), can_submit_assessment(sam, assessment)

    assessment = submitted("ehat")
    assert drafting_rights(assessment) == (False, False)
    services.assessment_claim(actor=people.priya, assessment=assessment)
    assert drafting_rights(assessment) == (False, False)
    assessment = return_it(fresh(assessment))
    assert drafting_rights(assessment) == (True, True)
    assessment = resubmit(assessment)
    assert drafting_rights(assessment) == (False, False)
    services.assessment_claim(actor=people.priya, assessment=assessment)
    assessment = close_it(fresh(assessment))
    assert drafting_rights(assessment) == (False, False)
    assert can_view_assessment(sam, assessment)


CASE_URLS = [
    pytest.param("get", "/cases/{pk}/", id="case"),
    pytest.param("post", "/cases/{pk}/claim/", id="claim"),
    pytest.param("post", "/cases/{pk}/release/", id="release"),
    pytest.param("post", "/cases/{pk}/assign/", id="assign"),
    pytest.param("get", "/cases/{pk}/return/", id="return-page"),
    pytest.param("post", "/cases/{pk}/return/", id="return"),
    pytest.param("get", "/cases/{pk}/decide/", id="decide-page"),
    pytest.param("post", "/cases/{pk}/decide/", id="decide"),
    pytest.param("get", "/cases/{pk}/pause/", id="pause-page"),
    pytest.param("post", "/cases/{pk}/pause/", id="pause"),
    pytest.param("post", "/cases/{pk}/resume/", id="resume"),
    pytest.param("get", "/cases/{pk}/reopen/", id="reopen-page"),
    pytest.param("post", "/cases/{pk}/reopen/", id="reopen"),
    pytest.param("post", "/cases/{pk}/messages/", id="message"),
]

# Enough to pass each form, so only the missing right can stop the action.
POSTED = {
    "officer": "",
    "section_reason": "Add dates",
    "outcome": "signposted",
    "note": "Signposted",
    "reason": "child_away",
    "body": "Hello",
}


@pytest.mark.parametrize(("method", "url"), CASE_URLS)
def test_officer_of_another_team_gets_404_on_the_case_and_every_action(people, method, url):
    """Tom works SEND cases: an Early Help case does not exist for him, and nothing he posts changes it."""
    assessment = claimed("ehat")
    events = CaseEvent.objects.filter(assessment=assessment).count()
    client = client_of(people.tom)
    response = getattr(client, method)(url.format(pk=assessment.pk), POSTED if method == "post" else None)
    assert response.status_code == 404
    assert (fresh(assessment).status, fresh(assessment).assigned_to) == (Status.UNDER_REVIEW, people.priya)
    assert CaseEvent.objects.filter(assessment=assessment).count() == events


@pytest.mark.parametrize("who", [pytest.param("sam", id="author-404"), pytest.param("alex", id="administrator-404")])
def test_people_who_are_not_council_officers_get_404_on_the_case(people, who):
    """The author reads their case on the progress page; the council's page is not theirs."""
    assessment = submitted("ehat")
    client = client_of(getattr(people, who))
    assert client.get(f"/cases/{assessment.pk}/").status_code == 404
    assert client.post(f"/cases/{assessment.pk}/claim/").status_code == 404
    assert fresh(assessment).status == Status.SUBMITTED


def test_officer_of_another_team_cannot_open_the_professionals_progress_page(people):
    assessment = claimed("ehat")
    assert client_of(people.tom).get(f"/assessments/{assessment.pk}/progress/").status_code == 404


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        pytest.param("priya", "ehat", id="early-help-officer"),
        pytest.param("tom", "ehcp", id="send-officer"),
        pytest.param("ana", "young_carers", id="young-carers-officer"),
    ],
)
def test_team_queue_lists_only_the_officers_own_teams_cases(people, who, sees):
    cases = {kind: submitted(kind) for kind in ("ehat", "ehcp", "young_carers")}
    html = client_of(getattr(people, who)).get("/work/queue/").content.decode()
    for kind, assessment in cases.items():
        assert case_links(html, assessment) == (1 if kind == sees else 0), kind
        assert (assessment.reference in html) == (kind == sees)


def test_officer_of_another_team_sees_the_case_in_none_of_their_trays(people):
    """Tom's queue and work hold nothing of the Early Help hub's, whether queued, held or returned."""
    queued, held = submitted("ehat"), claimed("ehat")
    client = client_of(people.tom)
    for tray in ("queue", "mine"):
        html = client.get(f"/work/{tray}/").content.decode()
        assert queued.reference not in html
        assert held.reference not in html
    assert client.get("/work/team/").status_code == 403


def test_my_work_lists_only_the_cases_the_officer_holds(cast):
    mine, theirs, queued = claimed("ehat"), claimed("ehat", officer=cast.second), submitted("ehat")
    html = client_of(cast.priya).get("/work/mine/").content.decode()
    assert case_links(html, mine) == 1
    assert case_links(html, theirs) == 0
    assert case_links(html, queued) == 0


def test_team_work_is_403_for_a_plain_officer(people):
    assert client_of(people.priya).get("/work/team/").status_code == 403


def test_professionals_have_no_work_trays(people):
    assert client_of(people.sam).get("/work/queue/").status_code == 403


def test_team_manager_sees_all_open_work_of_their_team_only(cast):
    """Jo sees the hub's queued, held and returned cases, but no SEND case and nothing closed."""
    queued, held = submitted("ehat"), claimed("ehat", officer=cast.second)
    back_with_author = return_it(claimed("ehat"))
    done, send = closed("ehat"), submitted("ehcp")
    html = client_of(cast.jo).get("/work/team/").content.decode()
    for assessment in (queued, held, back_with_author):
        assert case_links(html, assessment) == 1, assessment.status
    assert case_links(html, done) == 0
    assert case_links(html, send) == 0


def test_service_manager_sees_every_teams_work_and_can_open_any_case(people):
    cases = [submitted("ehat"), claimed("ehcp"), submitted("young_carers")]
    client = client_of(people.lee)
    html = client.get("/work/team/").content.decode()
    for assessment in cases:
        assert case_links(html, assessment) == 1, assessment.kind
        assert client.get(f"/cases/{assessment.pk}/").status_code == 200
