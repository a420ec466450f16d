"""The levels plugin's events: their payloads, projectors and plain sentences.

An assessment is one stream (``levels-assessment:<id>``, the id being that of
the event that started it). Levels and the date go in the hashed payload under
``set``; words people wrote (who took part, what has been achieved, what is
planned) go in the erasable personal part, also under ``set``, and the payload
lists their keys under ``words`` (the names, never the words), so a projector
knows what an erased event had said something about. Words cleared are listed
under ``clear``.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.events import ERASED, EventType, iso

from .answers import PersonalSet, StructuredSet
from .levels import KEYS, PERSONAL_KEYS, label_of
from .models import DRAFT, SUBMITTED, Assessment

STARTED = "levels.assessment_started"
DRAFT_SAVED = "levels.draft_saved"
SUBMITTED_EVENT = "levels.assessment_submitted"
AMENDED = "levels.assessment_amended"

_personal_key = fields.String(validate=validate.OneOf(PERSONAL_KEYS))


class Changes(ma.Schema):
    """Payload of every event that sets answers."""

    set = fields.Nested(StructuredSet, load_default=dict)
    words = fields.List(_personal_key, load_default=list)
    clear = fields.List(_personal_key, load_default=list)


class Started(Changes):
    service_id = fields.Integer(required=True, strict=True)


class Words(ma.Schema):
    set = fields.Nested(PersonalSet, load_default=dict)


class AmendmentWords(Words):
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


# --- projectors ---------------------------------------------------------------------------

def changed_values(ev) -> dict:
    """The answers an event sets, by flat key; erased words read [erased]."""
    values = dict(ev.payload.get("set") or {})
    for key in ev.payload.get("clear") or []:
        values[key] = None
    words = ev.payload.get("words") or []
    if words:
        said = {} if ev.erased else (ev.personal.get("set") or {})
        for key in words:
            values[key] = ERASED if ev.erased else said.get(key)
    return values


def _touch(assessment: Assessment, ev) -> None:
    assessment.version = (assessment.version or 0) + 1
    assessment.updated_at = ev.occurred_at
    assessment.updated_by = ev.actor


def _apply(assessment: Assessment, values: dict) -> None:
    for key, value in values.items():
        assessment.put(key, value)


def _started(assessment: Assessment, ev) -> None:
    assessment.service_id = ev.payload["service_id"]
    assessment.status = DRAFT
    assessment.version = 0
    for key in KEYS:
        assessment.put(key, None)
    assessment.submitted_at = assessment.submitted_by = None
    assessment.amendments = []
    assessment.started_at = ev.occurred_at
    assessment.started_by = ev.actor
    _apply(assessment, changed_values(ev))
    _touch(assessment, ev)


def _draft_saved(assessment: Assessment, ev) -> None:
    _apply(assessment, changed_values(ev))
    _touch(assessment, ev)


def _submitted(assessment: Assessment, ev) -> None:
    assessment.status = SUBMITTED
    assessment.submitted_at = ev.occurred_at
    assessment.submitted_by = ev.actor
    _touch(assessment, ev)


def _amended(assessment: Assessment, ev) -> None:
    values = changed_values(ev)
    reason = ERASED if ev.erased else (ev.personal.get("reason") if ev.personal else None)
    entries = []
    for key in KEYS:  # the order of the form, whatever the order of the payload
        if key not in values or assessment.get(key) == values[key]:
            continue
        entries.append({"field": key, "label": label_of(key), "from": assessment.get(key), "to": values[key],
                        "at": iso(ev.occurred_at), "by": ev.actor, "event_id": ev.id, "reason": reason})
    _apply(assessment, values)
    assessment.amendments = [*(assessment.amendments or []), *entries]
    _touch(assessment, ev)


# --- plain sentences for the audit page -----------------------------------------------------

def _sentence(template: str):
    def describe(ev, actor, service):
        return template.format(actor=actor, service=service or "a service")
    return describe


def _amended_sentence(ev, actor, service):
    keys = set(ev.payload.get("set") or {}) | set(ev.payload.get("words") or []) | set(ev.payload.get("clear") or [])
    labels = [label_of(k).lower() for k in KEYS if k in keys]
    what = f": {', '.join(labels)}" if labels else ""
    return f"{actor} amended an assessment of the levels of involvement at {service or 'a service'}{what}"


EVENT_TYPES = [
    EventType(STARTED, Assessment, _started, Started, personal=Words, creates=True,
              label="Levels of involvement: assessment started",
              describe=_sentence("{actor} started an assessment of the levels of involvement at {service}")),
    EventType(DRAFT_SAVED, Assessment, _draft_saved, Changes, personal=Words,
              label="Levels of involvement: draft saved",
              describe=_sentence("{actor} saved a draft assessment of the levels of involvement at {service}")),
    EventType(SUBMITTED_EVENT, Assessment, _submitted,
              label="Levels of involvement: assessment submitted",
              describe=_sentence("{actor} submitted an assessment of the levels of involvement at {service}")),
    EventType(AMENDED, Assessment, _amended, Changes, personal=AmendmentWords,
              label="Levels of involvement: assessment amended", describe=_amended_sentence),
]
