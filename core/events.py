"""The append-only, hash-chained event log: the only way any state changes.

``record()`` validates a payload against the schema its event type's owner
declared, appends the event after the tenant's head, and applies the owner's
projector to its table, all in one transaction. ``fold()`` answers "as of"
questions with the very same projector functions, and ``replay()`` rebuilds
every projection from the log.

Words written by or identifying a person are kept apart from the hashed
payload (table ``event_personal``); the hash covers only a salted digest of
them, so erasing them leaves the chain verifiable and the words unrecoverable.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask import current_app
import orjson
from marshmallow import Schema, ValidationError
from sqlalchemy import (JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, cast, delete,
                        insert, literal_column, select, text, type_coerce)
from sqlalchemy.orm import Mapped, lazyload, make_transient_to_detached, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from . import history, submissions
from .db import UTCDateTime, db, utcnow, written_in
from .tenancy import ALL_TENANTS, TenantScoped, built_once, current_tenant_id, tenant_context

GENESIS = "0" * 64
ERASED = "[erased]"

_actor: ContextVar[str] = ContextVar("event_actor", default="system")
_clock: ContextVar[datetime | None] = ContextVar("event_clock", default=None)


class Event(TenantScoped, db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(100))
    stream: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON)
    personal_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    personal_row: Mapped[EventPersonal | None] = relationship(lazy="selectin", viewonly=True)

    __table_args__ = (
        Index("uq_events_tenant_seq", "tenant_id", "seq", unique=True),
        Index("ix_events_tenant_stream", "tenant_id", "stream", "seq"),
        Index("ix_events_tenant_type", "tenant_id", "type"),
        Index("ix_events_tenant_service", "tenant_id", "service_id"),
        Index("ix_events_tenant_occurred", "tenant_id", "occurred_at"),
        Index("ix_events_tenant_actor", "tenant_id", "actor"),  # the audit page's "who did it"
        # The serving role appends and reads, nothing more (core.rls); triggers refuse the rest anyway.
        {"info": {"serving_privileges": ("SELECT", "INSERT")}},
    )

    @property
    def entity_id(self) -> str:
        """The key of what the event is about: ``service:12`` -> ``"12"``."""
        return self.stream.split(":", 1)[1]

    @property
    def erased(self) -> bool:
        return self.personal_digest is not None and self.personal_row is None

    @property
    def personal(self) -> dict:
        """The erasable words; after erasure every value reads ``[erased]``."""
        if self.personal_row is not None:
            return self.personal_row.data
        if self.personal_digest is None:
            return {}
        return _ErasedWords()

    def as_record(self) -> dict:
        """Every hashed field plus the hash: one line of an export."""
        return {
            "tenant_id": self.tenant_id,
            "seq": self.seq,
            "type": self.type,
            "stream": self.stream,
            "service_id": self.service_id,
            "actor": self.actor,
            "occurred_at": iso(self.occurred_at),
            "payload": self.payload,
            "personal_digest": self.personal_digest,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


class EventPersonal(TenantScoped, db.Model):
    """Erasable words of one event. Deleting the row is the erasure."""

    __tablename__ = "event_personal"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_event_personal_tenant_event", "tenant_id", "event_id"),
        # Appended, and deleted only by a recorded erasure (a trigger checks); never updated.
        {"info": {"serving_privileges": ("SELECT", "INSERT", "DELETE")}},
    )


class _ErasedWords(dict):
    def __missing__(self, key):
        return ERASED

    def get(self, key, default=None):
        return ERASED


@dataclass(frozen=True)
class EventType:
    """What a plugin declares for each kind of event it owns.

    ``apply(obj, event)`` is the projector: it folds one event into an instance
    of ``model`` (the row named by the event's stream). The same function
    updates live tables and answers "as of" questions.
    """

    name: str
    model: type
    apply: Callable[[Any, Event], None]
    schema: type[Schema] | None = None
    personal: type[Schema] | None = None
    describe: Callable[[Event, str, str | None], str] | None = None
    creates: bool = False  # the event starts a new stream keyed by the event's own id
    label: str = ""  # a plain name for the audit filter, e.g. "Health check submitted"


class EventError(Exception):
    """The event could not be recorded; nothing was written. Pages and the API answer ``status``."""

    status = 422

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Conflict(EventError):
    """Well formed, but the Trust's current state refuses it (a limit reached, done already,
    a step out of order): a 409. Raise it from a check made under ``locked()``."""

    status = 409


class Stale(Conflict):
    """Someone else saved first: the writer saw ``expected``, the record is now at ``current``.
    Nothing is overwritten. The API answers 412 when the version came in ``If-Match``."""

    def __init__(self, message: str, *, expected: int, current: int):
        super().__init__(message, {"version": [f"You sent version {expected}; it is now at version {current}."]})
        self.expected, self.current = expected, current


def ensure_version(current: int, expected: int | None, message: str) -> None:
    """Refuse a write made from an older copy (``expected`` None: the writer named no version)."""
    if expected is not None and expected != current:
        raise Stale(message, expected=expected, current=current)


# --- hashing -----------------------------------------------------------------

def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    """The moment ``iso()`` wrote, as an aware UTC datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def canonical(value: Any) -> bytes:
    """The bytes an event's hash is taken over: this function defines them."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fast_canonical(value: Any) -> bytes:
    """``canonical(value)`` by orjson, several times quicker. The same bytes for every event the
    platform writes (a test holds them equal); where they could differ (floats written with an
    exponent, NaN, integers beyond 64 bits, keys that are not text) it gives other bytes or raises,
    so callers use it only for a check they repeat with ``canonical`` when it does not match."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def personal_digest(salt: str, data: dict) -> str:
    return hashlib.sha256(salt.encode() + canonical(data)).hexdigest()


