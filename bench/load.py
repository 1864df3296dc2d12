"""`make load`: many people using the portal at once, on the production shape, with nothing lost or sent twice.

Starts (or uses, from DATABASE_URL and CELERY_BROKER_URL) PostgreSQL and Redis, generates the cases once,
then runs gunicorn (several workers, production settings, plain http on 127.0.0.1) and a real Celery worker
with beat, and lets N simulated people work for S seconds from a bounded asyncio client:

- professionals open a complete draft, save a section, check their answers and submit it;
- officers open their team's queue, open a case, pick it up and record a decision;
- managers open the reports dashboard (/reports/, skipped if the portal has none) and the team's work.

People are signed in by sessions written to the database, both factors recorded, as bench/measure.py does.
Afterwards the outbox is drained and what the client saw confirmed is compared with what the database and
the e-mail files hold: zero 5xx, zero lost submissions, zero duplicated e-mails, or the exit code is 1.
Results: printed, and written to bench/load.json. Every server binds to 127.0.0.1; every loop is bounded.

    .venv/bin/python bench/load.py                       # 100,000 cases, 50 people, 120 s
    .venv/bin/python bench/load.py --cases 2000 --users 20 --seconds 20 --fresh   # CI's size
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DATA = ROOT / "bench" / "data"
RESULT = ROOT / "bench" / "load.json"
REFERENCE = re.compile(r"\b(EHAT|EHCP|YC)-\d{4}-\d{6}\b")
VERSION = re.compile(r'name="version" value="(\d+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
# A decision each kind accepts, with the details its form asks for.
DECISIONS = {
    "EHAT": {"outcome": "signposted", "note": "Signposted to the family hub (load test)"},
    "EHCP": {"outcome": "agreed_to_assess", "note": "Agreed to assess (load test)", "coordinator": "Load Test"},
    "YC": {"outcome": "support_plan", "note": "Support plan agreed (load test)"},
}
HARD_REQUEST_CAP = 500_000


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = check()
            if value:
                return value
        time.sleep(every)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


# ================================================================== servers


class Servers:
    """PostgreSQL and Redis of this run's own (as .ci/run starts them), unless the environment names some."""

    def __init__(self, folder: Path, *, fresh: bool):
        self.folder = folder
        self.fresh = fresh
        self.stops: list = []

    def postgres(self) -> str:
        if os.environ.get("DATABASE_URL"):
            return os.environ["DATABASE_URL"]
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
        if not bins:
            raise SystemExit("PostgreSQL is not installed: apt-get install postgresql (or set DATABASE_URL)")
        pg_bin = bins[-1].parent
        cluster, sockets, logs = self.folder / "pg", self.folder / "pgsock", self.folder / "pglog"
        port, password = free_port(), "portal-load-only"
        if self.fresh and cluster.exists():
            shutil.rmtree(cluster)
        first = not (cluster / "PG_VERSION").exists()
        for path in (self.folder, cluster, sockets, logs):
            path.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if as_postgres:
            for path in (cluster, sockets, logs):
                shutil.chown(path, "postgres")
        cluster.chmod(0o700)

        def run(*command):
            subprocess.run([*as_postgres, *command], cwd="/", check=True, stdout=subprocess.DEVNULL)

        if first:
            run(str(pg_bin / "initdb"), "-D", str(cluster), "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                "--auth-local=peer", "--auth-host=scram-sha-256")  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        run(str(pg_bin / "pg_ctl"), "-D", str(cluster), "-l", str(logs / "pg.log"), "-w", "start", "-o", options)
        self.stops.append(lambda: run(str(pg_bin / "pg_ctl"), "-D", str(cluster), "-m", "fast", "stop"))
        sql = (
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal') THEN "
            f"CREATE ROLE portal LOGIN CREATEDB PASSWORD '{password}'; END IF; END$$;"
        )
        run(str(pg_bin / "psql"), "-h", str(sockets), "-p", str(port), "-U", "postgres", "-q", "-c", sql)
        return f"postgres://portal:{password}@127.0.0.1:{port}/portal"

    def redis(self) -> str:
        if os.environ.get("CELERY_BROKER_URL"):
            return os.environ["CELERY_BROKER_URL"]
        server = shutil.which("redis-server")
        if not server:
            raise SystemExit("redis-server is not installed: apt-get install redis-server (or set CELERY_BROKER_URL)")
        port, folder = free_port(), self.folder / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            [server, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder), "--save", "",
             "--appendonly", "no", "--logfile", str(folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.stops.append(lambda: _end(process, "redis-server"))
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True, timeout=10,
                 what="redis-server")  # fmt: skip
        return f"redis://127.0.0.1:{port}/3"

    def stop(self) -> None:
        for stop in reversed(self.stops):
            with contextlib.suppress(Exception):
                stop()
        self.stops.clear()


def _end(process: subprocess.Popen, name: str, *, timeout: float = 30) -> None:
    """Stop one process this script started, by its id: TERM, then KILL if it will not go."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        log(f"{name} did not stop in {timeout:.0f} s: killing it")
        process.kill()
        process.wait(timeout=10)


def database_for(base_url: str, cases: int, seed: int) -> str:
    """The database to load, made if missing, so that generated cases are kept for later runs."""
    import psycopg

    parts = urlsplit(base_url)
    # A DATABASE_URL given is used as it is (made if missing); on our own cluster, one database per size and seed.
    name = parts.path.lstrip("/") if os.environ.get("DATABASE_URL") else f"portal_load_{cases}_seed{seed}"
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def production_env(database_url: str, broker_url: str, run_dir: Path, secret: str, port: int) -> dict:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        # The same Redis, another database: what the processes share besides the queue.
        "PORTAL_CACHE_URL": urlsplit(broker_url)._replace(path="/9").geturl(),
        "SECURE_SSL_REDIRECT": "false",  # plain http on loopback; everything else as in production
        "EMAIL_BACKEND": "portal.mail.ConsoleAndFileEmailBackend",
        "PORTAL_MAIL_DIR": str(run_dir / "mail"),
        "PORTAL_MEDIA_ROOT": str(run_dir / "media"),
        "PORTAL_STATIC_ROOT": str(run_dir / "static"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
    }


def manage(env: dict, *arguments: str, settings: str | None = None, output: Path | None = None) -> str:
    environment = {**env, "DJANGO_SETTINGS_MODULE": settings or env["DJANGO_SETTINGS_MODULE"]}
    result = subprocess.run(
        [PYTHON, *arguments], cwd=ROOT, env=environment, check=True, stdout=subprocess.PIPE, text=True
    )
    return result.stdout


# ================================================================== inside Django (run as subprocesses)


def _django():
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def prepare(arguments) -> None:
    """Choose the people, sign them in, give each professional complete drafts; print them as JSON."""
    _django()
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from casework.models import AssessmentSection
    from casework.services import assessment_start, child_create, section_save
    from identity.models import TeamMembership, TeamRole, User
    from identity.roles import Role
    from identity.services import LAST_ACTIVITY_SESSION_KEY, sign_in_device_for
    from workflows.models import TeamRoute
    from workflows.sample_answers import sample_answers

    rng = random.Random(arguments.seed)  # noqa: S311  (the same people for the same seed, not a secret)
    managers_wanted = max(1, arguments.users // 10)
    officers_wanted = max(1, (arguments.users * 3) // 10)
    professionals_wanted = arguments.users - managers_wanted - officers_wanted
    routed = TeamRoute.objects.values_list("team_id", flat=True)
    officers = list(
        User.objects.filter(is_active=True, team_memberships__team__in=routed, team_memberships__role=TeamRole.OFFICER)
        .distinct()
        .order_by("pk")
    )
    managers = list(
        User.objects.filter(is_active=True, team_memberships__role=TeamRole.MANAGER).distinct().order_by("pk")
    )
    professionals = list(
        User.objects.filter(
            is_active=True, groups__name=Role.PROFESSIONAL, email_verified_at__isnull=False, organisation__isnull=False
        ).order_by("pk")
    )
    chosen = (
        [("professional", user) for user in rng.sample(professionals, min(professionals_wanted, len(professionals)))]
        + [("officer", user) for user in rng.sample(officers, min(officers_wanted, len(officers)))]
        + [("manager", user) for user in rng.sample(managers, min(managers_wanted, len(managers)))]
    )
    assert TeamMembership.objects.exists(), "no teams: generate the data first"
    # Fewer managers or officers than asked for: more professionals instead, so the crowd has its size.
    spare = [user for user in professionals if user not in {person for _, person in chosen}]
    chosen += [("professional", user) for user in spare[: max(0, arguments.users - len(chosen))]]

    today = timezone.localdate()
    in_weeks = lambda weeks: today + timezone.timedelta(weeks=weeks)  # noqa: E731
    dated = {
        "plan": {
            **_date_parts("review_date", in_weeks(8)),
            **_date_parts("actions-0-by_when", in_weeks(2)),
        },
        "consent": _date_parts("given_on", today),
    }

    def complete_draft(author):
        child = child_create(actor=author, first_name="Load", last_name="Test", date_of_birth=today.replace(year=2015))
        assessment = assessment_start(actor=author, kind="ehat", child=child, safeguarding_answer="no")
        for key, data in sample_answers("ehat").items():
            section = AssessmentSection.objects.filter(assessment=assessment, key=key).first()
            answers = {**data, **dated.get(key, {})}
            if key == "child":
                answers |= {"first_name": "Load", "last_name": "Test"}
            result = section_save(
                actor=author,
                assessment=assessment,
                key=key,
                data=answers,
                base_version=section.version if section else 0,
                complete=True,
            )
            assert result.completed, (key, result.form.all_errors())
        return assessment.pk

    people = []
    started = time.monotonic()
    for role, user in chosen:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store[DEVICE_ID_SESSION_KEY] = sign_in_device_for(user).persistent_id
        store[LAST_ACTIVITY_SESSION_KEY] = time.time() + 10**6  # never idle during the run
        store.create()
        User.objects.filter(pk=user.pk).update(current_session_key=store.session_key)
        drafts = [complete_draft(user) for _ in range(arguments.drafts)] if role == "professional" else []
        people.append({"role": role, "email": user.email, "session": store.session_key, "drafts": drafts})
    log(f"prepared {len(people)} people and {sum(len(p['drafts']) for p in people)} drafts "
        f"in {time.monotonic() - started:.0f} s")  # fmt: skip
    print(json.dumps({"people": people, "reason": sample_answers("ehat")["reason"]}))


def _date_parts(prefix: str, value) -> dict:
    return {f"{prefix}_day": str(value.day), f"{prefix}_month": str(value.month), f"{prefix}_year": str(value.year)}


def outbox(arguments) -> None:
    """How many of the run's notifications still wait (run every few seconds while the worker drains them)."""
    _django()
    import datetime as dt

    from workflows.models import DeliveryStatus, Notification
    from workflows.notifications import notifications_sweep

    since = dt.datetime.fromtimestamp(arguments.since, tz=dt.UTC)
    waiting = Notification.objects.filter(
        created_at__gte=since, status__in=(DeliveryStatus.CREATED, DeliveryStatus.SENDING, DeliveryStatus.FAILED)
    ).count()
    if waiting and arguments.sweep:
        notifications_sweep()
    print(json.dumps({"waiting": waiting}))


def verify(arguments) -> None:
    """What the database holds about the run: submissions, decisions and notifications since it started."""
    _django()
    import datetime as dt

    from casework.models import CaseEvent, CaseEventKind
    from workflows.models import Notification

    since = dt.datetime.fromtimestamp(arguments.since, tz=dt.UTC)
    submitted = Counter(
        CaseEvent.objects.filter(kind=CaseEventKind.SUBMITTED, created_at__gte=since).values_list(
            "assessment__reference", flat=True
        )
    )
    closed = Counter(
        CaseEvent.objects.filter(kind=CaseEventKind.CLOSED, created_at__gte=since).values_list(
            "assessment__reference", flat=True
        )
    )
    notifications = [
        {"to": email, "subject": subject, "status": status}
        for email, subject, status in Notification.objects.filter(created_at__gte=since).values_list(
            "recipient_email", "subject", "status"
        )
    ]
    sent_before = Notification.objects.filter(created_at__lt=since, sent_at__gte=since).values_list(
        "recipient_email", "subject"
    )
    print(
        json.dumps(
            {
                "submitted": submitted,
                "closed": closed,
                "notifications": notifications,
                "older_sent_during_run": [list(row) for row in sent_before],
            }
        )
    )


# ================================================================== the simulated people


class Recorder:
    def __init__(self, limit: int, measure_from: float):
        self.measure_from = measure_from  # requests before this (the warm-up) count, but are not timed
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.errors_5xx: list[tuple[str, int]] = []
        self.failures: list[tuple[str, str]] = []
        self.requests = 0
        self.limit = limit
        self.submitted: list[str] = []
        self.decided: list[str] = []
        self.conflicts = 0
        self.skipped_pages: set[str] = set()

    def full(self) -> bool:
        return self.requests >= self.limit


class Person:
    def __init__(self, http, recorder: Recorder, data: dict, deadline: float, think: float, rng: random.Random):
        self.http, self.recorder, self.data, self.deadline, self.think, self.rng = (
            http, recorder, data, deadline, think, rng,
        )  # fmt: skip
        self.csrf = secrets.token_hex(16)  # 32 characters: Django takes a client's own CSRF secret
        self.headers = {"Cookie": f"__Host-sessionid={data['session']}; __Host-csrftoken={self.csrf}"}

    def running(self) -> bool:
        return time.monotonic() < self.deadline and not self.recorder.full()

    async def pause(self) -> None:
        """A person reading the page: random around the mean think time, never past the end of the run."""
        await asyncio.sleep(min(self.rng.uniform(0, 2 * self.think), max(0.0, self.deadline - time.monotonic())))

    async def request(self, page: str, method: str, url: str, data: dict | None = None):
        if self.recorder.full():
            return None
        self.recorder.requests += 1
        started = time.perf_counter()
        try:
            if method == "GET":
                response = await self.http.get(url, headers=self.headers)
            else:
                response = await self.http.post(
                    url, headers=self.headers, data={**(data or {}), "csrfmiddlewaretoken": self.csrf}
                )
        except Exception as error:  # a timeout or a dropped connection counts against the portal
            self.recorder.failures.append((page, f"{type(error).__name__}: {error}"[:200]))
            return None
        if time.monotonic() >= self.recorder.measure_from:
            self.recorder.samples[page].append((time.perf_counter() - started) * 1000)
        self.recorder.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.recorder.errors_5xx.append((page, response.status_code))
        return response

    async def run(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await getattr(self, self.data["role"])()

    # ---------------------------------------------------------------- roles

    async def professional(self) -> None:
        drafts = list(self.data["drafts"])
        while self.running():
            if not drafts:
                await self.request("home", "GET", "/assessments/")
                await self.pause()
                continue
            pk = drafts.pop()
            await self.request("home", "GET", "/assessments/")
            await self.pause()
            await self.request("task_list", "GET", f"/assessments/{pk}/")
            await self.pause()
            page = await self.request("section", "GET", f"/assessments/{pk}/sections/reason/")
            found = VERSION.search(page.text) if page is not None else None
            if found and self.running():
                await self.pause()
                form = {**self.data["reason"], "version": found.group(1), "action": "continue"}
                saved = await self.request("section_save", "POST", f"/assessments/{pk}/sections/reason/", form)
                if saved is not None and saved.status_code == 409:
                    self.recorder.conflicts += 1
            if not self.running():
                break
            await self.pause()
            await self.request("check_answers", "GET", f"/assessments/{pk}/check-your-answers/")
            await self.pause()
            if not self.running():
                break
            sent = await self.request("submit", "POST", f"/assessments/{pk}/submit/", {"declaration": "yes"})
            if sent is not None and sent.status_code == 302 and sent.headers["location"].endswith("/submitted/"):
                confirmation = await self.request("submitted", "GET", sent.headers["location"])
                if confirmation is not None and confirmation.status_code == 200:
                    reference = REFERENCE.search(confirmation.text)
                    if reference:
                        self.recorder.submitted.append(reference.group(0))
            await self.pause()

    async def officer(self) -> None:
        while self.running():
            queue = await self.request("queue", "GET", "/work/queue/")
            await self.pause()
            cases = CASE_LINK.findall(queue.text) if queue is not None and queue.status_code == 200 else []
            if not cases:
                await self.request("my_work", "GET", "/work/mine/")
                await self.pause()
                continue
            pk = self.rng.choice(cases[:10])
            case = await self.request("case", "GET", f"/cases/{pk}/")
            reference = REFERENCE.search(case.text) if case is not None and case.status_code == 200 else None
            if reference is None or not self.running():
                continue
            await self.pause()
            claimed = await self.request("claim", "POST", f"/cases/{pk}/claim/")
            if claimed is None or claimed.status_code != 302:
                if claimed is not None and claimed.status_code == 409:
                    self.recorder.conflicts += 1
                continue
            await self.pause()
            await self.request("decide_form", "GET", f"/cases/{pk}/decide/")
            await self.pause()
            if not self.running():
                break
            decided = await self.request("decide", "POST", f"/cases/{pk}/decide/", DECISIONS[reference.group(1)])
            if decided is not None and decided.status_code == 302 and "/work/" in decided.headers["location"]:
                self.recorder.decided.append(reference.group(0))
            await self.pause()

    async def manager(self) -> None:
        while self.running():
            if "reports" not in self.recorder.skipped_pages:
                reports = await self.request("reports", "GET", "/reports/")
                if reports is not None and reports.status_code == 404:
                    self.recorder.skipped_pages.add("reports")
                    self.recorder.samples.pop("reports", None)
                await self.pause()
            await self.request("team_work", "GET", "/work/team/")
            await self.pause()


async def drive(base_url: str, people: list[dict], reason: dict, *, seconds: float, warm_up: float, think: float,
                seed: int, limit: int) -> Recorder:  # fmt: skip
    import httpx

    recorder = Recorder(limit, measure_from=time.monotonic() + warm_up)
    deadline = time.monotonic() + warm_up + seconds
    limits = httpx.Limits(max_connections=len(people) + 5, max_keepalive_connections=len(people) + 5)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits, follow_redirects=False) as http:
        crowd = [
            Person(http, recorder, {**data, "reason": reason}, deadline, think, random.Random(seed * 1000 + index))  # noqa: S311
            for index, data in enumerate(people)
        ]
        tasks = [asyncio.create_task(person.run()) for person in crowd]
        # Bounded in time whatever happens: the deadline, plus the longest request a person may be in.
        done, pending = await asyncio.wait(tasks, timeout=warm_up + seconds + 90)
        for task in pending:
            task.cancel()
        for task in done:
            if task.exception() is not None:
                recorder.failures.append(("client", repr(task.exception())[:300]))
    return recorder


# ================================================================== the whole run


def mail_files(folder: Path) -> Counter:
    found: Counter = Counter()
    for path in folder.glob("*.eml"):
        message = message_from_bytes(path.read_bytes())
        found[(message["To"], str(make_header(decode_header(message["Subject"]))))] += 1
    return found


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def run(arguments) -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    keep = DATA / "load" if not arguments.fresh else Path(tempfile.mkdtemp(prefix="portal-load-"))
    run_dir = Path(tempfile.mkdtemp(prefix="portal-load-run-"))
    run_dir.chmod(0o755)
    for folder in ("mail", "media", "static"):
        (run_dir / folder).mkdir()
    servers = Servers(keep, fresh=arguments.fresh)
    processes: list[tuple[subprocess.Popen, str]] = []
    try:
        database_url = database_for(servers.postgres(), arguments.cases, arguments.seed)
        broker_url = servers.redis()
        port = arguments.port or free_port()
        env = production_env(database_url, broker_url, run_dir, secrets.token_urlsafe(50), port)
        log(f"database {urlsplit(database_url).path[1:]}, broker {broker_url}, run folder {run_dir}")

        manage(env, "manage.py", "migrate", "--noinput", "--verbosity", "0")
        started = time.monotonic()
        generated = manage(
            env, "manage.py", "generate_demo_data", "--cases", str(arguments.cases), "--seed", str(arguments.seed),
            "--if-empty", settings="portal.settings.bench",
        )  # fmt: skip
        log(f"data ready in {time.monotonic() - started:.0f} s: {generated.strip().splitlines()[-1:]}")
        manage(env, "manage.py", "collectstatic", "--noinput", "--verbosity", "0")
        prepared = json.loads(
            manage(
                env, __file__, "_prepare", "--users", str(arguments.users), "--drafts", str(arguments.drafts),
                "--seed", str(arguments.seed),
            ).strip().splitlines()[-1]
        )  # fmt: skip

        pid_file = run_dir / "gunicorn.pid"
        gunicorn = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(arguments.workers), "--pid", str(pid_file), "--no-control-socket",
             "--timeout", "30", "--graceful-timeout", "20", "--log-level", "warning",
             "--error-logfile", str(run_dir / "gunicorn.log")],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append((gunicorn, "gunicorn"))
        with (run_dir / "worker.log").open("w") as worker_log:
            worker = subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "portal", "worker", "--beat", "--pool=prefork",
                 f"--concurrency={arguments.celery_concurrency}", "--loglevel=WARNING",
                 "--schedule", str(run_dir / "celerybeat-schedule"), "--without-gossip", "--without-mingle"],
                cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        processes.append((worker, "celery worker"))
        base_url = f"http://127.0.0.1:{port}"
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True, timeout=60,
                 what="gunicorn")  # fmt: skip
        time.sleep(3)
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker stopped: {(run_dir / 'worker.log').read_text()[-2000:]}")

        since = time.time() - 1
        arguments.people = len(prepared["people"])
        log(
            f"{arguments.people} people for {arguments.warm_up:.0f} s of warm-up and {arguments.seconds:.0f} s "
            f"against {base_url} ({arguments.workers} gunicorn workers)"
        )
        began = time.monotonic()
        recorder = asyncio.run(
            drive(base_url, prepared["people"], prepared["reason"], seconds=arguments.seconds,
                  warm_up=arguments.warm_up, think=arguments.think, seed=arguments.seed, limit=arguments.max_requests)
        )  # fmt: skip
        elapsed = time.monotonic() - began
        log(f"{recorder.requests} requests in {elapsed:.1f} s; draining the outbox")

        drain_deadline = time.monotonic() + arguments.drain
        waiting = None
        while time.monotonic() < drain_deadline:
            answer = manage(env, __file__, "_outbox", "--since", str(since), *(["--sweep"] if waiting else []))
            waiting = json.loads(answer.strip().splitlines()[-1])["waiting"]
            if waiting == 0:
                break
            time.sleep(3)
        time.sleep(2)  # the file backend renames each message into place after the row is marked sent
        for process, name in reversed(processes):
            _end(process, name)
        processes.clear()
        held = json.loads(manage(env, __file__, "_verify", "--since", str(since)).strip().splitlines()[-1])
        mails = mail_files(run_dir / "mail")
        return report(arguments, recorder, held, mails, elapsed, waiting, run_dir)
    finally:
        for process, name in reversed(processes):
            _end(process, name)
        servers.stop()
        if arguments.fresh:
            shutil.rmtree(keep, ignore_errors=True)
        if not arguments.keep_run:
            shutil.rmtree(run_dir, ignore_errors=True)


