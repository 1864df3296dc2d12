"""The demo's embedded SQLite takes several writers at once: WAL, a busy timeout and immediate transactions."""

import os
import sqlite3
import subprocess
import sys

from django.conf import settings


def test_people_signing_in_at_once_on_a_sqlite_file_never_meet_database_is_locked(tmp_path):
    """Eight threads sign people in together through the real services on one file: every sign-in succeeds."""
    database = tmp_path / "db.sqlite3"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.portal.sqlite_writers"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "database is locked" not in run.stdout
    assert "signed in 32 of 32" in run.stdout, run.stdout
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
