"""Signing in: password then an e-mailed code, throttled guessing, fresh session keys, no enumeration."""

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail

from identity.models import AuthEvent, AuthEventKind
from tests.conftest import CommittingClient
from tests.helpers import code_in, emails_to, last_email_to
from tests.identity.conftest import (
    PASSWORD,
    ask_for_new_code,
    comparable,
    post_code,
    post_password,
    sign_in_fully,
)

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_password_then_emailed_code_signs_in(client, verified_professional):
    response = post_password(client, verified_professional.email)
    html = response.content.decode()
    assert "Check your e-mail for a sign-in code" in html
    assert "a********s@oakfield.plymouth.sch.uk" in html
    message = last_email_to(verified_professional.email)
    assert message.subject == "Your Professional Portal sign-in code"
    assert "10 minutes" in message.body
    assert client.get("/account/").status_code == 302  # not signed in yet

    response = post_code(client, code_in(message))
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    assert client.get("/account/").status_code == 200
    kinds = list(AuthEvent.objects.filter(user=verified_professional).values_list("kind", flat=True))
    assert AuthEventKind.SIGNED_IN in kinds
    assert AuthEventKind.CODE_SENT in kinds


def test_code_field_accepts_pasted_codes_and_says_it_is_one_time(client, verified_professional):
    html = post_password(client, verified_professional.email).content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert "onpaste" not in html
    code = code_in(last_email_to(verified_professional.email))
    assert post_code(client, f" {code[:3]} {code[3:]} ").status_code == 302


def test_session_key_changes_at_the_password_step_and_again_at_the_code_step(client, verified_professional):
    client.get("/account/sign-in/")
    key_before = client.session.session_key
    post_password(client, verified_professional.email)
    key_after_password = client.session.session_key
    post_code(client, code_in(last_email_to(verified_professional.email)))
    key_after_code = client.session.session_key
    assert len({key_before, key_after_password, key_after_code}) == 3


def test_a_code_works_only_once(client, verified_professional):
    sign_in_fully(client, verified_professional)
    spent = code_in(last_email_to(verified_professional.email))
    client.post("/account/sign-out/")

    other = CommittingClient()
    post_password(other, verified_professional.email)
    response = post_code(other, spent)
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode() or "expired" in response.content.decode()
    assert other.get("/account/").status_code == 302


def test_sign_in_that_takes_longer_than_10_minutes_starts_again(client, verified_professional):
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        code = code_in(last_email_to(verified_professional.email))
        traveller.shift(dt.timedelta(minutes=10, seconds=1))
        response = post_code(client, code)
    assert response.status_code == 200
    assert "You took longer than 10 minutes to sign in. Start again." in response.content.decode()
    assert client.get("/account/").status_code == 302


def test_code_works_at_9_minutes_59_seconds(client, verified_professional, settings):
    settings.TWO_FACTOR_LOGIN_TIMEOUT = 20 * 60
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        code = code_in(last_email_to(verified_professional.email))
        traveller.shift(dt.timedelta(minutes=9, seconds=59))
        assert post_code(client, code).status_code == 302


def test_code_expiry_is_refused_even_when_the_sign_in_may_last_longer(client, verified_professional, settings):
    settings.TWO_FACTOR_LOGIN_TIMEOUT = 20 * 60
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        code = code_in(last_email_to(verified_professional.email))
        traveller.shift(dt.timedelta(minutes=10, seconds=1))
        response = post_code(client, code)
    assert response.status_code == 200
    assert "The code has expired or a newer one has been sent" in response.content.decode()


def test_code_is_bound_to_its_own_sign_in_attempt(client, verified_professional):
    """A code sent to a later attempt (another browser, a minute on) does not work here, and replaces this one's."""
    post_password(client, verified_professional.email)
    first_code = code_in(last_email_to(verified_professional.email))

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)):
        other = CommittingClient()
        post_password(other, verified_professional.email)
        other_code = code_in(last_email_to(verified_professional.email))

        refused = post_code(client, other_code)
        assert "The code has expired or a newer one has been sent" in refused.content.decode()
        assert "The code has expired or a newer one has been sent" in post_code(client, first_code).content.decode()
        assert post_code(other, other_code).status_code == 302


