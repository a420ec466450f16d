"""The resources plugin's events: payloads, projectors and plain sentences.

A resource is one stream (``resource:<id>``, the id being that of the event
that added it). Choices go in the hashed payload (scope, services, tags, where
the entry came from); the words people typed (name, description and contact
details) go in the erasable personal part. The payload lists the names of the
words an event carries under ``words`` (never the words themselves), so a
projector knows what an erased event had said something about. The guide's
national organisations are the platform's own words, typed by nobody: they
arrive by their own event type, whose words travel in the hashed payload under
``given``.
"""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from core.db import db
from core.events import EventType

from .models import Resource
from .rules import FIELDS, KINDS, LIMITS, ORGANISATION, SCOPES, WORD_FIELDS

ADDED = "resources.added"
SEEDED = "resources.seeded"
CHANGED = "resources.changed"
ARCHIVED = "resources.archived"
RESTORED = "resources.restored"
CHECKED = "resources.checked"

_word_key = fields.String(validate=validate.OneOf(WORD_FIELDS))


class Choices(ma.Schema):
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    service_ids = fields.List(fields.Integer(), required=True)
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=40)), required=True)
    words = fields.List(_word_key, required=True)
    # Left out by events recorded before people could be listed: those were organisations.
    kind = fields.String(load_default=ORGANISATION, validate=validate.OneOf(KINDS))
    consent_on = fields.Date(load_default=None, allow_none=True)


class Added(Choices):
    origin_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    package = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))


class Seeded(Choices):
    origin_key = fields.String(required=True, validate=validate.Length(min=1, max=200))
    given = fields.Nested(lambda: Words(), required=True)


class Changed(Choices):
    changed = fields.List(fields.String(validate=validate.OneOf(FIELDS)), required=True)


class Archived(ma.Schema):
    withdrawn = fields.Boolean(load_default=False)


class Words(ma.Schema):
    """Only the words an event sets; a word left out was empty or did not change."""

    name = fields.String(validate=validate.Length(max=LIMITS["name"]))
    description = fields.String(validate=validate.Length(max=LIMITS["description"]))
    address = fields.String(validate=validate.Length(max=LIMITS["address"]))
    phone = fields.String(validate=validate.Length(max=LIMITS["phone"]))
    email = fields.String(validate=validate.Length(max=LIMITS["email"]))
    website = fields.String(validate=validate.Length(max=LIMITS["website"]))
    consent_by = fields.String(validate=validate.Length(max=LIMITS["consent_by"]))


# --- projectors -------------------------------------------------------------------------------

def _said(ev, key: str) -> str:
    """A word the event carries ("[erased]" once erased), or "" when it was left empty."""
    given = ev.payload.get("given")
    if given is not None:
        return given.get(key) or ""
    if key not in (ev.payload.get("words") or []):
        return ""
    return ev.personal.get(key) or ""


def _choices(resource: Resource, ev) -> None:
    resource.kind = ev.payload.get("kind") or ORGANISATION
    consent_on = ev.payload.get("consent_on")
    resource.consent_on = date.fromisoformat(consent_on) if consent_on else None
    resource.scope = ev.payload["scope"]
    resource.service_ids = list(ev.payload["service_ids"])
    resource.tags = list(ev.payload["tags"])


def _touch(resource: Resource, ev) -> None:
    resource.version = (resource.version or 0) + 1
    resource.updated_at = ev.occurred_at
    resource.updated_by = ev.actor


def _checked(resource: Resource, ev) -> None:
    """Someone looked and the details are right: the only thing that changes is when it was last checked."""
    resource.checked_at = ev.occurred_at
    resource.checked_by = ev.actor


def _added(resource: Resource, ev) -> None:
    resource.origin_key = ev.payload.get("origin_key")
    resource.package = ev.payload.get("package")
    _choices(resource, ev)
    for key in WORD_FIELDS:
        setattr(resource, key, _said(ev, key))
    resource.archived = False
    resource.withdrawn = False
    resource.version = 0
    resource.added_at = ev.occurred_at
    resource.added_by = ev.actor
    _touch(resource, ev)
    _checked(resource, ev)


def _changed(resource: Resource, ev) -> None:
    _choices(resource, ev)
    for key in WORD_FIELDS:
        if key in ev.payload["changed"]:
            setattr(resource, key, _said(ev, key))
    _touch(resource, ev)
    _checked(resource, ev)


def _archived(resource: Resource, ev) -> None:
    resource.archived = True
    resource.withdrawn = bool(ev.payload.get("withdrawn"))
    _touch(resource, ev)


def _restored(resource: Resource, ev) -> None:
    resource.archived = False
    resource.withdrawn = False
    _touch(resource, ev)


# --- plain sentences for the audit page ----------------------------------------------------------

FIELD_WORDS = {"name": "name", "description": "description", "address": "address", "phone": "telephone number",
               "email": "e-mail address", "website": "website", "scope": "scope", "tags": "tags",
               "service_ids": "services", "kind": "kind (organisation or individual)",
               "consent_by": "who gave consent", "consent_on": "day consent was given"}


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _current_name(ev) -> str:
    resource = db.session.get(Resource, int(ev.entity_id))
    return resource.name if resource is not None else "a resource"


def _describe_added(ev, actor, service):
    origin = ev.payload.get("origin_key") or ""
    where = ""
    if ev.payload.get("package"):
        where = f" from the {ev.payload['package']} package"
    elif origin.startswith("guide:"):
        where = " named in the guide"
    name = (ev.payload.get("given") or {}).get("name") or ev.personal.get("name") or "a resource"
    return f"{actor} added the {ev.payload['scope']} resource {name}{where}"


def _describe_changed(ev, actor, service):
    what = [FIELD_WORDS.get(key, key) for key in ev.payload.get("changed") or []]
    return f"{actor} changed the {_listed(what) if what else 'details'} of {_current_name(ev)}"


def _describe_archived(ev, actor, service):
    if ev.payload.get("withdrawn"):
        return f"{actor} archived {_current_name(ev)}: its package no longer offers it"
    return f"{actor} archived the resource {_current_name(ev)}"


def _describe_checked(ev, actor, service):
    return f"{actor} checked that the details of {_current_name(ev)} are still right"


def _describe_restored(ev, actor, service):
    return f"{actor} brought back the resource {_current_name(ev)} from the archive"


EVENT_TYPES = [
    EventType(ADDED, Resource, _added, Added, personal=Words, creates=True, describe=_describe_added,
              label="Resource added"),
    EventType(SEEDED, Resource, _added, Seeded, creates=True, describe=_describe_added,
              label="Resource added from the guide"),
    EventType(CHANGED, Resource, _changed, Changed, personal=Words, describe=_describe_changed,
              label="Resource changed"),
    EventType(ARCHIVED, Resource, _archived, Archived, describe=_describe_archived, label="Resource archived"),
    EventType(RESTORED, Resource, _restored, describe=_describe_restored,
              label="Resource brought back from the archive"),
    EventType(CHECKED, Resource, _checked, describe=_describe_checked, label="Resource checked"),
]
