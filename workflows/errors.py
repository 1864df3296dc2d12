"""The refusals of the council's services, shared by the review and the EHC needs assessment, and how a page
shows one."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from viewflow.workflow.exceptions import FlowLockFailed


class TransitionRefused(Exception):
    """The change cannot be made now; the message says why, in words for the person who asked."""


class AlreadyTaken(TransitionRefused):
    """Someone else has just done this (two officers claiming at once): shown as a 409 page."""


def refusals_shown_on(url_name: str):
    """A page's step refused (the stage moved on, someone else got there first): its reason, shown on `url_name`."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except TransitionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(url_name, pk=kwargs["pk"])

        return wrapper

    return decorate


def typed_text(form_class: type[forms.Form], data) -> list[tuple[str, str]]:
    """What a person typed into a form's text boxes, as (label, text) in the order sent.

    Choices (an officer, a decision, a date's parts) are left out: they are quickly made again. A form whose fields
    depend on the case is drawn as the page that sent `data` drew it (`as_posted`), or else by its fixed fields.
    """
    if hasattr(form_class, "as_posted"):
        fields = form_class.as_posted(data).fields
    else:
        try:
            fields = form_class(data).fields
        except TypeError:
            fields = form_class.base_fields
    typed = []
    for name in data:
        field = fields.get(name)
        text = "\n".join(value.strip() for value in data.getlist(name) if value.strip())
        if field is None or not text or isinstance(field, (forms.ChoiceField, forms.BooleanField)):
            continue
        if isinstance(field.widget, (forms.Textarea, forms.TextInput)):
            typed.append((str(field.label), text))
    return typed


def not_saved_page(request, typed: list[tuple[str, str]], reason: str, back: str, *, status: int):
    """The page for a form refused once sent: the reason, and what was typed, to copy before leaving."""
    return render(request, "workflows/not_saved.html", {"typed": typed, "reason": reason, "back": back}, status=status)


def typed_text_kept(form_class: type[forms.Form], back_to: str):
    """A step whose form, once sent, may be refused (the stage moved on, the case went to someone else): the
    refusal is shown with the text typed, never a redirect that drops it."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except (TransitionRefused, PermissionDenied, Http404, FlowLockFailed) as refusal:
                typed = typed_text(form_class, request.POST) if request.method == "POST" else []
                if not typed:
                    raise
                back = reverse(back_to, kwargs={"pk": kwargs["pk"]})
                if isinstance(refusal, Http404):
                    # Access to the case has ended (a team left, a right withdrawn): the case is not named.
                    reason, back, status = "You can no longer see this case", reverse("casework:home"), 404
                elif isinstance(refusal, FlowLockFailed):
                    reason, status = "Someone else has just changed this case", 409
                elif isinstance(refusal, PermissionDenied):
                    reason, status = str(refusal) or "You cannot do this", 403
                else:
                    reason, status = str(refusal), 409
                return not_saved_page(request, typed, reason, back, status=status)

        return wrapper

    return decorate
