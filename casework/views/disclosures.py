"""The disclosure log for the data protection officer and managers: who saw which case, when, and what."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from identity.permissions import can_read_disclosure_log, require

from ..forms import DisclosureSearchForm
from ..selectors import disclosures_for_reader, disclosures_matching

PAGE_SIZE = 50


@require_GET
def disclosure_log(request):
    """Search the log by child or by person; the page itself records nothing (it shows no case's content)."""
    require(can_read_disclosure_log(request.user), "Only the data protection officer and managers see the log")
    form = DisclosureSearchForm(request.GET or None)
    page = None
    if not form.errors:
        disclosures = disclosures_matching(disclosures_for_reader(request.user), **form.search())
        page = Paginator(disclosures, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/disclosures.html",
        {"form": form, "page": page, "query": query.urlencode(), "searched": any(form.search().values())},
    )
