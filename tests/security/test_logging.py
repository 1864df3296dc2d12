"""Denied access is logged with who and which record, never with what the record holds (ASVS 16.3.1, 16.2.5)."""

import logging

import pytest

from tests.casework.conftest import client_for, start
from tests.workflows.conftest import PRIYA, client_of, person, submitted

pytestmark = pytest.mark.django_db


def test_opening_someone_elses_assessment_is_logged_without_the_childs_name(author, outsider, caplog):
    caplog.set_level(logging.DEBUG)
    draft = start(author, "ehat", first_name="Zebedee", last_name="Quartermaine")
    response = client_for(outsider).get(f"/assessments/{draft.pk}/answers/")
    assert response.status_code == 404
    assert f"access_denied user_id={outsider.pk} resource=assessment {draft.pk}" in caplog.text
    assert "Zebedee" not in caplog.text
    assert "Quartermaine" not in caplog.text


def test_a_page_that_does_not_exist_is_not_logged_as_denied(author, caplog):
    caplog.set_level(logging.INFO)
    assert client_for(author).get("/assessments/999999/answers/").status_code == 404
    assert "access_denied" not in caplog.text


def test_a_case_of_another_team_and_a_forbidden_page_are_logged(demo_data, caplog):
    caplog.set_level(logging.INFO)
    case = submitted("ehcp", first_name="Ottoline", last_name="Fairweather")
    priya = person(PRIYA)
    client = client_of(priya)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get("/work/team/").status_code == 403
    assert f"access_denied user_id={priya.pk} resource=case {case.pk}" in caplog.text
    assert f"access_denied user_id={priya.pk} resource=/work/team/" in caplog.text
    assert "Ottoline" not in caplog.text


def test_a_refused_request_logs_one_line_without_a_traceback(demo_data, caplog):
    """A 403 is an ordinary event: one line saying who and what, not Django's traceback of PermissionDenied."""
    priya = person(PRIYA)
    client = client_of(priya)
    caplog.set_level(logging.INFO)
    caplog.clear()
    assert client.get("/work/team/").status_code == 403
    records = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.getMessage() for record in records] == [f"access_denied user_id={priya.pk} resource=/work/team/"]
    assert all(record.exc_info is None for record in caplog.records)
    assert "Traceback" not in caplog.text


def test_a_server_error_still_logs_its_traceback(demo_data, caplog, monkeypatch):
    """Only refusals lose their traceback: a real failure is logged with it, for whoever must fix it."""

    def broken(*args, **kwargs):
        raise RuntimeError("the answers could not be read")

    monkeypatch.setattr("workflows.views.answer_cards", broken)
    case = submitted("ehat")
    client = client_of(person(PRIYA))
    client.raise_request_exception = False
    caplog.set_level(logging.INFO)
    caplog.clear()
    assert client.get(f"/cases/{case.pk}/").status_code == 500
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].name == "django.request"
    assert isinstance(errors[0].exc_info[1], RuntimeError)
    assert "Traceback" in caplog.text
