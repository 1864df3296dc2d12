"""Documents attached as evidence: the list, uploading, removing, and downloading through a checked view."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods, require_POST

from identity.permissions import can_edit_assessment

from ..evidence import EvidenceRejected
from ..forms import AttachmentForm
from ..models import Attachment, DisclosureKind
from ..selectors import assessment_for_user, attachments_of, is_one_of_its_professionals
from ..services import attachment_add, attachment_download_record, attachment_remove, case_read_record


@require_http_methods(["GET", "POST"])
def evidence(request, pk: int):
    assessment = assessment_for_user(request.user, pk)
    editable = can_edit_assessment(request.user, assessment)
    form = AttachmentForm(request.POST, request.FILES) if request.method == "POST" and editable else AttachmentForm()
    if request.method == "POST" and editable and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            if upload.size > request_limit():
                raise EvidenceRejected(f"The selected file must be smaller than {filesizeformat(request_limit())}")
            attachment = attachment_add(
                actor=request.user,
                assessment=assessment,
                name=upload.name,
                content=upload.read(request_limit() + 1),
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
        except EvidenceRejected as rejection:
            form.add_error("document", str(rejection))
        else:
            messages.success(request, f"{attachment.original_name} has been attached")
            return redirect("casework:evidence", pk=assessment.pk)
    case_read_record(actor=request.user, assessment=assessment, kind=DisclosureKind.EVIDENCE_VIEWED)
    return render(
        request,
        "casework/evidence.html",
        {
            "assessment": assessment,
            "attachments": attachments_of(assessment),
            "form": form,
            "editable": editable,
            "back_to_case": not is_one_of_its_professionals(request.user, assessment),
        },
    )


def request_limit() -> int:
    return settings.PORTAL_ATTACHMENT_MAX_BYTES


def _attachment_for(request, pk: int, attachment_id: int) -> Attachment:
    assessment = assessment_for_user(request.user, pk)
    return get_object_or_404(Attachment.objects.select_related("assessment"), pk=attachment_id, assessment=assessment)


def download(request, pk: int, attachment_id: int):
    attachment = _attachment_for(request, pk, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404("The document is not available") from None
    attachment_download_record(actor=request.user, attachment=attachment)
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def remove(request, pk: int, attachment_id: int):
    attachment = _attachment_for(request, pk, attachment_id)
    attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, f"{attachment.original_name} has been removed")
    return redirect("casework:evidence", pk=pk)
