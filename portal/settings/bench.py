"""The benchmark: the real stack on the database named by DATABASE_URL, with nothing sent anywhere."""

from .base import *  # noqa: F403
from .base import BASE_DIR, PASSWORD_HASHERS, env, with_engine_options

DATABASES = {"default": with_engine_options(env.db("DATABASE_URL"))}
# Generated people never sign in with a password; hashing them quickly keeps generation fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A write's on-commit work is what a request does in production: publishing its notifications to the broker
# (kombu's in-memory transport here, with no worker), not delivering them, which the worker does.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = "memory://"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
# Pages are measured, not their static files: an empty folder keeps WhiteNoise quiet.
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
