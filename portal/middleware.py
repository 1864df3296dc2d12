"""Headers the portal adds to responses: a strict Permissions-Policy on all of them, and no caching of any page
drawn for a signed-in person (every page with case data is one)."""

from django.utils.cache import add_never_cache_headers

# Nothing in the portal needs a browser feature beyond the page itself: each is denied to the portal and to
# anything it might embed. interest-cohort is FLoC, browsing-topics its successor (no ad profiling of users).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "web-share",
        "window-management",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """A strict Permissions-Policy on every response, static files and error pages included (first in the list)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class PrivatePagesNotStoredMiddleware:
    """Every response to a signed-in person is private and never stored: not by a proxy, not by the browser's
    cache or its back-forward cache, so the next person at a shared computer cannot bring a case back.

    By who asked rather than page by page, so a new case page cannot be forgotten; static files are answered
    before this runs (whitenoise) and keep their long caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
