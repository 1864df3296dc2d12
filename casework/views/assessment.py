"""An assessment's own pages: the task list, a section, check your answers, the full answers, the history."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from identity.middleware import keeps_typing_at_time_out
from identity.permissions import can_edit_assessment, can_share_assessment, can_submit_assessment

from ..forms import DeclarationForm
from ..models import AssessmentSection, DisclosureKind, Status
from ..sections import spec_for
from ..selectors import (
    answer_cards,
    assessment_for_user,
    assessment_gaps,
    attachments_of,
    collaborators_of,
    is_one_of_its_professionals,
    section_context,
    section_draft_for,
    task_list,
    timeline,
)
from ..services import (
    SectionConflict,
    case_read_record,
    section_draft_discard,
    section_draft_save,
    section_save,
)
from ..templatetags.casework import govuk_time

HISTORY_PAGE_SIZE = 25


def _section_spec_or_404(assessment, key):
    try:
        return spec_for(assessment.kind).section(key)
    except KeyError:
        raise Http404("No such section") from None


def overview(request, pk: int):
    """The assessment's home: a task list while it is being written, where it is once it is with the council."""
    assessment = assessment_for_user(request.user, pk)
    case_read_record(actor=request.user, assessment=assessment, kind=DisclosureKind.CASE_VIEWED)
    spec = spec_for(assessment.kind)
    editable = can_edit_assessment(request.user, assessment)
    return render(
        request,
        "casework/assessment.html",
        {
            "assessment": assessment,
            "spec": spec,
            "editable": editable,
            "tasks": task_list(assessment) if editable else [],
            "attachment_count": assessment.attachments.count(),
            "can_share": can_share_assessment(request.user, assessment),
            "can_submit": can_submit_assessment(request.user, assessment),
            "collaborators": collaborators_of(assessment),
        },
    )


def _why_it_cannot_be_changed(assessment) -> str:
    """The true reason someone who may read the assessment cannot change its answers."""
    if assessment.status in (Status.DRAFT, Status.RETURNED):
        return "You can read this assessment, but only its author and co-authors can change it."
    if assessment.status == Status.CLOSED:
        return "This assessment is closed, so its answers cannot be changed. You can read them below."
    return "This assessment is with the council, so its answers cannot be changed now. You can read them below."


