"""Helpers for tests: signing in as a person would end up signed in, reading e-mails, doing things at once."""

import re
import threading

from django.core import mail
from django.db import connection
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from identity.services import LAST_ACTIVITY_SESSION_KEY, sign_in_device_for


def sign_in(client, user):
    """Sign the test client in with both factors, as the sign-in journey leaves it."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = sign_in_device_for(user).persistent_id
    session[LAST_ACTIVITY_SESSION_KEY] = timezone.now().timestamp()
    session.save()
    user.current_session_key = session.session_key
    user.skip_history_when_saving = True
    user.save(update_fields=["current_session_key"])
    del user.skip_history_when_saving
    return client


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def last_email_to(address: str):
    messages = emails_to(address)
    assert messages, f"No e-mail was sent to {address}"
    return messages[-1]


def link_in(message, pattern: str = r"https?://[^\s]+") -> str:
    found = re.search(pattern, message.body)
    assert found, f"No link in the e-mail: {message.body}"
    return found.group(0)


def code_in(message) -> str:
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, f"No 6-digit code in the e-mail: {message.body}"
    return found.group(1)


def at_once(*actions, timeout: float = 30) -> list[tuple[str, object]]:
    """Run the actions on threads released together by a barrier; each gives ("done", value) or ("refused", error).

    Each thread closes its own database connection when it ends, as a request or a worker would.
    """
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = ("done", action())
        except Exception as error:  # the test looks at what was raised
            results[index] = ("refused", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (a lock never released)"
    return results


# A shared cache that cannot be reached: nothing listens on port 9 of the loopback, so every call fails at once.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
