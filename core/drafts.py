"""Records people fill in over time: a draft, then a submission, then amendments.

A plugin whose people fill in a form at their own pace (the health check's
reviews, the levels of involvement's assessments) follows one workflow: start
a draft, save it as often as they like, submit it once, and from then on
correct it only by amending it. An amendment never edits in place: it is an
event of its own, and the record lists what changed, from what to what, when,
by whom and why. This module holds the parts of that workflow that do not
depend on what the record asks; each plugin keeps its questions, its rules
and its wording.

- ``Draft``: the mixin with the workflow's columns.
- ``changed_values``, ``start``, ``put_all``, ``touch``, ``submit``,
  ``amendment_entries``, ``sentence``: projector pieces and the audit page's words;
  ``long_time_iso``: an amendment's moment in words.
- ``DraftConflict``, ``ensure_editable``, ``ensure_not_submitted``,
  ``ensure_submitted``, ``ensure_current``, ``nothing_changed``, ``clean_reason``,
  ``service_for_new``: command checks, made under ``core.events.locked()``;
  ``record_on``: an event on the record's stream.
- ``core/templates/macros/drafts.html``: the status tag and the amendments table.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db
from core.events import ERASED, Conflict, EventError, ensure_version, iso, record
from core.models import Service
from core.reports import long_date, long_time

DRAFT = "draft"
SUBMITTED = "submitted"
STATUSES = (DRAFT, SUBMITTED)

NEEDS_CORRECTING = "Some answers need correcting."


class Draft:
    """The workflow's columns. Mix in after ``TenantScoped`` and before ``db.Model``.

    The row's id is the id of the event that started it (no autoincrement), so
    replay reproduces it exactly. The model adds its answers' columns and
    ``get(key)`` / ``put(key, value)`` by flat key, which these helpers call.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)  # events applied: a form notices a stale copy

    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    amendments: Mapped[list] = mapped_column(JSON)  # {field, label, from, to, at, by, event_id, reason}

    @property
    def submitted(self) -> bool:
        return self.status == SUBMITTED

    def actors(self) -> set[str]:
        """Who started, saved, submitted or amended it (actor strings), to name them on its page."""
        actors = {self.started_by, self.updated_by, self.submitted_by}
        actors |= {entry["by"] for entry in self.amendments or []}
        return {actor for actor in actors if actor}


# --- projector pieces ---------------------------------------------------------------------------
# Projectors run again on replay and on "as of" folds, so these only read the event.

def changed_values(ev, erased_value: Callable[[str], object] = lambda key: ERASED) -> dict:
    """The answers an event sets, by flat key.

    The payload holds choices, numbers and dates under ``set``, the keys of
    cleared words under ``clear`` and the keys of words written under ``words``
    (the words themselves are in the erasable personal part). Once erased,
    words read as ``erased_value(key)``.
    """
    values = dict(ev.payload.get("set") or {})
    for key in ev.payload.get("clear") or []:
        values[key] = None
    words = ev.payload.get("words") or []
    if words:
        said = {} if ev.erased else (ev.personal.get("set") or {})
        for key in words:
            values[key] = erased_value(key) if ev.erased else said.get(key)
    return values


def put_all(record: Draft, values: dict) -> None:
    for key, value in values.items():
        record.put(key, value)


def touch(record: Draft, ev) -> None:
    """Every event counts one more version: a form opened on an older one is stale."""
    record.version = (record.version or 0) + 1
    record.updated_at = ev.occurred_at
    record.updated_by = ev.actor


def start(record: Draft, ev) -> None:
    """A new draft, blank of the workflow's state. The plugin then clears its answers."""
    record.service_id = ev.payload["service_id"]
    record.status = DRAFT
    record.version = 0
    record.submitted_at = record.submitted_by = None
    record.amendments = []
    record.started_at = ev.occurred_at
    record.started_by = ev.actor


def submit(record: Draft, ev) -> None:
    record.status = SUBMITTED
    record.submitted_at = ev.occurred_at
    record.submitted_by = ev.actor
    touch(record, ev)


def _reason_of(ev) -> str | None:
    """Why an amendment was made: personal words, so erasable."""
    return ERASED if ev.erased else (ev.personal.get("reason") if ev.personal else None)


def amendment_entries(record: Draft, values: dict, keys: Iterable[str], ev,
                      describe: Callable[[str], dict]) -> list[dict]:
    """One entry per answer in ``keys`` that the amendment really changes, read before it applies.

    ``describe(key)`` gives the entry's plain words about the answer (its label...).
    """
    reason = _reason_of(ev)
    entries = []
    for key in keys:
        before = record.get(key)
        if before == values[key]:
            continue
        entries.append({"field": key, **describe(key), "from": before, "to": values[key],
                        "at": iso(ev.occurred_at), "by": ev.actor, "event_id": ev.id, "reason": reason})
    return entries


