"""Account e-mails: rendered from templates in plain text and HTML, sent by Celery after the commit."""

import logging

from celery import shared_task
from celery.exceptions import CeleryError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def account_email_deliver(*, template: str, to: str, subject: str, context: dict) -> None:
    """Render and send one e-mail now, from `template`.txt and `template`.html (a path without extension)."""
    full_context = {
        "council_name": settings.PORTAL_COUNCIL_NAME,
        "service_name": settings.PORTAL_SERVICE_NAME,
        "support_email": settings.PORTAL_SUPPORT_EMAIL,
        **context,
    }
    text = render_to_string(f"{template}.txt", full_context)
    html = render_to_string(f"{template}.html", full_context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_account_email(*, template: str, to: str, subject: str, context: dict) -> None:
    account_email_deliver(template=template, to=to, subject=subject, context=context)


def account_email_queue(*, template: str, to: str, subject: str, context: dict) -> None:
    """Send an account e-mail through Celery once the current transaction commits.

    If the broker cannot take it, it is sent from this process instead: the person is waiting
    for it (a verification or reset link), and the request must not fail after the commit.
    """
    arguments = {"template": template, "to": to, "subject": subject, "context": context}

    def publish():
        try:
            send_account_email.delay(**arguments)
        except (OperationalError, CeleryError, RuntimeError, OSError):
            logger.warning("Broker unavailable: sending the %s e-mail directly", template)
            try:
                account_email_deliver(**arguments)
            except OSError:
                logger.exception("Could not send the %s e-mail", template)

    transaction.on_commit(publish)
