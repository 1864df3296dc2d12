"""Every page but the public ones needs both factors; sessions end after idling or a newer sign-in.

django-two-factor-auth alone lets an account without a device in, and only redirects (its issue
#472); this middleware is the one place the rule is kept. Public views are marked with Django's
`login_not_required`.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware

from .models import AuthEventKind
from .services import session_seconds_left, session_touch, sign_out

logger = logging.getLogger(__name__)


def keeps_session_idle(view):
    """Mark a view whose requests must not count as activity (the time-out warning's status check)."""
    view.keeps_session_idle = True
    return view


def keeps_typing_at_time_out(keep):
    """Mark a view whose posts carry typing: if one arrives as the session times out, `keep(request, **kwargs)`
    stores it for the still-known user before the session ends (without JavaScript nothing was kept as they
    typed, and a Save pressed after 30 quiet minutes would otherwise lose it all)."""

    def mark(view):
        view.keep_typing_at_time_out = keep
        return view

    return mark


def timed_out_message() -> str:
    seconds = settings.PORTAL_SESSION_IDLE_SECONDS
    period = f"{seconds // 60} minutes" if seconds >= 120 else f"{seconds} seconds"
    return (
        f"You were signed out because you did nothing for {period}. Sign in again to go back to the page you were on."
    )


REPLACED_MESSAGE = (
    "You were signed out because your account was signed in somewhere else. Accounts must not be shared. "
    "If it was not you, reset your password."
)


class SessionPolicyMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        is_public = not getattr(view_func, "login_required", True)
        user = request.user
        if user.is_authenticated:
            ending = self._reason_to_end(request, user)
            if ending is not None:
                kind, message = ending
                if kind == AuthEventKind.TIMED_OUT and request.method == "POST":
                    self._keep_typing(request, view_func, view_kwargs)
                sign_out(request=request, kind=kind)
                messages.info(request, message)
                request.portal_session_ended = True
                return None if is_public else self.handle_no_permission(request, view_func)
            if not getattr(view_func, "keeps_session_idle", False):
                session_touch(request=request)
            return None
        if is_public:
            return None
        return self.handle_no_permission(request, view_func)

    @staticmethod
    def _keep_typing(request, view_func, view_kwargs) -> None:
        keep = getattr(view_func, "keep_typing_at_time_out", None)
        if keep is None:
            return
        try:
            keep(request, **view_kwargs)
        except Exception:
            # Keeping the typing is a kindness; the session ends whatever happens here.
            logger.exception("Typing posted as the session timed out could not be kept")

    @staticmethod
    def _reason_to_end(request, user) -> tuple[AuthEventKind | None, str] | None:
        if not user.is_verified():
            # Signed in some other way than with both factors (Django's admin login form, say).
            return (None, "Sign in with your password and the code we e-mail you.")
        if user.current_session_key != request.session.session_key:
            return (None, REPLACED_MESSAGE)
        if session_seconds_left(request=request) <= 0:
            return (AuthEventKind.TIMED_OUT, timed_out_message())
        return None
