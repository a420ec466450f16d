"""core.charts: SVG charts with their numbers as a table, and the heatmap table."""
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from flask import render_template_string

from core import charts

SVG = "{http://www.w3.org/2000/svg}"
YEARS = ["2023", "2024", "2025"]
LEVELS = {"Level 1": [4, 2, 1], "Level 2": [1, 2, 2], "Level 3": [0, 1, 2]}


def every_chart():
    return [
        charts.line("Indicators met per round", "More were met each round.", ["Round 1", "Round 2"],
                    {"Met": [1, 3], "Not met": [4, 2]}),
        charts.bar("Health checks held", "More were held each year.", YEARS, {"Held": [2, 5, 7]}),
        charts.bar("Attendance", "Attendance rose.", ["15 January 2025", "18 June 2025"],
                   {"Service users": [4, 11]}, horizontal=True),
        charts.stacked_bar("Services at each level", "Most services moved up.", YEARS, LEVELS,
                           colours=charts.LEVEL_COLOURS),
    ]


@pytest.fixture
def render(app):
    def render(source, **context):
        with app.test_request_context():
            return render_template_string(source, **context)

    return render


class Tables(HTMLParser):
    """The cells of each table on a page, row by row, as text."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def tables_of(html):
    parser = Tables()
    parser.feed(html)
    return parser.tables


@pytest.mark.parametrize("chart", every_chart(), ids=lambda c: c.kind)
def test_the_svg_is_well_formed_self_contained_and_named(chart):
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == chart.title and desc.text == chart.summary
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # no script, no comment, nothing fetched from elsewhere: "http" only in the namespace
    assert not root.findall(f".//{SVG}script") and "<script" not in chart.svg and "<!--" not in chart.svg
    assert re.findall(r"https?:[^\s\"'<>)]*", str(chart.svg)) == ["http://www.w3.org/2000/svg"]
    assert "href" not in chart.svg and "@import" not in chart.svg and "url(" not in chart.svg
    # a fixed drawing size in the viewBox, scaled by the page rather than fixed in pixels
    assert root.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}"
    assert root.get("width") is None and root.get("height") is None


def test_the_svg_draws_the_values_it_is_given():
    chart = charts.stacked_bar("Services at each level", "Most services moved up.", YEARS, LEVELS)
    root = ET.fromstring(str(chart.svg))
    printed = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "value" and t.text]
    # each non-zero value is written on its own segment; zero segments are not drawn
    assert sorted(printed) == sorted(str(v) for values in LEVELS.values() for v in values if v)
    assert [t.text for t in root.iter(f"{SVG}text") if t.text in YEARS] == YEARS


def test_the_table_holds_exactly_the_numbers_of_the_series(render):
    chart = charts.stacked_bar("Services at each level", "Most services moved up.", YEARS, LEVELS,
                               x_title="Year")
    assert chart.table.headers == ("Year", "Level 1", "Level 2", "Level 3")
    assert chart.table.rows == (("2023", 4, 1, 0), ("2024", 2, 2, 1), ("2025", 1, 2, 2))
    html = render('{% from "macros/charts.html" import chart %}{{ chart(c) }}', c=chart)
    [table] = tables_of(html)
    assert table == [["Year", "Level 1", "Level 2", "Level 3"],
                     ["2023", "4", "1", "0"], ["2024", "2", "2", "1"], ["2025", "1", "2", "2"]]
    assert chart.as_dict()["rows"] == [["2023", 4, 1, 0], ["2024", 2, 2, 1], ["2025", 1, 2, 2]]


def test_the_figure_has_title_summary_drawing_key_and_table(render):
    chart = charts.line("Indicators met per round", "More were met each round.", ["Round 1", "Round 2"],
                        {"Met": [1, 3.5], "Not met": [None, 2]}, x_title="Round", missing_text="Not evaluated")
    html = render('{% from "macros/charts.html" import chart %}{{ chart(c, heading_level=3) }}', c=chart)
    assert f'<h3 class="nhsuk-heading-s app-chart-figure__title" id="{chart.id}-caption">' \
           "Indicators met per round</h3>" in html
    assert "<figcaption>" in html and "More were met each round." in html
    assert html.index("<figcaption>") < html.index("<svg") < html.index("<table")
    # the key names each line; its swatches are hidden from screen readers, the names are not
    assert 'aria-label="Key"' in html and ">Met</li>" in html and ">Not met</li>" in html
    assert 'stroke-dasharray="12, 6"' in html  # the second line is dashed, not only another colour
    [table] = tables_of(html)
    assert table[1:] == [["Round 1", "1", "Not evaluated"], ["Round 2", "3.5", "2"]]


def test_a_chart_without_data_says_so_in_words(render):
    for chart in (charts.line("Indicators met per round", "No rounds yet.", [], {"Met": []}),
                  charts.bar("Attendance", "Nothing answered yet.", YEARS, {"Service users": [None] * 3},
                             empty_text="No health check has been submitted yet.")):
        assert chart.empty and chart.svg is None
        html = render('{% from "macros/charts.html" import chart %}{{ chart(c) }}', c=chart)
        assert "<svg" not in html and "<table" not in html
        assert chart.empty_text in html
    assert "There are no figures to show yet." in render(
        '{% from "macros/charts.html" import chart %}{{ chart(c) }}',
        c=charts.line("Indicators met per round", "No rounds yet.", [], {"Met": []}))


def test_zeros_are_figures_not_an_empty_chart():
    chart = charts.bar("Health checks overdue", "None is overdue.", YEARS, {"Overdue": [0, 0, 0]})
    assert not chart.empty
    assert ET.fromstring(str(chart.svg)).find(f"{SVG}title").text == "Health checks overdue"


def test_labels_are_escaped_in_the_svg_and_the_table(render):
    chart = charts.bar("Sessions <b>held</b>", "A <i>summary</i> & more.", ["<b>", "2025"],
                       {"Group <script>": [1, 2]})
    svg = str(chart.svg)
    assert "<b>" not in svg and "<script" not in svg and "<i>" not in svg
    assert "&lt;b&gt;" in svg and "Sessions &lt;b&gt;held&lt;/b&gt;" in svg
    ET.fromstring(svg)  # still well-formed
    html = render('{% from "macros/charts.html" import chart %}{{ chart(c) }}', c=chart)
    outside_svg = html[:html.index("<svg")] + html[html.index("</svg>"):]
    assert "<b>" not in outside_svg and "<script" not in outside_svg
    assert "Sessions &lt;b&gt;held&lt;/b&gt;" in outside_svg and "A &lt;i&gt;summary&lt;/i&gt; &amp; more." in outside_svg
    [table] = tables_of(html)
    assert table == [["Category", "Group <script>"], ["<b>", "1"], ["2025", "2"]]


def test_series_must_match_the_labels():
    with pytest.raises(ValueError, match="has 2 values for 3 labels"):
        charts.bar("Held", "Held each year.", YEARS, {"Held": [1, 2]})


def test_the_value_axis_counts_in_whole_numbers():
    root = ET.fromstring(str(charts.bar("Held", "Held each year.", YEARS, {"Held": [1, 2, 3]}).svg))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.replace(".", "").isdigit()
             and "." in t.text]
    assert ticks == []  # no 0.5 steps for counts
    levels = charts.line("Level now", "Rose to 4.", YEARS, {"Individual": [2, 3, 4]}, y_range=(1, 5))
    axis = ET.fromstring(str(levels.svg)).find(f".//{SVG}g[@class='axis y always_show']")
    assert [t.text for t in axis.iter(f"{SVG}text")] == ["1", "2", "3", "4", "5"]


def test_text_on_every_palette_colour_has_enough_contrast():
    for colour in (*charts.PALETTE, *charts.LEVEL_COLOURS, *charts.ANSWER_COLOURS):
        assert charts._contrast(colour, charts._text_on(colour)) >= 4.5, colour
    for colour in charts.LINE_COLOURS:  # thin lines on white
        assert charts._contrast(colour, "#ffffff") >= 3, colour


def test_the_heatmap_is_a_table_whose_cells_say_their_level(render):
    heat = charts.heatmap(
        "Levels by service", "Oak is furthest on.", "Service", ["Individual", "Service"],
        [charts.HeatRow("Oak <day> centre", (charts.level_cell(4, 5, href="/t/oak"), charts.level_cell(3, 3)),
                        href="/t/oak/services/1"),
         ("Willow ward", [charts.level_cell(None), charts.level_cell(2)])],
        key=charts.LEVEL_KEY)
    html = render('{% from "macros/charts.html" import heatmap %}{{ heatmap(h) }}', h=heat)
    [table] = tables_of(html)
    assert table == [["Service", "Individual", "Service"],
                     ["Oak <day> centre", "Level 4aiming for 5", "Level 3aiming to stay there"],
                     ["Willow ward", "Not assessed", "Level 2"]]
    assert "Oak &lt;day&gt; centre" in html and "<day>" not in html
    assert 'class="nhsuk-table__cell app-heat__cell app-heat--level-4"' in html
    assert 'class="nhsuk-table__cell app-heat__cell app-heat--none"' in html
    assert '<a class="app-heat__link" href="/t/oak">Level 4</a>' in html
    assert '<a href="/t/oak/services/1">Oak &lt;day&gt; centre</a>' in html
    assert "What the colours mean" in html and "Level 5</li>" in html
    empty = charts.heatmap("Levels by service", "No service yet.", "Service", ["Individual"], [],
                           empty_text="There are no services yet.")
    assert "There are no services yet." in render(
        '{% from "macros/charts.html" import heatmap %}{{ heatmap(h) }}', h=empty)
    with pytest.raises(ValueError):
        charts.HeatCell("Level 9", "level-9")


def test_the_stylesheet_has_every_heat_tone():
    from pathlib import Path

    import core

    css = (Path(core.__file__).parent / "static" / "app.css").read_text()
    for tone in charts.HEAT_TONES:
        assert f".app-heat--{tone}{{" in css, tone


def test_a_long_trend_names_every_few_categories_under_the_drawing_and_all_in_the_table():
    labels = [f"Q{i}" for i in range(40)]
    chart = charts.stacked_bar("Forty quarters", "A long trend.", labels, {"Services": list(range(40))})
    written = re.findall(r"<text[^>]*>(Q\d+)</text>", str(chart.svg))
    assert len(written) <= 10 and written[-1] == "Q39"  # the latest is always named
    assert [row[0] for row in chart.table.rows] == labels
