"""A test plugin whose event keeps a person's words apart from the hashed payload.

Registered as "erasable" by the event-log tests. Its projector copies the words
into the service's description, so erasure can be seen in a projection.
"""
from marshmallow import Schema, fields, validate

from core.events import EventType
from core.hookspecs import hookimpl
from core.models import Service

SAID = "erasable.said"


class Said(Schema):
    topic = fields.String(required=True, validate=validate.Length(min=1, max=100))


class Words(Schema):
    words = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def _said(service, event):
    service.description = event.personal.get("words")


@hookimpl
def event_types():
    return [EventType(SAID, Service, _said, Said, personal=Words,
                      describe=lambda ev, actor, service: f"{actor} said something about {ev.payload['topic']}")]
