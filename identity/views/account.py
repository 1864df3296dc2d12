"""The signed-in person's own account: details, password, security question, sign-in activity."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from identity.forms import PasswordChangeForm, ProfileForm, SecurityQuestionChangeForm
from identity.selectors import sign_in_activity_for_user
from identity.services import password_change, profile_update, security_question_change


def overview(request):
    return render(
        request,
        "identity/account.html",
        {
            "activity": sign_in_activity_for_user(request.user, limit=5),
            "session_signed_in_at": request.user.last_login,
            "session_ip": request.META.get("REMOTE_ADDR", ""),
            "session_browser": request.headers.get("User-Agent", "")[:200],
        },
    )


@require_http_methods(["GET", "POST"])
def details(request):
    user = request.user
    initial = {"full_name": user.full_name, "job_title": user.job_title, "phone": user.phone}
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        profile_update(user=user, full_name=data["full_name"], job_title=data["job_title"], phone=data["phone"] or "")
        messages.success(request, "Your details have been saved")
        return redirect("identity:account")
    return render(request, "identity/account_details.html", {"form": form})


@require_http_methods(["GET", "POST"])
def change_password(request):
    form = PasswordChangeForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        password_change(request=request, user=request.user, new_password=form.cleaned_data["password"])
        messages.success(
            request, "Your password has been changed. Any other place you were signed in has been signed out"
        )
        return redirect("identity:account")
    return render(request, "identity/account_password.html", {"form": form})


@require_http_methods(["GET", "POST"])
def change_security_question(request):
    form = SecurityQuestionChangeForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        security_question_change(
            request=request, user=request.user, question=data["question_text"], answer=data["security_answer"]
        )
        messages.success(request, "Your security question has been changed")
        return redirect("identity:account")
    return render(request, "identity/account_security_question.html", {"form": form})


def activity(request):
    return render(request, "identity/account_activity.html", {"activity": sign_in_activity_for_user(request.user)})