def test_sixth_code_attempt_is_refused_even_with_the_right_code(client, verified_professional):
    post_password(client, verified_professional.email)
    code = code_in(last_email_to(verified_professional.email))
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, 6):
        html = post_code(client, wrong).content.decode()
        if attempt < 5:
            assert "The code is not correct" in html
    assert "You have entered a wrong code too many times" in html
    response = post_code(client, code)
    assert response.status_code == 200
    assert "Send a new code" in response.content.decode()
    assert client.get("/account/").status_code == 302
    assert AuthEvent.objects.filter(kind=AuthEventKind.CODE_FAILED).count() == 5


def test_new_code_waits_a_minute_and_replaces_the_old_one(client, verified_professional):
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        old_code = code_in(last_email_to(verified_professional.email))
        too_soon = ask_for_new_code(client).content.decode()
        assert "Wait" in too_soon
        assert len(emails_to(verified_professional.email)) == 1

        traveller.shift(dt.timedelta(seconds=61))
        sent = ask_for_new_code(client).content.decode()
        assert "We have sent a new code" in sent
        new_code = code_in(last_email_to(verified_professional.email))
        assert len(emails_to(verified_professional.email)) == 2
        if new_code != old_code:
            assert "The code is not correct" in post_code(client, old_code).content.decode()
        assert post_code(client, new_code).status_code == 302


def test_wrong_password_for_known_and_unknown_addresses_gets_the_same_answer(client, verified_professional):
    """No enumeration at sign-in (ASVS 6.3.8)."""
    known = post_password(client, verified_professional.email, "not the password at all")
    unknown = post_password(CommittingClient(), "nobody@oakfield.plymouth.sch.uk", "not the password at all")
    assert known.status_code == unknown.status_code == 200
    assert comparable(known.content.decode()).replace(verified_professional.email, "X") == comparable(
        unknown.content.decode()
    ).replace("nobody@oakfield.plymouth.sch.uk", "X")
    assert "Enter a correct e-mail address and password" in known.content.decode()
    assert not [m for m in mail.outbox if "sign-in code" in m.subject]


def test_a_control_character_in_the_address_gets_the_error_and_is_recorded_without_it(client, verified_professional):
    """A NUL typed or pasted into the address: the usual error, and the audit entry holds what can be stored."""
    response = post_password(client, verified_professional.email + "\x00", "not the password at all")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    event = AuthEvent.objects.filter(kind=AuthEventKind.SIGN_IN_FAILED).latest("pk")
    assert (event.email, event.user) == (verified_professional.email, verified_professional)


def test_failed_passwords_are_throttled_and_sign_in_works_again_after_the_pause(client, verified_professional):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(10):
            post_password(client, verified_professional.email, "wrong password attempt")
        locked = post_password(client, verified_professional.email, PASSWORD)
        assert locked.status_code == 429
        assert "Sign-in is paused for 15 minutes" in locked.content.decode()
        assert not [m for m in mail.outbox if "sign-in code" in m.subject]
        assert AuthEvent.objects.filter(kind=AuthEventKind.LOCKED_OUT).exists()

        # Guessing during the pause does not make the pause longer.
        traveller.shift(dt.timedelta(minutes=10))
        post_password(client, verified_professional.email, "another wrong one")
        traveller.shift(dt.timedelta(minutes=6))
        assert (
            "Check your e-mail for a sign-in code"
            in post_password(client, verified_professional.email).content.decode()
        )


def test_failures_from_one_address_are_throttled_across_accounts(client, demo_data):
    """Password spraying from one IP address is paused too."""
    for number in range(10):
        post_password(client, f"person{number}@oakfield.plymouth.sch.uk", "a guessed password")
    response = post_password(client, "sam.taylor@stmarys.plymouth.sch.uk", "demo-passphrase-2026")
    assert response.status_code == 429