PERSONAL = "personal"  # an export's optional copy of the kept words: checked by their digest, not the hash


def event_hash(record: dict) -> str:
    fields = {k: v for k, v in record.items() if k not in ("hash", PERSONAL)}
    return hashlib.sha256(canonical(fields)).hexdigest()


# --- recording -----------------------------------------------------------------

@contextmanager
def acting_as(actor: str):
    """Attribute events recorded inside the block to ``actor`` (``user:7``, ``cli``...)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def recording_at(moment: datetime):
    """Stamp events recorded inside the block with ``moment`` (an aware UTC datetime).

    For importing or generating a history (the demo, benchmarks); people's
    requests always record the present.
    """
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def set_actor(actor: str):
    return _actor.set(actor)


def reset_actor(token) -> None:
    _actor.reset(token)


def event_types() -> dict[str, EventType]:
    return current_app.extensions["changing_lives"].event_types


def _validated(schema: type[Schema] | None, data: dict | None, what: str) -> dict | None:
    if schema is None or data is None:
        if data:
            raise EventError(f"This event takes no {what}.")
        return None
    if not isinstance(data, dict):
        raise EventError(f"The {what} must be a JSON object.")
    try:
        instance = schema()
        return instance.dump(instance.load(data))
    except ValidationError as err:
        raise EventError("Some answers need correcting.", err.normalized_messages()) from None


def _take_lock(session, tenant_id: int) -> None:
    """PostgreSQL: one appender per tenant at a time. SQLite holds its write lock already (every
    transaction that may write begins IMMEDIATE; one begun for a page that is only read cannot
    write over anything it did not see: SQLite refuses the write, core.db), so there is nothing
    to take."""
    from .models import Tenant

    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())


@contextmanager
def locked():
    """Hold the Trust's append lock from here to the end of the transaction, for rules that
    depend on current state (limits, "only once", step order, versions).

    Use it as a decorator on a command function (``@locked()``) or as ``with locked():``
    around a check and the ``record()`` calls it guards. Another writer to the same Trust
    waits until this transaction commits or rolls back, and rows loaded before the lock
    are read again when next used, so a check inside sees everything committed before it
    and nothing changes under it before the events are appended. Refuse with ``Conflict``
    (409) or ``Stale``; the caller's rollback releases the lock. Taking it again in the
    same transaction costs nothing.
    """
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise EventError("No tenant in context.")
    session = db.session()  # the request's own Session, not its scoped proxy
    if not _holds_lock(session, tenant_id):
        session.flush()
        _take_lock(session, tenant_id)
        # Rows loaded before the lock may be out of date: read them again when next used.
        session.expire_all()
        session.info["tenant_lock"] = (session.get_transaction(), tenant_id)
    yield


def _holds_lock(session, tenant_id: int) -> bool:
    """Whether ``locked()`` took the tenant's append lock in the session's transaction."""
    held = session.info.get("tenant_lock")
    return held is not None and held[0] is session.get_transaction() and held[1] == tenant_id


_NEXT_ID_POSTGRESQL = "nextval(pg_get_serial_sequence('events', 'id'))"
_HEAD = built_once(select(Event.seq, Event.hash).order_by(Event.seq.desc()).limit(written_in(1)))


def _lock_head(session, tenant_id: int) -> tuple[int, int, str]:
    """Take the tenant's append lock; (a new event id, the head's seq, the head's hash).

    PostgreSQL: the id comes from the sequence in the statement that takes the lock; the head
    is read by a statement of its own once the lock is granted, so that it sees what the writer
    before committed. Under a lock ``locked()`` took already, the id and the head come in one
    statement. SQLite: the transaction holds the write lock already; one statement.
    """
    from .models import Tenant

    if session.get_bind().dialect.name == "postgresql":
        if not _holds_lock(session, tenant_id):
            event_id = session.scalar(select(literal_column(_NEXT_ID_POSTGRESQL)).select_from(Tenant)
                                      .where(Tenant.id == tenant_id).with_for_update(of=Tenant))
            head = session.execute(_HEAD).first()
            return (event_id, head.seq, head.hash) if head else (event_id, 0, GENESIS)
        next_id = literal_column(f"(SELECT {_NEXT_ID_POSTGRESQL})")  # a sub-select: taken once, whatever the plan
    else:
        # The next id over every tenant's events (text, so the tenant's scope leaves it whole):
        # max() of the primary key is one look-up.
        next_id = literal_column("(SELECT coalesce(max(id), 0) + 1 FROM events)")
    head = session.execute(select(next_id, Event.seq, Event.hash)
                           .order_by(Event.seq.desc()).limit(written_in(1))).first()
    if head is None:
        return _next_event_id(session), 0, GENESIS
    return head[0], head.seq, head.hash


def _next_event_id(session) -> int:
    if db.engine.dialect.name == "postgresql":
        return session.scalar(text("SELECT nextval(pg_get_serial_sequence('events', 'id'))"))
    return session.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM events"))


def record(
    type_name: str,
    payload: dict | None = None,
    *,
    stream: str | None = None,
    service_id: int | None = None,
    personal: dict | None = None,
    actor: str | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Append one event for the tenant in context and project it. Raises EventError."""
    etype = event_types().get(type_name)
    if etype is None:
        raise EventError(f"Unknown event type {type_name!r}.")
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise EventError("No tenant in context.")
    payload = _validated(etype.schema, payload if payload is not None else {}, "payload") or {}
    personal = _validated(etype.personal, personal, "personal details")
    if stream is None and not etype.creates:
        raise EventError(f"{type_name} needs a stream.")

    # Everything that does not depend on the head is made before the lock is taken.
    digest = salt = None
    if personal is not None:
        salt = secrets.token_hex(16)
        digest = personal_digest(salt, personal)
    values = {"tenant_id": tenant_id, "type": type_name, "service_id": service_id, "actor": actor or _actor.get(),
              "occurred_at": occurred_at or _clock.get() or utcnow(), "payload": payload, "personal_digest": digest}

    session = db.session()  # the Session itself: its transaction is asked after (_holds_lock)
    with session.begin_nested():  # a projector that fails leaves no event and no row behind
        event_id, prev_seq, prev_hash = _lock_head(session, tenant_id)
        values.update(id=event_id, seq=prev_seq + 1, prev_hash=prev_hash,
                      stream=stream or f"{etype.model.__stream__}:{event_id}")
        hashed = {key: value for key, value in values.items() if key != "id"}
        values["hash"] = event_hash({**hashed, "occurred_at": iso(values["occurred_at"])})
        # Plain inserts: the log's rows need none of the ORM's unit of work.
        session.execute(insert(Event.__table__), values)
        personal_row = None
        if personal is not None:
            personal_row = {"event_id": event_id, "tenant_id": tenant_id, "salt": salt, "data": personal}
            session.execute(insert(EventPersonal.__table__), personal_row)
            personal_row = _persistent(session, EventPersonal(**personal_row))
        ev = _persistent(session, Event(**values))
        set_committed_value(ev, "personal_row", personal_row)
        project(ev, etype)
        session.flush()
        submissions.file_under_key(ev)  # a form's one-time key, claimed under this lock
    from .cache import forget_log_head

    forget_log_head()
    return ev


