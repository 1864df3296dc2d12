"""Sharing a draft with colleagues as co-authors or viewers, and taking access away."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from identity.permissions import can_share_assessment, require

from ..forms import InviteForm
from ..models import Collaborator
from ..selectors import assessment_for_user, collaborators_of
from ..services import SharingRefused, collaborator_add, collaborator_remove


@require_http_methods(["GET", "POST"])
def sharing(request, pk: int):
    assessment = assessment_for_user(request.user, pk)
    require(can_share_assessment(request.user, assessment), "Only the author can share this assessment")
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            collaborator = collaborator_add(
                request=request,
                actor=request.user,
                assessment=assessment,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except SharingRefused as refusal:
            form.add_error("email", str(refusal))
        else:
            messages.success(request, f"{collaborator.user.full_name} has been added and e-mailed")
            return redirect("casework:sharing", pk=assessment.pk)
    return render(
        request,
        "casework/sharing.html",
        {"assessment": assessment, "form": form, "collaborators": collaborators_of(assessment)},
    )


@require_POST
def remove(request, pk: int, collaborator_id: int):
    assessment = assessment_for_user(request.user, pk)
    collaborator = get_object_or_404(
        Collaborator.objects.select_related("user"), pk=collaborator_id, assessment=assessment
    )
    collaborator_remove(actor=request.user, collaborator=collaborator)
    messages.success(request, f"{collaborator.user.full_name} can no longer see this assessment")
    return redirect("casework:sharing", pk=assessment.pk)
