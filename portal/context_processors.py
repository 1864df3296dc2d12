"""What every page's layout needs: the council's brand, the navigation and the footer links."""

from django.conf import settings

from .navigation import footer_links, navigation_for


def portal(request):
    return {
        "council_name": settings.PORTAL_COUNCIL_NAME,
        "service_name": settings.PORTAL_SERVICE_NAME,
        "support_email": settings.PORTAL_SUPPORT_EMAIL,
        "safeguarding_phone": settings.PORTAL_SAFEGUARDING_PHONE,
        "phase": settings.PORTAL_PHASE,
        "navigation": navigation_for(request),
        "session_idle_seconds": settings.PORTAL_SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.PORTAL_SESSION_WARNING_SECONDS,
        "footer_links": footer_links(),
    }