def _persistent(session, obj):
    """``obj``, whose row was just inserted, as a persistent object of the session (no SQL)."""
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


# --- projecting ----------------------------------------------------------------

def _stream_key(model: type) -> tuple[str, type]:
    name = getattr(model, "__stream_key__", "id")
    return name, model.__table__.c[name].type.python_type


def _new_row(model: type, ev: Event):
    key_name, key_type = _stream_key(model)
    obj = model(**{key_name: key_type(ev.entity_id)})
    if isinstance(obj, TenantScoped):
        obj.tenant_id = ev.tenant_id
    return obj


def project(ev: Event, etype: EventType | None = None) -> None:
    """Apply one event to its live projection row (creating the row if new)."""
    etype = etype or event_types()[ev.type]
    model = etype.model
    key_name, key_type = _stream_key(model)
    session = db.session
    obj = session.scalars(
        select(model).filter_by(**{key_name: key_type(ev.entity_id)})
    ).one_or_none()
    if obj is None:
        if not etype.creates and key_name == "id":
            # An id the tenant does not have (perhaps another tenant's): nothing to change.
            raise EventError("That record was not found.", {"stream": [f"{ev.stream} was not found."]})
        obj = _new_row(model, ev)
        session.add(obj)
    etype.apply(obj, ev)
    history.keep(obj, ev)


