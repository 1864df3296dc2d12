"""Every page but the public ones needs both factors; sessions end after idling or a newer sign-in.

django-two-factor-auth alone lets an account without a device in, and only redirects (its issue
#472); this middleware is the one place the rule is kept. Public views are marked with Django's
`login_not_required`.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware

from .models import AuthEventKind
from .services import session_seconds_left, session_touch, sign_out


def keeps_session_idle(view):
    """Mark a view whose requests must not count as activity (the time-out warning's status check)."""
    view.keeps_session_idle = True
    return view


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
    def _reason_to_end(request, user) -> tuple[AuthEventKind | None, str] | None:
        if not user.is_verified():
            # Signed in some other way than with both factors (Django's admin login form, say).
            return (None, "Sign in with your password and the code we e-mail you.")
        if user.current_session_key != request.session.session_key:
            return (None, REPLACED_MESSAGE)
        if session_seconds_left(request=request) <= 0:
            return (AuthEventKind.TIMED_OUT, timed_out_message())
        return None
