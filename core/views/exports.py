"""Reports as files to keep: PDF, a zip of CSV files and JSON, for the Trust and for one service.

Each takes the report page's ``as_of`` and ``known_on``; a date that cannot be
used is a plain 400 page. Each file states the Trust, the service, the question,
when it was made and the event log's head (see core.exports.about).
"""
from __future__ import annotations

import io
import json
import re

from flask import Blueprint, abort, g, render_template, send_file

from ..auth import require
from ..exports import csvzip, pdf
from ..exports.about import NotYetAdded, as_json, read_report, service_in_trust
from .reports import chosen_when

bp = Blueprint("exports", __name__)


def _json(report) -> bytes:
    # a date a plugin left as a date goes out as ISO text, as in the CSV files
    return json.dumps(as_json(report), indent=2, ensure_ascii=False,
                      default=lambda value: value.isoformat() if hasattr(value, "isoformat") else str(value)
                      ).encode("utf-8")


FORMATS = {
    "pdf": ("application/pdf", pdf.pdf),
    "zip": ("application/zip", csvzip.zipped),
    "json": ("application/json", _json),
}


def _when():
    form, when, bad = chosen_when()
    if bad:
        abort(400, " ".join(f"The date for “{item.label.text}” needs correcting. {error}"
                            for item in form for error in item.errors))
    return when


def _file_name(report, extension: str) -> str:
    """``north-trust-oak-day-centre-report-2026-01-31-known-2026-02-01.pdf``: says what it holds."""
    parts = [report.trust_slug]
    if report.service:
        parts.append(re.sub(r"[^a-z0-9]+", "-", report.service["name"].lower()).strip("-") or
                     f"service-{report.service['id']}")
    parts += ["report", report.when.day.isoformat()]
    if report.when.known_on:
        parts += ["known", report.when.known_on.isoformat()]
    return "-".join(parts) + "." + extension


def _download(report, extension: str):
    mimetype, make = FORMATS[extension]
    response = send_file(io.BytesIO(make(report)), mimetype=mimetype, as_attachment=True,
                         download_name=_file_name(report, extension), max_age=0)
    response.headers["Cache-Control"] = "no-store"  # reports hold what only members may read
    return response


def each_format(rule: str):
    """One address per format (``report.pdf``, ``report.zip``, ``report.json``), the format passed as ``extension``."""
    def register(view):
        for extension in FORMATS:
            view = bp.get(f"{rule}.{extension}", defaults={"extension": extension})(view)
        return view
    return register


@each_format("/t/<slug>/report")
@require("read")
def tenant_report(extension):
    return _download(read_report(g.tenant, _when()), extension)


@each_format("/t/<slug>/services/<int:service_id>/report")
@require("read")
def service_report(service_id, extension):
    service = service_in_trust(service_id)
    when = _when()
    try:
        report = read_report(g.tenant, when, service)
    except NotYetAdded as err:
        return render_template("errors/error.html", code=404, title="There was nothing to report on that day",
                               message=err.words), 404
    return _download(report, extension)