def folding(model: type, *, as_of: datetime | None = None, stream: str | None = None) -> Iterator[tuple]:
    """``(event, row)`` after each of ``model``'s events is applied to a transient row, in log order.

    The one way to rebuild rows from the log, with the same projectors as the
    live tables: ``fold`` keeps the last state of each row, the history check
    (``core.history.fold_versions``) and erasure keep every version. ``as_of``
    limits it to events recorded by then; ``stream`` to a single row.
    """
    types = event_types()
    query = select(Event).order_by(Event.seq)  # projectors read the personal words: loaded in batches
    if stream is not None:
        query = query.where(Event.stream == stream)
    else:
        query = query.where(Event.stream.like(f"{model.__stream__}:%"))
    if as_of is not None:
        query = query.where(Event.occurred_at <= as_of)
    rows: dict = {}
    for ev in db.session.scalars(query):
        etype = types.get(ev.type)
        if etype is None or etype.model is not model:
            continue
        row = rows.get(ev.entity_id)
        if row is None:
            row = rows[ev.entity_id] = _new_row(model, ev)
        etype.apply(row, ev)
        yield ev, row


def fold(model: type, *, as_of: datetime | None = None, stream: str | None = None) -> dict:
    """Rows of ``model`` rebuilt from the log as they stood at ``as_of``.

    Returns ``{key: obj}`` of transient objects, folded by the same projectors
    that maintain the live tables. Pass ``stream`` for a single row.
    """
    rows = {ev.entity_id: row for ev, row in folding(model, as_of=as_of, stream=stream)}
    key_name, key_type = _stream_key(model)
    return {key_type(k): v for k, v in rows.items()}


