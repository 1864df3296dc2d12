"""Pages of the council's side: submitting and its confirmation."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.sections import spec_for
from casework.selectors import assessment_for_user

from .services import SubmissionRefused, assessment_submit


@require_POST
def submit(request, pk: int):
    assessment = assessment_for_user(request.user, pk)
    try:
        assessment_submit(
            actor=request.user, assessment=assessment, declaration=request.POST.get("declaration") == "yes"
        )
    except SubmissionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("casework:check", pk=assessment.pk)
    return redirect("workflows:submitted", pk=assessment.pk)


def submitted(request, pk: int):
    assessment = assessment_for_user(request.user, pk)
    if assessment.status in ("draft", "returned"):
        return redirect("casework:assessment", pk=assessment.pk)
    return render(request, "workflows/submitted.html", {"assessment": assessment, "spec": spec_for(assessment.kind)})
