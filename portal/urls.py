"""The project's URLs: each app's pages under its own prefix, and the styled error handlers."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from . import views

portal_patterns = [
    path("", views.start, name="start"),
    path("accessibility/", TemplateView.as_view(template_name="portal/accessibility.html"), name="accessibility"),
    path("privacy/", TemplateView.as_view(template_name="portal/privacy.html"), name="privacy"),
    path("cookies/", TemplateView.as_view(template_name="portal/cookies.html"), name="cookies"),
    path("guides/", TemplateView.as_view(template_name="portal/guides/index.html"), name="guides"),
    path(
        "guides/early-help/",
        TemplateView.as_view(template_name="portal/guides/early_help.html"),
        name="guide-early-help",
    ),
    path("guides/send/", TemplateView.as_view(template_name="portal/guides/send.html"), name="guide-send"),
    path(
        "guides/young-carers/",
        TemplateView.as_view(template_name="portal/guides/young_carers.html"),
        name="guide-young-carers",
    ),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
