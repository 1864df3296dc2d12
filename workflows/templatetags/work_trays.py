"""The rows of a work tray, drawn in Python.

The queue is the page officers open most; drawn by a template loop its 25 rows cost more than reading
them from the database (see bench/README.md). The markup is what the template wrote, every text escaped
by format_html.
"""

from datetime import date, datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from casework.templatetags.casework import status_tag

register = template.Library()

MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
OVERDUE_TAG = format_html('<strong class="govuk-tag govuk-tag--red">{}</strong>', "Overdue")


def _short_date(day: date) -> str:
    """As the date filter's "j M Y" writes it (1 Jul 2026), without its per-call format parsing: 50 a page."""
    return f"{day.day} {MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"


def _day(moment: datetime | None) -> str:
    # A template shows an aware datetime in the council's time zone; called directly, the filter would not.
    return _short_date(timezone.localtime(moment)) if moment else ""


def _due(case, today: date) -> SafeString | str:
    if not case.decision_due:
        return "–"
    overdue = format_html(" {}", OVERDUE_TAG) if case.decision_due < today else ""
    return format_html("{}{}", _short_date(case.decision_due), overdue)


def _with(case, tray: str) -> SafeString | str:
    if tray == "queue":
        return ""
    holder = case.assigned_to.full_name if case.assigned_to_id else ""
    return format_html('<td class="govuk-table__cell">{}</td>', holder or "In the queue")


@register.simple_tag
def work_tray_rows(cases, tray: str, today: date) -> SafeString:
    """One row per case: child and reference, assessment and sender, status, dates, and who holds it."""
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row">'
        '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a><br>'
        '<span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell">{}<br><span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell portal-nowrap">{}</td>'
        '<td class="govuk-table__cell portal-nowrap">{}</td>{}</tr>',
        (
            (
                reverse("workflows:case", args=[case.pk]),
                case.child_name,
                case.reference,
                case.get_kind_display(),
                case.organisation_name or "",
                status_tag(case.status),
                _day(case.submitted_at),
                _due(case, today),
                _with(case, tray),
            )
            for case in cases
        ),
    )


PAUSED = (
    '<br><strong class="govuk-tag govuk-tag--yellow">Clock paused</strong> <span class="govuk-body-s">since {}</span>'
)


def _next_date(row, today: date, separator: str) -> SafeString:
    overdue = format_html(" {}", OVERDUE_TAG) if row.next_due < today else ""
    return format_html(
        '{}{}<span class="portal-nowrap">{}</span>{}', row.next_what, separator, _short_date(row.next_due), overdue
    )


def _cell_for_team(tray: str, text: str) -> SafeString | str:
    return format_html('<td class="govuk-table__cell">{}</td>', text) if tray == "team" else ""


@register.simple_tag
def needs_assessment_rows(rows, tray: str, today: date) -> SafeString:
    """One row per running needs assessment: child and reference, stage, next statutory date (and any pause)."""
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row">'
        '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}'
        '<span class="govuk-visually-hidden">: needs assessment of {}</span></a><br>'
        '<span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}{}</td>{}</tr>',
        (
            (
                reverse("workflows:ehc", args=[row.assessment_id]),
                row.assessment.child_name,
                row.assessment.reference,
                row.assessment.reference,
                row.get_stage_display(),
                _next_date(row, today, ": "),
                format_html(PAUSED, _short_date(row.paused_since)) if row.paused_since else "",
                _cell_for_team(tray, row.coordinator.full_name),
            )
            for row in rows
        ),
    )


@register.simple_tag
def annual_review_rows(rows, tray: str, today: date) -> SafeString:
    """One row per open annual review: child and reference, the review's number, stage and next date."""
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row">'
        '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}'
        '<span class="govuk-visually-hidden">: annual review {} of {}</span></a><br>'
        '<span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td>{}</tr>',
        (
            (
                reverse("workflows:ehc-annual-review", args=[row.needs_assessment.assessment_id]),
                row.needs_assessment.assessment.child_name,
                row.number,
                row.needs_assessment.assessment.reference,
                row.needs_assessment.assessment.reference,
                row.number,
                row.get_stage_display(),
                _next_date(row, today, " "),
                _cell_for_team(tray, row.holder.full_name),
            )
            for row in rows
        ),
    )
