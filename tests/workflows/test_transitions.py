"""Every transition of the review: allowed; refused in the wrong state; refused for the wrong user; history written."""

import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_group_perms, get_user_perms

from casework.models import CaseEventKind, Outcome, Status
from identity.models import Team
from identity.permissions import can_edit_assessment, can_submit_assessment
from tests.casework.conftest import share, verified_professional
from tests.helpers import UNREACHABLE_CACHE
from tests.workflows.conftest import (
    DECISIONS,
    RETURN_SECTION,
    TEAM_OF_KIND,
    assert_flow_agrees,
    claimed,
    close_it,
    closed,
    draft,
    events_of,
    fresh,
    latest_history,
    resubmit,
    return_it,
    returned,
    submitted,
    withdraw_it,
)
from workflows import services
from workflows.models import CaseMessage, ClockPause, Notification, NotificationKind, PauseReason, TeamRoute

# Assessments at the steps a transition may be refused in, each built by the demo's Early Help officer.
AT_STEP = {
    "draft": lambda: draft("ehat"),
    "submitted": lambda: submitted("ehat"),
    "under_review": lambda: claimed("ehat"),
    "returned": lambda: returned("ehat"),
    "closed": lambda: closed("ehat"),
}


def step(name):
    return pytest.param(name, id=name.replace("_", "-"))


def notified(assessment, kind, user) -> int:
    return Notification.objects.filter(assessment=assessment, kind=kind, recipient=user).count()


# ---------------------------------------------------------------- submit


@pytest.mark.parametrize("kind", ["ehat", "ehcp", "young_carers"])
def test_submit_routes_to_the_team_with_due_dates_and_a_waiting_review(people, kind):
    """Submitting routes the case to the kind's team, dates it, and starts a review waiting in the queue."""
    assessment = submitted(kind)
    assert assessment.status == Status.SUBMITTED
    assert assessment.team.slug == TEAM_OF_KIND[kind]
    assert assessment.assigned_to is None
    assert assessment.first_submitted_at == assessment.submitted_at
    assert assessment.pickup_due and assessment.decision_due
    assert (assessment.final_due is not None) == (kind == "ehcp")
    assert_flow_agrees(assessment)
    assert notified(assessment, NotificationKind.SUBMITTED, people.sam) == 1
    assert Notification.objects.get(kind=NotificationKind.NEW_IN_QUEUE).recipient_email == assessment.team.email


@pytest.mark.parametrize("at", [step("under_review"), step("closed")])
def test_submit_refused_when_the_council_has_it_or_it_is_closed(people, at):
    """Only a draft or a returned assessment can be submitted."""
    assessment = AT_STEP[at]()
    with pytest.raises(services.SubmissionRefused, match="already been submitted"):
        services.assessment_submit(actor=people.sam, assessment=assessment, declaration=True)
    assert fresh(assessment).status == at
    assert len(events_of(assessment, CaseEventKind.SUBMITTED)) == 1


@pytest.mark.parametrize(
    "who", [pytest.param("priya", id="officer"), pytest.param("outsider", id="other-professional")]
)
def test_submit_refused_for_someone_who_is_not_a_drafter(cast, who):
    """An officer, or a professional the draft was not shared with, cannot submit it."""
    assessment = draft("ehat")
    with pytest.raises(PermissionDenied):
        services.assessment_submit(actor=getattr(cast, who), assessment=assessment, declaration=True)
    assert fresh(assessment).status == Status.DRAFT
    assert_flow_agrees(assessment)


def test_a_route_or_team_changed_by_an_administrator_is_used_by_the_next_submission(people):
    """Routes and teams are remembered between submissions, yet a change to either counts straight away."""
    first = submitted("ehat")
    assert first.team.slug == "early-help-hub"

    route = TeamRoute.objects.get(kind="ehat")
    route.team = Team.objects.get(slug="young-carers")
    route.save()
    second = submitted("ehat")
    assert second.team == route.team
    assert {"view_assessment", "review_assessment"} <= set(get_group_perms(route.team.group, second))
    assert not get_group_perms(Team.objects.get(slug="early-help-hub").group, second)

    route.team.email = "young.carers.duty@plymouth.gov.uk"
    route.team.save()
    third = submitted("ehat")
    told = Notification.objects.get(assessment=third, kind=NotificationKind.NEW_IN_QUEUE)
    assert told.recipient_email == "young.carers.duty@plymouth.gov.uk"


