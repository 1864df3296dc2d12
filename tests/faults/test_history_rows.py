"""One save, one history row: the audit trail holds each effect once, with who made it and why."""

import pytest

from casework.models import AssessmentSection
from tests.casework.conftest import start


@pytest.mark.django_db
def test_first_save_of_a_section_writes_one_history_row_with_who_and_why(author, author_client):
    """The section's first save must not add a second, empty row with no reason (get_or_create's insert)."""
    ehat = start(author, "ehat")
    assert not AssessmentSection.objects.filter(assessment=ehat, key="reason").exists()

    response = author_client.post(
        f"/assessments/{ehat.pk}/sections/reason/",
        {"reason": "Attendance has fallen", "level_of_need": "single", "version": 0, "action": "later"},
    )

    assert response.status_code == 302
    rows = AssessmentSection.history.filter(assessment_id=ehat.pk, key="reason").order_by("history_id")
    assert [(row.version, row.history_user_id, row.history_change_reason) for row in rows] == [
        (1, author.pk, "Reason for the assessment saved")
    ]


@pytest.mark.django_db
def test_later_saves_write_one_history_row_each(author, author_client):
    ehat = start(author, "ehat")
    url = f"/assessments/{ehat.pk}/sections/people/"
    version = AssessmentSection.objects.get(assessment=ehat, key="people").version
    before = AssessmentSection.history.filter(assessment_id=ehat.pk, key="people").count()

    for number in range(3):
        author_client.post(url, {"completer_name": f"Name {number}", "version": version + number, "action": "later"})

    rows = AssessmentSection.history.filter(assessment_id=ehat.pk, key="people").order_by("history_id")[before:]
    assert [(row.version, row.history_user_id) for row in rows] == [(version + n + 1, author.pk) for n in range(3)]
