"""Reads for the portal's own pages: what the privacy notice promises, worked out from the settings the
retention schedule itself runs on, so the notice cannot say one thing while the portal does another."""

from dataclasses import dataclass

from django.conf import settings

from casework.models import KIND_IN_SENTENCE, AssessmentKind


@dataclass(frozen=True)
class RetentionPromise:
    """How long one kind of closed case is kept, in the notice's words."""

    kind: str
    kept: str


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def retention_promises() -> list[RetentionPromise]:
    """Each kind's retention rule (settings.PORTAL_RETENTION) as a sentence: an anchor and a number of years."""
    promises = []
    for kind, rule in settings.PORTAL_RETENTION.items():
        name = KIND_IN_SENTENCE[AssessmentKind(kind)]
        if rule["anchor"] == "date_of_birth":
            kept = f"until the child's {_ordinal(rule['years'])} birthday"
        else:
            kept = f"for {_plural(rule['years'], 'year')} after it closed"
        promises.append(RetentionPromise(kind=name[0].upper() + name[1:], kept=kept))
    return promises


def privacy_notice_facts() -> dict:
    """The figures the privacy notice gives, each read from the setting that makes it true."""
    return {
        "retention_promises": retention_promises(),
        "draft_kept": _plural(settings.PORTAL_RETENTION_DRAFT_MONTHS, "month"),
        "unverified_kept": _plural(settings.PORTAL_UNVERIFIED_RETENTION_DAYS, "day"),
    }
