"""Loading exported event logs into a database that does not hold those Trusts yet.

An export (``events export``, the audit page's download) is the whole history of
a Trust: every event with its hash. Importing checks each chain, writes the
Trust and its events exactly as they were (same Trust id, same numbers, same
hashes, and the same ids for the events that started a record, since a
record's id is the id of the event that created it), then rebuilds every table
and its history with the projectors, as ``events replay`` does.

What an export does not hold is identity: accounts (people's e-mail addresses,
names and passwords) are kept outside the log. Each member the log names gets a
placeholder account with no password, to be given its owner's details later.
Personal words travel only in an export made with ``--with-personal``;
without them the words read "[erased]", as after an erasure.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, text

from .db import db
from .events import Event, EventPersonal, event_types, replay, verify_records, verify_tenant
from .models import Tenant, User
from .tenancy import ALL_TENANTS, tenant_context

PLACEHOLDER_DOMAIN = "imported.invalid"  # .invalid never resolves: no mail can reach these


class ImportRefused(Exception):
    """The file cannot be imported; nothing was written. The message is one plain line."""


@dataclass
class Imported:
    slug: str
    tenant_id: int
    events: int
    head: str
    placeholders: int
    with_words: int
    without_words: int


def _when(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def _stream_id(rec: dict) -> int | None:
    key = str(rec.get("stream", "")).split(":", 1)[-1]
    return int(key) if key.isdigit() else None


FIELDS = {"stream": str, "actor": str, "occurred_at": str, "payload": dict, "prev_hash": str, "hash": str}


def _malformed(rec: dict, etype) -> str | None:
    """What makes a record that verifies still unfit to store (a file written by hand), or None."""
    for name, kind in FIELDS.items():
        if not isinstance(rec.get(name), kind):
            return f"its {name} is missing or of the wrong kind"
    if rec.get("service_id") is not None and not isinstance(rec["service_id"], int):
        return "its service_id is not a number"
    if rec.get("personal_digest") is not None and not isinstance(rec["personal_digest"], str):
        return "its personal_digest is not text"
    try:
        _when(rec["occurred_at"])
    except ValueError:
        return "its occurred_at is not a moment in UTC"
    if etype.creates and _stream_id(rec) is None:
        return "the record it creates has no number"
    if etype.schema is not None:
        errors = etype.schema().validate(rec["payload"])
        if errors:
            return f"its payload does not fit its type ({', '.join(sorted(errors))})"
    return None


def check(groups: dict[int, list[dict]], path: str) -> dict[int, int]:
    """Refuse what cannot be imported; return the ids the events that created records must keep."""
    if not groups:
        raise ImportRefused(f"{path} holds no events: there is nothing to import.")
    types = event_types()
    reserved: dict[int, int] = {}
    for tenant_id, records in groups.items():
        first = records[0]
        payload = first.get("payload") if isinstance(first.get("payload"), dict) else {}
        slug = payload.get("slug")
        if first.get("type") != "tenant.created" or first.get("stream") != f"tenant:{tenant_id}" or not slug:
            raise ImportRefused(f"The events of Trust id {tenant_id} in {path} do not start with the Trust's "
                                "creation: import a whole export, not part of one.")
        report = verify_records(copy.deepcopy(records))
        if not report.ok:
            raise ImportRefused(f"{path} does not verify: Trust {slug}: event {report.first_bad_seq}: "
                                f"{report.reason}. Nothing was imported.")
        if db.session.scalar(select(Tenant.id).where((Tenant.slug == slug) | (Tenant.id == tenant_id))):
            raise ImportRefused(f"A Trust called {slug!r} (or with its id, {tenant_id}) already exists in this "
                                "database. Nothing was imported.")
        for rec in records:
            etype = types.get(rec["type"])
            if etype is None:
                raise ImportRefused(f"Trust {slug} has events of type {rec['type']!r}, which no installed plugin "
                                    "knows: install the plugin first. Nothing was imported.")
            problem = _malformed(rec, etype)
            if problem:
                raise ImportRefused(f"Event {rec['seq']} of Trust {slug} in {path} cannot be imported: {problem}. "
                                    "Nothing was imported.")
            if etype.creates:
                reserved[_stream_id(rec)] = tenant_id
    taken = db.session.scalars(select(Event.id).where(Event.id.in_(list(reserved)))
                               .execution_options(**ALL_TENANTS)).first()
    if taken is not None:
        raise ImportRefused(f"This database already holds an event with id {taken}, which {path} needs for a "
                            "record of its own. Import into an empty database. Nothing was imported.")
    return reserved


def _placeholder(user_id: int) -> User:
    """The account a member named in the log signs in with once an admin gives it its owner's details."""
    existing = db.session.get(User, user_id)
    if existing is not None:
        if existing.email.endswith("@" + PLACEHOLDER_DOMAIN):
            return existing
        raise ImportRefused(f"Account {user_id}, named in the log, is already someone else's here "
                            f"({existing.email}). Import into an empty database. Nothing was imported.")
    user = User(id=user_id, email=f"member-{user_id}@{PLACEHOLDER_DOMAIN}",
                display_name=f"Imported member {user_id}", password_hash="!")  # "!" matches no password
    db.session.add(user)
    return user