def test_a_submission_is_routed_and_dated_when_the_shared_cache_is_down(people, settings, caplog):
    """The cache only spares the database a read: unreachable, it never stands in the way of a submission."""
    settings.CACHES = UNREACHABLE_CACHE
    assessment = submitted("ehcp")
    assert (assessment.status, assessment.team.slug) == (Status.SUBMITTED, "send-statutory-assessment")
    assert assessment.decision_due is not None
    assert "Cache unavailable: workflows:team-routes worked out afresh" in caplog.text


def test_submit_refused_when_no_team_reviews_the_kind(people):
    """Without a route the submission is refused whole: nothing half-routed is left behind."""
    assessment = draft("young_carers")
    TeamRoute.objects.filter(kind="young_carers").delete()
    with pytest.raises(services.SubmissionRefused, match="cannot receive this assessment just now"):
        services.assessment_submit(actor=people.sam, assessment=assessment, declaration=True)
    assert fresh(assessment).status == Status.DRAFT


def test_submit_writes_history_and_a_submitted_event(people):
    """The history row is the author's with the reason 'Submitted'; the timeline names the team."""
    assessment = submitted("ehat")
    row = latest_history(assessment)
    assert (row.status, row.history_change_reason, row.history_user) == ("submitted", "Submitted", people.sam)
    [event] = events_of(assessment, CaseEventKind.SUBMITTED)
    assert (event.actor, event.summary) == (people.sam, "Submitted to the Early Help hub")


# ---------------------------------------------------------------- claim


def test_claim_gives_the_case_to_the_officer_and_tells_the_author(people):
    """The officer picked it up: under review with them, the review task assigned to them, the author told."""
    assessment = submitted("ehat")
    services.assessment_claim(actor=people.priya, assessment=assessment)
    assessment = fresh(assessment)
    assert (assessment.status, assessment.assigned_to) == (Status.UNDER_REVIEW, people.priya)
    assert assessment.claimed_at is not None
    assert {"view_assessment", "review_assessment"} <= set(get_user_perms(people.priya, assessment))
    assert_flow_agrees(assessment)
    assert notified(assessment, NotificationKind.CLAIMED, people.sam) == 1


@pytest.mark.parametrize(
    ("at", "refusal", "message"),
    [
        pytest.param("under_review", services.AlreadyTaken, "Priya Shah has just picked", id="already-claimed"),
        pytest.param("returned", services.TransitionRefused, "not in the queue", id="returned"),
        pytest.param("closed", services.TransitionRefused, "not in the queue", id="closed"),
    ],
)
def test_claim_refused_when_not_in_the_queue(cast, at, refusal, message):
    """Only a case waiting in the queue can be picked up; one already held says who has it."""
    assessment = AT_STEP[at]()
    with pytest.raises(refusal, match=message):
        services.assessment_claim(actor=cast.second, assessment=assessment)
    assert fresh(assessment).status == at
    assert fresh(assessment).assigned_to != cast.second
    assert len(events_of(assessment, CaseEventKind.CLAIMED)) == 1
    assert_flow_agrees(assessment)


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("tom", id="other-team-officer"),
        pytest.param("sam", id="author"),
        pytest.param("lee", id="service-manager"),
    ],
)
def test_claim_refused_for_anyone_outside_the_routed_team(cast, who):
    """Only officers of the team the case is routed to can pick it up."""
    assessment = submitted("ehat")
    with pytest.raises(PermissionDenied):
        services.assessment_claim(actor=getattr(cast, who), assessment=assessment)
    assert fresh(assessment).status == Status.SUBMITTED
    assert events_of(assessment, CaseEventKind.CLAIMED) == []
    assert_flow_agrees(assessment)


