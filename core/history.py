"""History tables: every version of every projection row, on two time axes.

Each time a projector changes a row, ``project()`` also writes a ``Version`` of
that row in the same transaction: a snapshot of its columns, the moment it was
recorded (the event's ``occurred_at``) and the day it took effect (a health
check's ``held_on``, a round's step, or the day it was recorded). Reports then
answer two questions with indexed ``WHERE`` clauses instead of folding the log:

- ``as_of`` D: where did things stand at the end of day D, by the day things
  happened, using everything recorded so far;
- ``known_on`` K: only what had been recorded by the end of day K (the
  auditor's question: what did the records say then?).

A model says how its versions take effect with ``__history__``:

- ``Dated("held_on")``: the row is one exercise that counts from its day, in its
  latest known form (an amendment recorded later corrects it back to that day);
- ``Stepped(day)``: each version counts from the day of its step (``day(row,
  event)``, None for the day recorded); the default, ``Stepped()``, is the day
  each change was recorded.

The log stays the source of truth: ``events replay`` rebuilds these tables, and
``fold_versions`` answers the same questions from the log alone (a test holds
the two equal).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, PrimaryKeyConstraint, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import instance_dict

from .db import UTCDateTime, db
from .tenancy import TenantScoped, current_tenant_id


class Version(TenantScoped, db.Model):
    """One version of one projection row, written by ``project()`` beside the live row."""

    __tablename__ = "history"

    seq: Mapped[int] = mapped_column(Integer)  # the event that made this version
    model: Mapped[str] = mapped_column(String(80))  # the projection's table name
    row_key: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_on: Mapped[date] = mapped_column(Date)
    data: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "seq"),
        Index("ix_history_tenant_model_service", "tenant_id", "model", "service_id", "row_key", "seq"),
        Index("ix_history_tenant_model_row", "tenant_id", "model", "row_key", "seq"),
    )


# --- how a model's versions take effect -------------------------------------------------------

@dataclass(frozen=True)
class Dated:
    """The row is one exercise, counted from the day in ``attribute`` (or the day recorded while it has none)."""

    attribute: str

    def effective_on(self, row, ev) -> date:
        return getattr(row, self.attribute, None) or recorded_day(ev.occurred_at)


@dataclass(frozen=True)
class Stepped:
    """Each version counts from its own step's day: ``day(row, event)``, or the day recorded."""

    day: Callable[[Any, Any], date | None] | None = None

    def effective_on(self, row, ev) -> date:
        chosen = self.day(row, ev) if self.day is not None else None
        return chosen or recorded_day(ev.occurred_at)


BY_RECORDED_DAY = Stepped()


def rule(model: type) -> Dated | Stepped:
    return getattr(model, "__history__", BY_RECORDED_DAY)


def recorded_day(moment: datetime) -> date:
    from .reports import london_day

    return london_day(moment)


# --- the question a report answers --------------------------------------------------------------

@dataclass(frozen=True)
class When:
    """Which moment a report describes: ``as_of`` and ``known_on`` days (None: today, and everything recorded)."""

    as_of: date | None = None
    known_on: date | None = None

    @property
    def live(self) -> bool:
        """Now, with everything recorded: the live tables answer."""
        return self.as_of is None and self.known_on is None

    @property
    def day(self) -> date:
        """The day things stood on: ``as_of``, else ``known_on``, else today (London)."""
        from .reports import london_today

        return self.as_of or self.known_on or london_today()

    @property
    def recorded_by(self) -> datetime | None:
        """The last moment of recording that counts (None: all of it)."""
        from .reports import day_ends

        return day_ends(self.known_on) if self.known_on is not None else None

    def words(self) -> str:
        """The question answered, in a sentence for the page."""
        from .reports import long_date

        if self.live:
            return "As things stand now, from everything recorded."
        if self.known_on is None:
            return (f"Where things stood at the end of {long_date(self.day)}, by the day each thing "
                    f"happened, using everything recorded up to now.")
        if self.as_of is None or self.as_of == self.known_on:
            return (f"What the records said at the end of {long_date(self.known_on)}, using only what "
                    f"had been recorded by then.")
        return (f"Where things stood at the end of {long_date(self.as_of)}, using only what had been "
                f"recorded by the end of {long_date(self.known_on)}.")

    def query_args(self) -> dict:
        """The URL parameters that ask this question again."""
        return {key: value.isoformat() for key, value in
                (("as_of", self.as_of), ("known_on", self.known_on)) if value is not None}


NOW = When()


# --- snapshots ----------------------------------------------------------------------------------

def _columns(model: type) -> list:
    return [(attr.key, attr.columns[0]) for attr in model.__mapper__.column_attrs]


def snapshot(row) -> dict:
    """The row's columns as JSON-able values (dates and moments as ISO text)."""
    data = {}
    for key, column in _columns(type(row)):
        value = getattr(row, key)
        if value is None and column.default is not None and column.default.is_scalar:
            value = column.default.arg  # what the row will hold once flushed
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        data[key] = value
    return data


def restore(model: type, data: dict):
    """A transient ``model`` built from a snapshot (not added to the session).

    Built the way the ORM loads a row (no ``__init__``, values straight into
    the instance's dict): a report restores many rows, and the declarative
    constructor's per-attribute events cost more than the rest of the work.
    """
    row = model.__mapper__.class_manager.new_instance()
    values = instance_dict(row)
    for key, convert in _readers(model):
        value = data.get(key)
        if convert is not None and isinstance(value, str):
            value = convert(value)
        values[key] = value
    return row


@cache
def _readers(model: type) -> tuple:
    """(attribute, converter from ISO text or None) per column of ``model``, worked out once."""
    converters = {datetime: datetime.fromisoformat, date: date.fromisoformat}
    return tuple((key, converters.get(_python_type(column))) for key, column in _columns(model))


