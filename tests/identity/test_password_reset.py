"""Forgotten password: e-mailed single-use link, then the security question, then a new password.

The answer is only ever an extra check after the link; the reset never signs anyone in.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from identity.models import AuthEvent, AuthEventKind
from tests.conftest import CommittingClient
from tests.helpers import emails_to, last_email_to, link_in, sign_in
from tests.identity.conftest import comparable, post_password

NEW_PASSWORD = "a brand new passphrase for spring"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def owner(verified_professional):
    from identity.services import security_question_change

    security_question_change(
        request=None, user=verified_professional, question="What was your childhood nickname?", answer="Sparky  Jones"
    )
    return verified_professional


def open_reset_link(client, user) -> str:
    mail.outbox.clear()
    client.post("/account/password-reset/", {"email": user.email})
    path = link_in(last_email_to(user.email)).split("testserver", 1)[1]
    return path


def test_reset_request_answers_the_same_for_any_address(client, owner, demo_data):
    pages = []
    for email in (owner.email, "nobody@nowhere.example.org"):
        response = client.post("/account/password-reset/", {"email": email})
        assert response.status_code == 200
        pages.append(comparable(response.content.decode()).replace(email, "ADDRESS"))
    assert pages[0] == pages[1]
    assert len(emails_to(owner.email)) == 1
    assert emails_to("nobody@nowhere.example.org") == []


def test_full_reset_asks_the_question_sets_the_password_and_does_not_sign_in(client, owner):
    path = open_reset_link(client, owner)
    response = client.get(path)
    assert response["Location"] == "/account/password-reset/security-question/"
    page = client.get(response["Location"]).content.decode()
    assert "What was your childhood nickname?" in page

    # Case and spacing do not matter.
    response = client.post("/account/password-reset/security-question/", {"answer": "  sparky JONES "})
    assert response["Location"] == "/account/password-reset/new-password/"
    response = client.post("/account/password-reset/new-password/", {"password": NEW_PASSWORD})
    assert response["Location"] == "/account/password-reset/done/"

    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert client.get("/account/").status_code == 302, "a reset must not sign anyone in"
    assert emails_to(owner.email)[-1].subject == "Your Professional Portal password has been changed"
    assert AuthEvent.objects.filter(user=owner, kind=AuthEventKind.RESET_COMPLETED).exists()


def test_after_a_reset_signing_in_still_needs_the_code(client, owner):
    """ASVS 6.4.3: the reset never bypasses the second factor."""
    path = open_reset_link(client, owner)
    client.get(path)
    client.post("/account/password-reset/security-question/", {"answer": "sparky jones"})
    client.post("/account/password-reset/new-password/", {"password": NEW_PASSWORD})
    mail.outbox.clear()
    response = post_password(client, owner.email, NEW_PASSWORD)
    assert "Check your e-mail for a sign-in code" in response.content.decode()
    assert client.get("/account/").status_code == 302
    assert emails_to(owner.email)[-1].subject == "Your Professional Portal sign-in code"


def test_the_question_cannot_be_skipped(client, owner):
    path = open_reset_link(client, owner)
    client.get(path)
    response = client.post("/account/password-reset/new-password/", {"password": NEW_PASSWORD})
    assert response["Location"] == "/account/password-reset/security-question/"
    owner.refresh_from_db()
    assert not owner.check_password(NEW_PASSWORD)


def test_the_answer_alone_is_no_way_in(client, owner):
    """Without the e-mailed link, the question pages show nothing and change nothing."""
    assert client.get("/account/password-reset/security-question/").status_code == 400
    response = client.post("/account/password-reset/security-question/", {"answer": "sparky jones"})
    assert response.status_code == 400
    assert client.post("/account/password-reset/new-password/", {"password": NEW_PASSWORD}).status_code == 400


def test_wrong_answers_are_throttled_and_the_owner_is_told(client, owner):
    with time_machine.travel(START, tick=False) as traveller:
        path = open_reset_link(client, owner)
        client.get(path)
        for attempt in range(1, 5):
            response = client.post("/account/password-reset/security-question/", {"answer": f"guess {attempt}"})
            assert "The answer is not correct" in response.content.decode()
        locked = client.post("/account/password-reset/security-question/", {"answer": "guess 5"})
        assert locked.status_code == 429
        assert "Password reset paused" in locked.content.decode()
        assert emails_to(owner.email)[-1].subject == "Password reset paused on your Professional Portal account"

        # Even a new link and the right answer wait for the pause to end.
        path = open_reset_link(client, owner)
        client.get(path)
        assert client.post("/account/password-reset/security-question/", {"answer": "sparky jones"}).status_code == 429
        traveller.shift(dt.timedelta(minutes=61))
        path = open_reset_link(client, owner)
        client.get(path)
        response = client.post("/account/password-reset/security-question/", {"answer": "sparky jones"})
        assert response["Location"] == "/account/password-reset/new-password/"
    assert AuthEvent.objects.filter(user=owner, kind=AuthEventKind.SECURITY_ANSWER_FAILED).count() == 5


def test_reset_link_works_once(client, owner):
    path = open_reset_link(client, owner)
    client.get(path)
    client.post("/account/password-reset/security-question/", {"answer": "sparky jones"})
    client.post("/account/password-reset/new-password/", {"password": NEW_PASSWORD})
    again = CommittingClient().get(path)
    assert again.status_code == 400
    assert "This reset link does not work" in again.content.decode()


def test_reset_link_expires_after_an_hour(client, owner):
    with time_machine.travel(START, tick=False) as traveller:
        path = open_reset_link(client, owner)
        traveller.shift(dt.timedelta(minutes=61))
        assert client.get(path).status_code == 400


def test_link_expiring_between_steps_stops_the_reset(client, owner):
    with time_machine.travel(START, tick=False) as traveller:
        path = open_reset_link(client, owner)
        client.get(path)
        client.post("/account/password-reset/security-question/", {"answer": "sparky jones"})
        traveller.shift(dt.timedelta(minutes=61))
        response = client.post("/account/password-reset/new-password/", {"password": NEW_PASSWORD})
    assert response.status_code == 400
    owner.refresh_from_db()
    assert not owner.check_password(NEW_PASSWORD)


def test_reset_ends_every_session_of_the_account(client, owner):
    signed_in = CommittingClient()
    sign_in(signed_in, owner)
    assert signed_in.get("/account/").status_code == 200
    path = open_reset_link(client, owner)
    client.get(path)
    client.post("/account/password-reset/security-question/", {"answer": "sparky jones"})
    client.post("/account/password-reset/new-password/", {"password": NEW_PASSWORD})
    assert signed_in.get("/account/").status_code == 302


def test_reset_lifts_a_password_lock_out(client, owner):
    for _ in range(10):
        post_password(client, owner.email, "a wrong password here")
    assert post_password(client, owner.email, NEW_PASSWORD).status_code == 429
    other = CommittingClient(REMOTE_ADDR="10.0.0.9")
    path = open_reset_link(other, owner)
    other.get(path)
    other.post("/account/password-reset/security-question/", {"answer": "sparky jones"})
    other.post("/account/password-reset/new-password/", {"password": NEW_PASSWORD})
    fresh = CommittingClient(REMOTE_ADDR="10.0.0.10")
    assert "Check your e-mail for a sign-in code" in post_password(fresh, owner.email, NEW_PASSWORD).content.decode()


def test_new_password_follows_the_policy(client, owner):
    path = open_reset_link(client, owner)
    client.get(path)
    client.post("/account/password-reset/security-question/", {"answer": "sparky jones"})
    response = client.post("/account/password-reset/new-password/", {"password": "short"})
    assert "Password must be 12 characters or more" in response.content.decode()
