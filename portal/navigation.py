"""The service navigation and footer links, which change with what the signed-in user does."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavigationItem:
    label: str
    href: str
    current: bool = False


def _item(request, label: str, url_name: str, *, exact: bool = False) -> NavigationItem:
    href = reverse(url_name)
    path = request.path
    current = path == href if exact or href == "/" else path.startswith(href)
    return NavigationItem(label=label, href=href, current=current)


def navigation_for(request) -> list[NavigationItem]:
    """The links of the service navigation for this request's user."""
    return [_item(request, "User guides", "portal:guides")]


def footer_links() -> list[NavigationItem]:
    return [
        NavigationItem("User guides", reverse("portal:guides")),
        NavigationItem("Accessibility statement", reverse("portal:accessibility")),
        NavigationItem("Privacy notice", reverse("portal:privacy")),
        NavigationItem("Cookies", reverse("portal:cookies")),
    ]
