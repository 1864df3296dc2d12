"""Settings shared by every environment; each value can be overridden from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Development-only default: production.py refuses to start without SECRET_KEY in the environment.
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-not-for-production-use-0123456789")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

PORTAL_COUNCIL_NAME = env("PORTAL_COUNCIL_NAME", default="Plymouth City Council")
PORTAL_SERVICE_NAME = env("PORTAL_SERVICE_NAME", default="Professional Portal")
PORTAL_SUPPORT_EMAIL = env("PORTAL_SUPPORT_EMAIL", default="portal.support@plymouth.gov.uk")
PORTAL_SAFEGUARDING_PHONE = env("PORTAL_SAFEGUARDING_PHONE", default="01752 668000")
PORTAL_PHASE = env("PORTAL_PHASE", default="Beta")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.forms",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_email",
    "two_factor",
    "two_factor.plugins.email",
    "guardian",
    "simple_history",
    "viewflow",
    "viewflow.workflow",
    "django_filters",
    "csp",
    "portal",
    "identity",
    "casework",
    "workflows",
    "axes",
]

MIDDLEWARE = [
    "portal.middleware.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PrivatePagesNotStoredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "identity.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]
# One set of GOV.UK form and field templates for every form (templates/django/forms/).
FORM_RENDERER = "portal.forms.GovukFormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The embedded SQLite of the demo is written by the web server's threads and the Celery worker at once.
# WAL lets readers go on while one writes; BEGIN IMMEDIATE takes the write lock when a transaction starts,
# so a transaction that read first never fails at its first write ("database is locked" at once, which no
# busy timeout helps); the timeout lets a writer wait its turn rather than fail.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL",
}
# PostgreSQL compiles to machine code (JIT) any query its planner costs highly, as the dashboard's figures over
# a county's history are: compiling took 129 of one query's 163 ms at 100,000 cases (bench/README.md), and the
# portal's queries are all short. Off for its connections.
POSTGRESQL_OPTIONS = {"options": "-c jit=off"}


def with_engine_options(database: dict) -> dict:
    """The database settings with the options of its engine above (any given in DATABASE_URL win)."""
    engine = database["ENGINE"]
    chosen = SQLITE_OPTIONS if engine == "django.db.backends.sqlite3" else {}
    if engine == "django.db.backends.postgresql":
        chosen = POSTGRESQL_OPTIONS
    return {**database, "OPTIONS": {**chosen, **database.get("OPTIONS", {})}}


DATABASES["default"] = with_engine_options(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Shared by every web process in production (PORTAL_CACHE_URL=redis://…), so the page and its downloads
# show the same figures whichever process serves them; the demo and tests keep it in memory.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("PORTAL_CACHE_URL"),
            # An unreachable cache costs a second at most; portal.remembered then works the value out.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if env("PORTAL_CACHE_URL", default="")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
PHONENUMBER_DEFAULT_REGION = "GB"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "identity.backends.ObjectRightsBackend",
]
ANONYMOUS_USER_NAME = None
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# ASVS 6.2: at least 12 characters, long passphrases allowed, no composition rules.
PORTAL_PASSWORD_MAX_LENGTH = 256
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name", "job_title")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "identity:sign-in"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "identity:signed-out"
# A password reset link is single use and short-lived (ASVS 6.4.1).
PASSWORD_RESET_TIMEOUT = env.int("PORTAL_PASSWORD_RESET_SECONDS", default=60 * 60)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("PORTAL_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "portal.staticfiles.PortalAppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Evidence uploads: a size cap with a clear error (the real portals cap at 10 MB; reports can be larger).
PORTAL_ATTACHMENT_MAX_BYTES = env.int("PORTAL_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
MEDIA_ROOT = Path(env("PORTAL_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

# Sessions: the seed portal times out after 30 minutes of inactivity (ASVS 7.3.1). The idle limit
# is enforced on the server by identity's middleware; the page warns two minutes before.
PORTAL_SESSION_IDLE_SECONDS = env.int("PORTAL_SESSION_IDLE_SECONDS", default=30 * 60)
PORTAL_SESSION_WARNING_SECONDS = env.int("PORTAL_SESSION_WARNING_SECONDS", default=2 * 60)
SESSION_COOKIE_AGE = env.int("PORTAL_SESSION_MAX_SECONDS", default=12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Professional Portal <no-reply@portal.plymouth.gov.uk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_MAIL_DIR = Path(env("PORTAL_MAIL_DIR", default=str(BASE_DIR / "var" / "mail")))

# Celery: publishing must fail fast when the broker is down, so a request never hangs;
# the outbox keeps the work and a sweeper re-queues it.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY = False
# max_retries 0: with the broker down, publishing gives up at once (kombu otherwise retries for seconds per
# e-mail inside the request) and the outbox sweeper sends the e-mail when the broker is back.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "visibility_timeout": 3600,
    "max_retries": 0,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "delete-stale-registrations": {
        "task": "identity.tasks.delete_stale_registrations",
        "schedule": crontab(hour=3, minute=15),
    },
    "deadline-reminders": {
        "task": "workflows.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "retention-schedule": {
        "task": "workflows.tasks.apply_retention_schedule",
        "schedule": crontab(hour=2, minute=30),
    },
    "notification-sweeper": {
        "task": "workflows.tasks.sweep_notifications",
        "schedule": 60.0,
    },
}

# Review deadlines. EHCP: the SEND Code of Practice's statutory clock, from the day of the request.
# EHAT and Young Carers: the council's local targets, in working days (bank holidays from the admin).
PORTAL_DEADLINES = {
    "ehcp": {"pickup_working_days": 5, "decision_weeks": 6, "final_weeks": 20},
    "ehat": {"pickup_working_days": 5, "decision_working_days": 20},
    "young_carers": {"pickup_working_days": 5, "decision_working_days": 20},
}
# Whether time spent with the professional after a return stops the clock. Not for the statutory
# EHCP clock, which stops only for the Code of Practice 9.42 exceptions an officer records.
PORTAL_CLOCK_PAUSES_WHEN_RETURNED = {"ehcp": False, "ehat": True, "young_carers": True}
PORTAL_REMINDER_WORKING_DAYS = 5
# Advice for an EHC needs assessment still missing this many working days after its due date goes to the SEND
# team's managers: two working weeks leave the coordinator time to chase it, and advice asked for soon after week 6
# is due by week 12 or 13, so the managers still hear of it before the week 16 decision.
PORTAL_ADVICE_ESCALATION_WORKING_DAYS = env.int("PORTAL_ADVICE_ESCALATION_WORKING_DAYS", default=10)
PORTAL_REOPEN_WINDOW_DAYS = env.int("PORTAL_REOPEN_WINDOW_DAYS", default=30)
# A manager's dashboard over a county's history costs a second or more of database time (bench/README.md):
# its figures are worked out at most this often for the same teams and filters, and the page says when.
PORTAL_REPORTS_CACHE_SECONDS = env.int("PORTAL_REPORTS_CACHE_SECONDS", default=5 * 60)
if PORTAL_REPORTS_CACHE_SECONDS > 0:
    # Each person's dashboard as first opened is worked out again a minute inside that time, so it is always
    # fresh enough to show at once while the worker runs (workflows.kept_dashboards).
    CELERY_BEAT_SCHEDULE["keep-dashboards"] = {
        "task": "workflows.tasks.keep_dashboards",
        "schedule": float(max(60, PORTAL_REPORTS_CACHE_SECONDS - 60)),
    }

# Retention schedule (docs/security.md, "Data protection"): when a closed case's personal data goes. Each kind
# counts a number of years from an anchor: the child's date of birth, or the day the case closed (which a
# withdrawal of consent also sets). EHCP: SEN records to date of birth + 31 years (IRMS toolkit). EHAT and
# Young Carers: the council's local figure, 6 years after the case closed. The case row stays anonymised,
# so the reports' figures do not change.
PORTAL_RETENTION = {
    "ehcp": {"anchor": "date_of_birth", "years": env.int("PORTAL_RETENTION_EHCP_YEARS", default=31)},
    "ehat": {"anchor": "closed", "years": env.int("PORTAL_RETENTION_EHAT_YEARS", default=6)},
    "young_carers": {"anchor": "closed", "years": env.int("PORTAL_RETENTION_YOUNG_CARERS_YEARS", default=6)},
}
# A draft nobody has touched for this many months is deleted with everything in it (never sent to the council).
PORTAL_RETENTION_DRAFT_MONTHS = env.int("PORTAL_RETENTION_DRAFT_MONTHS", default=6)

# django-guardian: object permissions live in direct foreign-key tables per model. They are read through
# identity.backends.ObjectRightsBackend, not guardian's own backend (whose absence guardian warns about).
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-otp e-mail codes: valid for 10 minutes at most, one send a minute (ASVS 6.5.1, 6.5.5).
# Wrong codes are counted by the portal (PORTAL_SIGN_IN_CODE_MAX_ATTEMPTS per code) rather than
# by django-otp's exponential delay, which refuses even the right code for a while after one slip.
OTP_EMAIL_SENDER = DEFAULT_FROM_EMAIL
OTP_EMAIL_SUBJECT = "Your Professional Portal sign-in code"
OTP_EMAIL_TOKEN_VALIDITY = 10 * 60
OTP_EMAIL_COOLDOWN_DURATION = 60
OTP_EMAIL_THROTTLE_FACTOR = 0
OTP_EMAIL_BODY_TEMPLATE_PATH = "identity/email/sign_in_code.txt"
OTP_EMAIL_BODY_HTML_TEMPLATE_PATH = "identity/email/sign_in_code.html"
PORTAL_SIGN_IN_CODE_MAX_ATTEMPTS = 5
# The whole sign-in, password then code, must finish within 10 minutes.
TWO_FACTOR_LOGIN_TIMEOUT = 10 * 60
TWO_FACTOR_PATCH_ADMIN = False

# Registration (the seed: verification links last 12 hours; use a work e-mail address).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
PORTAL_VERIFICATION_LINK_HOURS = env.int("PORTAL_VERIFICATION_LINK_HOURS", default=12)
PORTAL_EMAIL_RESEND_COOLDOWN_SECONDS = 60
PORTAL_UNVERIFIED_RETENTION_DAYS = env.int("PORTAL_UNVERIFIED_RETENTION_DAYS", default=7)
PORTAL_PUBLIC_SECTOR_EMAIL_SUFFIXES = env.list(
    "PORTAL_PUBLIC_SECTOR_EMAIL_SUFFIXES", default=["sch.uk", "nhs.net", "nhs.uk", "gov.uk", "police.uk", "mod.uk"]
)
PORTAL_WEBMAIL_DOMAINS = env.list(
    "PORTAL_WEBMAIL_DOMAINS",
    default=[
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "live.co.uk",
        "msn.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
        "aol.co.uk", "protonmail.com", "proton.me", "gmx.com", "gmx.co.uk", "mail.com", "btinternet.com",
        "sky.com", "virginmedia.com", "talktalk.net", "tiscali.co.uk",
    ],
)  # fmt: skip

# Security question on password reset: wrong answers are counted and then refused for a while.
PORTAL_SECURITY_ANSWER_MAX_ATTEMPTS = 5
PORTAL_SECURITY_ANSWER_LOCK_MINUTES = 60

# Password guessing (ASVS 6.3.1): 10 failures for one address, or from one IP address, within the
# window pause sign-in for 15 minutes; the pause does not grow with further failures, so an attacker
# cannot keep the owner out, and a password reset lifts it.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "identity.throttling.username_from_request"
AXES_LOCKOUT_CALLABLE = "identity.views.sign_in.locked_out"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals_logged_once": {"()": "portal.access_log.RefusalsLoggedOnce"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # A refusal (403) is one line from the 403 page (portal.access), not Django's traceback of it.
        "django.request": {"filters": ["refusals_logged_once"]},
        "portal": {"level": "INFO"},
        "identity": {"level": "INFO"},
        "casework": {"level": "INFO"},
        "workflows": {"level": "INFO"},
    },
}
