"""Object rights: one read of a person's rights on a case, also answering `user.has_perm(right, case)`."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identity.permissions import (
    REVIEW_ASSESSMENT,
    VIEW_ASSESSMENT,
    can_edit_assessment,
    can_view_assessment,
    grant,
    revoke,
    rights_on,
)
from tests.casework.conftest import start, verified_professional
from tests.factories import OfficerFactory


@pytest.fixture
def author(db):
    return verified_professional(full_name="Robin Author")


def test_rights_held_directly_and_through_a_group_are_both_seen(author):
    assessment = start(author)
    officer, other = OfficerFactory(), OfficerFactory()
    team = Group.objects.create(name="Test review team")
    officer.groups.add(team)
    grant(team, (VIEW_ASSESSMENT, REVIEW_ASSESSMENT), assessment)
    grant(other, (VIEW_ASSESSMENT,), assessment)

    assert rights_on(officer, assessment) == {"view_assessment", "review_assessment"}
    assert rights_on(other, assessment) == {"view_assessment"}
    assert {"view_assessment", "change_assessment", "submit_assessment"} <= rights_on(author, assessment)


def test_has_perm_on_a_case_answers_from_the_same_rights(author):
    """viewflow asks `has_perm` whether an officer may pick up a review task."""
    assessment, another = start(author), start(author, first_name="Noah")
    officer = OfficerFactory()
    grant(officer, (REVIEW_ASSESSMENT,), assessment)

    assert officer.has_perm(REVIEW_ASSESSMENT, assessment)
    assert officer.has_perm("review_assessment", assessment)
    assert not officer.has_perm(REVIEW_ASSESSMENT, another)
    assert not officer.has_perm("identity.review_assessment", assessment)
    # A right on a case is never a right everywhere.
    assert not officer.has_perm(REVIEW_ASSESSMENT)
    officer.is_active = False
    assert not officer.has_perm(REVIEW_ASSESSMENT, assessment)


def test_checks_on_one_case_cost_one_query_and_a_revoke_is_seen_at_once(author):
    assessment = start(author)
    viewer = verified_professional()
    grant(viewer, (VIEW_ASSESSMENT,), assessment)

    with CaptureQueriesContext(connection) as queries:
        assert can_view_assessment(viewer, assessment)
        assert not can_edit_assessment(viewer, assessment)
        assert viewer.has_perm(VIEW_ASSESSMENT, assessment)
    assert len(queries) == 1

    revoke(viewer, (VIEW_ASSESSMENT,), assessment)
    assert not can_view_assessment(viewer, assessment)
