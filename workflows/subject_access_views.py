"""The data protection officer's pages: subject access requests, finding a child, and exporting the copy."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.permissions import can_answer_subject_access, require

from . import subject_access as services
from .forms import ChildSearchForm, SubjectAccessRequestForm
from .selectors import (
    child_for_subject_access,
    children_for_subject_access,
    subject_access_request_get,
    subject_access_requests_list,
)

REFUSED = "Only the data protection officer can answer subject access requests"
SEARCH_FIELDS = (
    "reference",
    "last_name",
    "first_name",
    "date_of_birth_day",
    "date_of_birth_month",
    "date_of_birth_year",
)


@require_GET
def requests(request):
    """Subject access requests, those to answer soonest first, with their due dates."""
    require(can_answer_subject_access(request.user), REFUSED)
    return render(
        request,
        "workflows/subject_access/requests.html",
        {"requests": subject_access_requests_list(), "today": timezone.localdate()},
    )


@require_GET
def find_child(request):
    """Find the child a subject access request is about, by a case reference or their name."""
    require(can_answer_subject_access(request.user), REFUSED)
    searched = any(name in request.GET for name in SEARCH_FIELDS)
    form = ChildSearchForm(request.GET if searched else None)
    children = None
    if searched and form.is_valid():
        children = children_for_subject_access(**form.cleaned_data)
    return render(request, "workflows/subject_access/find_child.html", {"form": form, "children": children})


@require_http_methods(["GET", "POST"])
def record_request(request, child_id: int):
    """Record who asked for a copy of what is held on this child, and when the request came."""
    require(can_answer_subject_access(request.user), REFUSED)
    child = child_for_subject_access(child_id)
    form = SubjectAccessRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            subject_access = services.subject_access_request_record(
                actor=request.user, child=child, **form.cleaned_data
            )
        except services.SubjectAccessRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Request recorded: answer it by {subject_access.due_on:%-d %B %Y}")
            return redirect("workflows:subject-access-request", pk=subject_access.pk)
    return render(request, "workflows/subject_access/record_request.html", {"form": form, "child": child})


@require_GET
def request_detail(request, pk: int):
    """One request: who asked, when it is due, and the button that exports the copy."""
    require(can_answer_subject_access(request.user), REFUSED)
    subject_access = subject_access_request_get(pk)
    today = timezone.localdate()
    return render(
        request,
        "workflows/subject_access/request.html",
        {
            "subject_access": subject_access,
            "days_left": (subject_access.due_on - today).days,
            "can_export": subject_access.child_id is not None,
            "can_mark_answered": subject_access.completed_at is None and subject_access.last_exported_at is not None,
        },
    )


@require_POST
def export(request, pk: int):
    """The zip of everything held on the request's child (logged as a disclosure)."""
    require(can_answer_subject_access(request.user), REFUSED)
    subject_access = subject_access_request_get(pk)
    try:
        made = services.subject_access_export(actor=request.user, subject_access=subject_access)
    except services.SubjectAccessRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("workflows:subject-access-request", pk=pk)
    response = FileResponse(made.file, as_attachment=True, filename=made.filename, content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def mark_answered(request, pk: int):
    """Mark the request answered once the copy has been sent."""
    require(can_answer_subject_access(request.user), REFUSED)
    subject_access = subject_access_request_get(pk)
    try:
        services.subject_access_request_answered(actor=request.user, subject_access=subject_access)
    except services.SubjectAccessRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Request {subject_access.pk} marked as answered")
    return redirect("workflows:subject-access-request", pk=pk)
