"""Signed, time-limited tokens for e-mail verification links."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

_VERIFICATION_SALT = "identity.email-verification"


@dataclass(frozen=True)
class VerificationClaim:
    user_id: int
    email: str
    expired: bool


def verification_token_make(*, user_id: int, email: str) -> str:
    return signing.dumps({"user": user_id, "email": email}, salt=_VERIFICATION_SALT, compress=True)


def verification_token_read(token: str) -> VerificationClaim | None:
    """The claim a token makes, marked expired past its lifetime; None when it was tampered with."""
    max_age = settings.PORTAL_VERIFICATION_LINK_HOURS * 60 * 60
    try:
        payload = signing.loads(token, salt=_VERIFICATION_SALT, max_age=max_age)
        expired = False
    except signing.SignatureExpired:
        # The signature is genuine but old: the user may still ask for a new link for this account.
        payload = signing.loads(token, salt=_VERIFICATION_SALT)
        expired = True
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    return VerificationClaim(user_id=payload["user"], email=str(payload.get("email", "")), expired=expired)
