"""The Trust's resources as CSV: download, and upload to add, update and retire entries.

One row per resource (archived ones too), columns ``COLUMNS``; a service is
named by its code or its name (codes first), and ``last_checked`` is for
reading only (an upload leaves it alone). On download,
text a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading apostrophe; on upload that
apostrophe is taken off again, so a file downloaded, edited and uploaded keeps
every word as it was. An upload is checked row by row first; then either every
row is recorded, in one transaction under the Trust's lock, or none is (unless
the admin chose to skip the refused rows).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from core.commands import CommandError
from core.events import EventError, locked
from core.exports.csvzip import FORMULA_STARTS, csv_text

from . import commands, queries, rules

COLUMNS = ["id", "name", "kind", "scope", "description", "address", "phone", "email", "website", "consent_by",
           "consent_on", "tags", "services", "status", "last_checked"]
READ_ONLY = ("last_checked",)
REQUIRED = ("name", "scope")
STATUSES = ("active", "archived")
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
SERVICE_SEPARATOR = ";"


def export_csv() -> str:
    names = queries.service_names()
    rows = sorted(queries.resources() + queries.resources(archived=True), key=lambda r: r.id)
    return csv_text(COLUMNS, [
        [r.id, r.name, r.kind, r.scope, r.description, r.address, r.phone, r.email, r.website, r.consent_by,
         r.consent_on.isoformat() if r.consent_on else "", ", ".join(r.tags or []),
         f"{SERVICE_SEPARATOR} ".join(names.get(s, str(s)) for s in r.service_ids or []),
         "archived" if r.archived else "active",
         r.checked_at.date().isoformat() if r.checked_at else ""] for r in rows])


@dataclass
class Outcome:
    """What an upload does (or would do), and each refused row."""

    added: int = 0
    updated: int = 0
    retired: int = 0
    restored: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        # brought back from the archive counts as updated
        return {"added": self.added, "updated": self.updated + self.restored, "retired": self.retired,
                "errors": self.errors}

    def refuse(self, row: int, field_name: str, message: str) -> None:
        self.errors.append({"row": row, "field": field_name, "message": message})


def _plain(value: str) -> str:
    """A downloaded cell's apostrophe taken off again."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CommandError(f"The file is too big: keep it to {MAX_BYTES // (1024 * 1024)} MB "
                           f"and {MAX_ROWS:,} rows or fewer.", {"file": ["Too big."]})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CommandError("The file is not in UTF-8. In your spreadsheet, save it as \"CSV UTF-8\" and try again.",
                           {"file": ["Not UTF-8."]}) from None


def _read(text: str) -> tuple[list[str], list[dict]]:
    if "\x00" in text:
        raise CommandError("The file is not a CSV file. Choose a file saved as CSV.", {"file": ["Not CSV."]})
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise CommandError("The file is empty. Download the resources first to see the columns.",
                               {"file": ["Empty."]})
        header = [h.strip().lower() for h in header]
        unknown = [h for h in header if h not in COLUMNS]
        missing = [c for c in REQUIRED if c not in header]
        if unknown or missing or len(set(header)) != len(header):
            problems = []
            if unknown:
                problems.append(f"unknown columns: {', '.join(unknown[:5])}")
            if missing:
                problems.append(f"missing columns: {', '.join(missing)}")
            if len(set(header)) != len(header):
                problems.append("a column named twice")
            raise CommandError(f"The columns are not right ({'; '.join(problems)}). Use the columns of a "
                               f"downloaded file: {', '.join(COLUMNS)}.", {"file": ["Wrong columns."]})
        rows = []
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise CommandError(f"The file has more than {MAX_ROWS:,} rows. Upload {MAX_ROWS:,} rows or fewer "
                                   "at a time; nothing was recorded.", {"file": ["Too many rows."]})
            if not any(c.strip() for c in cells):
                rows.append(None)  # a blank line: counted, so row numbers match the spreadsheet's
                continue
            rows.append({name: _plain(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)}
                        | {"_extra": len(cells) > len(header)})
    except csv.Error as err:
        raise CommandError(f"The file could not be read as CSV ({err}).", {"file": ["Not CSV."]}) from None
    return header, rows


def _services(text: str, outcome: Outcome, number: int) -> list[int] | None:
    ids, unknown = queries.services_named([part for part in text.split(SERVICE_SEPARATOR)])
    if unknown:
        outcome.refuse(number, "services", queries.unknown_services(unknown))
        return None
    return ids