def test_claim_of_a_case_waiting_for_its_officer_is_refused_to_a_colleague(cast):
    """A resubmitted case goes back to the officer who returned it; a colleague cannot take it over."""
    assessment = resubmit(returned("ehat"))
    with pytest.raises(services.AlreadyTaken, match="waiting for Priya Shah"):
        services.assessment_claim(actor=cast.second, assessment=assessment)
    assert fresh(assessment).status == Status.SUBMITTED
    assert_flow_agrees(assessment)


def test_claim_writes_history_and_a_claimed_event(people):
    assessment = claimed("ehat")
    row = latest_history(assessment)
    assert (row.status, row.history_change_reason, row.history_user) == (
        "under_review",
        "Picked up by Priya Shah",
        people.priya,
    )
    [event] = events_of(assessment, CaseEventKind.CLAIMED)
    assert (event.actor, event.summary) == (people.priya, "Priya Shah")


# ---------------------------------------------------------------- assign


def test_manager_assigns_a_queued_case_to_an_officer_who_is_told(cast):
    """The team manager gives a case in the queue to a named officer, who is e-mailed."""
    assessment = submitted("ehat")
    services.assessment_assign(actor=cast.jo, assessment=assessment, officer=cast.second)
    assessment = fresh(assessment)
    assert (assessment.status, assessment.assigned_to) == (Status.UNDER_REVIEW, cast.second)
    assert_flow_agrees(assessment)
    assert notified(assessment, NotificationKind.ASSIGNED, cast.second) == 1


@pytest.mark.parametrize("at", [step("returned"), step("closed")])
def test_assign_refused_when_not_in_the_queue_or_under_review(cast, at):
    assessment = AT_STEP[at]()
    with pytest.raises(services.TransitionRefused, match="Only assessments in the queue or under review"):
        services.assessment_assign(actor=cast.jo, assessment=assessment, officer=cast.second)
    assert fresh(assessment).status == at
    assert events_of(assessment, CaseEventKind.ASSIGNED) == []


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("priya", id="officer-not-manager"),
        pytest.param("tom", id="other-team-officer"),
        pytest.param("lee", id="service-manager"),
        pytest.param("sam", id="author"),
    ],
)
def test_assign_refused_for_anyone_but_a_manager_of_the_team(cast, who):
    assessment = submitted("ehat")
    with pytest.raises(PermissionDenied, match="Only a manager of this team"):
        services.assessment_assign(actor=getattr(cast, who), assessment=assessment, officer=cast.second)
    assert fresh(assessment).assigned_to is None
    assert_flow_agrees(assessment)


def test_assign_refused_to_an_officer_outside_the_team(people):
    assessment = submitted("ehat")
    with pytest.raises(services.TransitionRefused, match="Tom Evans is not in the Early Help hub"):
        services.assessment_assign(actor=people.jo, assessment=assessment, officer=people.tom)
    assert fresh(assessment).assigned_to is None
    assert_flow_agrees(assessment)


def test_assign_writes_history_and_an_assigned_event(cast):
    assessment = submitted("ehat")
    services.assessment_assign(actor=cast.jo, assessment=assessment, officer=cast.second)
    row = latest_history(assessment)
    assert row.history_change_reason == f"Assigned to {cast.second.full_name} by Jo Bennett"
    assert (row.history_user, row.assigned_to_id) == (cast.jo, cast.second.pk)
    [event] = events_of(assessment, CaseEventKind.ASSIGNED)
    assert (event.actor, event.summary) == (cast.jo, f"Assigned to {cast.second.full_name}")


# ---------------------------------------------------------------- release


def test_release_puts_the_case_back_in_the_queue_and_takes_the_officers_right(people):
    """Released: submitted, unassigned, the task waiting again; the officer keeps only the team's rights."""
    assessment = claimed("ehat")
    services.assessment_release(actor=people.priya, assessment=assessment)
    assessment = fresh(assessment)
    assert (assessment.status, assessment.assigned_to, assessment.claimed_at) == (Status.SUBMITTED, None, None)
    assert "review_assessment" not in get_user_perms(people.priya, assessment)
    assert_flow_agrees(assessment)


