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

from core import drafts
from core.events import ERASED, EventType

from .answers import PersonalSet, StructuredSet
from .models import Review
from .questions import ANSWERS, CHANGES_COUNT, PERSONAL

STARTED = "healthcheck.review_started"
DRAFT_SAVED = "healthcheck.draft_saved"
SUBMITTED_EVENT = "healthcheck.review_submitted"
AMENDED = "healthcheck.review_amended"
SHARING_RECORDED = "healthcheck.sharing_recorded"
FOLLOWED_UP = "healthcheck.follow_up_recorded"
# "Did it happen?" for each change agreed at the health check before.
HAPPENED = {"yes": "Yes", "partly": "Partly", "no": "No", "not_yet": "Not yet"}

_personal_key = fields.String(validate=validate.OneOf(PERSONAL))


class Changes(ma.Schema):
    """Payload of every event that sets answers."""

    set = fields.Nested(StructuredSet, load_default=dict)
    words = fields.List(_personal_key, load_default=list)
    clear = fields.List(_personal_key, load_default=list)
    kept = drafts.kept_payload(ANSWERS)  # a page's draft: answers kept as typed, not valid yet


class Started(Changes):
    service_id = fields.Integer(required=True)
    # the submitted review whose answers it started from (core.drafts.copied_values), if any
    copied_from = fields.Integer(strict=True)


class Words(ma.Schema):
    set = fields.Nested(PersonalSet, load_default=dict)
    kept = drafts.kept_personal()


class AmendmentWords(Words):
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class FollowUp(ma.Schema):
    earlier_id = fields.Integer(required=True)
    happened = fields.List(fields.String(validate=validate.OneOf(HAPPENED)), required=True)


class FollowUpWords(ma.Schema):
    # The changes as agreed then, copied so the answer reads on its own (and erases with the rest).
    changes = fields.List(fields.String(validate=validate.Length(max=2000)), load_default=list)


# --- projectors ---------------------------------------------------------------------------
# The draft → submitted → amended steps are core.drafts'; what is asked is the health check's.

def _erased_value(key: str):
    return [ERASED] if ANSWERS[key].kind == "list" else ERASED


def changed_values(ev) -> dict:
    """The answers an event sets, by flat key; erased words read [erased] (a list for a list)."""
    return drafts.changed_values(ev, _erased_value)


def _started(review: Review, ev) -> None:
    drafts.start(review, ev)
    for key in ("held_on", "staff_count", "service_user_count", "participant_roles", "has_user_group",
                "shared_on", "service_user_views", "sharing_recorded_at", "sharing_recorded_by"):
        setattr(review, key, None)
    review.answers, review.texts, review.agreed_changes = {}, {}, []
    drafts.put_all(review, changed_values(ev))
    drafts.keep_typed(review, ev)
    drafts.touch(review, ev)


def _draft_saved(review: Review, ev) -> None:
    drafts.put_all(review, changed_values(ev))
    drafts.keep_typed(review, ev)
    drafts.touch(review, ev)


def _describe(key: str) -> dict:
    return {"label": ANSWERS[key].label, "question": ANSWERS[key].question}


def _amended(review: Review, ev) -> None:
    values = changed_values(ev)
    keys = [key for key in values if key != CHANGES_COUNT]  # the count follows the changes listed
    entries = drafts.amendment_entries(review, values, keys, ev, _describe)
    drafts.put_all(review, values)
    review.amendments = [*(review.amendments or []), *entries]
    drafts.touch(review, ev)


def _sharing_recorded(review: Review, ev) -> None:
    drafts.put_all(review, changed_values(ev))
    review.sharing_recorded_at = ev.occurred_at
    review.sharing_recorded_by = ev.actor
    drafts.touch(review, ev)


def _followed_up(review: Review, ev) -> None:
    changes = ev.personal.get("changes")
    changes = changes if isinstance(changes, list) else [ERASED] * len(ev.payload["happened"])
    review.followed_up = [{"change": text, "happened": happened, "earlier_id": ev.payload["earlier_id"]}
                          for text, happened in zip(changes, ev.payload["happened"])]
    drafts.touch(review, ev)


# --- plain sentences for the audit page -----------------------------------------------------

_sentence = drafts.sentence


def _amended_sentence(ev, actor, service):
    keys = [k for k in (ev.payload.get("set") or {}) if k != CHANGES_COUNT]
    keys += list(ev.payload.get("words") or []) + list(ev.payload.get("clear") or [])
    labels = sorted({ANSWERS[k].label.rstrip("?").lower() for k in keys if k in ANSWERS})
    what = f": {', '.join(labels)}" if labels else ""
    return f"{actor} amended a health check of {service or 'a service'}{what}"


EVENT_TYPES = [
    EventType(STARTED, Review, _started, Started, personal=Words, creates=True,
              label="Health check started",
              describe=_sentence("{actor} started a health check of {service}")),
    EventType(DRAFT_SAVED, Review, _draft_saved, Changes, personal=Words,
              label="Health check draft saved",
              describe=_sentence("{actor} saved a draft health check of {service}")),
    EventType(SUBMITTED_EVENT, Review, drafts.submit,
              label="Health check submitted",
              describe=_sentence("{actor} submitted a health check of {service}")),
    EventType(AMENDED, Review, _amended, Changes, personal=AmendmentWords, label="Health check amended",
              describe=_amended_sentence),
    EventType(SHARING_RECORDED, Review, _sharing_recorded, Changes, personal=Words,
              label="Health check shared with service users",
              describe=_sentence("{actor} recorded what service users said about a health check of {service}")),
    EventType(FOLLOWED_UP, Review, _followed_up, FollowUp, personal=FollowUpWords,
              label="Health check: last time's changes followed up",
              describe=_sentence("{actor} recorded whether the changes agreed last time happened, in a health "
                                 "check of {service}")),
]
