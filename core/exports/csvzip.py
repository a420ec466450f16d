"""A report as a zip of CSV files: ``about.csv``, then each section's facts and tables.

Cells that a spreadsheet would run as a formula (text starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading apostrophe, so opening
an export never runs what someone typed into a name or a note.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

from .about import Report
from .tables import Table, tables

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """Text a spreadsheet would read as a formula, made plain text; numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralised(name) for name in header])
    writer.writerows([neutralised(value) for value in row] for row in rows)
    return out.getvalue()


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "-", text).strip("-.") or "section"


def files(report: Report) -> dict[str, str]:
    """File name -> CSV text, in the order a reader opens them."""
    about = report.about()
    found = {"about.csv": ""}
    contents = []
    for number, fragment in enumerate(report.fragments, start=1):
        prefix = f"{number:02d}-{safe_name(fragment.plugin)}"

        def place(name, prefix=prefix):
            return f"{prefix}-{safe_name(name)}.csv"

        for table in tables(fragment.data, place):
            file_name = place(table.name) if table.name else f"{prefix}.csv"
            if not table.name:
                table = Table("", table.header, [["section", fragment.title], *table.rows])
            found[file_name] = csv_text(table.header, table.rows)
            contents.append([f"file {file_name}", fragment.title if not table.name else
                             f"{fragment.title}: {table.name}"])
    found["about.csv"] = csv_text(["field", "value"], [[key, "" if value is None else value]
                                                       for key, value in about.items()] + contents)
    return found


def zipped(report: Report) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files(report).items():
            # a byte-order mark lets spreadsheets read the text as UTF-8
            archive.writestr(name, "\ufeff" + text)
    return buffer.getvalue()
