"""The project's URLs plus views that fail on purpose, to show the styled error pages."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@login_not_required
def fail_with_server_error(request):
    raise RuntimeError("a deliberate failure for the error page test")


@login_not_required
def fail_with_bad_request(request):
    raise SuspiciousOperation("a deliberate bad request for the error page test")


@login_not_required
def fail_with_permission_denied(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/500/", fail_with_server_error),
    path("test-errors/400/", fail_with_bad_request),
    path("test-errors/403/", fail_with_permission_denied),
    *project_urlpatterns,
]
