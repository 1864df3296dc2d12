"""The project's URLs: each app's pages under its own prefix, and the styled error handlers."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from casework.urls import data_protection_urlpatterns

from . import views


def public_page(template_name: str):
    return login_not_required(TemplateView.as_view(template_name=template_name))


portal_patterns = [
    path("", views.start, name="start"),
    path("home/", views.home, name="home"),
    path("accessibility/", public_page("portal/accessibility.html"), name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", public_page("portal/cookies.html"), name="cookies"),
    path("guides/", public_page("portal/guides/index.html"), name="guides"),
    path("guides/early-help/", public_page("portal/guides/early_help.html"), name="guide-early-help"),
    path("guides/send/", public_page("portal/guides/send.html"), name="guide-send"),
    path("guides/young-carers/", public_page("portal/guides/young_carers.html"), name="guide-young-carers"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("account/", include("identity.urls")),
    path("assessments/", include("casework.urls")),
    path("data-protection/", include((data_protection_urlpatterns, "data-protection"))),
    path("", include("workflows.urls")),
    # The admin is reached through the portal's own sign-in, with its second factor, never its own form.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="identity:sign-in", query_string=True)),
    ),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
