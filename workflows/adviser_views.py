"""The professional's pages of the EHC needs assessment: the advice asked of them."""

from django.shortcuts import render
from django.utils import timezone

from .ehc_adviser import DONE_SHOWN, advice_asked_of, advice_awaited, advice_status


def advice_asked(request):
    """Every request for advice made of the signed-in person, with its due date, where it is, and a link."""
    today = timezone.localdate()
    awaited, done = advice_asked_of(request.user)
    rows = []
    for advice in [*awaited, *done]:
        tag, colour = advice_status(advice, today)
        rows.append({"advice": advice, "tag": tag, "colour": colour, "awaited": advice_awaited(advice)})
    return render(request, "workflows/ehc/advice_asked.html", {"rows": rows, "done_shown": DONE_SHOWN})