@locked()
def upload(text: str, *, dry_run: bool, skip_refused: bool = False) -> Outcome:
    """Check every row, then record them all (or none). The caller commits, or rolls back on a dry run."""
    header, rows = _read(text)
    outcome = Outcome()
    existing = {r.id: r for r in queries.resources() + queries.resources(archived=True)}
    seen_ids, seen_names, work = set(), {}, []
    for number, row in enumerate(rows, start=2):  # the header is row 1
        if row is None:
            continue
        if row.pop("_extra"):
            outcome.refuse(number, "row", "This row has more cells than there are columns.")
            continue
        resource = None
        raw_id = row.get("id", "").strip()
        if raw_id:
            if not raw_id.isdigit() or int(raw_id) not in existing:
                outcome.refuse(number, "id", f"There is no resource numbered {raw_id[:20]} in this Trust. "
                                             "Leave the id empty to add a new one.")
                continue
            if int(raw_id) in seen_ids:
                outcome.refuse(number, "id", f"Resource {raw_id} is in the file twice.")
                continue
            seen_ids.add(int(raw_id))
            resource = existing[int(raw_id)]
        status = (row.get("status") or "active").strip().lower()
        if status not in STATUSES:
            outcome.refuse(number, "status", "Write active or archived as the status.")
            continue
        service_ids = _services(row.get("services", ""), outcome, number)
        if service_ids is None:
            continue
        data = {key: row[key] for key in (*rules.WORD_FIELDS, "kind", "consent_on") if key in row}
        data.update(scope=row["scope"].strip().lower(), tags=row.get("tags", ""), service_ids=service_ids)
        if resource is not None:
            # a column left out of the file leaves that detail as it is
            data = {**commands.current_fields(resource), **{k: v for k, v in data.items() if k in row
                                                            or k in ("scope", "service_ids")}}
            if "services" not in row:
                data["service_ids"] = list(resource.service_ids or [])
        try:
            values = rules.clean(data)
        except CommandError as err:
            for name, messages in err.fields.items():
                outcome.refuse(number, name, " ".join(messages))
            continue
        key = values["name"].casefold()
        if status == "active" and key in seen_names:
            outcome.refuse(number, "name", f"{values['name']} is in the file twice (row {seen_names[key]}).")
            continue
        if status == "active":
            seen_names[key] = number
        if resource is not None and resource.package:
            if values != commands.current_fields(resource):
                outcome.refuse(number, "id", f"{resource.name} comes from the {resource.package} package, so it is "
                                             "changed there; only its status can change here.")
                continue
        work.append((number, resource, values, status))
    # a new name already used by an active resource left out of the file is a duplicate too
    for number, resource, values, status in work:
        if resource is None and status == "active":
            clash = [r for r in existing.values() if not r.archived and r.id not in seen_ids
                     and r.name.casefold() == values["name"].casefold()]
            if clash:
                outcome.refuse(number, "name", f"There is already a resource called {clash[0].name}.")
    refused = {e["row"] for e in outcome.errors}
    if outcome.errors and not skip_refused:
        _count(outcome, work, refused)
        return outcome
    for number, resource, values, status in work:
        if number in refused:
            continue
        if resource is None:
            if not dry_run:
                added = commands.add_resource(values)
                if status == "archived":
                    commands.archive_resource(added)
            outcome.added += 1
            continue
        if values != commands.current_fields(resource):
            if not dry_run:
                commands.change_resource(resource, values)
            outcome.updated += 1
        if status == "archived" and not resource.archived:
            if not dry_run:
                commands.archive_resource(resource)
            outcome.retired += 1
        elif status == "active" and resource.archived:
            if not dry_run:
                commands.restore_resource(resource)
            outcome.restored += 1
    return outcome


def _count(outcome: Outcome, work: list, refused: set) -> None:
    """What the rows that passed would have done (nothing is recorded while any row is refused)."""
    for number, resource, values, status in work:
        if number in refused:
            continue
        if resource is None:
            outcome.added += 1
            continue
        outcome.updated += values != commands.current_fields(resource)
        outcome.retired += status == "archived" and not resource.archived
        outcome.restored += status == "active" and resource.archived


__all__ = ["COLUMNS", "EventError", "Outcome", "decode", "export_csv", "upload"]