def projection_models() -> list[type]:
    """Every tenant-owned table written by a projector, parents before children."""
    models = {et.model for et in event_types().values() if issubclass(et.model, TenantScoped)}
    by_table = {m.__table__: m for m in models}
    return [by_table[t] for t in db.metadata.sorted_tables if t in by_table]


def replay(tenant_id: int) -> int:
    """Empty the tenant's projections and rebuild them from its log. Returns events applied."""
    session = db.session
    count = 0
    with tenant_context(tenant_id):
        for model in [history.Version, *reversed(projection_models())]:
            session.execute(
                delete(model).where(model.tenant_id == tenant_id),
                execution_options={"synchronize_session": False},
            )
        session.expunge_all()
        types = event_types()
        last_seq = 0
        while True:  # in batches, so a long log never sits in memory at once
            batch = session.scalars(
                select(Event).where(Event.seq > last_seq).order_by(Event.seq).limit(written_in(500))
            ).all()
            if not batch:
                break
            for ev in batch:
                etype = types.get(ev.type)
                if etype is not None:
                    project(ev, etype)
                    count += 1
            last_seq = batch[-1].seq
            session.flush()
    return count


# --- verifying -------------------------------------------------------------------

@dataclass
class ChainReport:
    ok: bool = True
    count: int = 0
    head_seq: int = 0
    head: str = GENESIS
    first_bad_seq: int | None = None
    reason: str = ""
    tenant_id: int | None = None

    def as_dict(self) -> dict:
        return {"ok": self.ok, "count": self.count, "head_seq": self.head_seq,
                "head": self.head, "first_bad_seq": self.first_bad_seq}


PERSONAL_CHANGED = "_personal_changed"  # set on a record whose kept words no longer match their digest


def verify_records(records: Iterable[dict], expect_head: str | None = None) -> ChainReport:
    """Recompute one tenant's chain from its records in seq order."""
    return _verify_chain((_checked(rec) for rec in records), expect_head)


def _checked(rec: dict) -> tuple:
    """(tenant id, seq, prev_hash, hash, contents match the hash, kept words match their digest) of a record."""
    words_match = not rec.pop(PERSONAL_CHANGED, False) and _words_match(rec)
    return (rec.get("tenant_id"), rec.get("seq"), rec.get("prev_hash"), rec.get("hash"),
            event_hash(rec) == rec.get("hash"), words_match)


def _verify_chain(checked: Iterable[tuple], expect_head: str | None) -> ChainReport:
    """The chain's verdict from ``_checked``-shaped tuples in seq order: the first bad event, if any."""
    report = ChainReport()
    expected_head_seq = None
    for tenant_id, seq, prev_hash, hash_, contents_match, words_match in checked:
        report.tenant_id = tenant_id
        expected = report.head_seq + 1
        problem = None
        if seq != expected:
            problem = f"expected event {expected} but found {seq}"
        elif prev_hash != report.head:
            problem = "it does not follow the event before it"
        elif not contents_match:
            problem = "its contents do not match its hash"
        elif not words_match:
            problem = "the personal words kept with it do not match their fingerprint"
        if problem:
            report.ok, report.first_bad_seq, report.reason = False, expected, problem
            return report
        report.count += 1
        report.head_seq, report.head = seq, hash_
        if hash_ == expect_head:
            expected_head_seq = seq
    if expect_head is not None and expect_head != report.head:
        report.ok = False
        if expected_head_seq is not None:
            report.first_bad_seq = expected_head_seq + 1
            report.reason = "there are events after the expected head"
        else:
            report.first_bad_seq = report.head_seq + 1
            report.reason = "the last event is not the expected head (events may be missing from the end)"
    return report


