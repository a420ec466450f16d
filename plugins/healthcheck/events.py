"""The health check's events: their payloads, projectors and plain sentences.

A review is one stream (``healthcheck-review:<id>``, the id being that of the
event that started it). Choices, numbers and dates go in the hashed payload
under ``set``; words people wrote go in the erasable personal part, also under
``set``, and the payload lists their keys under ``words`` (the names, never
the words), so a projector knows what an erased event had said something about.
Keys cleared of their words are listed under ``clear``.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.events import ERASED, EventType, iso

from .answers import PersonalSet, StructuredSet
from .models import DRAFT, SUBMITTED, Review
from .questions import ANSWERS, CHANGES_COUNT, PERSONAL

STARTED = "healthcheck.review_started"
DRAFT_SAVED = "healthcheck.draft_saved"
SUBMITTED_EVENT = "healthcheck.review_submitted"
AMENDED = "healthcheck.review_amended"
SHARING_RECORDED = "healthcheck.sharing_recorded"

_personal_key = fields.String(validate=validate.OneOf(PERSONAL))


class Changes(ma.Schema):
    """Payload of every event that sets answers."""

    set = fields.Nested(StructuredSet, load_default=dict)
    words = fields.List(_personal_key, load_default=list)
    clear = fields.List(_personal_key, load_default=list)


class Started(Changes):
    service_id = fields.Integer(required=True)


class Words(ma.Schema):
    set = fields.Nested(PersonalSet, load_default=dict)


class AmendmentWords(Words):
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


# --- projectors ---------------------------------------------------------------------------

def _erased_value(key: str):
    return [ERASED] if ANSWERS[key].kind == "list" else ERASED


def changed_values(ev) -> dict:
    """The answers an event sets, by flat key; erased words read [erased]."""
    values = dict(ev.payload.get("set") or {})
    for key in ev.payload.get("clear") or []:
        values[key] = None
    words = ev.payload.get("words") or []
    if words:
        said = {} if ev.erased else (ev.personal.get("set") or {})
        for key in words:
            values[key] = _erased_value(key) if ev.erased else said.get(key)
    return values


def _touch(review: Review, ev) -> None:
    review.version = (review.version or 0) + 1
    review.updated_at = ev.occurred_at
    review.updated_by = ev.actor


def _apply(review: Review, values: dict) -> None:
    for key, value in values.items():
        review.put(key, value)


def _started(review: Review, ev) -> None:
    review.service_id = ev.payload["service_id"]
    review.status = DRAFT
    review.version = 0
    for key in ("held_on", "staff_count", "service_user_count", "participant_roles", "has_user_group",
                "shared_on", "service_user_views", "sharing_recorded_at", "sharing_recorded_by",
                "submitted_at", "submitted_by"):
        setattr(review, key, None)
    review.answers, review.texts, review.agreed_changes, review.amendments = {}, {}, [], []
    review.started_at = ev.occurred_at
    review.started_by = ev.actor
    _apply(review, changed_values(ev))
    _touch(review, ev)


def _draft_saved(review: Review, ev) -> None:
    _apply(review, changed_values(ev))
    _touch(review, ev)


def _submitted(review: Review, ev) -> None:
    review.status = SUBMITTED
    review.submitted_at = ev.occurred_at
    review.submitted_by = ev.actor
    _touch(review, ev)


def _amended(review: Review, ev) -> None:
    values = changed_values(ev)
    reason = ERASED if ev.erased else (ev.personal.get("reason") if ev.personal else None)
    entries = []
    for key, value in values.items():
        if key == CHANGES_COUNT:
            continue
        before = review.get(key)
        if before == value:
            continue
        entries.append({"field": key, "label": ANSWERS[key].label, "question": ANSWERS[key].question,
                        "from": before, "to": value, "at": iso(ev.occurred_at), "by": ev.actor,
                        "event_id": ev.id, "reason": reason})
    _apply(review, values)
    review.amendments = [*(review.amendments or []), *entries]
    _touch(review, ev)


def _sharing_recorded(review: Review, ev) -> None:
    _apply(review, changed_values(ev))
    review.sharing_recorded_at = ev.occurred_at
    review.sharing_recorded_by = ev.actor
    _touch(review, ev)


# --- plain sentences for the audit page -----------------------------------------------------

def _sentence(template: str):
    def describe(ev, actor, service):
        return template.format(actor=actor, service=service or "a service")
    return describe


def _amended_sentence(ev, actor, service):
    keys = [k for k in (ev.payload.get("set") or {}) if k != CHANGES_COUNT]
    keys += list(ev.payload.get("words") or []) + list(ev.payload.get("clear") or [])
    labels = sorted({ANSWERS[k].label.rstrip("?").lower() for k in keys if k in ANSWERS})
    what = f": {', '.join(labels)}" if labels else ""
    return f"{actor} amended a health check of {service or 'a service'}{what}"


EVENT_TYPES = [
    EventType(STARTED, Review, _started, Started, personal=Words, creates=True,
              describe=_sentence("{actor} started a health check of {service}")),
    EventType(DRAFT_SAVED, Review, _draft_saved, Changes, personal=Words,
              describe=_sentence("{actor} saved a draft health check of {service}")),
    EventType(SUBMITTED_EVENT, Review, _submitted,
              describe=_sentence("{actor} submitted a health check of {service}")),
    EventType(AMENDED, Review, _amended, Changes, personal=AmendmentWords, describe=_amended_sentence),
    EventType(SHARING_RECORDED, Review, _sharing_recorded, Changes, personal=Words,
              describe=_sentence("{actor} recorded what service users said about a health check of {service}")),
]
