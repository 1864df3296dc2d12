"""The professional's side of the EHC needs assessment: the advice asked of them, and its documents."""

import datetime

from django.db.models import Q

from identity.models import User

from .ehc_models import AdviceRequest

# The advice already given (or gone on without) that the list still shows, the latest asked first.
DONE_SHOWN = 50


def advice_asked_of(user: User) -> tuple[list[AdviceRequest], list[AdviceRequest]]:
    """The requests for advice made of this person – named as the professional, or invited at their address:
    those awaited, soonest due first, and the latest DONE_SHOWN of the others. Two queries, whatever the number.
    """
    asked = AdviceRequest.objects.filter(
        Q(professional=user) | Q(professional__isnull=True, professional_email=user.email.lower())
    ).select_related("needs_assessment__assessment", "needs_assessment__coordinator")
    awaited = Q(answered_on__isnull=True, closed_unanswered_on__isnull=True)
    return (
        list(asked.filter(awaited).order_by("due_on", "pk")),
        list(asked.exclude(awaited).order_by("-requested_on", "-pk")[:DONE_SHOWN]),
    )


def advice_awaited(advice: AdviceRequest) -> bool:
    return advice.answered_on is None and advice.closed_unanswered_on is None


def advice_status(advice: AdviceRequest, today: datetime.date) -> tuple[str, str]:
    """Where the advice is, as a tag's text and colour."""
    if advice.answered_on:
        return f"Given {advice.answered_on:%-d %B %Y}", "green"
    if advice.closed_unanswered_on:
        return "Gone on without it", "grey"
    if advice.due_on < today:
        return "Overdue", "red"
    return "To do", "blue"
