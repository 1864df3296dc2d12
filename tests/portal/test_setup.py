"""The project's wiring: demo data, the demo e-mail backend, production settings."""

import email
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings

from identity.models import Team, TeamMembership, User
from identity.roles import Role, roles_of
from portal.mail import ConsoleAndFileEmailBackend

ROOT = Path(__file__).resolve().parents[2]


def test_demo_data_holds_one_account_per_role_and_the_three_teams(demo_data):
    """`make demo` has a professional, an officer per team, a team manager, a service manager and an administrator."""
    assert set(Team.objects.values_list("name", flat=True)) == {
        "Early Help hub",
        "SEND statutory assessment team",
        "Young Carers service",
    }
    roles = {user.email: roles_of(user) for user in User.objects.all()}
    assert roles["sam.taylor@stmarys.plymouth.sch.uk"] == {Role.PROFESSIONAL}
    assert roles["jo.bennett@plymouth.gov.uk"] == {Role.OFFICER, Role.TEAM_MANAGER}
    assert roles["lee.morgan@plymouth.gov.uk"] == {Role.SERVICE_MANAGER}
    assert roles["alex.reed@plymouth.gov.uk"] == {Role.ADMINISTRATOR}
    officered_teams = set(TeamMembership.objects.values_list("team__slug", flat=True))
    assert officered_teams == {"early-help-hub", "send-statutory-assessment", "young-carers"}


def test_demo_accounts_sign_in_with_the_password_in_the_readme(demo_data):
    readme = (ROOT / "README.md").read_text()
    assert "demo-passphrase-2026" in readme
    for user in User.objects.all():
        assert user.email in readme
        assert user.check_password("demo-passphrase-2026")


def test_demo_data_loads_twice_without_duplicates(demo_data):
    """`make demo` run a second time reuses what the first loaded."""
    from django.core.management import call_command

    before = User.objects.count(), Team.objects.count(), TeamMembership.objects.count()
    call_command("load_demo_data", verbosity=0)
    assert (User.objects.count(), Team.objects.count(), TeamMembership.objects.count()) == before


def test_team_members_are_in_the_team_group_that_holds_object_permissions(demo_data):
    for team in Team.objects.all():
        assert set(team.group.user_set.all()) == set(team.members.all())


def test_demo_mail_backend_writes_each_message_to_its_own_file(tmp_path, capsys):
    """In the demo, sign-in codes and links can be read from var/mail/ as well as the console."""
    message = EmailMultiAlternatives("Your code", "Your code is 123456", "portal@example.org", ["sam@example.org"])
    with override_settings(PORTAL_MAIL_DIR=tmp_path):
        sent = ConsoleAndFileEmailBackend().send_messages([message])
    assert sent == 1
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["To"] == "sam@example.org"
    assert "Your code is 123456" in parsed.get_payload(decode=True).decode()
    assert "Your code is 123456" in capsys.readouterr().out
    assert not list(tmp_path.glob(".*.part"))


def _run_with_production_settings(tmp_path, *arguments, **variables):
    """Run manage.py as a production process would: only production variables in its environment."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "a-production-secret-key-for-the-settings-tests-" + "x" * 40,
        "ALLOWED_HOSTS": "portal.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "PORTAL_CACHE_URL": "redis://127.0.0.1:6379/1",
        **variables,
    }
    environment = {name: value for name, value in environment.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    """`manage.py check --deploy` is clean with production settings and production-like variables."""
    result = _run_with_production_settings(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_static_files_collect_with_production_storage(tmp_path):
    """The production static build (hashed, compressed) finds every file its stylesheets name."""
    static_root = tmp_path / "static"
    result = _run_with_production_settings(tmp_path, "collectstatic", "--noinput", PORTAL_STATIC_ROOT=str(static_root))
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (static_root / "staticfiles.json").read_text()
    assert "build/portal.css" in manifest
    assert "build/govuk/all.bundle.js" in manifest


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = _run_with_production_settings(tmp_path, "check", SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_a_shared_cache(tmp_path):
    """A cache per process would keep an old team route in the other processes after an administrator's change."""
    result = _run_with_production_settings(tmp_path, "check", PORTAL_CACHE_URL=None)
    assert result.returncode != 0
    assert "PORTAL_CACHE_URL" in result.stderr


@pytest.mark.parametrize("module", ["portal.settings.dev", "portal.settings.test"])
def test_every_settings_module_imports(module):
    __import__(module)


def test_production_connections_to_postgresql_turn_its_jit_compiler_off(tmp_path):
    """PostgreSQL's JIT spent most of a dashboard query compiling it (bench/README.md): off for the portal."""
    result = _run_with_production_settings(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
        DATABASE_URL="postgres://portal:secret@127.0.0.1:5432/portal",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "'options': '-c jit=off'" in result.stdout
