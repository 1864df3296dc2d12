"""The professional's home: their own and shared assessments, those needing action first."""

from django.core.paginator import Paginator
from django.shortcuts import render

from identity.permissions import can_start_assessment

from ..forms import SearchForm
from ..selectors import assessments_for_professional

PAGE_SIZE = 20


def your_assessments(request):
    form = SearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(assessments_for_professional(request.user, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "casework/your_assessments.html",
        {"page": page, "form": form, "search": search, "can_start": can_start_assessment(request.user)},
    )
