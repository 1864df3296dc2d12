"""The refusals of the council's services, shared by the review and the EHC needs assessment, and how a page
shows one."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect


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
