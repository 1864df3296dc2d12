"""Development and demo: embedded SQLite, e-mail to the console and var/mail/, Celery on the filesystem."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, PORTAL_MAIL_DIR, env

EMAIL_BACKEND = env("EMAIL_BACKEND", default="portal.mail.ConsoleAndFileEmailBackend")

# kombu's filesystem transport: a worker and beat run beside runserver with no broker to install.
CELERY_QUEUE_DIR = Path(env("PORTAL_CELERY_DIR", default=str(BASE_DIR / "var" / "celery")))
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    for folder in ("out", "processed", "control"):
        (CELERY_QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "out"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "out"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "polling_interval": 0.2,
    }
PORTAL_MAIL_DIR.mkdir(parents=True, exist_ok=True)
(BASE_DIR / "var").mkdir(exist_ok=True)