def test_account_awaiting_approval_is_told_after_the_right_password(client, verified_professional):
    verified_professional.approval_required = True
    verified_professional.save()
    html = post_password(client, verified_professional.email).content.decode()
    assert "Your account is waiting for approval by the portal team" in html
    assert not [m for m in mail.outbox if "sign-in code" in m.subject]
    wrong = post_password(CommittingClient(), verified_professional.email, "wrong password entirely")
    assert "waiting for approval" not in wrong.content.decode()


def test_approved_account_can_sign_in(client, verified_professional, demo_data):
    from identity.models import User
    from identity.services import account_approve

    verified_professional.approval_required = True
    verified_professional.save()
    admin = User.objects.get(email="alex.reed@plymouth.gov.uk")
    account_approve(request=None, actor=admin, user=verified_professional)
    assert sign_in_fully(client, verified_professional).status_code == 302


def test_deactivated_account_cannot_sign_in(client, verified_professional):
    verified_professional.is_active = False
    verified_professional.save()
    html = post_password(client, verified_professional.email).content.decode()
    assert "Enter a correct e-mail address and password" in html


def test_next_page_is_kept_through_both_steps(client, verified_professional):
    response = client.get("/account/details/")
    assert response["Location"] == "/account/sign-in/?next=/account/details/"
    post_password(client, verified_professional.email, next_path="/account/details/")
    response = post_code(client, code_in(last_email_to(verified_professional.email)), next_path="/account/details/")
    assert response["Location"] == "/account/details/"


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)", "/\\evil.example.com"],
)
def test_next_cannot_send_the_user_to_another_site(client, verified_professional, next_path):
    post_password(client, verified_professional.email, next_path=next_path)
    response = post_code(client, code_in(last_email_to(verified_professional.email)), next_path=next_path)
    assert response["Location"] == "/home/"


def test_sign_in_log_never_holds_passwords_or_codes(client, verified_professional, caplog):
    caplog.set_level(logging.DEBUG)
    post_password(client, verified_professional.email, "a wrong password typed")
    post_password(client, verified_professional.email)
    code = code_in(last_email_to(verified_professional.email))
    post_code(client, code)
    logged = caplog.text
    for secret in (PASSWORD, "a wrong password typed", code):
        assert secret not in logged
    for event in AuthEvent.objects.all():
        for value in (event.detail, event.email, event.user_agent):
            assert PASSWORD not in value
            assert code not in value
    assert "auth_event=sign_in_failed" in logged
    assert "auth_event=signed_in" in logged


def test_sign_out_ends_the_session_and_is_logged(client, verified_professional):
    sign_in_fully(client, verified_professional)
    response = client.post("/account/sign-out/")
    assert response["Location"] == "/account/signed-out/"
    assert client.get("/account/").status_code == 302
    assert AuthEvent.objects.filter(user=verified_professional, kind=AuthEventKind.SIGNED_OUT).exists()


def test_sign_out_needs_a_post(client, verified_professional):
    sign_in_fully(client, verified_professional)
    assert client.get("/account/sign-out/").status_code == 405
    assert client.get("/account/").status_code == 200


def test_code_step_without_the_password_step_is_refused(client, verified_professional):
    """A code posted after the sign-in was restarted (or forged) signs nobody in and never crashes."""
    post_password(client, verified_professional.email)
    code = code_in(last_email_to(verified_professional.email))
    client.get("/account/sign-in/")  # opening the sign-in page again starts over
    response = post_code(client, code)
    assert response.status_code == 200
    assert "Your sign-in was restarted" in response.content.decode()
    assert client.get("/account/").status_code == 302

    stranger = CommittingClient()
    response = post_code(stranger, "123456")
    assert response.status_code == 200
    assert stranger.get("/account/").status_code == 302


