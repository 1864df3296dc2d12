"""Administrators approve or refuse accounts registered with addresses outside the known work domains."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from identity.permissions import can_approve_accounts, require
from identity.selectors import users_awaiting_approval
from identity.services import account_approve, account_reject


def queue(request):
    require(can_approve_accounts(request.user))
    return render(request, "identity/approvals.html", {"pending": users_awaiting_approval()})


@require_POST
def decide(request, user_id: int, decision: str):
    require(can_approve_accounts(request.user))
    if decision not in ("approve", "refuse"):
        raise Http404("No such decision")
    applicant = get_object_or_404(users_awaiting_approval(), pk=user_id)
    if decision == "approve":
        account_approve(request=request, actor=request.user, user=applicant)
        messages.success(request, f"{applicant.full_name}'s account has been approved and they have been told")
    else:
        account_reject(request=request, actor=request.user, user=applicant)
        messages.success(request, f"{applicant.full_name}'s account has been refused and they have been told")
    return redirect("identity:approvals")
