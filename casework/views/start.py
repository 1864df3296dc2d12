"""Starting an assessment: the kind, the safeguarding check (early help and young carers), and the child."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from identity.permissions import can_start_assessment, require
from portal.forms import posted

from ..forms import NEW_CHILD, ChildChoiceForm, DuplicateChildForm, KindForm, NewChildForm, SafeguardingCheckForm
from ..models import AssessmentKind, Child
from ..sections import spec_for
from ..selectors import child_matching, children_of_author
from ..services import assessment_start, child_create

START_SESSION_KEY = "casework_start"


def _start_state(request) -> dict:
    return request.session.get(START_SESSION_KEY, {})


@require_http_methods(["GET", "POST"])
def choose_kind(request):
    require(can_start_assessment(request.user), "Only professionals can start assessments")
    form = KindForm(posted(request))
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        request.session[START_SESSION_KEY] = {"kind": kind}
        return redirect("casework:start-safeguarding" if _screened(kind) else "casework:start-child")
    return render(request, "casework/start_kind.html", {"form": form})


def _screened(kind: str) -> bool:
    """Whether the kind starts with the safeguarding screen (an EHAT, a Young Carers assessment)."""
    return spec_for(kind).safeguarding_screen


@require_http_methods(["GET", "POST"])
def safeguarding(request):
    """The safeguarding screen: a yes stops here, before anything is saved, and says how to reach the MASH."""
    require(can_start_assessment(request.user), "Only professionals can start assessments")
    state = _start_state(request)
    kind = state.get("kind")
    if kind not in AssessmentKind.values or not _screened(kind):
        return redirect("casework:start")
    form = SafeguardingCheckForm(posted(request), kind=kind)
    context = {"form": form, "spec": spec_for(kind)}
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["significant_harm"] == "yes":
            request.session.pop(START_SESSION_KEY, None)
            return render(request, "casework/safeguarding_stop.html", context)
        request.session[START_SESSION_KEY] = {**state, "safeguarding": "no"}
        return redirect("casework:start-child")
    return render(request, "casework/start_safeguarding.html", context)


def _ready_to_choose_child(state: dict) -> bool:
    return state.get("kind") in AssessmentKind.values and (
        not _screened(state["kind"]) or state.get("safeguarding") == "no"
    )


def _start_for(request, child: Child):
    state = _start_state(request)
    assessment = assessment_start(
        actor=request.user, kind=state["kind"], child=child, safeguarding_answer=state.get("safeguarding", "")
    )
    request.session.pop(START_SESSION_KEY, None)
    return redirect("casework:assessment", pk=assessment.pk)


@require_http_methods(["GET", "POST"])
def choose_child(request):
    require(can_start_assessment(request.user), "Only professionals can start assessments")
    if not _ready_to_choose_child(_start_state(request)):
        return redirect("casework:start")
    children = list(children_of_author(request.user))
    if not children:
        return redirect("casework:start-new-child")
    form = ChildChoiceForm(posted(request), children=children)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["child"] == NEW_CHILD:
            return redirect("casework:start-new-child")
        return _start_for(request, get_object_or_404(children_of_author(request.user), pk=form.cleaned_data["child"]))
    return render(request, "casework/start_child.html", {"form": form})


@require_http_methods(["GET", "POST"])
def new_child(request):
    require(can_start_assessment(request.user), "Only professionals can start assessments")
    state = _start_state(request)
    if not _ready_to_choose_child(state):
        return redirect("casework:start")
    form = NewChildForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = child_matching(author=request.user, **data)
        if existing is not None:
            request.session[START_SESSION_KEY] = {
                **state,
                "duplicate_of": existing.pk,
                "new_child": {**data, "date_of_birth": data["date_of_birth"].isoformat()},
            }
            return redirect("casework:start-duplicate")
        return _start_for(request, child_create(actor=request.user, **data))
    return render(request, "casework/start_new_child.html", {"form": form})


@require_http_methods(["GET", "POST"])
def duplicate(request):
    """The same name and date of birth as a child the professional added before: reuse, or a different child."""
    require(can_start_assessment(request.user), "Only professionals can start assessments")
    state = _start_state(request)
    if not _ready_to_choose_child(state) or "duplicate_of" not in state:
        return redirect("casework:start")
    existing = get_object_or_404(children_of_author(request.user), pk=state["duplicate_of"])
    form = DuplicateChildForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["use_existing"] == "yes":
            return _start_for(request, existing)
        details = state["new_child"]
        child = child_create(
            actor=request.user,
            first_name=details["first_name"],
            last_name=details["last_name"],
            date_of_birth=existing.date_of_birth,
        )
        return _start_for(request, child)
    return render(request, "casework/start_duplicate.html", {"form": form, "existing": existing})