def report(arguments, recorder: Recorder, held: dict, mails: Counter, elapsed: float, waiting, run_dir) -> int:
    confirmed = Counter(recorder.submitted)
    in_database = Counter(held["submitted"])
    lost_submissions = sum((confirmed - in_database).values())
    duplicated_submissions = sum(count - 1 for count in in_database.values() if count > 1)
    unconfirmed_submissions = sum((in_database - confirmed).values())
    lost_decisions = sum((Counter(recorder.decided) - Counter(held["closed"])).values())

    expected_mail = Counter(
        (row["to"], row["subject"]) for row in held["notifications"] if row["status"] != "not_emailed"
    ) + Counter(tuple(row) for row in held["older_sent_during_run"])
    duplicated_emails = sum((mails - expected_mail).values())
    lost_emails = sum((expected_mail - mails).values())

    pages = {
        page: {
            "requests": len(samples),
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 0.95), 1),
        }
        for page, samples in sorted(recorder.samples.items())
        if samples
    }
    result = {
        "users": arguments.people,
        "seconds": arguments.seconds,
        "cases": arguments.cases,
        "gunicorn_workers": arguments.workers,
        "requests": recorder.requests,
        "timed_requests": sum(len(samples) for samples in recorder.samples.values()),
        "throughput_rps": round(sum(len(samples) for samples in recorder.samples.values()) / arguments.seconds, 1),
        "errors_5xx": len(recorder.errors_5xx),
        "client_failures": len(recorder.failures),
        "lost_submissions": lost_submissions,
        "duplicated_emails": duplicated_emails,
        "submissions_confirmed": sum(confirmed.values()),
        "duplicated_submissions": duplicated_submissions,
        "unconfirmed_submissions": unconfirmed_submissions,
        "decisions_confirmed": len(recorder.decided),
        "lost_decisions": lost_decisions,
        "emails_sent": sum(mails.values()),
        "lost_emails": lost_emails,
        "outbox_waiting_at_end": waiting,
        "conflicts_409": recorder.conflicts,
        "statuses": {str(code): count for code, count in sorted(recorder.statuses.items())},
        "skipped_pages": sorted(recorder.skipped_pages),
        "pages": pages,
    }
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"\n{result['users']} people, {elapsed:.0f} s, {arguments.cases:,} cases, {arguments.workers} gunicorn workers"
    )
    print(
        f"{recorder.requests} requests ({result['timed_requests']} timed after {arguments.warm_up:.0f} s of warm-up), "
        f"{result['throughput_rps']} per second; statuses {result['statuses']}"
    )
    print("| page | requests | p50 ms | p95 ms |\n|---|---|---|---|")
    for page, figures in pages.items():
        print(f"| {page} | {figures['requests']} | {figures['p50_ms']} | {figures['p95_ms']} |")
    print(
        f"\nsubmissions confirmed {result['submissions_confirmed']}, lost {lost_submissions}, duplicated "
        f"{duplicated_submissions}, in the database but not confirmed {unconfirmed_submissions}; decisions confirmed "
        f"{result['decisions_confirmed']}, lost {lost_decisions}; e-mails sent {result['emails_sent']}, duplicated "
        f"{duplicated_emails}, lost {lost_emails}; 5xx {result['errors_5xx']}; client failures "
        f"{result['client_failures']}; skipped pages {result['skipped_pages'] or 'none'}"
    )
    for page, status in recorder.errors_5xx[:10]:
        print(f"  5xx: {status} on {page}")
    for page, failure in recorder.failures[:10]:
        print(f"  client failure on {page}: {failure}")
    print(f"written to {RESULT.relative_to(ROOT)}")
    bad = result["errors_5xx"] or lost_submissions or duplicated_emails
    if bad and arguments.keep_run:
        print(f"logs kept in {run_dir}")
    return 1 if bad else 0


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        step, *rest = sys.argv[1:]
        parser = argparse.ArgumentParser(prog=f"load.py {step}")
        parser.add_argument("--users", type=int)
        parser.add_argument("--drafts", type=int)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--since", type=float)
        parser.add_argument("--sweep", action="store_true")
        {"_prepare": prepare, "_outbox": outbox, "_verify": verify}[step](parser.parse_args(rest))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="generated cases (kept per size and seed)")
    parser.add_argument("--users", type=int, default=50, help="simulated people at once")
    parser.add_argument("--seconds", type=float, default=120, help="how long they work")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--warm-up", type=float, default=None, help="seconds of work before timing starts")
    parser.add_argument("--think", type=float, default=0.3, help="mean pause between a person's requests, s")
    parser.add_argument("--drafts", type=int, default=None, help="complete drafts per professional")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--drain", type=float, default=180, help="longest wait for the outbox to empty, s")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--fresh", action="store_true", help="a throwaway cluster (CI) instead of bench/data/load")
    parser.add_argument("--keep-run", action="store_true", help="keep the run folder (logs, mail) afterwards")
    arguments = parser.parse_args()
    arguments.max_requests = min(arguments.max_requests, HARD_REQUEST_CAP)
    arguments.seconds = min(arguments.seconds, 3600)
    if arguments.warm_up is None:
        arguments.warm_up = max(5.0, min(30.0, arguments.seconds / 10))
    if arguments.drafts is None:
        arguments.drafts = max(3, min(20, int((arguments.seconds + arguments.warm_up) // 5)))
    sys.exit(run(arguments))


if __name__ == "__main__":
    main()
