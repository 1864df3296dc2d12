"""Forgotten password: e-mailed link, then the security question, then a new password. Never signs in."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from identity.forms import EmailAddressForm, NewPasswordForm, SecurityAnswerForm
from identity.services import (
    SecurityAnswerResult,
    password_reset_answer_check,
    password_reset_complete,
    password_reset_link_open,
    password_reset_question_needed,
    password_reset_request,
    password_reset_user,
    security_answer_locked,
)


@login_not_required
@require_http_methods(["GET", "POST"])
def request_link(request):
    form = EmailAddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(request=request, email=form.cleaned_data["email"])
        return render(
            request,
            "identity/password_reset_sent.html",
            {"email": form.cleaned_data["email"], "minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
        )
    return render(request, "identity/password_reset_request.html", {"form": form})


@login_not_required
def open_link(request, uidb64, token):
    """The link from the e-mail. Its token moves into the session, so it is not left in the address bar."""
    if not password_reset_link_open(request=request, uidb64=uidb64, token=token):
        return render(request, "identity/password_reset_invalid.html", status=400)
    return redirect("identity:password-reset-question")


@login_not_required
@require_http_methods(["GET", "POST"])
def security_question(request):
    user = password_reset_user(request=request)
    if user is None:
        return render(request, "identity/password_reset_invalid.html", status=400)
    if not password_reset_question_needed(request=request) or not user.security_answer_hash:
        return redirect("identity:password-reset-new")
    if security_answer_locked(user):
        return render(request, "identity/password_reset_locked.html", _lock_context(), status=429)
    form = SecurityAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = password_reset_answer_check(request=request, user=user, answer=form.cleaned_data["answer"])
        if result == SecurityAnswerResult.CORRECT:
            return redirect("identity:password-reset-new")
        if result == SecurityAnswerResult.LOCKED:
            return render(request, "identity/password_reset_locked.html", _lock_context(), status=429)
        form.add_error("answer", "The answer is not correct. Check it and try again")
    return render(request, "identity/password_reset_question.html", {"form": form, "question": user.security_question})


def _lock_context():
    return {"minutes": settings.PORTAL_SECURITY_ANSWER_LOCK_MINUTES}


@login_not_required
@require_http_methods(["GET", "POST"])
def new_password(request):
    user = password_reset_user(request=request)
    if user is None:
        return render(request, "identity/password_reset_invalid.html", status=400)
    if password_reset_question_needed(request=request) and user.security_answer_hash:
        return redirect("identity:password-reset-question")
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        password_reset_complete(request=request, user=user, new_password=form.cleaned_data["password"])
        return redirect("identity:password-reset-done")
    return render(request, "identity/password_reset_new.html", {"form": form})


@login_not_required
def done(request):
    return render(request, "identity/password_reset_done.html")
