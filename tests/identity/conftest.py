"""Helpers for driving the account pages the way a browser would."""

import re

import pytest
from django.core import mail

from tests.factories import ProfessionalFactory
from tests.helpers import code_in, last_email_to

SIGN_IN_URL = "/account/sign-in/"
PASSWORD = "correct horse battery staple"


def post_password(client, email, password=PASSWORD, next_path=None):
    data = {"sign_in_view-current_step": "auth", "auth-username": email, "auth-password": password}
    if next_path:
        data["next"] = next_path
    return client.post(SIGN_IN_URL, data)


def post_code(client, code, next_path=None):
    data = {"sign_in_view-current_step": "token", "token-code": code}
    if next_path:
        data["next"] = next_path
    return client.post(SIGN_IN_URL, data)


def ask_for_new_code(client):
    return client.post(SIGN_IN_URL, {"sign_in_view-current_step": "token", "resend_code": "1"})


def sign_in_fully(client, user, password=PASSWORD):
    """Both steps, as a person signs in; returns the response to the code step."""
    mail.outbox.clear()
    response = post_password(client, user.email, password)
    assert response.status_code == 200, response.content
    return post_code(client, code_in(last_email_to(user.email)))


def comparable(html: str) -> str:
    """A page without its per-response CSRF tokens, so two responses can be compared."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'name="csrf-token" content="[^"]+"', "", html)


@pytest.fixture
def verified_professional(db):
    from django.utils import timezone

    user = ProfessionalFactory(email="alex.jones@oakfield.plymouth.sch.uk", email_verified_at=timezone.now())
    user.set_password(PASSWORD)
    user.save()
    return user
