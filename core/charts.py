"""Charts drawn on the server as SVG, in the NHS palette, each with its numbers as a table.

Pages show a chart with the ``chart(c)`` macro of ``macros/charts.html``: a
figure with a title, a one-sentence summary, the SVG and a table of the same
numbers, so the chart is never the only way to read them (screen readers,
print, exports). Nothing runs in the browser and nothing is fetched from
elsewhere: pygal's script and its comments are removed from the drawing.

    from core import charts

    chart = charts.stacked_bar(
        "Services at each level of involvement, by year",
        "In 2025 most services were at level 3.",
        ["2024", "2025"],
        {"Level 1": [4, 1], "Level 2": [3, 2], "Level 3": [1, 5]},
        colours=charts.LEVEL_COLOURS,
    )

A levels heatmap (services x areas) reads better as a table whose cells carry
both a colour and words: ``heatmap(...)`` and the ``heatmap(h)`` macro.
"""
from __future__ import annotations

import hashlib
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, partial

from markupsafe import Markup

# NHS.UK identity colours, in the order series take them. Neighbours differ in
# lightness as well as hue, so series stay apart for people who do not see colour.
NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_GREEN = "#007f3b"
NHS_WARM_YELLOW = "#ffb81c"
NHS_RED = "#d5281b"
NHS_GREY = "#4c6272"
NHS_PURPLE = "#330072"
NHS_AQUA_GREEN = "#00a499"
NHS_TEXT = "#212b32"
PALETTE = (NHS_BLUE, NHS_WARM_YELLOW, NHS_DARK_BLUE, NHS_GREEN, NHS_GREY, NHS_RED, NHS_PURPLE,
           NHS_AQUA_GREEN)
# Lines are thin: only colours with at least 3:1 contrast on white, each line also with its own dash.
LINE_COLOURS = (NHS_BLUE, NHS_RED, NHS_GREEN, NHS_PURPLE, NHS_GREY, NHS_DARK_BLUE)
# The five levels of involvement, lightest (1) to darkest (5), as in the heatmap's cells.
LEVEL_COLOURS = ("#e8f1fa", "#b3d0ee", "#6fa3d8", NHS_BLUE, NHS_DARK_BLUE)
# Met / partly / not met, and yes / partly / no.
ANSWER_COLOURS = (NHS_GREEN, NHS_WARM_YELLOW, NHS_RED)

# Drawn at this size and scaled to the width of the page by CSS: the fonts are
# large enough to read when the drawing shrinks to a phone's width.
WIDTH, HEIGHT = 480, 300
FONT = "Frutiger W01, Arial, Sans-serif"
# Lines differ by dash as well as colour.
DASHES = ("", "12, 6", "3, 5", "14, 5, 3, 5", "6, 6", "2, 3")

# What pygal's own stylesheet leaves to taste: bars keep a dark edge so a pale
# bar still stands out from the white ground, and nothing fades on hover.
_EXTRA_CSS = ("#{id} .bar rect {{ stroke: %s; stroke-width: 1 }}"
              "#{id} .reactive, #{id} .reactive:hover {{ fill-opacity: 1 !important }}"
              "#{id} .tooltip-overlay {{ display: none }}" % NHS_TEXT)

HEAT_TONES = ("level-1", "level-2", "level-3", "level-4", "level-5", "yes", "partly", "no", "none")

Number = int | float