def test_manager_may_release_a_case_an_officer_holds(people):
    assessment = claimed("ehat")
    services.assessment_release(actor=people.jo, assessment=assessment)
    assert fresh(assessment).status == Status.SUBMITTED
    assert_flow_agrees(assessment)


@pytest.mark.parametrize("at", [step("submitted"), step("returned"), step("closed")])
def test_release_refused_unless_under_review(people, at):
    assessment = AT_STEP[at]()
    with pytest.raises(services.TransitionRefused, match="Only an assessment under review"):
        services.assessment_release(actor=people.jo, assessment=assessment)
    assert fresh(assessment).status == at
    assert events_of(assessment, CaseEventKind.RELEASED) == []


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("second", id="team-officer-not-holding"),
        pytest.param("tom", id="other-team-officer"),
        pytest.param("sam", id="author"),
    ],
)
def test_release_refused_for_anyone_but_the_holder_or_a_manager(cast, who):
    assessment = claimed("ehat")
    with pytest.raises(PermissionDenied):
        services.assessment_release(actor=getattr(cast, who), assessment=assessment)
    assert fresh(assessment).assigned_to == cast.priya
    assert_flow_agrees(assessment)


def test_release_writes_history_and_a_released_event(people):
    assessment = claimed("ehat")
    services.assessment_release(actor=people.priya, assessment=assessment)
    row = latest_history(assessment)
    assert (row.status, row.history_change_reason, row.history_user) == (
        "submitted",
        "Put back in the queue",
        people.priya,
    )
    assert [event.actor for event in events_of(assessment, CaseEventKind.RELEASED)] == [people.priya]


# ---------------------------------------------------------------- return


@pytest.mark.parametrize("kind", ["ehat", "ehcp", "young_carers"])
def test_return_sends_it_back_with_comments_and_gives_the_drafters_their_rights(people, kind):
    """Returned: the section comment is stored, the author can change and submit it again, and is told."""
    assessment = return_it(claimed(kind), comments={RETURN_SECTION[kind]: "  Add dates  "}, message="Thanks")
    assert assessment.status == Status.RETURNED
    assert assessment.sections.get(key=RETURN_SECTION[kind]).return_comment == "Add dates"
    assert can_edit_assessment(people.sam, assessment)
    assert can_submit_assessment(people.sam, assessment)
    assert list(CaseMessage.objects.filter(assessment=assessment).values_list("body", flat=True)) == ["Thanks"]
    assert notified(assessment, NotificationKind.RETURNED, people.sam) == 1
    assert_flow_agrees(assessment)


@pytest.mark.parametrize("at", [step("submitted"), step("returned"), step("closed")])
def test_return_refused_unless_under_review(people, at):
    assessment = AT_STEP[at]()
    with pytest.raises(services.TransitionRefused, match="Only an assessment under review can be returned"):
        return_it(assessment, officer=people.priya)
    assert fresh(assessment).status == at
    assert len(events_of(assessment, CaseEventKind.RETURNED)) == (1 if at == "returned" else 0)


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("second", id="team-officer-not-holding"),
        pytest.param("jo", id="team-manager-not-holding"),
        pytest.param("tom", id="other-team-officer"),
        pytest.param("sam", id="author"),
    ],
)
def test_return_refused_for_anyone_but_the_officer_reviewing_it(cast, who):
    assessment = claimed("ehat")
    with pytest.raises(PermissionDenied):
        return_it(assessment, officer=getattr(cast, who))
    assert fresh(assessment).status == Status.UNDER_REVIEW
    assert_flow_agrees(assessment)


def test_return_refused_without_a_comment_on_any_section(people):
    assessment = claimed("ehat")
    with pytest.raises(services.TransitionRefused, match="at least one section"):
        return_it(assessment, comments={"reason": "   ", "voice": ""})
    assert fresh(assessment).status == Status.UNDER_REVIEW
    assert_flow_agrees(assessment)


