"""A report as a print-ready PDF, drawn from the very templates the report page shows.

xhtml2pdf (HTML and CSS to PDF, in Python alone) draws the core's rendering of
each fragment, so every plugin's section, tables and charts included, comes out
as on the page without a PDF layout of its own. Two things it does not do are
done here: it draws SVG only from images, so inline ``<svg>`` charts are handed
to it as ``data:`` images, and it never breaks a long word, so a table cell that
holds one (a web address) may break anywhere. It fetches nothing from any address.
"""
from __future__ import annotations

import base64
import io
import logging
import re

from flask import current_app, render_template
from markupsafe import Markup

from .. import reports
from .about import Report

# xhtml2pdf names every CSS property it does not draw; the page's CSS is not written for it.
logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)

INLINE_SVG = re.compile(r"<svg\b.*?</svg>", re.S | re.I)
SIZE = re.compile(r'\b(width|height)="([\d.]+)(px)?"')
VIEW_BOX = re.compile(r'viewBox="[\d.\s-]*?([\d.]+)\s+([\d.]+)"')
MAX_WIDTH_PT = 480
CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
# Longer than a column is wide: web addresses, e-mail addresses, a name typed without spaces.
LONG_WORD = re.compile(r"[^\s<>]{24,}")


def _svg_as_image(match: re.Match) -> str:
    svg = match.group(0)
    if "xmlns=" not in svg[:200]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    sizes = {name: float(value) for name, value, _ in SIZE.findall(svg[:svg.find(">")])}
    box = VIEW_BOX.search(svg[:svg.find(">")])
    width = sizes.get("width") or (float(box.group(1)) if box else MAX_WIDTH_PT)
    height = sizes.get("height") or (float(box.group(2)) if box else width / 2)
    scale = min(1.0, MAX_WIDTH_PT / width)
    source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img src="data:image/svg+xml;base64,{source}" '
            f'width="{int(width * scale)}" height="{int(height * scale)}" alt="">')


def inline_svgs_as_images(html: str) -> str:
    return INLINE_SVG.sub(_svg_as_image, html)


def _breakable_cell(match: re.Match) -> str:
    """A cell holding a word too long for its column may break inside words, as xhtml2pdf would not."""
    tag, attributes, inner = match.groups()
    if not LONG_WORD.search(TAG.sub(" ", inner)):
        return match.group(0)
    if 'style="' in attributes:
        attributes = attributes.replace('style="', 'style="-pdf-word-wrap: CJK; ', 1)
    else:
        attributes += ' style="-pdf-word-wrap: CJK"'
    return f"<{tag}{attributes}>{inner}</{tag}>"


def breakable_cells(html: str) -> str:
    return CELL.sub(_breakable_cell, html)


def _only_inline(uri: str, rel: str) -> str:
    """Draw only what the document carries itself: never fetch an address or read a file."""
    return uri if uri.startswith("data:") else ""


def html(report: Report) -> str:
    sections = [(fragment, Markup(breakable_cells(inline_svgs_as_images(reports.render(fragment, report.when)))))
                for fragment in report.fragments]
    return render_template("reports/report_pdf.html", report=report, sections=sections)


def pdf(report: Report) -> bytes:
    from xhtml2pdf import pisa  # imported when a PDF is asked for: it is a fifth of the app's start-up

    out = io.BytesIO()
    result = pisa.CreatePDF(html(report), dest=out, encoding="utf-8", link_callback=_only_inline)
    if result.err:  # something it could not draw (an image, say) is left out; the rest stands
        current_app.logger.warning("xhtml2pdf left out %s part(s) of %s", result.err, report.heading)
    return out.getvalue()
