"""Saving sections: as typed or completed, repeating rows, conflicts between tabs and co-authors, history, autosave."""

import json

import pytest
from django.utils.html import escape

from casework.models import AssessmentSection, CaseEvent, CaseEventKind, SectionDraft
from casework.services import SectionConflict, section_save
from tests.casework.conftest import (
    client_for,
    complete_all,
    rows,
    save,
    section_of,
    share,
    start,
    submit,
    valid_answers,
    version_of,
)

REASON = "Attendance has fallen since Easter."
LEVEL = "multiple"


def section_url(assessment, key):
    return f"/assessments/{assessment.pk}/sections/{key}/"


def post_section(client, assessment, key, data, *, action="later", version=None):
    version = version_of(assessment, key) if version is None else version
    return client.post(section_url(assessment, key), {**data, "version": str(version), "action": action})


def test_save_and_come_back_later_keeps_invalid_answers_exactly_as_typed(author_client, ehat):
    """Half-done work is saved as typed, wrong answers included, and comes back on the page."""
    typed = {"first_name": " Mia ", "last_name": "", "postcode": "not a postcode", "nhs_number": "123"}
    response = post_section(author_client, ehat, "child", typed)
    assert response["Location"] == f"/assessments/{ehat.pk}/"
    section = section_of(ehat, "child")
    assert section.status == "in_progress"
    assert section.data == typed

    html = author_client.get(section_url(ehat, "child")).content.decode()
    assert 'value="not a postcode"' in html
    assert 'value="123"' in html
    assert "There is a problem" not in html, "a page opened is not checked"


def test_save_and_continue_with_valid_answers_completes_and_opens_the_next_section(author_client, ehat):
    """A valid section is marked completed and the next section opens."""
    response = post_section(author_client, ehat, "people", valid_answers("ehat")["people"], action="continue")
    assert response["Location"] == section_url(ehat, "child")
    assert section_of(ehat, "people").status == "completed"


def test_save_and_continue_with_invalid_answers_keeps_them_and_shows_the_error_summary(author_client, ehat):
    """Errors are listed in a GOV.UK error summary linking to the fields; what was typed is saved, not lost."""
    typed = {**valid_answers("ehat")["child"], "postcode": "PL1", "first_language": ""}
    response = post_section(author_client, ehat, "child", typed, action="continue")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert '<a href="#id_postcode">Enter a real postcode, like PL1 2AA</a>' in html
    assert '<a href="#id_first_language">Enter the child&#x27;s first language</a>' in html
    assert 'value="PL1"' in html
    section = section_of(ehat, "child")
    assert section.status == "in_progress"
    assert section.data["postcode"] == "PL1"


def test_add_another_row_saves_and_shows_an_empty_row(author_client, ehat):
    """'Add another person' keeps the first person and shows a second, empty, row."""
    first = {"name": "Lucy Hart", "relationship": "Mother", "parental_responsibility": "yes"}
    response = post_section(author_client, ehat, "family", rows("members", first), action="add:members")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Household member 2" in html
    assert 'value="Lucy Hart"' in html
    assert section_of(ehat, "family").data["members-TOTAL_FORMS"] == "2"


def test_remove_a_row_moves_later_rows_up(author_client, ehat):
    """Removing person 1 leaves person 2 as the only person."""
    data = rows("members", {"name": "Lucy Hart"}, {"name": "Sam Hart"})
    post_section(author_client, ehat, "family", data, action="remove:members:0")
    stored = section_of(ehat, "family").data
    assert stored["members-TOTAL_FORMS"] == "1"
    assert stored["members-0-name"] == "Sam Hart"
    assert "members-1-name" not in stored