def _words_match(rec: dict) -> bool:
    """An export's copy of the kept words, when it carries one, must be the words the digest was made of."""
    words = rec.get(PERSONAL)
    if words is None:
        return True
    try:
        return personal_digest(words["salt"], words["data"]) == rec.get("personal_digest")
    except (TypeError, KeyError, AttributeError):
        return False


def tenant_records(tenant_id: int, check_personal: bool = False) -> Iterator[dict]:
    """A tenant's records in seq order; with ``check_personal``, each kept personal part is
    checked against its digest (the record is marked when the words were changed)."""
    with tenant_context(tenant_id):
        if not check_personal:
            query = select(Event).options(lazyload(Event.personal_row)).order_by(Event.seq) \
                .execution_options(yield_per=1000)
            for ev in db.session.scalars(query):
                yield ev.as_record()
            return
        query = (select(Event, EventPersonal.salt, EventPersonal.data).options(lazyload(Event.personal_row))
                 .outerjoin(EventPersonal, EventPersonal.event_id == Event.id)
                 .order_by(Event.seq).execution_options(yield_per=1000))
        for ev, salt, data in db.session.execute(query):
            rec = ev.as_record()
            if salt is not None and personal_digest(salt, data) != ev.personal_digest:
                rec[PERSONAL_CHANGED] = True
            yield rec


def verify_tenant(tenant_id: int, expect_head: str | None = None) -> ChainReport:
    report = _verify_chain(_stored_checks(tenant_id), expect_head)
    report.tenant_id = tenant_id
    return report


_VERIFY_BATCH = 5000  # rows fetched at a time: few round trips, and memory stays flat however long the log


def _stored_checks(tenant_id: int) -> Iterator[tuple]:
    """``_checked`` tuples of a tenant's stored events, streamed as plain rows (no ORM objects, no query per row).

    The JSON columns are read as their text and parsed here, and the bytes hashed are made by
    ``fast_canonical``; a hash that does not match is tried again with ``canonical`` itself, so every
    event ``record()`` hashed is judged on the bytes its hash was made of. (A forger who writes a hash
    of orjson's other bytes for a float gains nothing: a hash written anew is found by the chain, as ever.)
    """
    sha256, loads, fast = hashlib.sha256, orjson.loads, fast_canonical
    with tenant_context(tenant_id):
        for (tenant, seq, type_, stream, service_id, actor, occurred_at, payload, digest, prev_hash, hash_,
             salt, data) in db.session.execute(_verify_query(tenant_id)):
            fields = {"actor": actor, "occurred_at": _fast_iso(occurred_at), "payload": payload,
                      "personal_digest": digest, "prev_hash": prev_hash, "seq": seq, "service_id": service_id,
                      "stream": stream, "tenant_id": tenant, "type": type_}
            try:
                fields["payload"] = loads(payload)
                matches = sha256(fast(fields)).hexdigest() == hash_
            except (orjson.JSONDecodeError, orjson.JSONEncodeError):
                matches = False
            if not matches:  # tampered, or a value the fast encoder writes otherwise: decide exactly
                matches = _exact_hash(fields, payload, occurred_at) == hash_
            words_match = salt is None or _digest_matches(salt, data, digest)
            yield tenant, seq, prev_hash, hash_, matches, words_match


