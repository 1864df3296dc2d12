"""Pages of the EHC needs assessment: the coordinator's overview and steps, the professional's advice, and the
draft plan as the setting that made the request reads and comments on it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casework.evidence import EvidenceRejected
from casework.models import DisclosureKind
from casework.services import case_read_record
from identity.permissions import require
from portal.forms import posted

from . import ehc, ehc_adviser
from .ehc_forms import (
    AdviceForm,
    AdviceRequestForm,
    CoordinatorForm,
    DraftCommentForm,
    DraftPlanForm,
    FinalPlanForm,
    GoOnWithoutForm,
    IssueDecisionForm,
    NeedsAssessmentPauseForm,
    SettingCommentForm,
)
from .ehc_models import AdviceKind, IssueDecision, NeedsAssessmentStage
from .errors import TransitionRefused, not_saved_page, refusals_shown_on, typed_text, typed_text_kept
from .selectors import open_pause, team_members

refusals_shown = refusals_shown_on("workflows:ehc")


def _advice_rows(needs_assessment, today, *, is_coordinator=False):
    """Each kind of advice with who was asked, when it is due, and where it is (and whether the coordinator may
    go on without it: only once it is overdue)."""
    asked = {advice.kind: advice for advice in ehc.advice_requests_of(needs_assessment)}
    rows = []
    for kind in AdviceKind:
        advice = asked.get(kind.value)
        if advice is None:
            reason = needs_assessment.advice_not_sought.get(kind.value, "")
            rows.append({"kind": kind.label, "advice": None, "not_sought": reason})
            continue
        tag, colour = ehc_adviser.advice_status(advice, today, waiting="Waiting")
        may_go_on_without = (
            is_coordinator and tag == "Overdue" and needs_assessment.stage == NeedsAssessmentStage.GATHERING_ADVICE
        )
        rows.append(
            {"kind": kind.label, "advice": advice, "tag": tag, "colour": colour, "may_go_on_without": may_go_on_without}
        )
    return rows


def needs_assessment(request, pk: int):
    """The needs assessment of a request: its stage, the statutory dates, the advice, the decision, the plan and
    the comments on it, with the steps this person may take now."""
    found = ehc.needs_assessment_for_council(request.user, pk)
    case_read_record(actor=request.user, assessment=found.assessment, kind=DisclosureKind.NEEDS_ASSESSMENT_VIEWED)
    today = timezone.localdate()
    user = request.user
    is_coordinator = user.pk == found.coordinator_id
    stage = found.stage
    pause = open_pause(found.assessment)
    finished = stage in ehc.FINISHED_STAGES
    may_work_the_clock = not finished and ehc.may_work_the_clock(user, found)
    comments = ehc.draft_comments_of(found) if found.draft_sent_on else []
    coordinator_at = {
        step: is_coordinator and stage == step
        for step in (
            NeedsAssessmentStage.REQUESTING_ADVICE,
            NeedsAssessmentStage.DECIDING,
            NeedsAssessmentStage.DRAFTING,
            NeedsAssessmentStage.COMMENTS,
            NeedsAssessmentStage.FINALISING,
        )
    }
    return render(
        request,
        "workflows/ehc/needs_assessment.html",
        {
            "needs_assessment": found,
            "assessment": found.assessment,
            "key_dates": ehc.key_dates(found),
            "today": today,
            "pause": pause,
            "advice_rows": _advice_rows(found, today, is_coordinator=is_coordinator)
            if found.advice_requested_on
            else [],
            "may_ask_for_advice": coordinator_at[NeedsAssessmentStage.REQUESTING_ADVICE],
            "may_decide": coordinator_at[NeedsAssessmentStage.DECIDING],
            "may_draft": coordinator_at[NeedsAssessmentStage.DRAFTING],
            "may_record_comments": coordinator_at[NeedsAssessmentStage.COMMENTS],
            "may_end_comments": coordinator_at[NeedsAssessmentStage.COMMENTS] and ehc.comment_period_over(found, today),
            "may_finalise": coordinator_at[NeedsAssessmentStage.FINALISING],
            "may_pause": may_work_the_clock and pause is None,
            "may_resume": may_work_the_clock and pause is not None,
            "may_hand_over": not finished and ehc.may_hand_over(user, found),
            "is_coordinator": is_coordinator,
            "decided": bool(found.issue_decided_on),
            "not_issuing": found.issue_decision == IssueDecision.NOT_ISSUE,
            "plan_sections": _written_sections(found.plan_sections),
            "plan_is_final": stage == NeedsAssessmentStage.ISSUED,
            "plan_version": ehc.plan_version(found),
            "comments": comments,
        },
    )


def _written_sections(sections: dict) -> list[tuple[str, str, str]]:
    """The plan's sections that have text, as (letter, title, text)."""
    return [(key, title, sections.get(key, "")) for key, title in ehc.PLAN_SECTIONS.items() if sections.get(key)]


