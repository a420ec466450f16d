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

from core import drafts
from core.events import EventType

from .answers import PersonalSet, StructuredSet
from .levels import KEYS, PERSONAL_KEYS, label_of
from .models import Assessment, LevelsPractice

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
    # the submitted assessment whose answers it started from (core.drafts.copied_values), if any
    copied_from = fields.Integer(strict=True)


class Words(ma.Schema):
    set = fields.Nested(PersonalSet, load_default=dict)


class AmendmentWords(Words):
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


# --- projectors ---------------------------------------------------------------------------
# The draft → submitted → amended steps are core.drafts'; what is asked is the assessment's.

changed_values = drafts.changed_values  # erased words read [erased]


def _started(assessment: Assessment, ev) -> None:
    drafts.start(assessment, ev)
    for key in KEYS:
        assessment.put(key, None)
    drafts.put_all(assessment, changed_values(ev))
    drafts.touch(assessment, ev)


def _draft_saved(assessment: Assessment, ev) -> None:
    drafts.put_all(assessment, changed_values(ev))
    drafts.touch(assessment, ev)


def _describe(key: str) -> dict:
    return {"label": label_of(key)}


def _amended(assessment: Assessment, ev) -> None:
    values = changed_values(ev)
    keys = [key for key in KEYS if key in values]  # the order of the form, whatever the order of the payload
    entries = drafts.amendment_entries(assessment, values, keys, ev, _describe)
    drafts.put_all(assessment, values)
    assessment.amendments = [*(assessment.amendments or []), *entries]
    drafts.touch(assessment, ev)


# --- plain sentences for the audit page -----------------------------------------------------

_sentence = drafts.sentence


def _amended_sentence(ev, actor, service):
    keys = set(ev.payload.get("set") or {}) | set(ev.payload.get("words") or []) | set(ev.payload.get("clear") or [])
    labels = [label_of(k).lower() for k in KEYS if k in keys]
    what = f": {', '.join(labels)}" if labels else ""
    return f"{actor} amended an assessment of the levels of involvement at {service or 'a service'}{what}"


# --- the Trust's own practices -----------------------------------------------------------------

PRACTICE_ADDED = "levels.practice_added"
PRACTICE_RETIRED = "levels.practice_retired"
MAX_WORDING = 500


class PracticeAdded(ma.Schema):
    level = fields.Integer(required=True, strict=True, validate=validate.Range(min=2, max=5))
    wording = fields.String(required=True, validate=validate.Length(min=1, max=MAX_WORDING))


def _practice_added(practice: LevelsPractice, ev) -> None:
    practice.level = ev.payload["level"]
    practice.wording = ev.payload["wording"]
    practice.retired = False


def _practice_retired(practice: LevelsPractice, ev) -> None:
    practice.retired = True


EVENT_TYPES = [
    EventType(STARTED, Assessment, _started, Started, personal=Words, creates=True,
              label="Levels of involvement: assessment started",
              describe=_sentence("{actor} started an assessment of the levels of involvement at {service}")),
    EventType(DRAFT_SAVED, Assessment, _draft_saved, Changes, personal=Words,
              label="Levels of involvement: draft saved",
              describe=_sentence("{actor} saved a draft assessment of the levels of involvement at {service}")),
    EventType(SUBMITTED_EVENT, Assessment, drafts.submit,
              label="Levels of involvement: assessment submitted",
              describe=_sentence("{actor} submitted an assessment of the levels of involvement at {service}")),
    EventType(AMENDED, Assessment, _amended, Changes, personal=AmendmentWords,
              label="Levels of involvement: assessment amended", describe=_amended_sentence),
    EventType(PRACTICE_ADDED, LevelsPractice, _practice_added, PracticeAdded, creates=True,
              label="Levels of involvement: practice added to the checklist",
              describe=lambda ev, actor, service: f"{actor} added a practice to the Trust's checklist at level "
                                                  f"{ev.payload['level']}: {ev.payload['wording']}"),
    EventType(PRACTICE_RETIRED, LevelsPractice, _practice_retired,
              label="Levels of involvement: practice taken off the checklist",
              describe=_sentence("{actor} took a practice off the Trust's checklist")),
]
