"""Pages of the EHC needs assessment: the coordinator's overview, asking for advice, the professional's advice."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casework.evidence import EvidenceRejected
from casework.models import DisclosureKind
from casework.services import case_read_record
from identity.permissions import require

from . import ehc, ehc_adviser
from .ehc_forms import AdviceForm, AdviceRequestForm
from .ehc_models import AdviceKind, NeedsAssessmentStage
from .errors import TransitionRefused
from .selectors import open_pause


def _posted(request):
    return request.POST if request.method == "POST" else None


def refusals_shown(view):
    """A step refused (someone else got there first, or the stage moved on): the reason, on the overview."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("workflows:ehc", pk=kwargs["pk"])

    return wrapper


def _advice_rows(needs_assessment, today):
    """Each kind of advice with who was asked, when it is due, and where it is."""
    asked = {advice.kind: advice for advice in ehc.advice_requests_of(needs_assessment)}
    rows = []
    for kind in AdviceKind:
        advice = asked.get(kind.value)
        if advice is None:
            reason = needs_assessment.advice_not_sought.get(kind.value, "")
            rows.append({"kind": kind.label, "advice": None, "not_sought": reason})
            continue
        if advice.answered_on:
            tag, colour = f"Given {advice.answered_on:%-d %B %Y}", "green"
        elif advice.closed_unanswered_on:
            tag, colour = "Gone on without it", "grey"
        elif advice.due_on < today:
            tag, colour = "Overdue", "red"
        else:
            tag, colour = "Waiting", "blue"
        rows.append({"kind": kind.label, "advice": advice, "tag": tag, "colour": colour})
    return rows


def needs_assessment(request, pk: int):
    """The needs assessment of a request: its stage, the statutory dates and the advice."""
    found = ehc.needs_assessment_for_council(request.user, pk)
    case_read_record(actor=request.user, assessment=found.assessment, kind=DisclosureKind.NEEDS_ASSESSMENT_VIEWED)
    today = timezone.localdate()
    is_coordinator = request.user.pk == found.coordinator_id
    return render(
        request,
        "workflows/ehc/needs_assessment.html",
        {
            "needs_assessment": found,
            "assessment": found.assessment,
            "key_dates": ehc.key_dates(found),
            "today": today,
            "pause": open_pause(found.assessment),
            "advice_rows": _advice_rows(found, today) if found.advice_requested_on else [],
            "may_ask_for_advice": is_coordinator and found.stage == NeedsAssessmentStage.REQUESTING_ADVICE,
            "is_coordinator": is_coordinator,
        },
    )


@require_http_methods(["GET", "POST"])
@refusals_shown
def advice_request(request, pk: int):
    """The coordinator asks for each kind of advice from a named professional, or says why it is not needed."""
    found = ehc.needs_assessment_for_council(request.user, pk)
    require(request.user.pk == found.coordinator_id, "Only the assessment coordinator can ask for advice")
    if found.stage != NeedsAssessmentStage.REQUESTING_ADVICE:
        raise TransitionRefused("Advice has already been asked for")
    form = AdviceRequestForm(_posted(request))
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


@require_http_methods(["GET", "POST"])
def advice_give(request, pk: int, advice_kind: str):
    """The professional's advice for a needs assessment, answered as three questions, with any reports attached."""
    advice = ehc.advice_for_adviser(request.user, pk, advice_kind)
    awaited = advice.answered_on is None and advice.closed_unanswered_on is None
    posted = request.method == "POST" and awaited
    form = AdviceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            ehc_adviser.advice_give_with_documents(
                actor=request.user, advice=advice, answer=form.answer(), documents=form.documents()
            )
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("workflows:ehc-advice", pk=pk, advice_kind=advice_kind)
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
