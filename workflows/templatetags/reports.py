"""The dashboard's charts and tables, drawn in Python.

A dashboard holds a dozen charts and tables of up to a few hundred cells; drawn by template loops they
took more time than the figures themselves (see bench/README.md). The markup is the same as a template
would write, with every text escaped by format_html.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from workflows.charts import Chart
from workflows.reports import Cell, Table

register = template.Library()


def _classes(css: str) -> str:
    return " ".join(f"portal-chart__{part}" for part in css.split())


@register.simple_tag
def chart_svg(chart: Chart) -> SafeString:
    """The chart as an <svg role="img"> named by its title and described by its description."""
    lines = format_html_join(
        "",
        '<line class="portal-chart__{}" x1="{}" y1="{}" x2="{}" y2="{}"/>',
        ((line.css, line.x1, line.y1, line.x2, line.y2) for line in chart.lines),
    )
    rects = format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>',
        ((_classes(rect.css), rect.x, rect.y, rect.width, rect.height) for rect in chart.rects),
    )
    shapes = format_html_join(
        "", '<path class="{}" d="{}"/>', ((_classes(shape.css), shape.d) for shape in chart.shapes)
    )
    labels = format_html_join(
        "",
        '<text class="portal-chart__{}" x="{}" y="{}" text-anchor="{}">{}</text>',
        ((label.css, label.x, label.y, label.anchor, label.text) for label in chart.labels),
    )
    return format_html(
        '<svg class="portal-chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{lines}{rects}{shapes}{labels}</svg>",
        width=chart.width,
        height=chart.height,
        id=chart.id,
        title=chart.title,
        description=chart.description,
        lines=lines,
        rects=rects,
        shapes=shapes,
        labels=labels,
    )


def _numeric(cell_or_column, kind: str) -> str:
    return f" govuk-table__{kind}--numeric" if cell_or_column.numeric else ""


def _row(cells: tuple[Cell, ...], css: str = "govuk-table__row") -> SafeString:
    first, *rest = cells
    heading = (
        format_html('<a class="govuk-link" href="{}">{}</a>', first.href, first.text) if first.href else first.text
    )
    return format_html(
        '<tr class="{}"><th scope="row" class="govuk-table__header">{}</th>{}</tr>',
        css,
        heading,
        format_html_join(
            "", '<td class="govuk-table__cell{}">{}</td>', ((_numeric(cell, "cell"), cell.text) for cell in rest)
        ),
    )


@register.simple_tag
def report_table(table: Table) -> SafeString:
    """The table with its caption, in a scrollable region named after it (wide tables scroll, not the page)."""
    head = format_html_join(
        "",
        '<th scope="col" class="govuk-table__header{}">{}</th>',
        ((_numeric(column, "header"), column.label) for column in table.columns),
    )
    if table.rows:
        body = mark_safe("".join(_row(row) for row in table.rows))  # noqa: S308 - each row is built by format_html
    else:
        body = format_html(
            '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{}">None for these filters.</td></tr>',
            len(table.columns),
        )
    total = ""
    if table.total:
        total = format_html("<tfoot>{}</tfoot>", _row(table.total, "govuk-table__row portal-report-table__total"))
    return format_html(
        '<div class="portal-table-wrapper" role="region" aria-label="{caption}" tabindex="0">'
        '<table class="govuk-table portal-report-table">'
        '<caption class="govuk-table__caption govuk-table__caption--s">{caption}</caption>'
        '<thead class="govuk-table__head"><tr class="govuk-table__row">{head}</tr></thead>'
        '<tbody class="govuk-table__body">{body}</tbody>{total}</table></div>',
        caption=table.caption,
        head=head,
        body=body,
        total=total,
    )
