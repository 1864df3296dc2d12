"""Signing in with a password and an e-mailed code, signing out, and the lock-out page."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.forms import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from two_factor.plugins.email.utils import mask_email
from two_factor.views import LoginView
from two_factor.views.utils import IdempotentSessionWizardView

from identity.forms import SignInCodeForm, SignInPasswordForm
from identity.models import AuthEventKind
from identity.services import (
    CodeSendResult,
    auth_event_record,
    sign_in_code_send,
    sign_in_code_start,
    sign_in_code_status,
    sign_in_complete,
    sign_in_device_for,
    sign_in_failed,
    sign_in_password_accepted,
    sign_out,
)


@method_decorator(login_not_required, name="dispatch")
class SignInView(LoginView):
    """django-two-factor-auth's sign-in wizard, with the e-mailed code as the one and only second step.

    The code is sent once when the password is accepted (unless one went less than a minute ago and still
    works: that one is used), and again only when asked for ("send a new code", once a minute); it is
    bound to this attempt and checked by identity.services.
    """

    template_name = "identity/sign_in.html"
    form_list = (
        (LoginView.AUTH_STEP, SignInPasswordForm),
        (LoginView.TOKEN_STEP, SignInCodeForm),
    )
    # Every account has the code step: no condition can skip it.
    condition_dict = {}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.code_notice = None

    def get_form(self, step=None, **kwargs):
        # Skip LoginView.get_form, which would swap in the token form of whatever device it finds.
        form = IdempotentSessionWizardView.get_form(self, step=step, **kwargs)
        if self.show_timeout_error:
            form.cleaned_data = getattr(form, "cleaned_data", {})
            form.add_error(None, ValidationError("You took longer than 10 minutes to sign in. Start again."))
        return form

    def get_form_kwargs(self, step=None):
        if step == self.TOKEN_STEP:
            return {"user": self.get_user(), "request": self.request}
        if step == self.AUTH_STEP:
            return {"request": self.request}
        return {}

    def process_step(self, form):
        if self.steps.current == self.AUTH_STEP:
            user = form.get_user()
            result = super().process_step(form)
            sign_in_password_accepted(request=self.request, user=user)
            sign_in_code_start(request=self.request, user=user)
            return result
        # Keep only the fact that the code was right: the spent code need not sit in the session.
        form.cleaned_data = {"code_verified": True}
        return super().process_step(form)

    def post(self, *args, **kwargs):
        if self.request.POST.get("resend_code") and self.steps.current == self.TOKEN_STEP and self.get_user():
            if self.expired:
                return super().post(*args, **kwargs)
            result = sign_in_code_send(request=self.request, user=self.get_user())
            self.code_notice = "sent" if result == CodeSendResult.SENT else "too_soon"
            return self.render(self.get_form())
        return super().post(*args, **kwargs)

    def render(self, form=None, **kwargs):
        # Skip LoginView.render, which would send a new code every time the code page is shown.
        if self.steps.current == self.AUTH_STEP and form is not None and form.is_bound and form.errors:
            self._record_failure(form)
        return IdempotentSessionWizardView.render(self, form, **kwargs)

    def _record_failure(self, form):
        email = form.data.get(form.add_prefix("username"), "")
        blocked_by = getattr(form, "blocked_by", None)
        if blocked_by:
            auth_event_record(
                kind=AuthEventKind.SIGN_IN_BLOCKED, request=self.request, user=form.get_user(), detail=blocked_by
            )
        elif email and form.data.get(form.add_prefix("password")):
            sign_in_failed(request=self.request, email=email)

    def get_context_data(self, form, **kwargs):
        context = IdempotentSessionWizardView.get_context_data(self, form=form, **kwargs)
        context["next"] = self.get_redirect_url()
        context["blocked_by"] = getattr(form, "blocked_by", None)
        if self.steps.current == self.TOKEN_STEP and self.get_user():
            user = self.get_user()
            context["masked_email"] = mask_email(user.email)
            context["code_notice"] = self.code_notice
            status = sign_in_code_status(request=self.request, user=user)
            context["code_usable"] = status.usable
            context["code_sent_earlier"] = status.sent_earlier
            context["code_minutes_left"] = status.minutes_left
            context["resend_wait_seconds"] = status.seconds_until_resend
            context["code_minutes"] = settings.OTP_EMAIL_TOKEN_VALIDITY // 60
        return context

    def done(self, form_list, **kwargs):
        user = self.get_user()
        sign_in_complete(request=self.request, user=user, device=sign_in_device_for(user))
        return HttpResponseRedirect(self.get_success_url())


def locked_out(request, original_response=None, credentials=None):
    """Shown by django-axes when too many passwords have failed: how long to wait, and the way round it."""
    auth_event_record(
        kind=AuthEventKind.LOCKED_OUT, request=request, email=(credentials or {}).get("username", "") or ""
    )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "identity/locked_out.html", {"minutes": minutes}, status=429)


@require_POST
@login_not_required
def sign_out_view(request):
    sign_out(request=request)
    return redirect("identity:signed-out")


@login_not_required
def signed_out(request):
    return render(request, "identity/signed_out.html")
