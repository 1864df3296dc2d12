"""The refusals of the council's services, shared by the review and the EHC needs assessment."""


class TransitionRefused(Exception):
    """The change cannot be made now; the message says why, in words for the person who asked."""


class AlreadyTaken(TransitionRefused):
    """Someone else has just done this (two officers claiming at once): shown as a 409 page."""
