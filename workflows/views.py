"""Pages of the council's side: submitting, work trays, the case, the decisions, progress, notifications."""

from functools import cache, wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from viewflow.workflow.exceptions import FlowLockFailed

from casework.forms import DeclarationForm
from casework.models import Assessment, DisclosureKind, Status
from casework.sections import spec_for
from casework.selectors import answer_cards, assessment_for_user, attachments_of
from casework.services import case_read_record
from casework.views.assessment import check_answers_page
from identity.permissions import require
from portal.forms import posted

from . import ehc, services
from .errors import typed_text_kept
from .forms import (
    AssignForm,
    CloseForm,
    ConsentWithdrawalForm,
    MessageForm,
    NotificationSettingsForm,
    PauseForm,
    PlanIssuedForm,
    QueueFilter,
    ReasonForm,
    ReturnForm,
)
from .models import NotificationPreference
from .selectors import (
    NEEDS_ASSESSMENT_STAGE_TEXT,
    annual_reviews_for_tray,
    case_for_council,
    consent_withdrawal_of,
    holder_line,
    is_council_user,
    managed_teams_of,
    messages_of,
    needs_assessment_of,
    needs_assessments_for_tray,
    next_step_text,
    notifications_for,
    open_pause,
    progress_steps,
    queue_base,
    team_members,
    tray_counts,
)

PAGE_SIZE = 25