def _python_type(column):
    kind = column.type
    kind = getattr(kind, "impl_instance", kind)  # a TypeDecorator (UTCDateTime) stores what it wraps
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def service_of(row) -> int | None:
    return getattr(row, getattr(type(row), "__service_attr__", "service_id"), None)


def _version_values(row, ev) -> dict:
    service_id = service_of(row)
    return dict(
        tenant_id=ev.tenant_id, seq=ev.seq, model=type(row).__tablename__, row_key=ev.entity_id,
        service_id=service_id if service_id is not None else ev.service_id,
        recorded_at=ev.occurred_at, effective_on=rule(type(row)).effective_on(row, ev), data=snapshot(row),
    )


def make_version(row, ev) -> Version:
    return Version(**_version_values(row, ev))


def keep(row, ev) -> None:
    """Write the version ``ev`` made of ``row``; called by ``project()`` after the projector.

    A plain insert: versions are only ever appended, and nothing reads them back from the session.
    """
    with db.session.no_autoflush:  # the row itself is flushed with the others; versions have no tie to it
        db.session.execute(insert(Version.__table__), _version_values(row, ev))


def forget_stream(model: type, row_key: str) -> None:
    """Remove a row's versions, to write them again (after an erasure)."""
    db.session.execute(
        delete(Version).where(Version.tenant_id == current_tenant_id(), Version.model == model.__tablename__,
                              Version.row_key == row_key),
        execution_options={"synchronize_session": False},
    )


# --- reading: rows as they stood ----------------------------------------------------------------

def rows(model: type, when: When = NOW, *, service_id: int | None = None,
         recorded_since: datetime | None = None) -> list:
    """The rows of ``model`` as ``when`` sees them (for one service when given).

    Transient rows restored from their versions, chosen by the model's rule on
    both time axes; now is just another day, so every report takes one path.
    ``recorded_since`` leaves out rows last changed before that moment: for rows
    known to begin after it (a round's answers after the round started), so a
    report restores one round's rows, not ten years' worth.
    """
    return [restore(model, data) for data in _latest_versions(model, when, service_id, recorded_since)]


def _latest_versions(model: type, when: When, service_id: int | None,
                     recorded_since: datetime | None = None) -> list[dict]:
    dated = isinstance(rule(model), Dated)
    newest_first = func.row_number().over(partition_by=Version.row_key, order_by=Version.seq.desc())
    inner = select(Version.data, Version.effective_on, newest_first.label("rank")).where(
        Version.model == model.__tablename__)
    if service_id is not None:
        inner = inner.where(Version.service_id == service_id)
    if when.recorded_by is not None:
        inner = inner.where(Version.recorded_at <= when.recorded_by)
    if recorded_since is not None:
        inner = inner.where(Version.recorded_at >= recorded_since)
    if not dated:
        inner = inner.where(Version.effective_on <= when.day)
    ranked = inner.subquery()
    query = select(ranked.c.data).where(ranked.c.rank == 1)
    if dated:
        query = query.where(ranked.c.effective_on <= when.day)
    return list(db.session.scalars(query))


def versions(model: type, when: When = NOW, *, service_id: int | None = None) -> list:
    """The versions of ``model`` recorded by ``when.known_on`` that can count on some day, oldest first: for trends.

    A ``Dated`` row counts only in its newest form, so only that version is read; a
    ``Stepped`` row's every version. Plain rows (``row_key``, ``seq``, ``effective_on``,
    ``data``), not ``Version`` objects: a trend over years reads thousands of them.
    """
    query = select(Version.row_key, Version.seq, Version.effective_on, Version.data).where(
        Version.model == model.__tablename__)
    if service_id is not None:
        query = query.where(Version.service_id == service_id)
    if when.recorded_by is not None:
        query = query.where(Version.recorded_at <= when.recorded_by)
    if isinstance(rule(model), Dated):
        newest_first = func.row_number().over(partition_by=Version.row_key, order_by=Version.seq.desc())
        ranked = query.add_columns(newest_first.label("rank")).subquery()
        query = select(ranked.c.row_key, ranked.c.seq, ranked.c.effective_on, ranked.c.data).where(ranked.c.rank == 1)
        return list(db.session.execute(query.order_by(ranked.c.seq)))
    return list(db.session.execute(query.order_by(Version.seq)))


def standing_on(model: type, all_versions: list[Version], day: date) -> list:
    """From ``versions(...)``, the rows as they stood at the end of ``day``: one pass, no query.

    The same rule as ``rows``, so a trend of forty points costs one query.
    """
    return [restore(model, v.data) for v in choose(model, all_versions, day)]


def choose(model: type, all_versions, day: date) -> list:
    """The version of each row that counts on ``day`` (versions oldest first)."""
    dated = isinstance(rule(model), Dated)
    chosen: dict = {}
    for version in all_versions:
        if dated or version.effective_on <= day:
            chosen[version.row_key] = version
    return [v for v in chosen.values() if v.effective_on <= day]


# --- the same answers from the log alone (the check on the tables) -----------------------------

@dataclass
class LogVersion:
    row_key: str
    seq: int
    effective_on: date
    data: dict


def fold_versions(model: type, when: When = NOW) -> dict:
    """Rows of ``model`` as ``when`` sees them, folded from the log by the same projectors.

    Slow (it reads every event of the model); the history tables answer the
    same question with one query. Returns ``{row_key: snapshot}``.
    """
    from .events import folding

    found = [LogVersion(ev.entity_id, ev.seq, rule(model).effective_on(row, ev), snapshot(row))
             for ev, row in folding(model, as_of=when.recorded_by)]
    return {v.row_key: v.data for v in choose(model, found, when.day)}