def test_return_writes_history_and_an_event_listing_the_sections(people):
    assessment = return_it(claimed("ehat"), comments={"reason": "Add dates", "voice": "Ask the child"})
    row = latest_history(assessment)
    assert (row.status, row.history_change_reason, row.history_user) == (
        "returned",
        "Returned for changes",
        people.priya,
    )
    [event] = events_of(assessment, CaseEventKind.RETURNED)
    assert event.actor == people.priya
    assert [change["after"] for change in event.changes] == ["Add dates", "Ask the child"]


# ---------------------------------------------------------------- close


@pytest.mark.parametrize("kind", ["ehat", "ehcp", "young_carers"])
def test_close_records_the_decision_and_tells_the_author(people, kind):
    assessment = close_it(claimed(kind), note="  Reasons given  ")
    assert assessment.status == Status.CLOSED
    assert (assessment.outcome, assessment.outcome_details) == DECISIONS[kind]
    assert assessment.decision_note == "Reasons given"
    assert assessment.closed_at is not None
    assert notified(assessment, NotificationKind.CLOSED, people.sam) == 1
    assert_flow_agrees(assessment)


@pytest.mark.parametrize("at", [step("submitted"), step("returned"), step("closed")])
def test_close_refused_unless_under_review(people, at):
    assessment = AT_STEP[at]()
    with pytest.raises(services.TransitionRefused, match="Only an assessment under review can be decided"):
        close_it(assessment, officer=people.priya)
    assert fresh(assessment).status == at
    assert len(events_of(assessment, CaseEventKind.CLOSED)) == (1 if at == "closed" else 0)


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("second", id="team-officer-not-holding"),
        pytest.param("jo", id="team-manager-not-holding"),
        pytest.param("tom", id="other-team-officer"),
        pytest.param("sam", id="author"),
    ],
)
def test_close_refused_for_anyone_but_the_officer_reviewing_it(cast, who):
    assessment = claimed("ehat")
    with pytest.raises(PermissionDenied):
        close_it(assessment, officer=getattr(cast, who))
    assert fresh(assessment).status == Status.UNDER_REVIEW
    assert_flow_agrees(assessment)


@pytest.mark.parametrize(
    ("outcome", "note", "message"),
    [
        pytest.param(Outcome.AGREED_TO_ASSESS, "Note", "Choose an outcome", id="outcome-of-another-kind"),
        pytest.param(Outcome.WITHDRAWN, "Note", "Choose an outcome", id="withdrawn-is-not-a-decision"),
        pytest.param(Outcome.SIGNPOSTED, "  ", "Write a decision note", id="no-note"),
    ],
)
def test_close_refused_without_a_valid_outcome_and_note(people, outcome, note, message):
    assessment = claimed("ehat")
    with pytest.raises(services.TransitionRefused, match=message):
        close_it(assessment, outcome=outcome, note=note)
    assert fresh(assessment).status == Status.UNDER_REVIEW
    assert_flow_agrees(assessment)


def test_close_writes_history_and_a_closed_event(people):
    assessment = close_it(claimed("ehat"), outcome=Outcome.SIGNPOSTED)
    row = latest_history(assessment)
    assert (row.status, row.outcome, row.history_change_reason, row.history_user) == (
        "closed",
        "signposted",
        "Closed: Signposted to another service",
        people.priya,
    )
    [event] = events_of(assessment, CaseEventKind.CLOSED)
    assert (event.actor, event.summary) == (people.priya, "Signposted to another service")


# ---------------------------------------------------------------- withdraw


def test_withdraw_closes_the_case_as_withdrawn_and_the_drafters_stop_editing(people):
    assessment = withdraw_it(submitted("ehat"), reason="  Family moved  ")
    assert (assessment.status, assessment.outcome, assessment.decision_note) == (
        Status.CLOSED,
        Outcome.WITHDRAWN,
        "Family moved",
    )
    assert not can_edit_assessment(people.sam, assessment)
    assert_flow_agrees(assessment)


