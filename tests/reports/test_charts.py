"""Chart geometry: bars in proportion with their values written on them, the reference line where it belongs."""

import datetime as dt

import pytest

from workflows import charts


def bars(*values):
    return [charts.Bar(f"Item {n}", value, "–" if value is None else str(value)) for n, value in enumerate(values)]


def test_horizontal_bars_are_in_proportion_and_carry_their_values_as_text():
    chart = charts.horizontal_bars(id="c", title="T", description="D", bars=bars(10, 5, 0))
    widths = [rect.width for rect in chart.rects]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2)
    assert widths[2] == 0
    values = [label.text for label in chart.labels if label.css == "value"]
    assert values == ["10", "5", "0"]
    # Every value label sits just after the end of its bar, on the bar's row.
    for rect, label in zip(chart.rects, (label for label in chart.labels if label.css == "value"), strict=True):
        assert label.x == pytest.approx(rect.x + rect.width + 6, abs=0.2)
        assert rect.y < label.y < rect.y + rect.height + 6
    assert not chart.empty


def test_horizontal_bars_with_nothing_to_show_are_marked_empty():
    assert charts.horizontal_bars(id="c", title="T", description="D", bars=bars(0, None)).empty
    assert charts.horizontal_bars(id="c", title="T", description="D", bars=[]).empty


def test_short_labels_sit_left_of_their_bars():
    chart = charts.horizontal_bars(id="c", title="T", description="D", bars=bars(3, 4))
    label = next(item for item in chart.labels if item.css == "label")
    assert label.anchor == "end"
    assert label.x < chart.rects[0].x


def test_long_labels_go_above_their_bars_in_full():
    label = "Young Carers: Tasks inappropriate for their age"
    chart = charts.horizontal_bars(id="c", title="T", description="D", bars=[charts.Bar(label, 3, "3")])
    drawn = next(item for item in chart.labels if item.css == "label")
    assert drawn.text == label
    assert drawn.y < chart.rects[0].y
    assert drawn.x == chart.rects[0].x


def test_a_label_longer_than_the_chart_is_cut_short_with_an_ellipsis():
    label = "word " * 40
    chart = charts.horizontal_bars(id="c", title="T", description="D", bars=[charts.Bar(label, 3, "3")])
    drawn = next(item.text for item in chart.labels if item.css == "label")
    assert drawn.endswith("…")
    assert len(drawn) * charts.CHAR_WIDTH <= charts.WIDTH


def test_percentage_columns_put_the_reference_line_at_its_value_with_its_label():
    """The England line at 46.4% sits 46.4% of the way up the plot, labelled in words beside it."""
    chart = charts.vertical_bars(
        id="c",
        title="T",
        description="D",
        bars=bars(100.0, 50.0, None),
        percent=True,
        reference=charts.Reference(46.4, "England 2024: 46.4%"),
    )
    baseline = next(line for line in chart.lines if line.css == "axis").y1
    top = next(
        line
        for line in chart.lines
        if line.css == "grid"
        and line.y1 < baseline - 10
        and line.y1 == min(grid.y1 for grid in chart.lines if grid.css == "grid")
    ).y1
    reference = next(line for line in chart.lines if line.css == "reference")
    assert reference.y1 == reference.y2
    assert (baseline - reference.y1) / (baseline - top) == pytest.approx(0.464, abs=0.002)
    label = next(item for item in chart.labels if item.css == "reference-label")
    assert label.text == "England 2024: 46.4%"
    assert label.x > reference.x2  # in the margin, clear of the bars
    full, half = chart.rects
    assert full.height == pytest.approx(2 * half.height, abs=0.2)
    assert [item.text for item in chart.labels if item.css in ("value", "muted")] == ["100.0", "50.0", "–"]
    assert [item.text for item in chart.labels if item.css == "tick" and item.text.endswith("%")] == [
        "0%",
        "25%",
        "50%",
        "75%",
        "100%",
    ]


def test_a_month_without_cases_draws_no_bar():
    chart = charts.vertical_bars(id="c", title="T", description="D", bars=bars(None, None), percent=True)
    assert chart.rects == ()
    assert chart.empty


def test_line_series_differ_in_pattern_and_marker_and_are_named_in_a_legend():
    chart = charts.lines(
        id="c",
        title="T",
        description="D",
        categories=["5 Jan", "12 Jan", "19 Jan"],
        series=[charts.Series("Received", [2, 2, 1]), charts.Series("Closed", [0, 1, 1])],
    )
    paths = [shape for shape in chart.shapes if shape.css.startswith("series")]
    assert {shape.css for shape in paths} == {"series series--1", "series series--2"}
    assert {label.text for label in chart.labels if label.css == "legend"} == {"Received", "Closed"}
    markers = [shape for shape in chart.shapes if shape.css.startswith("marker")]
    assert len(markers) == 3 * 2 + 2  # a marker on every point, and one in each legend entry
    first_line = paths[0].d
    assert first_line.startswith("M44")  # the first week on the left edge of the plot


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [(0, [0, 1]), (2, [0, 1, 2]), (7, [0, 2, 4, 6, 8]), (167, [0, 50, 100, 150, 200]), (1000, [0, 500, 1000])],
)
def test_ticks_are_round_numbers_covering_the_maximum(maximum, ticks):
    assert charts.nice_ticks(maximum) == ticks


def _extent(label) -> tuple[float, float]:
    """Where a label's text starts and ends along x, at the charts' average character width."""
    width = len(label.text) * charts.CHAR_WIDTH
    if label.anchor == "middle":
        return label.x - width / 2, label.x + width / 2
    if label.anchor == "end":
        return label.x - width, label.x
    return label.x, label.x + width


@pytest.mark.parametrize("weeks", [1, 2, 5, 13, 27, 28, 53, 105])
def test_every_label_of_the_weekly_chart_lies_inside_the_drawing(weeks):
    """The last week's label is centred on the plot's right edge: the margin must hold its half."""
    first = dt.date(2025, 12, 29)
    categories = [f"{first + dt.timedelta(weeks=n):%-d %b}" for n in range(weeks)]
    chart = charts.lines(
        id="c",
        title="T",
        description="D",
        categories=categories,
        series=[charts.Series("Received", [n % 7 for n in range(weeks)])],
    )
    ticks = [label for label in chart.labels if label.css == "tick" and label.y > 300]
    assert ticks, "the weeks are labelled"
    for label in chart.labels:
        start, end = _extent(label)
        assert start >= 0 and end <= chart.width, (label.text, start, end)