def refusals_shown(view):
    """Turn a refused transition into a message (or, when someone else got there first, a 409 page)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except services.AlreadyTaken as taken:
            return render(
                request, "workflows/already_taken.html", {"reason": str(taken), "pk": kwargs.get("pk")}, status=409
            )
        except FlowLockFailed:
            reason = "Someone else has just changed this assessment. Look at it again before you carry on."
            return render(
                request, "workflows/already_taken.html", {"reason": reason, "pk": kwargs.get("pk")}, status=409
            )
        except services.TransitionRefused as refusal:
            messages.error(request, str(refusal))
            # Back to a page that can show the reason: the case (the action URLs take only POSTs).
            if "pk" in kwargs and request.resolver_match.url_name != "progress":
                return redirect("workflows:case", pk=kwargs["pk"])
            return redirect(request.path)

    return wrapper


# ---------------------------------------------------------------- professionals


@require_POST
def submit(request, pk: int):
    assessment = assessment_for_user(request.user, pk)
    declaration_form = DeclarationForm(request.POST, kind=assessment.kind)
    try:
        services.assessment_submit(actor=request.user, assessment=assessment, declaration=declaration_form.is_valid())
    except services.DeclarationMissing:
        # Shown again with the error on the tick box, as every form of the portal shows its errors.
        return check_answers_page(request, assessment, declaration_form)
    except services.SubmissionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("casework:check", pk=assessment.pk)
    return redirect("workflows:submitted", pk=assessment.pk)


def submitted(request, pk: int):
    assessment = assessment_for_user(request.user, pk)
    if assessment.status in (Status.DRAFT, Status.RETURNED):
        return redirect("casework:assessment", pk=assessment.pk)
    return render(request, "workflows/submitted.html", {"assessment": assessment, "spec": spec_for(assessment.kind)})


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(MessageForm, "workflows:progress")
def progress(request, pk: int):
    """Where the professional's assessment is: the steps, who has it, the next step, dates and messages."""
    assessment = assessment_for_user(request.user, pk)
    if assessment.status == Status.DRAFT:
        return redirect("casework:assessment", pk=assessment.pk)
    form = MessageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.message_post(actor=request.user, assessment=assessment, body=form.cleaned_data["body"])
        messages.success(request, "Your message has been sent")
        return redirect("workflows:progress", pk=assessment.pk)
    case_read_record(actor=request.user, assessment=assessment, kind=DisclosureKind.PROGRESS_VIEWED)
    # Where the EHC needs assessment is, in words and dates: never the advice the professionals gave.
    needs_assessment = needs_assessment_of(assessment)
    return render(
        request,
        "workflows/progress.html",
        {
            "needs_assessment": needs_assessment,
            "needs_assessment_text": NEEDS_ASSESSMENT_STAGE_TEXT[needs_assessment.stage] if needs_assessment else "",
            "needs_assessment_dates": ehc.key_dates(needs_assessment) if needs_assessment else [],
            "assessment": assessment,
            "spec": spec_for(assessment.kind),
            "steps": progress_steps(assessment),
            "next_step": next_step_text(assessment),
            "thread": messages_of(assessment),
            "form": form,
            "can_message": services.can_message(request.user, assessment),
            "can_withdraw": request.user.pk == assessment.author_id and assessment.status != Status.CLOSED,
            "can_record_consent_withdrawal": services.can_record_consent_withdrawal(request.user, assessment),
            "consent_withdrawal": consent_withdrawal_of(assessment),
            "pause": open_pause(assessment),
            "today": timezone.localdate(),
            "may_comment_on_draft": ehc.may_comment_on_draft(request.user, needs_assessment),
        },
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(ReasonForm, "workflows:progress")
def withdraw(request, pk: int):
    assessment = assessment_for_user(request.user, pk)
    require(request.user.pk == assessment.author_id, "Only the author can withdraw this assessment")
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.assessment_withdraw(actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"])
        messages.success(request, f"{assessment.reference} has been withdrawn")
        return redirect("casework:home")
    return render(request, "workflows/withdraw.html", {"assessment": assessment, "form": form})


@require_http_methods(["GET", "POST"])
@refusals_shown
def consent_withdrawal(request, pk: int):
    """Record that the family withdrew their consent to an Early Help Assessment."""
    assessment = assessment_for_user(request.user, pk)
    require(
        services.can_record_consent_withdrawal(request.user, assessment),
        "Only the author, a co-author or the officer holding an Early Help Assessment can record this",
    )
    # The officer holding the case goes back to the council's page of it; the professionals to progress.
    back = "workflows:case" if assessment.assigned_to_id == request.user.pk else "workflows:progress"
    form = ConsentWithdrawalForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdrawal_record(actor=request.user, assessment=assessment, **form.cleaned_data)
        except services.TransitionRefused as refusal:
            # Someone recorded it a moment earlier: say so on a page this person can see.
            messages.error(request, str(refusal))
            return redirect(back, pk=assessment.pk)
        messages.success(request, f"The family's withdrawal of consent for {assessment.reference} has been recorded")
        return redirect(back, pk=assessment.pk)
    return render(request, "workflows/consent_withdrawal.html", {"assessment": assessment, "form": form, "back": back})


# ---------------------------------------------------------------- work trays


TRAYS = {
    "queue": "Team queue",
    "mine": "My work",
    "team": "Team work",
}


@cache
def _unfiltered_form_html() -> str:
    """The filter form as most visits show it, empty: the same markup for everyone, drawn once."""
    return str(QueueFilter(None, queryset=Assessment.objects.none()).form)


def work(request, tray: str = "queue"):
    if tray not in TRAYS:
        raise Http404("No such work tray")
    require(is_council_user(request.user), "Only council officers have work trays")
    if tray == "team":
        require(bool(managed_teams_of(request.user)), "Only managers see the whole team's work")
    cases = QueueFilter(request.GET or None, queryset=queue_base(request.user, tray))
    counts = tray_counts(request.user)
    paginator = Paginator(cases.qs, PAGE_SIZE)
    if not any(value for name, value in request.GET.items() if name not in ("page", "sort")):
        # Unfiltered, the tray holds what its tab counts: no second count of the same cases.
        paginator.count = counts[tray]
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "workflows/work.html",
        {
            # The EHC needs assessments (weeks 6 to 20) go on after their request has closed: listed apart.
            "needs_assessments": needs_assessments_for_tray(request.user, tray, today),
            "annual_reviews": annual_reviews_for_tray(request.user, tray),
            "tray": tray,
            "tray_title": TRAYS[tray],
            "trays": TRAYS,
            "counts": counts,
            "is_manager": bool(managed_teams_of(request.user)),
            "filter_form": cases.form if cases.is_bound else _unfiltered_form_html(),
            "page": page,
            "query": query.urlencode(),
            "today": today,
        },
    )


# ---------------------------------------------------------------- the case, for the council


def _case_context(request, assessment, **bound_forms):
    """The case page: everything about the case, and only the actions this person may take on it now.

    `bound_forms`: a form of the page that was posted with errors, shown with them (and in the error summary).
    """
    user = request.user
    manager = services.is_team_manager(user, assessment.team)
    member = services.is_team_member(user, assessment.team)
    pause = open_pause(assessment)
    has_needs_assessment = needs_assessment_of(assessment) is not None
    context = {
        "assessment": assessment,
        "spec": spec_for(assessment.kind),
        "cards": answer_cards(assessment),
        "attachments": attachments_of(assessment),
        "thread": messages_of(assessment),
        "message_form": MessageForm(),
        "pause": pause,
        "today": timezone.localdate(),
        "holder": holder_line(assessment, user),
        "can_claim": services.may(services.ensure_may_claim, user, assessment),
        "can_release": services.may(services.ensure_may_release, user, assessment),
        "can_decide": services.may(services.ensure_may_decide, user, assessment),
        "can_return": services.may(services.ensure_may_return, user, assessment),
        "can_assign": manager and services.may(services.ensure_may_assign, user, assessment),
        "assign_form": AssignForm(members=team_members(assessment.team)) if manager else None,
        "can_pause": pause is None and services.may(services.ensure_may_pause, user, assessment),
        "can_resume": pause is not None and services.may(services.ensure_may_resume, user, assessment),
        "can_reopen": services.can_reopen(user, assessment),
        "can_record_plan": member
        and assessment.kind == "ehcp"
        and assessment.outcome == "agreed_to_assess"
        and not has_needs_assessment,
        "plan_form": PlanIssuedForm(),
        "can_message": services.can_message(user, assessment),
        "can_record_consent_withdrawal": services.can_record_consent_withdrawal(user, assessment),
        "consent_withdrawal": consent_withdrawal_of(assessment),
        "has_needs_assessment": has_needs_assessment,
    }
    context.update(bound_forms)
    # The one form posted with errors, for the error summary at the top of the page.
    context["form"] = next(iter(bound_forms.values()), None)
    return context


def case(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.council_view_record(actor=request.user, assessment=assessment)
    case_read_record(
        actor=request.user, assessment=assessment, kind=DisclosureKind.CASE_VIEWED, detail="Council's case page"
    )
    return render(request, "workflows/case.html", _case_context(request, assessment))


@require_POST
@refusals_shown
def claim(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.assessment_claim(actor=request.user, assessment=assessment)
    messages.success(request, "You have picked up this assessment. It is in your work")
    return redirect("workflows:case", pk=pk)


@require_POST
@refusals_shown
def release(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.assessment_release(actor=request.user, assessment=assessment)
    messages.success(request, "The assessment is back in the team's queue")
    return redirect("workflows:work-tray", tray="mine")


@require_POST
@refusals_shown
def assign(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.ensure_may_assign(request.user, assessment)
    form = AssignForm(request.POST, members=team_members(assessment.team))
    if not form.is_valid():
        return render(request, "workflows/case.html", _case_context(request, assessment, assign_form=form))
    officer = form.cleaned_data["officer"]
    services.assessment_assign(actor=request.user, assessment=assessment, officer=officer)
    messages.success(request, f"Assigned to {officer.full_name}, who has been e-mailed")
    return redirect("workflows:case", pk=pk)


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(ReturnForm, "workflows:case")
def return_to_author(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.ensure_may_return(request.user, assessment)
    form = ReturnForm(posted(request), assessment=assessment)
    if request.method == "POST" and form.is_valid():
        services.assessment_return(
            request=request,
            actor=request.user,
            assessment=assessment,
            comments=form.comments(),
            message=form.cleaned_data["message"],
        )
        messages.success(request, f"{assessment.reference} has been returned to {assessment.author.full_name}")
        return redirect("workflows:work-tray", tray="mine")
    return render(request, "workflows/return.html", {"assessment": assessment, "form": form})


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(CloseForm, "workflows:case")
def close(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.ensure_may_decide(request.user, assessment)
    form = CloseForm(posted(request), assessment=assessment, outcomes=services.OUTCOMES_BY_KIND[assessment.kind])
    if request.method == "POST" and form.is_valid():
        services.assessment_close(
            request=request,
            actor=request.user,
            assessment=assessment,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            details=form.details(),
        )
        messages.success(request, f"The decision on {assessment.reference} has been recorded and sent")
        return redirect("workflows:work-tray", tray="mine")
    return render(request, "workflows/close.html", {"assessment": assessment, "form": form})


@require_http_methods(["GET", "POST"])
@refusals_shown
def pause(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.ensure_may_pause(request.user, assessment)
    form = PauseForm(posted(request), reasons=services.pause_reasons_for(assessment.kind))
    if request.method == "POST" and form.is_valid():
        services.clock_pause(actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"])
        messages.success(request, "The clock has been paused")
        return redirect("workflows:case", pk=pk)
    return render(request, "workflows/pause.html", {"assessment": assessment, "form": form})


@require_POST
@refusals_shown
def resume(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.clock_resume(actor=request.user, assessment=assessment)
    messages.success(request, "The clock has restarted and the due dates have moved on")
    return redirect("workflows:case", pk=pk)


@require_http_methods(["GET", "POST"])
@refusals_shown
@typed_text_kept(ReasonForm, "workflows:case")
def reopen(request, pk: int):
    assessment = case_for_council(request.user, pk)
    services.ensure_may_reopen(request.user, assessment)
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.assessment_reopen(actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"])
        messages.success(request, f"{assessment.reference} has been reopened")
        return redirect("workflows:case", pk=pk)
    return render(request, "workflows/reopen.html", {"assessment": assessment, "form": form})


@require_POST
@refusals_shown
def plan_issued(request, pk: int):
    assessment = case_for_council(request.user, pk)
    require(services.is_team_member(request.user, assessment.team), "Only the SEND team can record the plan")
    form = PlanIssuedForm(request.POST)
    if not form.is_valid():
        return render(request, "workflows/case.html", _case_context(request, assessment, plan_form=form))
    services.plan_issued_record(actor=request.user, assessment=assessment, issued_on=form.cleaned_data["issued_on"])
    messages.success(request, "The final plan's date has been recorded")
    return redirect("workflows:case", pk=pk)


@require_POST
@refusals_shown
@typed_text_kept(MessageForm, "workflows:case")
def message(request, pk: int):
    assessment = case_for_council(request.user, pk)
    require(services.can_message(request.user, assessment), "You cannot send messages about this assessment")
    form = MessageForm(request.POST)
    if not form.is_valid():
        return render(request, "workflows/case.html", _case_context(request, assessment, message_form=form))
    services.message_post(actor=request.user, assessment=assessment, body=form.cleaned_data["body"])
    messages.success(request, "Your message has been sent")
    return redirect("workflows:case", pk=pk)


# ---------------------------------------------------------------- notifications


def notifications(request):
    items = notifications_for(request.user)
    unread = [item.pk for item in items if item.read_at is None]
    response = render(request, "workflows/notifications.html", {"items": items, "unread": set(unread)})
    services.notifications_mark_read(user=request.user, ids=unread)
    return response


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    current = dict(NotificationPreference.objects.filter(user=request.user).values_list("kind", "email"))
    form = NotificationSettingsForm(posted(request), current=current)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(request, "Your e-mail choices have been saved")
        return redirect("workflows:notifications")
    return render(request, "workflows/notification_settings.html", {"form": form})
