"""The session time-out warning's end points: how long is left, stay signed in, time out now."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from identity.middleware import keeps_session_idle, timed_out_message
from identity.models import AuthEventKind
from identity.services import session_seconds_left, session_touch, sign_out


def _status(request) -> JsonResponse:
    signed_in = request.user.is_authenticated
    return JsonResponse(
        {
            "signed_in": signed_in,
            "seconds_left": session_seconds_left(request=request) if signed_in else 0,
            "warning_seconds": settings.PORTAL_SESSION_WARNING_SECONDS,
        }
    )


@never_cache
@require_GET
@login_not_required
@keeps_session_idle
def status(request):
    """Read by every open tab before it warns, so activity in one tab keeps the others quiet."""
    return _status(request)


@never_cache
@require_POST
def extend(request):
    """ "Stay signed in": the session's idle clock starts again."""
    session_touch(request=request, always=True)
    return _status(request)


@require_POST
@login_not_required
@keeps_session_idle
def timed_out(request):
    """The warning ran out: sign out here, and offer the way back to the same page after signing in."""
    next_path = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()}):
        next_path = ""
    if request.user.is_authenticated:
        sign_out(request=request, kind=AuthEventKind.TIMED_OUT)
    if not getattr(request, "portal_session_ended", False):
        messages.info(request, timed_out_message())
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    return redirect(f"{resolve_url(settings.LOGIN_URL)}{query}")
