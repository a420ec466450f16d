"""The example's event type: a note, its payload schema, projector and sentence."""
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.db import db
from core.events import EventType, record

from .models import ExampleNote

NOTED = "example.noted"
WELCOME = "Welcome to the example notes."


class Noted(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _noted(note: ExampleNote, event) -> None:
    note.text = event.payload["text"]


def _describe(event, actor, service):
    return f"{actor} wrote the example note “{event.payload['text']}”"


EVENT_TYPES = [EventType(NOTED, ExampleNote, _noted, Noted, describe=_describe, creates=True, label="Note added")]


def add_note(text: str) -> ExampleNote:
    """Record a note for the tenant in context; raises EventError on bad input. The caller commits."""
    event = record(NOTED, {"text": (text or "").strip()})
    return db.session.get(ExampleNote, int(event.entity_id))


def seed_welcome_note(tenant) -> None:
    """The first switch-on leaves a welcome note; switching on again finds the notes kept."""
    if db.session.scalar(select(ExampleNote.id).limit(1)) is None:
        add_note(WELCOME)