def test_signing_in_again_within_a_minute_says_no_new_code_was_sent_and_the_earlier_code_works(
    client, verified_professional
):
    """Within the minute's cooldown no new code can be sent: the page says so, and the code already sent works."""
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        first_code = code_in(last_email_to(verified_professional.email))

        traveller.shift(dt.timedelta(seconds=30))
        again = CommittingClient()
        html = post_password(again, verified_professional.email).content.decode()
        assert "We sent you a code less than a minute ago – use the code in that e-mail" in html
        assert "We have sent a 6-digit code" not in html
        assert len(emails_to(verified_professional.email)) == 1

        assert post_code(again, first_code).status_code == 302
        assert again.get("/account/").status_code == 200


def test_signing_in_again_within_a_minute_of_a_code_tried_too_often_says_to_wait_for_a_new_one(
    client, verified_professional
):
    """The code sent less than a minute ago was burnt by wrong tries: the page says when a new one can be sent."""
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        burnt = code_in(last_email_to(verified_professional.email))
        wrong = "000000" if burnt != "000000" else "111111"
        for _ in range(5):
            post_code(client, wrong)

        traveller.shift(dt.timedelta(seconds=20))
        again = CommittingClient()
        html = post_password(again, verified_professional.email).content.decode()
        assert "We have sent a 6-digit code" not in html
        assert "We sent a code to <strong>a********s@oakfield.plymouth.sch.uk</strong> less than a minute ago" in html
        assert "but it can no longer be used. Wait 41 seconds, then send a new code" in html
        assert len(emails_to(verified_professional.email)) == 1
        assert "The code has expired" in post_code(again, burnt).content.decode()

        traveller.shift(dt.timedelta(seconds=41))
        assert "We have sent a new code" in ask_for_new_code(again).content.decode()
        assert post_code(again, code_in(last_email_to(verified_professional.email))).status_code == 302


def test_five_tries_are_counted_per_code_across_sign_in_attempts(client, verified_professional):
    """Starting a new sign-in does not give the same code five more tries."""
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        code = code_in(last_email_to(verified_professional.email))
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(3):
            assert "The code is not correct" in post_code(client, wrong).content.decode()

        traveller.shift(dt.timedelta(seconds=10))
        again = CommittingClient()
        post_password(again, verified_professional.email)
        assert "The code is not correct" in post_code(again, wrong).content.decode()
        assert "You have entered a wrong code too many times" in post_code(again, wrong).content.decode()
        assert post_code(again, code).status_code == 200
        assert post_code(client, code).status_code == 200
        assert again.get("/account/").status_code == client.get("/account/").status_code == 302
    assert AuthEvent.objects.filter(kind=AuthEventKind.CODE_FAILED).count() == 5


def test_an_earlier_code_used_by_a_second_sign_in_still_expires_10_minutes_after_it_was_sent(
    client, verified_professional
):
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        code = code_in(last_email_to(verified_professional.email))
        traveller.shift(dt.timedelta(seconds=50))
        again = CommittingClient()
        post_password(again, verified_professional.email)
        traveller.shift(dt.timedelta(minutes=9, seconds=11))  # 10 min 1 s after sending, 9 min 11 s into this sign-in
        response = post_code(again, code)
    assert response.status_code == 200
    assert "The code has expired or a newer one has been sent" in response.content.decode()
    assert again.get("/account/").status_code == 302


def test_a_new_code_asked_for_by_either_sign_in_replaces_the_one_they_shared(client, verified_professional):
    with time_machine.travel(START, tick=False) as traveller:
        post_password(client, verified_professional.email)
        first_code = code_in(last_email_to(verified_professional.email))
        traveller.shift(dt.timedelta(seconds=30))
        again = CommittingClient()
        post_password(again, verified_professional.email)

        traveller.shift(dt.timedelta(seconds=31))
        assert "We have sent a new code" in ask_for_new_code(again).content.decode()
        new_code = code_in(last_email_to(verified_professional.email))
        if new_code != first_code:
            assert "The code has expired or a newer one has been sent" in post_code(client, first_code).content.decode()
            assert post_code(again, first_code).status_code == 200
        assert post_code(again, new_code).status_code == 302
