"""Every link a case page offers, followed as each role who may open the case: none may lead to "not found"."""

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.security.conftest import KINDS, STATES

# The case page of each role: the council's case view, or the professional's own page of the assessment.
CASE_PAGE = {
    "officer": "/cases/{pk}/",
    "team_manager": "/cases/{pk}/",
    "service_manager": "/cases/{pk}/",
    "author": "/assessments/{pk}/",
    "co_author": "/assessments/{pk}/",
    "viewer": "/assessments/{pk}/",
}
# Pages about the case are followed this many links deep; every other page is only opened.
DEPTH = 3


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    """The portal's own addresses a page links to, without fragments (skip links, anchors of a page)."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        address, _ = urldefrag(href)
        parts = urlsplit(address)
        if not address or parts.scheme or parts.netloc or not address.startswith("/"):
            continue
        found.append(address)
    return found


def broken_links(client, start: str, pk: int) -> tuple[list[str], int]:
    """Follow the links from the case page; the pages that refuse or are not found, and how many were opened."""
    seen = {start}
    to_open = [(start, 0, "the case page")]
    broken = []
    while to_open:
        address, depth, linked_from = to_open.pop(0)
        response = client.get(address, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else address
        if response.status_code != 200 or final.startswith("/account/sign-in/"):
            broken.append(f"{address} (linked from {linked_from}): {response.status_code} at {final}")
            continue
        about_the_case = f"/{pk}/" in final
        if not about_the_case or depth >= DEPTH or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in links_of(response.content.decode()):
            if link not in seen:
                seen.add(link)
                to_open.append((link, depth + 1, address))
    return broken, len(seen)


def _cases_for(role_index: int):
    """Every state, each of a different type from one role to the next (so each type is seen in each state)."""
    return [(KINDS[(role_index + index) % len(KINDS)], state) for index, state in enumerate(STATES)]


@pytest.mark.parametrize("role", list(CASE_PAGE))
def test_no_link_on_a_case_page_is_refused_or_not_found(world, role):
    """Officer, team manager, service manager, author, co-author and viewer follow every link their case page
    offers them (and the links of the pages about the case those lead to): each opens."""
    problems = []
    opened = 0
    for kind, state in _cases_for(list(CASE_PAGE).index(role)):
        if state == "draft" and CASE_PAGE[role].startswith("/cases/"):
            continue  # the council never sees a draft: the case page itself is not found
        case = world.case(kind, state)
        broken, count = broken_links(world.client_for(role, kind), CASE_PAGE[role].format(pk=case.pk), case.pk)
        opened += count
        problems += [f"{kind} {state}: {line}" for line in broken]
    assert not problems, f"{len(problems)} of {opened} links broken as {role}:\n" + "\n".join(problems)
    assert opened > 10  # the walk did find the links