def _coordinator_at(request, pk: int, stage: str, refusal: str):
    """The needs assessment, for its coordinator, at the stage a step works at (else the reason, on the overview)."""
    found = ehc.needs_assessment_for_council(request.user, pk)
    require(request.user.pk == found.coordinator_id, "Only the assessment coordinator can do this")
    if found.stage != stage:
        raise TransitionRefused(refusal)
    return found


def _step_page(request, template: str, found, form, **extra):
    return render(request, template, {"needs_assessment": found, "assessment": found.assessment, "form": form, **extra})


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(IssueDecisionForm, "workflows:ehc")
def issue_decide(request, pk: int):
    """The coordinator decides whether to issue an EHC plan (by week 16)."""
    found = _coordinator_at(
        request, pk, NeedsAssessmentStage.DECIDING, "The needs assessment is not waiting for the decision to issue"
    )
    form = IssueDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ehc.issue_decide(
            actor=request.user,
            needs_assessment=found,
            decision=data["decision"],
            reasons=data["reasons"],
            appeal_rights_given=data["appeal_rights_given"],
        )
        if data["decision"] == IssueDecision.ISSUE:
            messages.success(request, "Decided to issue a plan: write the draft plan next")
        else:
            messages.success(request, "Decided not to issue a plan: the needs assessment has ended")
        return redirect("workflows:ehc", pk=pk)
    advice = [row for row in ehc.advice_requests_of(found) if row.answered_on]
    return _step_page(
        request,
        "workflows/ehc/issue_decide.html",
        found,
        form,
        advice=[(row, [(q, row.answer.get(key, "")) for key, q in ehc.ADVICE_QUESTIONS.items()]) for row in advice],
    )