def new_ids(reserved: dict[int, int]) -> Callable[[], int]:
    """Ids for events that created nothing: past every id in use and clear of the reserved ones."""
    used = db.session.scalar(select(func.max(Event.id)).execution_options(**ALL_TENANTS)) or 0
    start = max([used, *reserved])
    state = {"next": start + 1}

    def next_id() -> int:
        value = state["next"]
        state["next"] += 1
        return value

    return next_id


def load(tenant_id: int, records: list[dict], reserved: dict[int, int], next_id: Callable[[], int],
         progress: Iterable | None = None) -> Imported:
    """Write one Trust's events as they were, then rebuild its tables from them."""
    types = event_types()
    first = records[0]
    slug = first["payload"]["slug"]
    db.session.add(Tenant(id=tenant_id, slug=slug, name=first["payload"]["name"],
                          created_at=_when(first["occurred_at"])))
    db.session.flush()
    members = {rec["payload"]["user_id"] for rec in records if rec["type"] == "member.added"}
    fresh = [uid for uid in sorted(members) if db.session.get(User, uid) is None]
    for user_id in sorted(members):
        _placeholder(user_id)
    db.session.flush()
    with_words = without_words = 0
    with tenant_context(tenant_id):
        for rec in progress if progress is not None else records:
            event_id = _stream_id(rec) if types[rec["type"]].creates else next_id()
            db.session.add(Event(id=event_id, tenant_id=tenant_id, seq=rec["seq"], type=rec["type"],
                                 stream=rec["stream"], service_id=rec["service_id"], actor=rec["actor"],
                                 occurred_at=_when(rec["occurred_at"]), payload=rec["payload"],
                                 personal_digest=rec["personal_digest"], prev_hash=rec["prev_hash"],
                                 hash=rec["hash"]))
            words = rec.get("personal")
            if rec["personal_digest"] is not None and isinstance(words, dict):
                db.session.add(EventPersonal(event_id=event_id, tenant_id=tenant_id, salt=words["salt"],
                                             data=words["data"]))
                with_words += 1
            elif rec["personal_digest"] is not None:
                without_words += 1
            if rec["seq"] % 500 == 0:
                db.session.flush()
        db.session.flush()
        replay(tenant_id)
    report = verify_tenant(tenant_id)
    if not report.ok or report.count != len(records):
        raise ImportRefused(f"Trust {slug} did not verify once imported (event {report.first_bad_seq}: "
                            f"{report.reason}). Nothing was imported.")
    return Imported(slug, tenant_id, report.count, report.head, len(fresh), with_words, without_words)


def advance_sequences() -> None:
    """On PostgreSQL, let new rows take ids after the imported ones (SQLite needs nothing)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("tenants", "users", "events"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"greatest((SELECT coalesce(max(id), 0) FROM {table}), 1))"))
