"""An e-mail backend for a real worker process that dies (SIGKILL) in the middle of sending, once, on request.

The portal's own file backend writes each message to PORTAL_MAIL_DIR, so a test can count what really
left. A flag file in PORTAL_FAULTS_FLAG_DIR asks for the kill: `kill-before-send` dies before the message
is written, `kill-after-send` right after it. The flag is removed first, so the redelivered task runs normally.
"""

import os
import signal
from pathlib import Path

from portal.mail import ConsoleAndFileEmailBackend


class KillingFileBackend(ConsoleAndFileEmailBackend):
    def send_messages(self, email_messages):
        flags = Path(os.environ["PORTAL_FAULTS_FLAG_DIR"])
        if _take(flags / "kill-before-send"):
            _die(flags)
        sent = super().send_messages(email_messages)
        if _take(flags / "kill-after-send"):
            _die(flags)
        return sent


def _take(flag: Path) -> bool:
    try:
        flag.unlink()
    except FileNotFoundError:
        return False
    return True


def _die(flags: Path) -> None:
    (flags / "killed.pid").write_text(str(os.getpid()))
    os.kill(os.getpid(), signal.SIGKILL)