def test_withdraw_refused_once_closed(people):
    assessment = closed("ehat")
    with pytest.raises(services.TransitionRefused, match="already been closed"):
        withdraw_it(assessment)
    assert fresh(assessment).outcome == Outcome.SIGNPOSTED
    assert events_of(assessment, CaseEventKind.WITHDRAWN) == []


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("priya", id="officer-holding-it"),
        pytest.param("jo", id="team-manager"),
        pytest.param("co_author", id="co-author"),
    ],
)
def test_withdraw_refused_for_anyone_but_the_author(cast, who):
    assessment = claimed("ehat")
    if who == "co_author":
        actor = verified_professional(organisation=cast.sam.organisation)
        share(assessment, with_user=actor)
    else:
        actor = getattr(cast, who)
    with pytest.raises(PermissionDenied, match="Only the author"):
        services.assessment_withdraw(actor=actor, assessment=assessment, reason="No longer needed")
    assert fresh(assessment).status == Status.UNDER_REVIEW
    assert_flow_agrees(assessment)


def test_withdraw_refused_without_a_reason(people):
    assessment = submitted("ehat")
    with pytest.raises(services.TransitionRefused, match="Say why"):
        withdraw_it(assessment, reason=" ")
    assert fresh(assessment).status == Status.SUBMITTED
    assert_flow_agrees(assessment)


def test_withdraw_writes_history_and_a_withdrawn_event(people):
    assessment = withdraw_it(claimed("ehat"), reason="Family moved")
    row = latest_history(assessment)
    assert (row.status, row.outcome, row.history_change_reason, row.history_user) == (
        "closed",
        "withdrawn",
        "Withdrawn by the author",
        people.sam,
    )
    [event] = events_of(assessment, CaseEventKind.WITHDRAWN)
    assert (event.actor, event.summary) == (people.sam, "Family moved")


# ---------------------------------------------------------------- reopen


@pytest.mark.parametrize("at", [step("submitted"), step("under_review"), step("returned")])
def test_reopen_refused_unless_closed(people, at):
    assessment = AT_STEP[at]()
    with pytest.raises(services.TransitionRefused, match="Only cases closed in the last 30 days"):
        services.assessment_reopen(actor=people.jo, assessment=assessment, reason="New information")
    assert fresh(assessment).status == at
    assert_flow_agrees(assessment)


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("priya", id="officer-not-manager"),
        pytest.param("tom", id="other-team-officer"),
        pytest.param("lee", id="service-manager"),
        pytest.param("sam", id="author"),
    ],
)
def test_reopen_refused_for_anyone_but_a_manager_of_the_team(cast, who):
    assessment = closed("ehat")
    with pytest.raises(PermissionDenied, match="Only a manager of this team"):
        services.assessment_reopen(actor=getattr(cast, who), assessment=assessment, reason="New information")
    assert fresh(assessment).status == Status.CLOSED
    assert_flow_agrees(assessment)


def test_reopen_refused_without_a_reason(people):
    assessment = closed("ehat")
    with pytest.raises(services.TransitionRefused, match="Say why"):
        services.assessment_reopen(actor=people.jo, assessment=assessment, reason="")
    assert fresh(assessment).status == Status.CLOSED


def test_reopen_writes_history_an_event_and_tells_the_author_and_officer(people):
    assessment = closed("ehat")
    services.assessment_reopen(actor=people.jo, assessment=assessment, reason="New information")
    row = latest_history(assessment)
    assert (row.outcome, row.history_change_reason, row.history_user) == (
        "",
        "Reopened by Jo Bennett: New information",
        people.jo,
    )
    [event] = events_of(assessment, CaseEventKind.REOPENED)
    assert (event.actor, event.summary) == (people.jo, "New information")
    assert notified(assessment, NotificationKind.REOPENED, people.sam) == 1
    assert notified(assessment, NotificationKind.REOPENED, people.priya) == 1


def test_a_long_reopening_reason_is_kept_whole_in_the_history(people):
    """The reason form takes 2,000 characters; the history keeps them all (on PostgreSQL a short column 500'd)."""
    assessment = closed("ehat")
    reason = "The family has moved back and the school has new concerns. " * 33
    services.assessment_reopen(actor=people.jo, assessment=assessment, reason=reason[:2000])
    assert latest_history(assessment).history_change_reason == f"Reopened by Jo Bennett: {reason[:2000].strip()}"


