"""The professional's pages of the EHC needs assessment: the advice asked of them, and its documents."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .ehc_adviser import (
    DONE_SHOWN,
    advice_asked_of,
    advice_awaited,
    advice_document_download_record,
    advice_document_for,
    advice_status,
)


def advice_asked(request):
    """Every request for advice made of the signed-in person, with its due date, where it is, and a link."""
    today = timezone.localdate()
    awaited, done = advice_asked_of(request.user)
    rows = []
    for advice in [*awaited, *done]:
        tag, colour = advice_status(advice, today)
        rows.append({"advice": advice, "tag": tag, "colour": colour, "awaited": advice_awaited(advice)})
    return render(request, "workflows/ehc/advice_asked.html", {"rows": rows, "done_shown": DONE_SHOWN})


@require_GET
def advice_document(request, pk: int, advice_kind: str, document_id: int):
    """A document sent with advice, for those who may see it; every download is recorded as a disclosure."""
    document = advice_document_for(request.user, pk, advice_kind, document_id)
    try:
        handle = document.file.open("rb")
    except OSError:
        raise Http404("The document is not available") from None
    advice_document_download_record(actor=request.user, document=document)
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