def _version_posted(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _row_action(action: str) -> tuple[str, str, int]:
    """("add", name, -1) or ("remove", name, index) from an "add:members" or "remove:members:2" button."""
    parts = action.split(":")
    if len(parts) == 2 and parts[0] == "add":
        return "add", parts[1], -1
    if len(parts) == 3 and parts[0] == "remove" and parts[2].isdigit():
        return "remove", parts[1], int(parts[2])
    return "", "", -1


def _keep_typing(request, pk: int, key: str) -> None:
    """A section's Save that meets the session time-out: its answers become the person's draft."""
    assessment = assessment_for_user(request.user, pk)
    _section_spec_or_404(assessment, key)
    if can_edit_assessment(request.user, assessment):
        section_draft_save(
            actor=request.user, assessment=assessment, key=key, data=request.POST, base_version=_version_posted(request)
        )


@keeps_typing_at_time_out(_keep_typing)
@require_http_methods(["GET", "POST"])
def section_edit(request, pk: int, key: str):
    assessment = assessment_for_user(request.user, pk)
    section_spec = _section_spec_or_404(assessment, key)
    if not can_edit_assessment(request.user, assessment):
        messages.info(request, _why_it_cannot_be_changed(assessment))
        return redirect("casework:answers", pk=assessment.pk)
    form_class = section_spec.form_class
    spec = spec_for(assessment.kind)
    context = {"assessment": assessment, "spec": spec, "section_spec": section_spec}

    if request.method == "POST":
        action = request.POST.get("action", "later")
        data = form_class.owned_keys(request.POST)
        operation, row_set, index = _row_action(action)
        if operation == "add":
            data = form_class.with_row_added(data, row_set)
        elif operation == "remove":
            data = form_class.with_row_removed(data, row_set, index)
        complete = action == "continue"
        try:
            result = section_save(
                actor=request.user,
                assessment=assessment,
                key=key,
                data=data,
                base_version=_version_posted(request),
                complete=complete,
            )
        except SectionConflict as conflict:
            return _conflict(request, context, form_class, conflict.current, data)
        if operation:
            form = form_class(data=form_class.as_form_data(result.section.data), context=section_context())
            return _render_section(request, context, form.without_errors(), result.section)
        if complete and result.completed:
            following = spec.next_section(key)
            if following is not None and spec.safeguarding_screen and key == "safeguarding":
                following = None
            if following is not None:
                return redirect("casework:section", pk=assessment.pk, key=following.key)
            return redirect("casework:assessment", pk=assessment.pk)
        if complete:
            return _render_section(request, context, result.form, result.section, status=200)
        messages.success(request, f"‘{section_spec.title}’ has been saved. You can come back to it at any time.")
        return redirect("casework:assessment", pk=assessment.pk)

    section = AssessmentSection.objects.filter(assessment=assessment, key=key).first()
    draft = section_draft_for(assessment, key, request.user)
    stored = draft.data if draft else (section.data if section else None)
    form = form_class(
        data=form_class.as_form_data(stored) if stored else None, context=section_context()
    ).without_errors()
    context["draft"] = draft
    context["draft_is_behind"] = bool(draft and section and draft.base_version != section.version)
    return _render_section(request, context, form, section, version=draft.base_version if draft else None)


def _render_section(request, context, form, section, *, version=None, status=200):
    version = version if version is not None else (section.version if section else 0)
    return render(
        request,
        "casework/section_edit.html",
        {
            **context,
            "form": form,
            "section": section,
            "version": version,
            "errors": form.all_errors() if form.is_bound else [],
        },
        status=status,
    )


def _conflict(request, context, form_class, current, mine):
    theirs_form = form_class(data=form_class.as_form_data(current.data), strict=False, context=section_context())
    mine_form = form_class(data=form_class.as_form_data(mine), strict=False, context=section_context())
    theirs_form.is_valid()
    mine_form.is_valid()
    hidden = [
        (key, value) for key, values in mine.items() for value in (values if isinstance(values, list) else [values])
    ]
    return render(
        request,
        "casework/section_conflict.html",
        {
            **context,
            "current": current,
            "theirs": theirs_form,
            "mine": mine_form,
            "hidden_answers": hidden,
        },
        status=409,
    )


@require_POST
def section_autosave(request, pk: int, key: str):
    """Keep what is being typed, every few seconds, without checking it (the page's autosave)."""
    assessment = assessment_for_user(request.user, pk)
    _section_spec_or_404(assessment, key)
    if not can_edit_assessment(request.user, assessment):
        return JsonResponse({"saved": False, "reason": "This assessment cannot be changed now"}, status=403)
    draft = section_draft_save(
        actor=request.user, assessment=assessment, key=key, data=request.POST, base_version=_version_posted(request)
    )
    return JsonResponse({"saved": True, "saved_at": govuk_time(draft.saved_at, "seconds")})


@require_POST
def section_discard_draft(request, pk: int, key: str):
    assessment = assessment_for_user(request.user, pk)
    _section_spec_or_404(assessment, key)
    section_draft_discard(actor=request.user, assessment=assessment, key=key)
    messages.success(request, "Your unsaved changes have been discarded")
    return redirect("casework:section", pk=assessment.pk, key=key)


def check_answers(request, pk: int):
    """Check your answers: every section, what is still missing, the declaration and the submit button."""
    assessment = assessment_for_user(request.user, pk)
    if not can_submit_assessment(request.user, assessment):
        return redirect("casework:answers", pk=assessment.pk)
    return check_answers_page(request, assessment, DeclarationForm(kind=assessment.kind))


def check_answers_page(request, assessment, declaration_form: DeclarationForm):
    """The check-your-answers page, also shown again by submitting with the declaration's error on it."""
    return render(
        request,
        "casework/check_answers.html",
        {
            "assessment": assessment,
            "spec": spec_for(assessment.kind),
            "cards": answer_cards(assessment),
            "gaps": assessment_gaps(assessment),
            "attachments": attachments_of(assessment),
            "editable": True,
            "declaration_form": declaration_form,
        },
    )


def answers(request, pk: int):
    """Every answer, read-only: for viewers, and for anyone once the assessment is with the council."""
    assessment = assessment_for_user(request.user, pk)
    case_read_record(actor=request.user, assessment=assessment, kind=DisclosureKind.ANSWERS_VIEWED)
    return render(
        request,
        "casework/answers.html",
        {
            "assessment": assessment,
            "spec": spec_for(assessment.kind),
            "cards": answer_cards(assessment),
            "attachments": attachments_of(assessment),
            "editable": False,
            "back_to_case": not is_one_of_its_professionals(request.user, assessment),
        },
    )


def history(request, pk: int):
    assessment = assessment_for_user(request.user, pk)
    case_read_record(actor=request.user, assessment=assessment, kind=DisclosureKind.HISTORY_VIEWED)
    page = Paginator(timeline(assessment), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/history.html",
        {
            "assessment": assessment,
            "page": page,
            "back_to_case": not is_one_of_its_professionals(request.user, assessment),
        },
    )