def test_stale_version_from_a_second_tab_is_a_conflict_and_overwrites_nothing(author_client, ehat):
    """Two tabs opened at the same version: the second save shows both versions with HTTP 409."""
    opened_at = version_of(ehat, "reason")
    post_section(author_client, ehat, "reason", {"reason": "Their words", "level_of_need": LEVEL}, version=opened_at)
    response = post_section(
        author_client, ehat, "reason", {"reason": "My words", "level_of_need": LEVEL}, version=opened_at
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else has changed this section" in html
    assert "Their words" in html
    assert "My words" in html
    assert section_of(ehat, "reason").data["reason"] == "Their words"


def test_co_authors_saving_the_same_section_get_a_conflict(author, colleague, ehat):
    """A co-author's save based on a version the author has since replaced is refused, not applied."""
    share(ehat, with_user=colleague)
    opened_at = version_of(ehat, "reason")
    save(ehat, "reason", {"reason": "Author's words", "level_of_need": LEVEL}, complete=False)
    response = post_section(
        client_for(colleague),
        ehat,
        "reason",
        {"reason": "Co-author's words", "level_of_need": LEVEL},
        version=opened_at,
    )
    assert response.status_code == 409
    assert escape(author.full_name) in response.content.decode()
    assert section_of(ehat, "reason").data["reason"] == "Author's words"


def test_save_my_version_instead_after_a_conflict(author_client, ehat):
    """The conflict page's button posts my answers against the current version, and they are saved."""
    opened_at = version_of(ehat, "reason")
    post_section(author_client, ehat, "reason", {"reason": "Their words", "level_of_need": LEVEL}, version=opened_at)
    conflict = post_section(
        author_client, ehat, "reason", {"reason": "My words", "level_of_need": LEVEL}, version=opened_at
    )
    # The page's own form: its hidden answers and the version it was built for.
    hidden = conflict.context["hidden_answers"]
    data = dict(hidden)
    response = post_section(author_client, ehat, "reason", data, version=conflict.context["current"].version)
    assert response.status_code == 302
    assert section_of(ehat, "reason").data == {"reason": "My words", "level_of_need": LEVEL}


def test_conflict_keeps_what_was_typed_as_a_draft(author, ehat):
    """The conflict page says what was typed is also kept as a draft: it must really be kept."""
    opened_at = version_of(ehat, "reason")
    save(ehat, "reason", {"reason": "Their words"}, complete=False)
    with pytest.raises(SectionConflict):
        section_save(
            actor=author,
            assessment=ehat,
            key="reason",
            data={"reason": "My words"},
            base_version=opened_at,
            complete=False,
        )
    draft = SectionDraft.objects.filter(assessment=ehat, key="reason", user=author).first()
    assert draft is not None, "what was typed was lost"
    assert draft.data == {"reason": "My words"}


def test_each_save_writes_history_with_who_and_why(author_client, author, ehat):
    """simple-history keeps a row per save with the person and a reason saying what happened."""
    history = AssessmentSection.history.filter(assessment_id=ehat.pk, key="reason").order_by("history_id")
    post_section(author_client, ehat, "reason", {"reason": REASON})
    saved = history.last()
    count = history.count()
    post_section(author_client, ehat, "reason", {"reason": REASON, "level_of_need": LEVEL}, action="continue")
    completed = history.last()
    assert history.count() == count + 1
    assert (saved.history_user, saved.history_change_reason, saved.data) == (
        author,
        "Reason for the assessment saved",
        {"reason": REASON},
    )
    assert (completed.history_user, completed.history_change_reason, completed.status) == (
        author,
        "Reason for the assessment completed",
        "completed",
    )


def test_each_save_records_the_answers_before_and_after(author, ehat):
    """The timeline event names each changed question with its old and new answer, as shown to people."""
    save(ehat, "reason", {"reason": REASON}, complete=False)
    save(ehat, "reason", {"reason": "Attendance has fallen.", "level_of_need": LEVEL})
    saved, completed = CaseEvent.objects.filter(assessment=ehat, summary="Reason for the assessment").order_by("pk")
    assert (saved.kind, saved.actor) == (CaseEventKind.SECTION_SAVED, author)
    assert saved.changes == [
        {"field": "Why are you completing this assessment?", "before": "Not answered", "after": REASON}
    ]
    assert completed.kind == CaseEventKind.SECTION_COMPLETED
    assert completed.changes == [
        {"field": "Why are you completing this assessment?", "before": REASON, "after": "Attendance has fallen."},
        {
            "field": "Level of need",
            "before": "Not answered",
            "after": "Multiple needs: several agencies need to work together",
        },
    ]


# ---------------------------------------------------------------- autosave


def autosave(client, assessment, key, data, version=None):
    version = version_of(assessment, key) if version is None else version
    return client.post(f"{section_url(assessment, key)}autosave/", {**data, "version": str(version)})


def test_autosave_keeps_a_draft_without_touching_the_saved_section(author_client, author, ehat):
    """What is being typed is kept as a draft; the saved answers, their history and the timeline do not change."""
    save(ehat, "reason", {"reason": REASON}, complete=False)
    section = section_of(ehat, "reason")
    history_rows = AssessmentSection.history.count()
    events = CaseEvent.objects.count()

    response = autosave(author_client, ehat, "reason", {"reason": "Half a sent", "csrfmiddlewaretoken": "x"})
    assert response.status_code == 200
    assert json.loads(response.content)["saved"] is True
    draft = SectionDraft.objects.get(assessment=ehat, key="reason", user=author)
    assert draft.data == {"reason": "Half a sent"}
    assert draft.base_version == section.version
    section.refresh_from_db()
    assert section.data == {"reason": REASON}
    assert AssessmentSection.history.count() == history_rows
    assert CaseEvent.objects.count() == events


def test_edit_page_shows_the_draft_with_a_banner(author_client, ehat):
    """Coming back after a time-out shows what was typed, with 'We kept what you typed'."""
    save(ehat, "reason", {"reason": REASON}, complete=False)
    autosave(author_client, ehat, "reason", {"reason": "Half a sent"})
    html = author_client.get(section_url(ehat, "reason")).content.decode()
    assert "We kept what you typed" in html
    assert "Half a sent" in html
    assert REASON not in html


def test_discarding_the_draft_shows_the_saved_answers_again(author_client, author, ehat):
    """'Discard what I typed' removes the draft."""
    save(ehat, "reason", {"reason": REASON}, complete=False)
    autosave(author_client, ehat, "reason", {"reason": "Half a sent"})
    response = author_client.post(f"{section_url(ehat, 'reason')}discard/")
    assert response["Location"] == section_url(ehat, "reason")
    assert not SectionDraft.objects.filter(user=author).exists()
    html = author_client.get(section_url(ehat, "reason")).content.decode()
    assert "We kept what you typed" not in html
    assert REASON in html


def test_saving_the_section_removes_the_draft(author_client, author, ehat):
    """Once saved, the draft has served its purpose."""
    autosave(author_client, ehat, "reason", {"reason": "Half a sent"})
    post_section(author_client, ehat, "reason", {"reason": "Half a sentence"})
    assert not SectionDraft.objects.filter(user=author).exists()


@pytest.mark.parametrize(
    "who", [pytest.param("viewer", id="viewer-403"), pytest.param("submitted", id="submitted-403")]
)
def test_autosave_refused_when_the_answers_cannot_change(council, author, colleague, who):
    """A viewer, or anyone once the assessment is submitted, gets a 403 JSON answer and no draft is kept."""
    assessment = start(author, "young_carers")
    if who == "viewer":
        share(assessment, with_user=colleague, role="viewer")
        user = colleague
    else:
        submit(complete_all(assessment))
        user = author
    response = autosave(client_for(user), assessment, "wishes", {"wishes": "More time"})
    assert response.status_code == 403
    assert json.loads(response.content) == {"saved": False, "reason": "This assessment cannot be changed now"}
    assert not SectionDraft.objects.exists()
