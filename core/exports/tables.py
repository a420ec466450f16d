"""A fragment's facts (``Fragment.data``) as tables, without knowing what the plugin meant.

Every plugin's data is JSON-able, so one honest flattening serves them all:

- the fragment's own facts become a two-column table, ``field`` and ``value``,
  one row per single value, named by its path (``latest.key_answers.q5_attendance``);
- each list of records (dicts) anywhere outside a record becomes a table of its
  own, one row per record, one column per path inside a record
  (``groups.staff.individual.met``); its place in the facts table says where;
- a list of single values is one cell, its items joined by ``; ``;
- no value is left out, renamed or rounded: numbers stay numbers and dates
  stay as the plugin gave them (ISO ``YYYY-MM-DD``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

LIST_JOIN = "; "


@dataclass
class Table:
    name: str  # "" for the fragment's own facts, else the path of its list ("round.steps")
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def cell(value: Any) -> Any:
    """A single value as it goes into a cell: text, a number, or empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return LIST_JOIN.join(str(cell(item)) for item in value)
    return str(value)


def _leaves(value: Any, path: str) -> list[tuple[str, Any]]:
    """(path, value) for every single value inside a record; lists of records by index."""
    if isinstance(value, dict):
        found = []
        for key, inner in value.items():
            found += _leaves(inner, f"{path}.{key}" if path else str(key))
        return found
    if is_records(value):
        found = []
        for number, inner in enumerate(value, start=1):
            found += _leaves(inner, f"{path}.{number}")
        return found
    return [(path, cell(value))]


def _records_table(name: str, records: list[dict]) -> Table:
    rows = [dict(_leaves(record, "")) for record in records]
    header: list[str] = []
    for row in rows:
        header += [key for key in row if key not in header]
    return Table(name, header, [[row.get(key, "") for key in header] for row in rows])


def tables(data: dict, place=lambda name: f"the table {name}") -> list[Table]:
    """The fragment's facts table first, then one table per list of records, in the order met.

    ``place(name)`` says where a list's table will be found (a file name, in a zip).
    """
    facts = Table("", ["field", "value"])
    found = [facts]

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else str(key))
        elif is_records(value):
            table = _records_table(path, value)
            found.append(table)
            facts.rows.append([path, f"{len(value)} {'row' if len(value) == 1 else 'rows'}: see {place(path)}"])
        elif path:
            facts.rows.append([path, "" if value == {} else cell(value)])

    walk(data, "")
    return found
