"""The history page: every event newest first, 25 to a page, with who, when and the answers before and after."""

import datetime as dt
import re

from django.utils import timezone
from django.utils.dateformat import format as date_format

from casework.models import CaseEvent, CaseEventKind
from casework.services import case_event_record
from casework.templatetags.casework import govuk_time
from tests.casework.conftest import client_for, save, share


def history_url(assessment):
    return f"/assessments/{assessment.pk}/history/"


def headings(html: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-heading-s[^"]*">([^<]*)</h2>', html)


def test_history_is_newest_first_25_to_a_page(author_client, author, ehat):
    """With 31 events, page 1 has the newest 25 and page 2 the oldest 6, ending with the start."""
    for number in range(1, 31):
        case_event_record(assessment=ehat, kind=CaseEventKind.MESSAGE, actor=author, summary=f"Note {number}")
    first = headings(author_client.get(history_url(ehat)).content.decode())
    second = headings(author_client.get(history_url(ehat), {"page": "2"}).content.decode())
    assert len(first) == 25
    assert first[:2] == ["Message: Note 30", "Message: Note 29"]
    assert second == [f"Message: Note {number}" for number in (5, 4, 3, 2, 1)] + [
        "Assessment started: Early Help Assessment started for Mia Hart"
    ]


def test_history_shows_who_did_what_and_when(author, colleague, ehat):
    """Each entry names the person and the date and time."""
    share(ehat, with_user=colleague)
    when = timezone.now() + dt.timedelta(minutes=1)
    save(ehat, "reason", {"reason": "Attendance"}, actor=colleague, complete=False)
    CaseEvent.objects.filter(assessment=ehat, kind=CaseEventKind.SECTION_SAVED).update(created_at=when)
    html = client_for(author).get(history_url(ehat)).content.decode()
    shown = f"{date_format(timezone.localtime(when), 'j F Y')} at {govuk_time(when, 'seconds')}"
    assert "Section saved: Reason for the assessment" in html
    assert f"Casey Colleague, {shown}" in html
    assert "Robin Author" in html, "the author's own events name them too"


def test_history_shows_changed_answers_before_and_after(author_client, ehat):
    """A changed answer is shown as the question with its old and new answer."""
    save(ehat, "reason", {"reason": "Attendance has fallen", "level_of_need": "emerging"}, complete=False)
    save(ehat, "reason", {"reason": "Attendance has fallen", "level_of_need": "complex"}, complete=False)
    html = author_client.get(history_url(ehat)).content.decode()
    assert "1 answer changed" in html
    assert re.search(
        r'<th scope="row" class="govuk-table__header">Level of need</th>'
        r'<td class="govuk-table__cell">Emerging needs: one agency can meet them with some extra help</td>'
        r'<td class="govuk-table__cell">Complex needs: a coordinated plan and a lead professional are needed</td>',
        html,
    )
