"""The service navigation and footer links, which change with what the signed-in user does."""

from dataclasses import dataclass

from django.urls import reverse

from identity.permissions import can_approve_accounts
from identity.roles import Role, roles_of


@dataclass(frozen=True)
class NavigationItem:
    label: str
    href: str
    current: bool = False


def _item(request, label: str, url_name: str) -> NavigationItem:
    href = reverse(url_name)
    current = request.path == href if href == "/" else request.path.startswith(href)
    return NavigationItem(label=label, href=href, current=current)


def navigation_for(request) -> list[NavigationItem]:
    """The links of the service navigation for this request's user and roles."""
    # Error pages can be drawn before the authentication middleware has run.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return [
            _item(request, "Sign in", "identity:sign-in"),
            _item(request, "Create an account", "identity:register"),
            _item(request, "User guides", "portal:guides"),
        ]
    roles = roles_of(user)
    items = []
    if can_approve_accounts(user):
        items.append(_item(request, "Accounts to approve", "identity:approvals"))
    if Role.ADMINISTRATOR in roles and user.is_staff:
        items.append(_item(request, "Administration", "admin:index"))
    items.append(_item(request, "Your account", "identity:account"))
    items.append(_item(request, "User guides", "portal:guides"))
    return items


def footer_links() -> list[NavigationItem]:
    return [
        NavigationItem("User guides", reverse("portal:guides")),
        NavigationItem("Accessibility statement", reverse("portal:accessibility")),
        NavigationItem("Privacy notice", reverse("portal:privacy")),
        NavigationItem("Cookies", reverse("portal:cookies")),
    ]
