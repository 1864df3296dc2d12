"""The service navigation and footer links, which change with what the signed-in user does."""

from dataclasses import dataclass

from django.urls import reverse

from identity.permissions import (
    can_answer_subject_access,
    can_approve_accounts,
    can_read_disclosure_log,
    can_start_assessment,
)
from identity.roles import Role, roles_of
from workflows.reports import may_see_reports
from workflows.selectors import is_council_user, unread_notification_count


@dataclass(frozen=True)
class NavigationItem:
    label: str
    href: str
    current: bool = False


def _with_current(request, links: list[tuple[str, str]]) -> list[NavigationItem]:
    """Items for (label, url name) pairs; the one whose address is the longest match of this page's is current."""
    hrefs = [(label, reverse(url_name)) for label, url_name in links]
    matches = [href for _, href in hrefs if request.path == href or (href != "/" and request.path.startswith(href))]
    current = max(matches, key=len, default=None)
    return [NavigationItem(label=label, href=href, current=href == current) for label, href in hrefs]


def navigation_for(request) -> list[NavigationItem]:
    """The links of the service navigation for this request's user and roles."""
    # Error pages can be drawn before the authentication middleware has run.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return _with_current(
            request,
            [
                ("Sign in", "identity:sign-in"),
                ("Create an account", "identity:register"),
                ("User guides", "portal:guides"),
            ],
        )
    roles = roles_of(user)
    links = []
    if can_start_assessment(user):
        links.append(("Your assessments", "casework:home"))
        # Professionals are the ones asked for advice for EHC needs assessments (workflows.ehc_adviser).
        links.append(("Advice asked of you", "workflows:advice-asked"))
    if is_council_user(user):
        links.append(("Work", "workflows:work"))
    if may_see_reports(user):
        links.append(("Reports", "workflows:reports"))
    if can_read_disclosure_log(user):
        links.append(("Disclosure log", "data-protection:disclosures"))
    if can_approve_accounts(user):
        links.append(("Accounts to approve", "identity:approvals"))
    if can_answer_subject_access(user):
        links.append(("Subject access requests", "workflows:subject-access"))
    if Role.ADMINISTRATOR in roles and user.is_staff:
        links.append(("Administration", "admin:index"))
    unread = unread_notification_count(user)
    links.append((f"Notifications ({unread} new)" if unread else "Notifications", "workflows:notifications"))
    links += [("Your account", "identity:account"), ("User guides", "portal:guides")]
    return _with_current(request, links)


def footer_links() -> list[NavigationItem]:
    return [
        NavigationItem("User guides", reverse("portal:guides")),
        NavigationItem("Accessibility statement", reverse("portal:accessibility")),
        NavigationItem("Privacy notice", reverse("portal:privacy")),
        NavigationItem("Cookies", reverse("portal:cookies")),
    ]
