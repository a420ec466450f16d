"""A test plugin whose projector fails halfway: nothing of the event may remain.

Registered as "exploding" by the event-log tests.
"""
from marshmallow import Schema, fields

from core.events import EventType
from core.hookspecs import hookimpl
from core.models import Service

BOOM = "exploding.created"


class Created(Schema):
    name = fields.String(required=True)


class ProjectorFailed(RuntimeError):
    pass


def _half_made(service, event):
    service.name = event.payload["name"]
    service.kind = "other"
    raise ProjectorFailed("the projector failed after starting the row")


@hookimpl
def event_types():
    return [EventType(BOOM, Service, _half_made, Created, creates=True)]
