"""Registering, confirming the e-mail address, and asking for a new link."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from identity.forms import EmailAddressForm, RegistrationForm
from identity.services import (
    VerificationOutcome,
    registration_create,
    verification_check,
    verification_confirm,
    verification_resend_for_email,
    verification_resend_for_token,
)


@login_not_required
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        registration_create(
            request=request,
            email=data["email"],
            full_name=data["full_name"],
            organisation=data["organisation"],
            job_title=data["job_title"],
            phone=data["phone"] or "",
            password=data["password"],
            security_question=data["question_text"],
            security_answer=data["security_answer"],
        )
        request.session["registered_email"] = data["email"]
        return redirect("identity:check-email")
    return render(request, "identity/register.html", {"form": form})


@login_not_required
def check_email(request):
    """The same page whether or not the address already had an account."""
    return render(
        request,
        "identity/check_email.html",
        {"email": request.session.get("registered_email"), "hours": settings.PORTAL_VERIFICATION_LINK_HOURS},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request, token):
    """Opening the link shows a button; confirming is a POST, so mail scanners that open links spend nothing."""
    if request.method == "POST":
        check = verification_confirm(request=request, token=token)
    else:
        check = verification_check(token=token)
    template = {
        VerificationOutcome.CONFIRMED: "identity/verify_confirmed.html"
        if request.method == "POST"
        else "identity/verify_confirm.html",
        VerificationOutcome.ALREADY_CONFIRMED: "identity/verify_already.html",
        VerificationOutcome.EXPIRED: "identity/verify_expired.html",
        VerificationOutcome.INVALID: "identity/verify_invalid.html",
    }[check.outcome]
    status = 200 if check.outcome in (VerificationOutcome.CONFIRMED, VerificationOutcome.ALREADY_CONFIRMED) else 400
    context = {
        "token": token,
        "user_awaiting_approval": bool(check.user and check.user.is_awaiting_approval),
        "verification_hours": settings.PORTAL_VERIFICATION_LINK_HOURS,
    }
    return render(request, template, context, status=status)


@login_not_required
@require_POST
def verify_resend_for_link(request, token):
    verification_resend_for_token(request=request, token=token)
    return render(request, "identity/verify_resent.html", {"hours": settings.PORTAL_VERIFICATION_LINK_HOURS})


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_resend(request):
    """ "Didn't get the e-mail?": junk folders first, then a new link. The answer never reveals an account."""
    form = EmailAddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        verification_resend_for_email(request=request, email=form.cleaned_data["email"])
        return render(request, "identity/verify_resent.html", {"hours": settings.PORTAL_VERIFICATION_LINK_HOURS})
    return render(request, "identity/verify_resend.html", {"form": form})
