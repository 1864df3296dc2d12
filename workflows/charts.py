"""Charts as SVG geometry: pure functions from figures to rectangles, lines, paths and text labels.

The template tag `chart_svg` (workflows/templatetags/reports.py) draws the result as an <svg role="img">
with a <title> and a <desc>. No chart relies on colour alone: bars carry their values as text, lines
differ in dash pattern and marker shape and are named in a legend, and every chart is followed on the
page by a data table holding the same figures. Sizes are in the SVG's own units; CSS scales the drawing
to its container.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
# The labels are 15px Arial in the drawing's units; this is the width of an average character, used to
# make room for labels (the longest are cut short with an ellipsis, the table beside has them in full).
CHAR_WIDTH = 7.8
# Bold text is this much wider than regular text.
BOLD_WIDTH = 1.2
ROW_HEIGHT = 32
BAR_THICKNESS = 20
MARKER_SIZE = 4.5


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str = "bar"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"  # start, middle or end
    css: str = "label"


@dataclass(frozen=True)
class Shape:
    d: str
    css: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    rects: tuple[Rect, ...] = ()
    lines: tuple[Line, ...] = ()
    shapes: tuple[Shape, ...] = ()
    labels: tuple[Label, ...] = ()
    # True when there is nothing to draw (no cases): the page says so instead of drawing empty axes.
    empty: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as written on the bar
    css: str = "bar"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class Reference:
    value: float
    label: str


def _r(number: float) -> float:
    return round(number, 1)


def fit(text: str, width: float) -> str:
    """The text, cut short with an ellipsis if it would be wider than `width`."""
    most = max(1, int(width // CHAR_WIDTH))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def nice_ticks(maximum: float, most: int = 5) -> list[float]:
    """Round tick values from 0 to at least `maximum`, steps of 1, 2 or 5 times a power of ten."""
    if maximum <= 0:
        return [0, 1]
    rough = maximum / (most - 1)
    power = 10 ** math.floor(math.log10(rough))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= rough)
    if step < 1:
        step = 1 if maximum >= 1 else step
    count = math.ceil(maximum / step)
    return [_r(step * n) for n in range(count + 1)]


def _tick_text(value: float, percent: bool) -> str:
    text = f"{value:g}"
    return f"{text}%" if percent else text


def horizontal_bars(
    *, id: str, title: str, description: str, bars: Sequence[Bar], maximum: float | None = None
) -> Chart:
    """One bar per row with its value written after it; short labels to the left, long ones above the bar."""
    longest_label = max((len(bar.label) for bar in bars), default=0)
    longest_value = max((len(bar.text) for bar in bars), default=0)
    above = longest_label * CHAR_WIDTH + 16 > WIDTH * 0.34
    label_width = 0 if above else longest_label * CHAR_WIDTH + 16
    row_height = ROW_HEIGHT + (22 if above else 0)
    plot_left = label_width + (2 if above else 0)
    plot_width = WIDTH - plot_left - (longest_value * CHAR_WIDTH + 16)
    top = 8
    height = top * 2 + row_height * max(1, len(bars))
    most = maximum if maximum is not None else max((bar.value or 0 for bar in bars), default=0)
    scale = plot_width / most if most else 0
    rects, labels = [], []
    for row, bar in enumerate(bars):
        middle = top + row * row_height + row_height - ROW_HEIGHT / 2
        length = (bar.value or 0) * scale
        rects.append(Rect(_r(plot_left), _r(middle - BAR_THICKNESS / 2), _r(length), BAR_THICKNESS, bar.css))
        if above:
            labels.append(Label(_r(plot_left), _r(middle - BAR_THICKNESS / 2 - 7), fit(bar.label, WIDTH), "start"))
        else:
            labels.append(Label(_r(plot_left - 8), _r(middle + 5), bar.label, "end"))
        labels.append(Label(_r(plot_left + length + 6), _r(middle + 5), bar.text, "start", "value"))
    # With the labels above the bars an axis would cross them; the bars' common start is edge enough.
    axis = () if above else (Line(_r(plot_left), top, _r(plot_left), height - top, "axis"),)
    return Chart(
        id=id,
        title=title,
        description=description,
        width=WIDTH,
        height=height,
        rects=tuple(rects),
        lines=axis,
        labels=tuple(labels),
        empty=not any(bar.value for bar in bars),
    )


def vertical_bars(
    *,
    id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    percent: bool = False,
    reference: Reference | None = None,
    height: int = 300,
) -> Chart:
    """Columns along a time axis, each with its value written above it, and an optional reference line.

    A bar without a value (no cases that month) is drawn as no bar with a dash, so a gap is not a zero.
    """
    left, top, bottom = 52, 36, 40
    # The reference line's label sits in the right margin, clear of the bars.
    right = 16 + (len(reference.label) * CHAR_WIDTH * BOLD_WIDTH + 12 if reference else 0)
    plot_width = WIDTH - left - right
    plot_height = height - top - bottom
    values = [bar.value for bar in bars if bar.value is not None]
    ticks = [0, 25, 50, 75, 100] if percent else nice_ticks(max(values, default=0))
    most = ticks[-1]
    baseline = top + plot_height

    def y_of(value: float) -> float:
        return _r(baseline - value / most * plot_height)

    lines = [Line(left, y_of(tick), _r(WIDTH - right), y_of(tick), "grid") for tick in ticks]
    labels = [Label(left - 8, _r(y_of(tick) + 5), _tick_text(tick, percent), "end", "tick") for tick in ticks]
    slot = plot_width / max(1, len(bars))
    thickness = min(56, slot * 0.64)
    every = max(1, math.ceil(max((len(bar.label) for bar in bars), default=1) * CHAR_WIDTH / (slot * 0.95)))
    rects = []
    for index, bar in enumerate(bars):
        centre = left + slot * index + slot / 2
        if bar.value is not None:
            top_of_bar = y_of(bar.value)
            rects.append(
                Rect(_r(centre - thickness / 2), top_of_bar, _r(thickness), _r(baseline - top_of_bar), bar.css)
            )
            labels.append(Label(_r(centre), _r(top_of_bar - 6), bar.text, "middle", "value"))
        else:
            # No cases that month: a word if it fits the column, a dash if not.
            text = bar.text if len(bar.text) * CHAR_WIDTH <= slot * 0.95 else "–"
            labels.append(Label(_r(centre), _r(baseline - 6), text, "middle", "muted"))
        if index % every == 0:
            labels.append(Label(_r(centre), baseline + 22, bar.label, "middle", "tick"))
    lines.append(Line(left, baseline, _r(WIDTH - right), baseline, "axis"))
    if reference is not None:
        level = y_of(reference.value)
        lines.append(Line(left, level, _r(WIDTH - right), level, "reference"))
        labels.append(Label(_r(WIDTH - right + 8), _r(level + 5), reference.label, "start", "reference-label"))
    return Chart(
        id=id,
        title=title,
        description=description,
        width=WIDTH,
        height=height,
        rects=tuple(rects),
        lines=tuple(lines),
        labels=tuple(labels),
        empty=not values,
    )


def _marker(shape: str, x: float, y: float) -> str:
    size = MARKER_SIZE
    if shape == "square":
        return f"M{_r(x - size)},{_r(y - size)}h{_r(2 * size)}v{_r(2 * size)}h{_r(-2 * size)}z"
    if shape == "triangle":
        return f"M{_r(x)},{_r(y - size - 1)}L{_r(x + size + 1)},{_r(y + size)}L{_r(x - size - 1)},{_r(y + size)}z"
    return f"M{_r(x - size)},{_r(y)}a{size},{size} 0 1,0 {2 * size},0a{size},{size} 0 1,0 {-2 * size},0z"


MARKERS = ("circle", "square", "triangle")


def lines(
    *, id: str, title: str, description: str, categories: Sequence[str], series: Sequence[Series], height: int = 320
) -> Chart:
    """Up to three series over time, told apart by dash pattern and marker shape and named in a legend."""
    left, right, top, bottom = 44, 16, 52, 40
    # The first and last labels are centred on the plot's edges: the margins hold their halves.
    widest = max((len(category) for category in categories), default=1) * CHAR_WIDTH + 12
    left, right = max(left, _r(widest / 2)), max(right, _r(widest / 2))
    plot_width = WIDTH - left - right
    plot_height = height - top - bottom
    most = max((value for one in series for value in one.values), default=0)
    ticks = nice_ticks(most)
    baseline = top + plot_height
    count = len(categories)
    step = plot_width / (count - 1) if count > 1 else 0

    def x_of(index: int) -> float:
        return _r(left + step * index if count > 1 else left + plot_width / 2)

    def y_of(value: float) -> float:
        return _r(baseline - value / ticks[-1] * plot_height)

    chart_lines = [Line(left, y_of(tick), WIDTH - right, y_of(tick), "grid") for tick in ticks]
    chart_lines.append(Line(left, baseline, WIDTH - right, baseline, "axis"))
    labels = [Label(left - 8, _r(y_of(tick) + 5), _tick_text(tick, False), "end", "tick") for tick in ticks]
    every = max(1, math.ceil(widest / step)) if step else 1
    for index, category in enumerate(categories):
        if index % every == 0:
            labels.append(Label(x_of(index), baseline + 22, category, "middle", "tick"))
    shapes = []
    legend_x = left
    for number, one in enumerate(series, start=1):
        css = f"series series--{number}"
        marker = MARKERS[(number - 1) % len(MARKERS)]
        points = [(x_of(index), y_of(value)) for index, value in enumerate(one.values)]
        if points:
            shapes.append(Shape("M" + "L".join(f"{x},{y}" for x, y in points), css))
            if count <= 60:
                shapes += [Shape(_marker(marker, x, y), f"marker marker--{number}") for x, y in points]
        # The legend: a sample of the line with its marker, then the series' name.
        shapes.append(Shape(f"M{legend_x},{20}h32", css))
        shapes.append(Shape(_marker(marker, legend_x + 16, 20), f"marker marker--{number}"))
        labels.append(Label(legend_x + 40, 25, one.name, "start", "legend"))
        legend_x = _r(legend_x + 40 + len(one.name) * CHAR_WIDTH + 28)
    return Chart(
        id=id,
        title=title,
        description=description,
        width=WIDTH,
        height=height,
        lines=tuple(chart_lines),
        shapes=tuple(shapes),
        labels=tuple(labels),
        empty=not most,
    )