def _draft_page(request, found, form, *, conflict=False):
    return _step_page(
        request,
        "workflows/ehc/draft_plan.html",
        found,
        form,
        conflict=conflict,
        saved_sections=_written_sections(found.plan_sections) if conflict else [],
        version=ehc.plan_version(found),
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(DraftPlanForm, "workflows:ehc")
def draft_plan(request, pk: int):
    """The coordinator writes the draft plan, section by section, saving as they go.

    The page carries the version of the draft it showed: a save made meanwhile (another coordinator, another tab)
    is never overwritten; the later save is refused with the text typed kept on the page.
    """
    found = _coordinator_at(request, pk, NeedsAssessmentStage.DRAFTING, "The draft plan can no longer be changed")
    if request.method == "GET":
        initial = {f"section_{key}": text for key, text in found.plan_sections.items()}
        return _draft_page(request, found, DraftPlanForm(initial={**initial, "version": ehc.plan_version(found)}))
    form = DraftPlanForm(request.POST)
    if not form.is_valid():
        return _draft_page(request, found, form)
    try:
        ehc.draft_plan_save(
            actor=request.user,
            needs_assessment=found,
            sections=form.sections(),
            version=form.cleaned_data["version"],
        )
    except ehc.PlanChangedMeanwhile as conflict:
        form.add_error(None, str(conflict))
        # The newer version rides in the page now: saving again, having read it, is a deliberate choice.
        found.refresh_from_db(fields=["plan_sections"])
        return _draft_page(request, found, _with_version(form, ehc.plan_version(found)), conflict=True)
    messages.success(request, "The draft plan has been saved")
    return redirect("workflows:ehc-draft", pk=pk)


def _with_version(form, version: str):
    """The same bound form (text typed and errors kept) carrying another version of the saved draft."""
    data = form.data.copy()
    data["version"] = version
    rebound = type(form)(data)
    rebound.is_valid()
    for error in form.non_field_errors():
        rebound.add_error(None, error)
    return rebound


@require_POST
@refusals_shown
def draft_plan_send(request, pk: int):
    """Send the draft plan as last saved (and as the coordinator last read it) to the family and the setting."""
    found = _coordinator_at(request, pk, NeedsAssessmentStage.DRAFTING, "The draft plan has already been sent")
    sent = ehc.draft_plan_send(actor=request.user, needs_assessment=found, version=request.POST.get("version", ""))
    messages.success(request, f"The draft plan has been sent: comments are due by {sent.comments_due:%-d %B %Y}")
    return redirect("workflows:ehc", pk=pk)


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(DraftCommentForm, "workflows:ehc")
def draft_comments(request, pk: int):
    """The coordinator records comments on the draft plan that came from the family (or another way)."""
    found = _coordinator_at(request, pk, NeedsAssessmentStage.COMMENTS, "The comment period has ended")
    form = DraftCommentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ehc.draft_comment_record(
            actor=request.user,
            needs_assessment=found,
            from_whom=data["from_whom"],
            comments=data["comments"],
            preferred_school=data["preferred_school"],
            no_further_comments=data["no_further_comments"],
        )
        messages.success(request, f"The comments from {data['from_whom'].strip()} have been recorded")
        return redirect("workflows:ehc", pk=pk)
    return _step_page(request, "workflows/ehc/draft_comments.html", found, form, comments=ehc.draft_comments_of(found))


@require_POST
@refusals_shown
def comment_period_close(request, pk: int):
    """End the comment period: the 15 days are over, or the family said they have nothing more to add."""
    found = _coordinator_at(request, pk, NeedsAssessmentStage.COMMENTS, "The comment period has already ended")
    ehc.comment_period_close(actor=request.user, needs_assessment=found)
    messages.success(request, "The comment period has ended: the plan can be finalised")
    return redirect("workflows:ehc", pk=pk)


def _preferences(found) -> str:
    """The schools asked for in the comments on the draft, to read beside section I."""
    preferred = [
        f"{comment.preferred_school} ({comment.from_whom}, {comment.received_on:%-d %B %Y})"
        for comment in ehc.draft_comments_of(found)
        if comment.preferred_school
    ]
    return "Preferred: " + "; ".join(preferred) if preferred else "No school was asked for in the comments"


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(FinalPlanForm, "workflows:ehc")
def final_plan(request, pk: int):
    """The coordinator issues the final plan, naming the school in section I (by week 20)."""
    found = _coordinator_at(request, pk, NeedsAssessmentStage.FINALISING, "The plan cannot be issued at this stage")
    hints = {"I": _preferences(found)}
    if request.method == "GET":
        initial = {f"section_{key}": text for key, text in found.plan_sections.items()}
        form = FinalPlanForm(initial=initial, section_hints=hints)
    else:
        form = FinalPlanForm(request.POST, section_hints=hints)
        if form.is_valid():
            ehc.final_plan_issue(actor=request.user, needs_assessment=found, sections=form.sections())
            messages.success(request, "The final EHC plan has been issued")
            return redirect("workflows:ehc", pk=pk)
    return _step_page(request, "workflows/ehc/final_plan.html", found, form)


@require_http_methods(["GET", "POST"])
@refusals_shown
def clock_pause(request, pk: int):
    """The coordinator or a SEND manager stops the clock for a Code of Practice 9.42 exception."""
    found = ehc.needs_assessment_for_council(request.user, pk)
    require(
        ehc.may_work_the_clock(request.user, found),
        "Only the assessment coordinator or a manager of the SEND team can stop the clock",
    )
    if found.stage in ehc.FINISHED_STAGES:
        raise TransitionRefused("The needs assessment has finished")
    if open_pause(found.assessment) is not None:
        raise TransitionRefused("The clock is already paused")
    form = NeedsAssessmentPauseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        ehc.needs_assessment_clock_pause(actor=request.user, needs_assessment=found, reason=form.cleaned_data["reason"])
        messages.success(request, "The clock has been paused")
        return redirect("workflows:ehc", pk=pk)
    return _step_page(request, "workflows/ehc/clock_pause.html", found, form)


@require_POST
@refusals_shown
def clock_resume(request, pk: int):
    found = ehc.needs_assessment_for_council(request.user, pk)
    ehc.needs_assessment_clock_resume(actor=request.user, needs_assessment=found)
    messages.success(request, "The clock has restarted and the dates still to be met have moved on")
    return redirect("workflows:ehc", pk=pk)


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(GoOnWithoutForm, "workflows:ehc")
def advice_go_on_without(request, pk: int, advice_kind: str):
    """The coordinator goes on without one request's advice, once it is overdue, saying why."""
    found = _coordinator_at(
        request, pk, NeedsAssessmentStage.GATHERING_ADVICE, "The needs assessment is no longer waiting for advice"
    )
    advice = next((row for row in ehc.advice_requests_of(found) if row.kind == advice_kind), None)
    if advice is None:
        raise Http404("No such request for advice")
    advice.needs_assessment = found
    if advice.answered_on or advice.closed_unanswered_on:
        raise TransitionRefused("This advice is no longer awaited")
    if advice.due_on >= timezone.localdate():
        raise TransitionRefused(f"{advice.professional_name} has until {advice.due_on:%-d %B %Y} to give this advice")
    form = GoOnWithoutForm(posted(request))
    if request.method == "POST" and form.is_valid():
        ehc.advice_close_unanswered(actor=request.user, advice=advice, reason=form.cleaned_data["reason"])
        messages.success(request, f"The assessment goes on without {ehc.ADVICE_WHAT[advice.kind]}")
        return redirect("workflows:ehc", pk=pk)
    return _step_page(request, "workflows/ehc/advice_go_on_without.html", found, form, advice=advice)


@require_http_methods(["GET", "POST"])
@refusals_shown
def coordinator_assign(request, pk: int):
    """A SEND team manager hands the needs assessment to another officer of the team."""
    found = ehc.needs_assessment_for_council(request.user, pk)
    require(ehc.may_hand_over(request.user, found), "Only a manager of the SEND team can hand over a needs assessment")
    if found.stage in ehc.FINISHED_STAGES:
        raise TransitionRefused("The needs assessment has finished")
    officers = team_members(found.assessment.team).exclude(pk=found.coordinator_id)
    form = CoordinatorForm(posted(request), officers=officers)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["coordinator"]
        ehc.coordinator_assign(actor=request.user, needs_assessment=found, coordinator=chosen)
        messages.success(request, f"{chosen.full_name} now coordinates this needs assessment")
        return redirect("workflows:ehc", pk=pk)
    return _step_page(request, "workflows/ehc/coordinator_assign.html", found, form)


@require_http_methods(["GET", "POST"])
@refusals_shown
def advice_request(request, pk: int):
    """The coordinator asks for each kind of advice from a named professional, or says why it is not needed."""
    found = ehc.needs_assessment_for_council(request.user, pk)
    require(request.user.pk == found.coordinator_id, "Only the assessment coordinator can ask for advice")
    if found.stage != NeedsAssessmentStage.REQUESTING_ADVICE:
        raise TransitionRefused("Advice has already been asked for")
    form = AdviceRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        ehc.advice_request(
            actor=request.user, needs_assessment=found, recipients=form.recipients(), not_sought=form.not_sought()
        )
        messages.success(request, f"Advice has been asked for: it is due on {ehc_due_text(found)}")
        return redirect("workflows:ehc", pk=pk)
    return render(
        request,
        "workflows/ehc/advice_request.html",
        {"needs_assessment": found, "assessment": found.assessment, "form": form},
    )


def ehc_due_text(needs_assessment) -> str:
    due = needs_assessment.advice_requests.order_by("due_on").values_list("due_on", flat=True).first()
    return f"{due:%-d %B %Y}" if due else ""


def _no_longer_awaited(advice) -> str:
    if advice.answered_on:
        return f"This advice was given on {advice.answered_on:%-d %B %Y}"
    coordinator = advice.needs_assessment.coordinator.full_name
    return (
        f"The assessment went on without this advice on {advice.closed_unanswered_on:%-d %B %Y}."
        f" If you still have advice to give, send it to {coordinator}, the assessment coordinator"
    )


def _advice_not_saved(request, advice, reason: str):
    """Advice sent once it is no longer awaited: the reason, with the answers typed, to copy and send another way."""
    back = reverse(
        "workflows:ehc-advice", kwargs={"pk": advice.needs_assessment.assessment_id, "advice_kind": advice.kind}
    )
    typed = typed_text(AdviceForm, request.POST)
    if not typed:
        messages.error(request, reason)
        return redirect(back)
    return not_saved_page(request, typed, reason, back, status=409)


@require_http_methods(["GET", "POST"])
def advice_give(request, pk: int, advice_kind: str):
    """The professional's advice for a needs assessment, answered as three questions, with any reports attached."""
    advice = ehc.advice_for_adviser(request.user, pk, advice_kind)
    awaited = advice.answered_on is None and advice.closed_unanswered_on is None
    if request.method == "POST" and not awaited:
        return _advice_not_saved(request, advice, _no_longer_awaited(advice))
    posted = request.method == "POST" and awaited
    form = AdviceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            ehc_adviser.advice_give_with_documents(
                actor=request.user, advice=advice, answer=form.answer(), documents=form.documents()
            )
        except TransitionRefused as refusal:
            return _advice_not_saved(request, advice, str(refusal))
        except EvidenceRejected as rejection:
            # The documents could not be stored: the answers are shown again as typed.
            form.add_error("documents", str(rejection))
        else:
            messages.success(request, "Thank you: your advice has been sent to the assessment coordinator")
            return redirect("workflows:ehc-advice", pk=pk, advice_kind=advice_kind)
    return render(
        request,
        "workflows/ehc/advice_give.html",
        {
            "advice": advice,
            "assessment": advice.needs_assessment.assessment,
            "form": form,
            "awaited": awaited,
            "answers": [(question, advice.answer.get(key, "")) for key, question in ehc.ADVICE_QUESTIONS.items()],
            "documents": list(advice.attachments.order_by("uploaded_at", "pk")),
            # The professional asked came from their list; the coordinator from the needs assessment.
            "back_to_list": request.user.pk != advice.needs_assessment.coordinator_id,
        },
    )


@require_http_methods(["GET", "POST"])
def setting_draft_plan(request, pk: int):
    """The draft plan, for the professional who made the request, while it is out for comments; and their comments."""
    found = ehc.draft_plan_for_setting(request.user, pk)
    form = SettingCommentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            ehc.draft_comment_from_setting(
                actor=request.user,
                needs_assessment=found,
                comments=form.cleaned_data["comments"],
                preferred_school=form.cleaned_data["preferred_school"],
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Your comments have been sent to the assessment coordinator")
            return redirect("workflows:ehc-setting-draft", pk=pk)
    case_read_record(
        actor=request.user,
        assessment=found.assessment,
        kind=DisclosureKind.NEEDS_ASSESSMENT_VIEWED,
        detail="Draft EHC plan, for comments",
    )
    return render(
        request,
        "workflows/ehc/setting_draft_plan.html",
        {
            "needs_assessment": found,
            "assessment": found.assessment,
            "form": form,
            "plan_sections": _written_sections(found.plan_sections),
            "sent_comments": [c for c in ehc.draft_comments_of(found) if c.recorded_by_id == request.user.pk],
        },
    )
