"""An e-mail backend for development and the demo: print each message and keep a copy as a file."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.utils import timezone
from django.utils.text import slugify


class ConsoleAndFileEmailBackend(ConsoleEmailBackend):
    """Write every message to the console and to its own .eml file in PORTAL_MAIL_DIR."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        folder = Path(settings.PORTAL_MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            recipient = slugify(message.to[0] if message.to else "no-recipient")
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{recipient}-{uuid.uuid4().hex[:8]}.eml"
            partial = folder / f".{name}.part"
            partial.write_bytes(message.message().as_bytes())
            # A rename is atomic, so a reader never sees half a message.
            partial.rename(folder / name)
        return sent
