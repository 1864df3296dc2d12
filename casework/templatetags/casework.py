"""Tags and labels for assessment and section statuses, so every page words them the same way."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

STATUS_TAGS = {
    "draft": ("Draft", "govuk-tag--grey"),
    "submitted": ("Submitted", "govuk-tag--blue"),
    "under_review": ("Under review", "govuk-tag--purple"),
    "returned": ("Changes needed", "govuk-tag--orange"),
    "closed": ("Closed", "govuk-tag--green"),
}

SECTION_TAGS = {
    "not_started": ("Not started", "govuk-tag--grey"),
    "in_progress": ("In progress", "govuk-tag--light-blue"),
    "needs_changes": ("Needs changes", "govuk-tag--orange"),
    "cannot_start": ("Cannot start yet", "govuk-tag--grey"),
}


@register.filter
def govuk_time(moment: datetime.datetime | datetime.time | None, precision: str = "minutes") -> str:
    """A time as the GOV.UK style guide writes it: "6:55pm", "10am", "midday", "midnight" (not "6:55p.m.").

    In the council's time zone. `precision` "seconds" keeps the seconds (the history, where order matters).
    """
    if moment is None or moment == "":
        return ""
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    seconds = precision == "seconds"
    if moment.minute == 0 and (moment.second == 0 or not seconds):
        if moment.hour == 12:
            return "midday"
        if moment.hour == 0:
            return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    if seconds:
        return f"{hour}:{moment.minute:02d}:{moment.second:02d}{suffix}"
    if moment.minute == 0:
        return f"{hour}{suffix}"
    return f"{hour}:{moment.minute:02d}{suffix}"


@register.simple_tag
def status_tag(status: str):
    label, modifier = STATUS_TAGS.get(status, (status, "govuk-tag--grey"))
    return format_html('<strong class="govuk-tag {}">{}</strong>', modifier, label)


@register.simple_tag
def section_status(status: str, id_attribute: str = ""):
    """A task list status: 'Completed' as plain text, anything else as a tag (the GOV.UK task list pattern)."""
    id_html = format_html(' id="{}"', id_attribute) if id_attribute else ""
    if status == "completed":
        return format_html('<div class="govuk-task-list__status"{}>Completed</div>', id_html)
    label, modifier = SECTION_TAGS.get(status, (status, "govuk-tag--grey"))
    return format_html(
        '<div class="govuk-task-list__status"{}><strong class="govuk-tag {}">{}</strong></div>',
        id_html,
        modifier,
        label,
    )


@register.simple_tag
def next_step(assessment) -> str:
    """What happens next for a row of "Your assessments"."""
    if assessment.status == "draft":
        return "Complete the sections and submit"
    if assessment.status == "returned":
        return "Make the changes the council asked for, then resubmit"
    if assessment.status == "submitted":
        return "Waiting for an officer to pick it up"
    if assessment.status == "under_review":
        holder = assessment.assigned_to.full_name if assessment.assigned_to else "an officer"
        return f"Being reviewed by {holder}"
    return assessment.get_outcome_display() or "Closed"