# ---------------------------------------------------------------- the clock, by hand


def test_officer_holding_the_case_pauses_the_clock(people):
    assessment = claimed("ehcp")
    services.clock_pause(actor=people.tom, assessment=assessment, reason=PauseReason.SCHOOL_CLOSED)
    pause = ClockPause.objects.get(assessment=assessment)
    assert (pause.reason, pause.ended_on, pause.started_by) == (PauseReason.SCHOOL_CLOSED, None, people.tom)


def test_manager_pauses_the_clock_of_a_case_in_the_queue(people):
    assessment = submitted("ehat")
    services.clock_pause(actor=people.jo, assessment=assessment, reason=PauseReason.WAITING_FOR_FAMILY)
    assert ClockPause.objects.filter(assessment=assessment, ended_on__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("at", "message"),
    [
        pytest.param("returned", "only be paused while the council has", id="returned"),
        pytest.param("closed", "only be paused while the council has", id="closed"),
        pytest.param("paused", "already paused", id="already-paused"),
    ],
)
def test_pause_refused_when_the_council_does_not_have_it_or_it_is_paused(people, at, message):
    assessment = claimed("ehat") if at == "paused" else AT_STEP[at]()
    if at == "paused":
        services.clock_pause(actor=people.priya, assessment=assessment, reason=PauseReason.WAITING_FOR_FAMILY)
    pauses_before = ClockPause.objects.filter(assessment=assessment).count()
    with pytest.raises(services.TransitionRefused, match=message):
        services.clock_pause(actor=people.jo, assessment=assessment, reason=PauseReason.WAITING_FOR_FAMILY)
    assert ClockPause.objects.filter(assessment=assessment).count() == pauses_before


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("second", id="team-officer-not-holding"),
        pytest.param("tom", id="other-team-officer"),
        pytest.param("sam", id="author"),
    ],
)
def test_pause_refused_for_anyone_but_the_holder_or_a_manager(cast, who):
    assessment = claimed("ehat")
    with pytest.raises(PermissionDenied):
        services.clock_pause(actor=getattr(cast, who), assessment=assessment, reason=PauseReason.WAITING_FOR_FAMILY)
    assert not ClockPause.objects.filter(assessment=assessment).exists()


def test_pause_writes_history_and_a_paused_event(people):
    assessment = claimed("ehcp")
    services.clock_pause(actor=people.tom, assessment=assessment, reason=PauseReason.CHILD_AWAY)
    row = latest_history(assessment)
    assert (row.history_change_reason, row.history_user) == ("Clock paused", people.tom)
    assert ClockPause.objects.get(assessment=assessment).history.first().history_change_reason == "Clock paused"
    [event] = events_of(assessment, CaseEventKind.CLOCK_PAUSED)
    assert (event.actor, event.summary) == (people.tom, PauseReason.CHILD_AWAY.label)


def test_resume_ends_the_pause(people):
    assessment = claimed("ehcp")
    services.clock_pause(actor=people.tom, assessment=assessment, reason=PauseReason.CHILD_AWAY)
    services.clock_resume(actor=people.tom, assessment=assessment)
    assert ClockPause.objects.get(assessment=assessment).ended_on is not None


def test_resume_refused_when_the_clock_is_running(people):
    assessment = claimed("ehcp")
    with pytest.raises(services.TransitionRefused, match="not paused"):
        services.clock_resume(actor=people.tom, assessment=assessment)
    assert events_of(assessment, CaseEventKind.CLOCK_RESUMED) == []