def _verify_query(tenant_id: int):
    """A tenant's events with their kept words, as plain columns (the JSON ones as their stored text)."""
    events, personal = Event.__table__, EventPersonal.__table__
    return (
        select(events.c.tenant_id, events.c.seq, events.c.type, events.c.stream, events.c.service_id,
               events.c.actor, type_coerce(events.c.occurred_at, DateTime()).label("occurred_at"),
               _as_text(events.c.payload).label("payload"), events.c.personal_digest, events.c.prev_hash,
               events.c.hash, personal.c.salt, _as_text(personal.c.data).label("data"))
        # Core statements are not scoped by the ORM: both tables are limited to the tenant here.
        .select_from(events.outerjoin(personal, (personal.c.event_id == events.c.id)
                                      & (personal.c.tenant_id == tenant_id)))
        .where(events.c.tenant_id == tenant_id)
        .order_by(events.c.seq)
        .execution_options(yield_per=_VERIFY_BATCH)
    )


def _as_text(column):
    """A JSON column as the text stored (PostgreSQL casts; SQLite keeps JSON as text anyway)."""
    return cast(column, Text)


def _fast_iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds") + "Z"  # iso()'s text for a naive UTC moment


def _exact_hash(fields: dict, payload_text: str, occurred_at: datetime) -> str:
    try:
        payload = json.loads(payload_text)
    except (TypeError, ValueError):
        return ""
    return event_hash({**fields, "payload": payload, "occurred_at": iso(occurred_at)})


def _digest_matches(salt: str, data_text: str, digest: str | None) -> bool:
    try:
        if hashlib.sha256(salt.encode() + fast_canonical(orjson.loads(data_text))).hexdigest() == digest:
            return True
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass
    try:
        return personal_digest(salt, json.loads(data_text)) == digest
    except (TypeError, ValueError):
        return False


DEFAULT_AUTHORITY = "the operator, at the command line"


def erase_personal(event_id: int, authority: str = DEFAULT_AUTHORITY) -> bool:
    """Forget the words kept with one event, and refold the row they reached. The chain still verifies.

    The erasure is itself an event (``personal.erased``) naming the event and on
    whose authority; the database refuses to delete personal words without it.
    """
    row = db.session.get(EventPersonal, event_id)
    if row is None:
        return False
    ev = db.session.get(Event, event_id)
    record("personal.erased", {"event_seq": ev.seq, "authority": (authority or "").strip()})
    db.session.delete(row)
    db.session.flush()
    db.session.expire(ev, ["personal_row"])
    _refold(ev)
    return True


def _refold(ev: Event) -> None:
    """Rebuild the live row of an event's stream with its projectors (the words now read [erased])."""
    etype = event_types().get(ev.type)
    if etype is None:
        return
    model = etype.model
    key_name, key_type = _stream_key(model)
    key = key_type(ev.entity_id)
    live = db.session.scalars(select(model).filter_by(**{key_name: key})).one_or_none()
    folded = fold(model, stream=ev.stream).get(key)
    if live is None or folded is None:
        return
    for attr in model.__mapper__.column_attrs:
        setattr(live, attr.key, getattr(folded, attr.key))
    _rewrite_history(model, ev.stream)
    db.session.flush()


def _rewrite_history(model: type, stream: str) -> None:
    """Write a stream's versions again from the log, so erased words leave history too."""
    history.forget_stream(model, stream.split(":", 1)[1])
    for ev, row in folding(model, stream=stream):
        db.session.add(history.make_version(row, ev))


def stream_version(stream: str) -> int:
    """The seq of the last event on a stream (0 if none): lets a form notice it went stale."""
    last = db.session.scalar(
        select(Event.seq).where(Event.stream == stream).order_by(Event.seq.desc()).limit(written_in(1)))
    return last or 0


def head(tenant_id: int) -> tuple[int, str]:
    with tenant_context(tenant_id):
        last = db.session.execute(_HEAD).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


__all__ = [
    "ALL_TENANTS", "ERASED", "Conflict", "Event", "EventError", "EventPersonal", "EventType", "ChainReport",
    "Stale", "acting_as", "ensure_version", "locked", "recording_at", "fold", "head", "record", "replay", "verify_records", "verify_tenant", "erase_personal",
]
