"""The work trays' tab counts, written out in SQL, count exactly the cases each tray lists."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Assessment
from identity.models import User
from identity.permissions import REVIEW_ASSESSMENT, revoke
from workflows.selectors import is_council_user, queue_base, tray_counts

pytestmark = pytest.mark.django_db


def listed(user: User) -> dict[str, int]:
    """What each tray's unfiltered list holds, through the ORM queries the lists run."""
    mine = queue_base(user, "mine")
    return {
        "queue": queue_base(user, "queue").count(),
        "mine": mine.count(),
        "team": queue_base(user, "team").count(),
        "overdue": mine.filter(decision_due__lt=timezone.localdate()).count(),
    }


def test_every_council_users_tab_counts_equal_their_trays_lists(demo_data):
    call_command("generate_demo_data", cases=250, seed=23, verbosity=0)
    # A case of the queue whose team's group lost the right to review it is neither listed nor counted.
    unclaimed = Assessment.objects.filter(status="submitted", assigned_to__isnull=True).select_related("team")
    withdrawn_right = unclaimed.first()
    revoke(withdrawn_right.team.group, [REVIEW_ASSESSMENT], withdrawn_right)
    council = [user for user in User.objects.all() if is_council_user(user)]
    assert len(council) >= 5
    seen = set()
    for user in council:
        counts = tray_counts(user)
        assert counts == listed(user), user.email
        seen |= {tray for tray, number in counts.items() if number}
    assert seen == {"queue", "mine", "team", "overdue"}, "the data exercises every tab"


def test_the_counts_are_one_query(demo_data):
    officer = User.objects.get(email="priya.shah@plymouth.gov.uk")
    tray_counts(officer)  # the person's teams and the right's id, remembered
    with CaptureQueriesContext(connection) as queries:
        tray_counts(officer)
    assert len(queries.captured_queries) == 1
