"""'Your assessments': those needing action first, search, pages, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from casework.models import Assessment
from tests.casework.conftest import KINDS, client_for, share, start

HOME = "/assessments/"
# Session, user and device; the rights and navigation; the count and the page of the list; the session's
# save (with its savepoint): whatever the number of assessments.
HOME_QUERIES = 13


def with_status(assessment, status, **fields):
    """Put an assessment in a status directly: the list is under test here, not the transitions."""
    Assessment.objects.filter(pk=assessment.pk).update(status=status, **fields)
    return assessment


def listed(response) -> list[str]:
    return [assessment.reference for assessment in response.context["page"].object_list]


def test_returned_first_then_drafts_then_submitted_then_closed(author, officer):
    """What needs the professional's action comes first; within a group the latest change first."""
    closed = with_status(start(author, "ehcp", first_name="Closed"), "closed")
    submitted = with_status(start(author, "ehcp", first_name="Submitted"), "submitted")
    old_draft = start(author, "ehat", first_name="Older")
    reviewing = with_status(start(author, "young_carers", first_name="Review"), "under_review", assigned_to=officer)
    returned = with_status(start(author, "ehat", first_name="Returned"), "returned")
    new_draft = start(author, "ehat", first_name="Newer")
    response = client_for(author).get(HOME)
    assert listed(response) == [
        returned.reference,
        new_draft.reference,
        old_draft.reference,
        reviewing.reference,
        submitted.reference,
        closed.reference,
    ]
    html = response.content.decode()
    assert "Make the changes the council asked for, then resubmit" in html
    assert f"Being reviewed by {escape(officer.full_name)}" in html


def test_shared_assessments_are_listed_for_the_colleague(author, colleague):
    """A colleague sees the drafts shared with them alongside their own."""
    shared = start(author, "ehat")
    share(shared, with_user=colleague, role="viewer")
    own = start(colleague, "ehcp", first_name="Own")
    start(author, "ehcp", first_name="Private")
    assert sorted(listed(client_for(colleague).get(HOME))) == sorted([shared.reference, own.reference])


def test_search_by_part_of_the_childs_name(author):
    """Searching 'hart' finds every child with Hart in their name, whatever the case."""
    mia = start(author, "ehat", first_name="Mia", last_name="Hartley")
    start(author, "ehat", first_name="Noah", last_name="Smith")
    response = client_for(author).get(HOME, {"q": " hart "})
    assert listed(response) == [mia.reference]
    assert "Showing results for ‘hart’" in response.content.decode()


def test_search_by_exact_reference(author):
    """A reference finds that assessment only; part of one finds nothing."""
    first = start(author, "ehcp")
    start(author, "ehcp")
    client = client_for(author)
    assert listed(client.get(HOME, {"q": first.reference.lower()})) == [first.reference]
    response = client.get(HOME, {"q": first.reference[:-1]})
    assert listed(response) == []
    assert "No assessments match" in response.content.decode()


def test_search_never_finds_other_peoples_assessments(author, outsider):
    """Searching is within what the professional may see."""
    theirs = start(outsider, "ehcp", first_name="Mia")
    client = client_for(author)
    assert listed(client.get(HOME, {"q": "Mia"})) == []
    assert listed(client.get(HOME, {"q": theirs.reference})) == []


def test_pages_of_twenty(author):
    """Twenty-five assessments fill one page of twenty and a second of five."""
    for number in range(25):
        start(author, "young_carers", first_name=f"Child{number}")
    client = client_for(author)
    first, second = client.get(HOME), client.get(HOME, {"page": "2"})
    assert len(listed(first)) == 20
    assert len(listed(second)) == 5
    assert set(listed(first)).isdisjoint(listed(second))
    assert "25 assessments" in first.content.decode()


def make_assessments(author, officer, count):
    for number in range(count):
        assessment = start(author, KINDS[number % 3], first_name=f"Child{number}")
        if number % 3 == 1:
            with_status(assessment, "under_review", assigned_to=officer)
        elif number % 3 == 2:
            with_status(assessment, "closed", outcome="withdrawn")


@pytest.mark.parametrize("count", [pytest.param(3, id="3-assessments"), pytest.param(30, id="30-assessments")])
def test_your_assessments_runs_a_fixed_number_of_queries(author, officer, count, django_assert_max_num_queries):
    """The page's queries do not grow with the number of assessments (no query per row)."""
    make_assessments(author, officer, count)
    client = client_for(author)
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(HOME)
    assert len(listed(response)) == min(count, 20)


def test_your_assessments_query_count_is_the_same_for_3_and_30(author, officer):
    """Measured, not just capped: thirty assessments cost exactly the queries three do."""
    client = client_for(author)
    counts = []
    for more in (3, 27):
        make_assessments(author, officer, more)
        with CaptureQueriesContext(connection) as queries:
            client.get(HOME)
        counts.append(len(queries))
    assert counts[0] == counts[1]
