"""Several people signing in at once against one SQLite file, through the real services (run by a test).

Run as `python -m tests.portal.sqlite_writers` with DATABASE_URL naming a SQLite file: it migrates
the file, then each thread signs people in – password step, code e-mailed, code checked, signed in – and it
prints one line per error it met.
"""

import os
import sys
import threading
from importlib import import_module

THREADS = 8
ROUNDS = 4


def sign_in(user, request_factory, session_store_class):
    from identity.services import (
        sign_in_code_start,
        sign_in_code_verify,
        sign_in_complete,
        sign_in_password_accepted,
    )

    request = request_factory.post("/account/sign-in/")
    request.session = session_store_class()
    request.session.save()
    sign_in_password_accepted(request=request, user=user)
    sign_in_code_start(request=request, user=user)
    request.session.save()
    code = user.emaildevice_set.get(name="default").token
    device = sign_in_code_verify(request=request, user=user, code=code)
    sign_in_complete(request=request, user=user, device=device)


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone

    from tests.factories import ProfessionalFactory

    assert connection.vendor == "sqlite" and not connection.is_in_memory_db(), settings.DATABASES
    call_command("migrate", verbosity=0)
    users = [
        ProfessionalFactory(email=f"writer{number}@oakfield.plymouth.sch.uk", email_verified_at=timezone.now())
        for number in range(THREADS * ROUNDS)
    ]
    for user in users:
        user.emaildevice_set.get_or_create(name="default", defaults={"confirmed": True})
    connection.close()

    session_store_class = import_module(settings.SESSION_ENGINE).SessionStore
    errors = []
    start_together = threading.Barrier(THREADS)

    def person(number):
        from django.db import connection as thread_connection

        try:
            start_together.wait()
            for round_number in range(ROUNDS):
                try:
                    sign_in(users[number * ROUNDS + round_number], RequestFactory(), session_store_class)
                except Exception as error:  # every failure is reported to the test
                    errors.append(f"{type(error).__name__}: {error}")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=person, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for error in errors:
        print(error)
    print(f"signed in {THREADS * ROUNDS - len(errors)} of {THREADS * ROUNDS}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    sys.exit(main())
