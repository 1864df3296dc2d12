"""'Advice asked of you': the signed-in person's requests for advice, awaited first, with a fixed query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ProfessionalFactory
from tests.workflows.conftest import client_of
from tests.workflows.ehc_steps import advice_of, agreed, at, give
from workflows import ehc
from workflows.ehc_adviser import advice_asked_of

D = dt.date
PAGE = "/advice/"
INVITED = "dr.ada.stone@psychology.example.org"
# Session, user and device; the awaited and the done advice; the rights and navigation (groups, permissions,
# teams, unread notifications): whatever the number of requests.
PAGE_QUERIES = 10
OTHER_KINDS = {"health", "social_care", "parents", "child"}


def ask(needs_assessment, **asked_of):
    """Ask the named kinds of advice of the (name, e-mail) given; say the rest are not needed."""
    return ehc.advice_request(
        actor=needs_assessment.coordinator,
        needs_assessment=needs_assessment,
        recipients={kind: ehc.AdviceRecipient(name=name, email=email) for kind, (name, email) in asked_of.items()},
        not_sought={kind: "Recent advice is enough" for kind in ehc.ADVICE_WHAT if kind not in asked_of},
    )


def references(response) -> list[tuple[str, str]]:
    return [
        (row["advice"].needs_assessment.assessment.reference, row["advice"].kind) for row in response.context["rows"]
    ]


def test_lists_what_was_asked_of_sam_awaited_first_and_nothing_asked_of_others(people):
    """Two requests awaited (the sooner due first), one given; the advice asked of someone else is not listed."""
    with at(D(2026, 4, 14)):
        given = ask(agreed(), setting=("Sam Taylor", people.sam.email))
    with at(D(2026, 4, 21)):
        later = ask(agreed(), setting=("Sam Taylor", people.sam.email), health=("Nurse", "nurse@nhs.example.org"))
    with at(D(2026, 4, 16)):
        sooner = ask(agreed(), setting=("Sam Taylor", people.sam.email))
    with at(D(2026, 4, 28)):
        give(given, "setting", actor=people.sam)
    response = client_of(people.sam).get(PAGE)
    assert response.status_code == 200
    assert references(response) == [
        (sooner.assessment.reference, "setting"),
        (later.assessment.reference, "setting"),
        (given.assessment.reference, "setting"),
    ]
    html = response.content.decode()
    assert "Advice asked of you" in html
    assert html.count("Give advice<span") == 2
    assert "Given 28 April 2026" in html
    assert f'href="/cases/{sooner.assessment_id}/needs-assessment/advice/setting/"' in html


def test_someone_who_registered_with_an_invited_address_finds_the_request(people):
    """Invited before they had an account: the request is theirs on the list as soon as they register."""
    needs_assessment = ask(agreed(), educational_psychology=("Dr Ada Stone", INVITED))
    ada = ProfessionalFactory(email=INVITED, email_verified_at=timezone.now())
    assert advice_of(needs_assessment, "educational_psychology").professional is None
    response = client_of(ada).get(PAGE)
    assert references(response) == [(needs_assessment.assessment.reference, "educational_psychology")]
    assert references(client_of(people.sam).get(PAGE)) == []


def test_nobody_asked_yet_says_so_and_the_navigation_links_the_page(people):
    html = client_of(people.sam).get(PAGE).content.decode()
    assert "Nobody has asked you for advice yet" in html
    assert '<a class="govuk-service-navigation__link" href="/advice/" aria-current="page">' in html


def _asked_of_sam(count, people):
    for _ in range(count):
        ask(agreed(), setting=("Sam Taylor", people.sam.email))


@pytest.mark.parametrize("count", [pytest.param(1, id="1-request"), pytest.param(6, id="6-requests")])
def test_the_list_runs_a_fixed_number_of_queries(people, count, django_assert_max_num_queries):
    _asked_of_sam(count, people)
    client = client_of(people.sam)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(PAGE)
    assert len(response.context["rows"]) == count


def test_the_query_count_is_the_same_for_1_and_6_requests(people):
    """Measured: six requests cost exactly the queries one does (no query per row)."""
    counts = []
    for count in (1, 5):
        _asked_of_sam(count, people)
        client = client_of(people.sam)
        with CaptureQueriesContext(connection) as queries:
            client.get(PAGE)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_selector_reads_awaited_and_done_in_two_queries(people, django_assert_num_queries):
    _asked_of_sam(3, people)
    with django_assert_num_queries(2):
        awaited, done = advice_asked_of(people.sam)
    assert (len(awaited), len(done)) == (3, 0)