@dataclass(frozen=True)
class Table:
    """The numbers behind a chart: a header row, then one row per category."""

    headers: tuple[str, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class KeyItem:
    """One series in the chart's key: its name, colour and, for lines, its dash pattern."""

    name: str
    colour: str
    dash: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart ready for the ``chart(c)`` macro.

    ``svg`` is drawn the first time a page asks for it (the API and the
    exports use only the words and the table); it is None when there is
    nothing to draw, and the macro then says so in ``empty_text`` instead of
    showing an empty frame.
    """

    id: str
    kind: str
    title: str
    summary: str
    table: Table
    key: tuple[KeyItem, ...] = ()
    empty_text: str = "There are no figures to show yet."
    missing_text: str = "No figure"
    drawing: Callable[[], Markup] | None = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return self.drawing is None

    @cached_property
    def svg(self) -> Markup | None:
        return self.drawing() if self.drawing is not None else None

    def as_dict(self) -> dict:
        """The chart's words and numbers, for JSON and CSV exports."""
        return {"title": self.title, "summary": self.summary, "headers": list(self.table.headers),
                "rows": [list(row) for row in self.table.rows]}


# Every chart also takes, by keyword: colours (one per series, PALETTE or LINE_COLOURS by default),
# empty_text (said instead of drawing when no value is given) and missing_text (the table's word for None).


def line(title: str, summary: str, x_labels: Sequence[str], series: Mapping[str, Sequence[Number | None]],
         *, x_title: str = "", y_range: tuple[Number, Number] | None = None, **options) -> Chart:
    """Values over time, one line per series (a gap where a value is None)."""
    return _chart("line", title, summary, x_labels, series, x_title=x_title, y_range=y_range, **options)


def bar(title: str, summary: str, x_labels: Sequence[str], series: Mapping[str, Sequence[Number | None]],
        *, x_title: str = "", y_range: tuple[Number, Number] | None = None, horizontal: bool = False,
        **options) -> Chart:
    """Side-by-side bars, one per series in each category. ``horizontal`` suits long labels."""
    return _chart("horizontal_bar" if horizontal else "bar", title, summary, x_labels, series,
                  x_title=x_title, y_range=y_range, **options)


def stacked_bar(title: str, summary: str, x_labels: Sequence[str], series: Mapping[str, Sequence[Number | None]],
                *, x_title: str = "", **options) -> Chart:
    """A distribution per category: each bar is cut into the series, e.g. services at each level per year."""
    return _chart("stacked_bar", title, summary, x_labels, series, x_title=x_title, **options)


def _chart(kind, title, summary, x_labels, series, *, x_title="", y_range=None, colours=None,
           empty_text=None, missing_text=None) -> Chart:
    x_labels = [str(label) for label in x_labels]
    series = {str(name): list(values) for name, values in series.items()}
    for name, values in series.items():
        if len(values) != len(x_labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(x_labels)} labels")
    table = Table(headers=(x_title, *series),
                  rows=tuple((label, *(values[i] for values in series.values()))
                             for i, label in enumerate(x_labels)))
    chart_id = "chart-" + hashlib.sha1(
        json.dumps([kind, title, summary, table.headers, table.rows], default=str).encode()).hexdigest()[:12]
    has_data = any(v is not None for values in series.values() for v in values)
    colours = tuple(colours or (LINE_COLOURS if kind == "line" else PALETTE))
    drawing = partial(_draw, kind, chart_id, title, summary, x_labels, series, y_range, colours) if has_data \
        else None
    # The key is HTML beside the drawing (it wraps on a narrow screen); one series needs none.
    key = tuple(KeyItem(name, colours[i % len(colours)], _dash(kind, i))
                for i, name in enumerate(series)) if has_data and len(series) > 1 else ()
    extra = {k: v for k, v in (("empty_text", empty_text), ("missing_text", missing_text)) if v is not None}
    return Chart(chart_id, kind, title, summary, table, key, drawing=drawing, **extra)


def _dash(kind: str, index: int) -> str:
    return DASHES[index % len(DASHES)] if kind == "line" else ""


def format_number(value: Number | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


@cache
def _pygal():
    """pygal, imported with the first chart drawn: pages without a chart (signing in) start without it."""
    import pygal
    from pygal.etree import etree as pygal_etree

    # pygal draws with lxml when it is installed (the PDF export brings it) and with the standard
    # library otherwise; the drawing is finished here with the standard library, so pygal uses it too.
    pygal_etree.to_etree()
    return pygal


def _draw(kind, chart_id, title, summary, x_labels, series, y_range, colours) -> Markup:
    pygal = _pygal()
    from pygal.style import Style

    style = Style(
        background="#ffffff", plot_background="#ffffff", foreground=NHS_TEXT, foreground_strong=NHS_TEXT,
        foreground_subtle="#768692", colors=colours, font_family=FONT, opacity="1", opacity_hover="1",
        label_font_size=16, major_label_font_size=16, legend_font_size=16, value_font_size=16,
        tooltip_font_size=16, title_font_size=20, no_data_font_size=20, guide_stroke_color="#aeb7bd",
        major_guide_stroke_color="#aeb7bd", stroke_width="3", stroke_width_hover="3", stroke_opacity="1", stroke_opacity_hover="1",
        value_colors=tuple(_text_on(colour) for colour in colours),
    )
    chart_class = {"line": pygal.Line, "bar": pygal.Bar, "horizontal_bar": pygal.HorizontalBar,
                   "stacked_bar": pygal.StackedBar}[kind]
    low, high, ticks = _value_axis(kind, series, y_range)
    every = _label_every(kind, x_labels)
    major = x_labels[::-1][::every][::-1]  # counted back from the last, so the latest is always named
    rotation, margin_left, margin_right = _label_room(kind, major)
    chart = chart_class(
        style=style, js=[], css=["file://style.css", "file://graph.css", "inline:" + _EXTRA_CSS.format(id=chart_id)],
        width=WIDTH, height=HEIGHT, disable_xml_declaration=True, show_legend=False, truncate_label=-1, range=(low, high), y_labels=ticks, show_minor_y_labels=True,
        print_values=kind != "line", print_zeroes=kind != "stacked_bar", print_values_position="center",
        value_formatter=format_number, x_label_rotation=rotation, dots_size=4, allow_interruptions=True,
        tooltip_fancy_mode=False, margin=10, margin_left=margin_left, margin_right=margin_right,
        spacing=10, x_labels_major=major if every > 1 else None, show_minor_x_labels=every == 1,
    )
    chart.uuid = chart_id.removeprefix("chart-")
    if kind == "horizontal_bar":  # pygal draws the first category at the bottom; read top down
        x_labels, series = x_labels[::-1], {name: values[::-1] for name, values in series.items()}
    chart.x_labels = x_labels
    for index, (name, values) in enumerate(series.items()):
        options = {}
        if _dash(kind, index):
            options["stroke_style"] = {"width": 3, "dasharray": _dash(kind, index)}
        chart.add(name, values, **options)
    return Markup(_clean(chart.render_tree(), chart_id, title, summary))


# Beyond this many categories (a trend of 40 quarters) only every k-th label is written under the
# drawing, so none overlap; the table below still names every one.
MAX_X_LABELS = 10


def _label_every(kind, x_labels) -> int:
    if kind == "horizontal_bar" or len(x_labels) <= MAX_X_LABELS:
        return 1
    return math.ceil(len(x_labels) / MAX_X_LABELS)


def _label_room(kind, x_labels) -> tuple[int, int, int]:
    """Tilt the category labels when they would overlap, and leave room so none is cut at an edge.

    A line chart centres its first and last labels on the plot's edges, so half a label hangs
    outside; a tilted label hangs out to the right. Widths are estimated from the font size.
    """
    if kind == "horizontal_bar" or not x_labels:
        return 0, 10, 28
    char = 16 * 0.55
    longest = max(len(label) for label in x_labels) * char
    plot = WIDTH - 80
    slot = plot / (len(x_labels) - 1 if kind == "line" and len(x_labels) > 1 else len(x_labels))
    rotation = 0 if longest <= slot else 40
    edge = 0 if kind != "line" else longest / 2
    right = max(28, int(edge if rotation == 0 else longest * 0.77 - slot / 2 + edge))
    left = max(10, int(edge - 30)) if rotation == 0 else 10
    return rotation, left, right


def _value_axis(kind, series, y_range):
    """The value axis: whole numbers from zero (or the range given), at most about six ticks."""
    if y_range is not None:
        low, high = y_range
        return low, high, list(range(math.floor(low), math.ceil(high) + 1, _step(high - low)))
    if kind == "stacked_bar":
        columns = zip(*series.values())
        top = max((sum(v or 0 for v in column) for column in columns), default=0)
    else:
        top = max((v for values in series.values() for v in values if v is not None), default=0)
    step = _step(top)
    high = max(step, math.ceil(top / step) * step)
    return 0, high, list(range(0, high + 1, step))


def _step(span) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if span / step <= 6:
            return step
    return 10 ** math.ceil(math.log10(span / 6))


def _clean(root: ET.Element, chart_id: str, title: str, summary: str) -> str:
    """pygal's drawing without its script, comments or hover titles, named for assistive technology."""
    for parent in root.iter():
        for child in list(parent):
            if child.tag is ET.Comment or _local(child.tag) in ("script", "title"):
                parent.remove(child)
    title_el = ET.Element("title", {"id": f"{chart_id}-title"})
    title_el.text = title
    desc_el = ET.Element("desc", {"id": f"{chart_id}-desc"})
    desc_el.text = summary
    root.insert(0, desc_el)
    root.insert(0, title_el)
    root.set("id", chart_id)
    root.set("class", "pygal-chart app-chart-svg")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("focusable", "false")
    root.set("preserveAspectRatio", "xMidYMid meet")
    return ET.tostring(root, encoding="unicode")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text_on(colour: str) -> str:
    """Dark or white text, whichever contrasts more with ``colour`` (WCAG relative luminance)."""
    return NHS_TEXT if _contrast(colour, NHS_TEXT) >= _contrast(colour, "#ffffff") else "#ffffff"


def _luminance(colour: str) -> float:
    def channel(c):
        c = int(c, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# --- heatmap: an HTML table whose cells carry a colour and words -------------------------------


@dataclass(frozen=True)
class HeatCell:
    """One cell: its words (always shown), an optional second line, and a colour tone from HEAT_TONES."""

    text: str
    tone: str = "none"
    note: str = ""
    href: str | None = None

    def __post_init__(self):
        if self.tone not in HEAT_TONES:
            raise ValueError(f"unknown tone {self.tone!r}; expected one of {HEAT_TONES}")


@dataclass(frozen=True)
class HeatRow:
    label: str
    cells: tuple[HeatCell, ...]
    href: str | None = None


@dataclass(frozen=True)
class Heatmap:
    id: str
    title: str
    summary: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[HeatRow, ...]
    key: tuple[tuple[str, str], ...] = field(default=())
    empty_text: str = "There is nothing to show yet."

    @property
    def empty(self) -> bool:
        return not self.rows


def heatmap(title: str, summary: str, row_header: str, columns: Sequence[str],
            rows: Sequence[tuple[str, Sequence[HeatCell]] | HeatRow], *, key: Sequence[tuple[str, str]] = (),
            empty_text: str | None = None) -> Heatmap:
    """A table of rows x columns; ``key`` lists (tone, words) pairs explaining the colours."""
    built = []
    for row in rows:
        row = row if isinstance(row, HeatRow) else HeatRow(row[0], tuple(row[1]))
        if len(row.cells) != len(columns):
            raise ValueError(f"row {row.label!r} has {len(row.cells)} cells for {len(columns)} columns")
        built.append(row)
    extra = {"empty_text": empty_text} if empty_text is not None else {}
    heatmap_id = "heatmap-" + hashlib.sha1(json.dumps(
        [title, summary, list(columns), [[r.label, [c.text for c in r.cells]] for r in built]]).encode()).hexdigest()[:12]
    return Heatmap(heatmap_id, title, summary, row_header, tuple(columns), tuple(built), tuple(key), **extra)


def level_cell(current: int | None, aim: int | None = None, href: str | None = None) -> HeatCell:
    """A levels-heatmap cell: coloured by the level now, saying it and the level aimed for."""
    if current is None and aim is None:
        return HeatCell("Not assessed", "none", href=href)
    text = f"Level {current}" if current is not None else "Level not given"
    if aim is None:
        note = ""
    elif aim == current:
        note = "aiming to stay there"
    else:
        note = f"aiming for {aim}"
    return HeatCell(text, f"level-{current}" if current in range(1, 6) else "none", note, href)


LEVEL_KEY = tuple((f"level-{n}", f"Level {n}") for n in range(1, 6))