def test_resume_refused_while_the_assessment_is_back_with_its_author(people):
    """A return stops the EHAT clock until the author resubmits; the officer cannot restart it meanwhile."""
    assessment = returned("ehat")
    decision_due = assessment.decision_due
    with pytest.raises(services.TransitionRefused):
        services.clock_resume(actor=people.priya, assessment=assessment)
    assert ClockPause.objects.get(assessment=assessment).ended_on is None
    assert fresh(assessment).decision_due == decision_due


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("second", id="team-officer-not-holding"),
        pytest.param("tom", id="other-team-officer"),
        pytest.param("sam", id="author"),
    ],
)
def test_resume_refused_for_anyone_but_the_holder_or_a_manager(cast, who):
    assessment = claimed("ehat")
    services.clock_pause(actor=cast.priya, assessment=assessment, reason=PauseReason.WAITING_FOR_FAMILY)
    with pytest.raises(PermissionDenied):
        services.clock_resume(actor=getattr(cast, who), assessment=assessment)
    assert ClockPause.objects.get(assessment=assessment).ended_on is None


def test_resume_writes_history_and_a_resumed_event(people):
    assessment = claimed("ehcp")
    services.clock_pause(actor=people.tom, assessment=assessment, reason=PauseReason.CHILD_AWAY)
    services.clock_resume(actor=people.tom, assessment=assessment)
    row = latest_history(assessment)
    assert (row.history_change_reason, row.history_user) == ("Clock resumed", people.tom)
    assert ClockPause.objects.get(assessment=assessment).history.first().history_change_reason == "Clock resumed"
    [event] = events_of(assessment, CaseEventKind.CLOCK_RESUMED)
    assert event.actor == people.tom
    assert event.summary.startswith("Paused from ")


# ---------------------------------------------------------------- messages


def test_message_from_the_author_goes_to_the_officer_holding_it(people):
    assessment = claimed("ehat")
    message = services.message_post(actor=people.sam, assessment=assessment, body="  Mum has agreed  ")
    assert message.body == "Mum has agreed"
    assert notified(assessment, NotificationKind.MESSAGE, people.priya) == 1
    assert notified(assessment, NotificationKind.MESSAGE, people.sam) == 0


def test_message_from_the_author_of_a_queued_case_goes_to_the_team_mailbox(people):
    assessment = submitted("ehat")
    services.message_post(actor=people.sam, assessment=assessment, body="One more thing")
    [notification] = Notification.objects.filter(assessment=assessment, kind=NotificationKind.MESSAGE)
    assert (notification.recipient, notification.recipient_email) == (None, "earlyhelp@plymouth.gov.uk")


def test_message_from_the_council_goes_to_the_drafters(people):
    assessment = claimed("ehat")
    services.message_post(actor=people.priya, assessment=assessment, body="Can you call me?")
    assert notified(assessment, NotificationKind.MESSAGE, people.sam) == 1
    assert notified(assessment, NotificationKind.MESSAGE, people.priya) == 0


def test_message_refused_on_a_draft(people):
    assessment = draft("ehat")
    with pytest.raises(PermissionDenied):
        services.message_post(actor=people.sam, assessment=assessment, body="Hello")
    assert not CaseMessage.objects.exists()


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("tom", id="other-team-officer"),
        pytest.param("outsider", id="other-professional"),
        pytest.param("lee", id="service-manager"),
    ],
)
def test_message_refused_for_someone_with_no_part_in_the_case(cast, who):
    assessment = claimed("ehat")
    with pytest.raises(PermissionDenied):
        services.message_post(actor=getattr(cast, who), assessment=assessment, body="Hello")
    assert not CaseMessage.objects.exists()


def test_message_refused_when_empty(people):
    assessment = claimed("ehat")
    with pytest.raises(services.TransitionRefused, match="Write your message"):
        services.message_post(actor=people.sam, assessment=assessment, body="   ")
    assert not CaseMessage.objects.exists()


def test_message_writes_history_and_a_message_event(people):
    assessment = claimed("ehat")
    message = services.message_post(actor=people.sam, assessment=assessment, body="Mum has agreed")
    row = message.history.get()
    assert (row.history_change_reason, row.body, row.author_id) == ("Message", "Mum has agreed", people.sam.pk)
    [event] = events_of(assessment, CaseEventKind.MESSAGE)
    assert (event.actor, event.summary) == (people.sam, "Mum has agreed")
