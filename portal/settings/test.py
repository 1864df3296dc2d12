"""Test settings: fast hashing, eager Celery, in-memory e-mail; PostgreSQL when DATABASE_URL is set."""

from .base import *  # noqa: F403
from .base import BASE_DIR, PASSWORD_HASHERS, env

# A fast hasher for tests; PBKDF2 stays listed so the demo fixtures' hashes still verify.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
# The worker tests wait for results; production ignores them.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="cache+memory://")
CELERY_TASK_IGNORE_RESULT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
PORTAL_MAIL_DIR = BASE_DIR / "var" / "test-mail"
# Serve static files straight from the source folders, never from a stale collectstatic output.
STATIC_ROOT = BASE_DIR / "var" / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = True
# Each test sees the figures as they are now; the caching itself is tested with this setting changed.
PORTAL_REPORTS_CACHE_SECONDS = 0
