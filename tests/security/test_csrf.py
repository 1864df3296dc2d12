"""Forged requests: a POST without the CSRF token, or with a wrong one, changes nothing anywhere (ASVS 3.5.1)."""

from http.cookies import SimpleCookie

import pytest
from django.test import Client

from tests.security.conftest import World, request_and_undo, state_of_everything
from tests.security.test_access_matrix import ACCESS, ROUTES, params_for, targets_of, url_of

CSRF_PAGE = "Your form could not be sent"


def forger(world: World, role: str = "author", **headers) -> Client:
    """A browser signed in as the role that checks CSRF as a real one does, as a forged form would reach it."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False, **headers)
    cookies = SimpleCookie()
    cookies.load(world.client_for(role).cookies.output(header="", sep=";"))
    client.cookies = cookies
    return client


def first_url(world: World, route) -> str:
    row = ACCESS[route.key]
    target = targets_of(world, row, turn=0)[0]
    return url_of(route, params_for(world, row, route, target))


FORGERIES = [
    pytest.param({}, {}, id="no-token"),
    pytest.param({"csrftoken": "a" * 32}, {"csrfmiddlewaretoken": "b" * 32}, id="token-not-matching-the-cookie"),
    pytest.param({}, {"csrfmiddlewaretoken": "b" * 32}, id="token-without-its-cookie"),
    pytest.param({"csrftoken": "a" * 32}, {}, id="cookie-without-a-token"),
]


@pytest.mark.parametrize(("cookies", "data"), FORGERIES)
def test_every_url_refuses_a_forged_post_with_the_styled_page_and_changes_nothing(world, cookies, data):
    """POSTs to every URL of the resolver, signed in as the author, with a missing or wrong CSRF token."""
    client = forger(world)
    for name, value in cookies.items():
        client.cookies[name] = value
    wrong = []
    for route in ROUTES:
        url = first_url(world, route)
        before = state_of_everything()
        response, after = request_and_undo(client, "post", url, {**data, "body": "Forged"}, inspect=state_of_everything)
        if response.status_code != 403 or CSRF_PAGE not in response.content.decode():
            wrong.append(f"{url}: {response.status_code}")
        if after != before:
            wrong.append(f"{url}: a forged POST changed something")
    assert not wrong, "\n".join(wrong)


def test_a_post_from_another_site_is_refused_even_with_a_valid_token(world):
    """Over HTTPS Django also checks the Origin: a page on another site cannot post with a token it stole."""
    client = forger(world)
    client.get("/account/", secure=True)
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/account/session/extend/",
        {"csrfmiddlewaretoken": token},
        secure=True,
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert CSRF_PAGE in response.content.decode()


def test_the_right_token_is_accepted(world):
    """The control: the same request with the page's token goes through, so the refusals above are CSRF's."""
    client = forger(world)
    client.get("/account/")
    token = client.cookies["csrftoken"].value
    assert client.post("/account/session/extend/", {"csrfmiddlewaretoken": token}).status_code == 200
    response = client.post("/account/session/extend/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_the_csrf_page_offers_the_way_back_and_is_not_a_bare_403(world):
    response = forger(world).post("/account/details/", {"full_name": "Forged", "job_title": "Forged"})
    page = response.content.decode()
    assert response.status_code == 403
    assert CSRF_PAGE in page
    assert "govuk-template" in page  # the styled layout, not Django's plain CSRF page
    assert world.user_for("author").full_name != "Forged"
