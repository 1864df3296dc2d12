"""The start page, and error pages that say what happened and what to do next."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader

from identity.permissions import can_answer_subject_access, can_start_assessment
from workflows.selectors import is_council_user

from .access_log import access_denied_record
from .selectors import privacy_notice_facts

logger = logging.getLogger(__name__)


@login_not_required
def start(request):
    return render(request, "portal/start.html")


@login_not_required
def privacy(request):
    """The privacy notice, its retention figures read from the schedule the portal runs."""
    return render(request, "portal/privacy.html", privacy_notice_facts())


def home(request):
    """Where signing in lands: each role's own starting page."""
    if can_start_assessment(request.user):
        return redirect("casework:home")
    if is_council_user(request.user):
        return redirect("workflows:work")
    if can_answer_subject_access(request.user):
        return redirect("workflows:subject-access")
    return redirect("identity:account")


@login_not_required
def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


@login_not_required
def permission_denied(request, exception=None):
    access_denied_record(user=getattr(request, "user", None), resource=request.path)
    return render(request, "errors/403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def csrf_failure(request, reason=""):
    logger.warning("CSRF check failed for %s: %s", request.path, reason)
    return render(request, "errors/403_csrf.html", status=403)


@login_not_required
def server_error(request):
    # Rendered without the request's context processors: whatever broke (the database, say)
    # must not break the error page too.
    context = {
        "council_name": settings.PORTAL_COUNCIL_NAME,
        "service_name": settings.PORTAL_SERVICE_NAME,
        "support_email": settings.PORTAL_SUPPORT_EMAIL,
        "safeguarding_phone": settings.PORTAL_SAFEGUARDING_PHONE,
        "phase": settings.PORTAL_PHASE,
        "footer_links": [],
        "navigation": [],
    }
    return HttpResponseServerError(loader.get_template("errors/500.html").render(context))