def long_time_iso(moment: str) -> str:
    """An amendment's ``at`` (the log's ISO form), as people read it."""
    return long_time(datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc))


def sentence(template: str):
    """A ``describe`` for the audit page from a template with {actor} and {service}."""
    def describe(ev, actor, service):
        return template.format(actor=actor, service=service or "a service")
    return describe


# --- command checks -----------------------------------------------------------------------------

class DraftConflict(Conflict):
    """The step does not fit the record's status (a 409)."""


def ensure_editable(record: Draft, noun: str) -> None:
    """Only a draft is saved; a submitted record is corrected by amending it."""
    if record.submitted:
        raise DraftConflict(f"This {noun} has been submitted, so it cannot be edited. "
                            "To correct it, add an amendment.")


def ensure_not_submitted(record: Draft, noun: str) -> None:
    if record.submitted:
        raise DraftConflict(f"This {noun} has already been submitted.")


def ensure_submitted(record: Draft, noun: str) -> None:
    if not record.submitted:
        raise DraftConflict(f"Only a submitted {noun} is amended. Edit the draft instead.")


def ensure_current(record: Draft, expected_version: int | None, noun: str) -> None:
    """A change made from an older copy than the one stored is refused (``Stale``), never merged."""
    ensure_version(record.version, expected_version,
                   f"Someone else saved this {noun} while you were editing it. Nothing you sent has been "
                   "saved: check their changes, then make yours again.")


def nothing_changed(noun: str) -> EventError:
    """An amendment that changes no answer is refused rather than recorded empty."""
    return EventError(f"Nothing was changed. Change at least one answer to amend the {noun}.",
                      {"changes": ["Change at least one answer."]})


def clean_reason(reason: str | None, *, limit: int, too_long: str) -> str | None:
    """The reason for an amendment, trimmed (blank is none); too long is refused."""
    reason = (reason or "").strip() or None
    if reason and len(reason) > limit:
        raise EventError(NEEDS_CORRECTING, {"reason": [too_long]})
    return reason


def service_for_new(service_id, *, archived: str) -> Service:
    """A service of the Trust in context that can take a new record; ``archived`` says why not."""
    valid_id = isinstance(service_id, int) and not isinstance(service_id, bool)
    service = db.session.scalar(select(Service).where(Service.id == service_id)) if valid_id else None
    if service is None:
        raise EventError(NEEDS_CORRECTING, {"service_id": ["Choose one of this Trust's services."]})
    if service.archived:
        raise EventError(NEEDS_CORRECTING, {"service_id": [archived]})
    return service


def stream_of(record: Draft) -> str:
    return f"{type(record).__stream__}:{record.id}"


def record_on(draft: Draft, type_name: str, payload: dict | None = None, *, personal: dict | None = None):
    """Record an event on the record's own stream, filed under its service. The caller commits."""
    return record(type_name, payload, personal=personal, stream=stream_of(draft), service_id=draft.service_id)


# --- starting from the last one (WCAG 2.2, 3.3.7 Redundant entry) --------------------------------

def copied_values(source: Draft | None, service_id: int, not_copied: Iterable[str], noun: str) -> dict:
    """The answers a new draft starts from: the last submitted record's, except ``not_copied``.

    ``source`` was looked up in the Trust in context (so another Trust's record is None, refused
    like an unknown one); it must be submitted and of the same service. Words since erased, and
    answers not given, are not copied. Called under ``core.events.locked()``.
    """
    if source is None or not source.submitted or source.service_id != service_id:
        raise EventError(NEEDS_CORRECTING, {"copied_from": [
            f"Choose a submitted {noun} of this service to start from."]})
    skip = set(not_copied)
    values = {}
    for key, value in source.content().items():
        if key in skip or value is None or value in ([], {}, ""):
            continue
        if value == ERASED or (isinstance(value, list) and ERASED in value):
            continue
        values[key] = value
    return values


def started_on(record: Draft) -> str:
    """The day a record was started, in words (London time): ``3 March 2026``."""
    from core.reports import london_day

    return long_date(london_day(record.started_at))


def started_by_names(records: Iterable[Draft]) -> dict[str, str]:
    """Who started each draft, by actor string: a person's name alone (one query), else plain words."""
    from core.models import User
    from core.views.audit import actor_labels

    actors = {record.started_by for record in records if record.started_by}
    ids = {int(a.partition(":")[2]): a for a in actors
           if a.startswith("user:") and a.partition(":")[2].isdigit()}
    names = {}
    if ids:
        names = {ids[user.id]: user.display_name
                 for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    others = actors - set(names)
    return {**(actor_labels(others) if others else {}), **names}
