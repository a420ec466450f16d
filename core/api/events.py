"""The Trust's event log, read in order, and a check that it has not been changed."""
import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from .. import events
from ..auth import require
from ..db import db, written_in_each_run
from ..events import Event
from ..reports import about_service

blp = Blueprint("api_events", __name__, url_prefix="/api/v1/t/<slug>/events",
                description="The Trust's event log: every change, in order, hash-chained.")

MAX_LIMIT = 1000
HEX64 = ma.validate.Regexp(r"^[0-9a-f]{64}$", error="Give the 64-character fingerprint, in lower case.")


class EventQuery(ma.Schema):
    after = ma.fields.Integer(
        load_default=0, validate=ma.validate.Range(min=0, error="Give an event number of 0 or more."),
        metadata={"description": "Return events after this event number (seq). Start at 0; then pass next_after."})
    limit = ma.fields.Integer(
        load_default=100,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT, error=f"Ask for between 1 and {MAX_LIMIT} events at a time."),
        metadata={"description": f"How many events to return, at most {MAX_LIMIT}. Default 100."})
    type = ma.fields.String(
        validate=ma.validate.Length(min=1, max=100, error="Give an event type of 1 to 100 characters."),
        metadata={"description": "Only events of this type, e.g. service.renamed"})
    service = ma.fields.Integer(
        validate=ma.validate.Range(min=1, error="Give a service id of 1 or more."),
        metadata={"description": "Only events about this service (by its id)"})


class EventSchema(ma.Schema):
    seq = ma.fields.Integer(metadata={"description": "Event number: 1, 2, 3... with no gaps within the Trust"})
    type = ma.fields.String(metadata={"description": "The event type, e.g. service.renamed"})
    stream = ma.fields.String(metadata={"description": "What the event is about, e.g. service:12"})
    service_id = ma.fields.Integer(allow_none=True, metadata={"description": "The service it concerns, if any"})
    actor = ma.fields.String(metadata={"description": "Who did it: user:<id>, cli, system or invitation:<id>"})
    occurred_at = ma.fields.String(metadata={"description": "When, in UTC: YYYY-MM-DDTHH:MM:SS.ffffffZ"})
    payload = ma.fields.Dict(metadata={"description": "What was recorded (personal words are kept apart)"})
    personal_digest = ma.fields.String(
        allow_none=True,
        metadata={"description": "Salted SHA-256 of the personal words kept apart, or null; part of the hash"})
    tenant_id = ma.fields.Integer(metadata={"description": "The Trust's id; part of the hash"})
    prev_hash = ma.fields.String(metadata={"description": "The hash of the event before (64 zeros for the first)"})
    hash = ma.fields.String(
        metadata={"description": "SHA-256 of the canonical JSON of every other field of this record"})


class EventPageSchema(ma.Schema):
    events = ma.fields.List(ma.fields.Nested(EventSchema), metadata={"description": "In ascending seq order"})
    next_after = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Pass as ?after= for the next page; null when there are no more events"})


class VerifyQuery(ma.Schema):
    expect_head = ma.fields.String(
        validate=HEX64,
        metadata={"description": "The fingerprint (hash) of the last event you wrote down earlier: "
                                 "the check fails if events are missing from the end"})


class ChainReportSchema(ma.Schema):
    ok = ma.fields.Boolean(metadata={"description": "True when every event links to the one before, unchanged"})
    count = ma.fields.Integer(metadata={"description": "Events checked and found sound"})
    head_seq = ma.fields.Integer(metadata={"description": "Number of the last sound event (0 when none)"})
    head = ma.fields.String(metadata={"description": "Hash of the last sound event: write it down to check later"})
    first_bad_seq = ma.fields.Integer(
        allow_none=True, metadata={"description": "Number of the first event that does not check out, or null"})


@blp.get("")
@blp.arguments(EventQuery, location="query")
@blp.response(200, EventPageSchema)
@require("audit")
def list_events(query):
    """Events in ascending order, a page at a time.

    Every field that the hash covers is returned, so the chain can be checked
    offline with the same recipe (see /verify). Admins and viewers only.
    """
    stmt = select(Event).where(Event.seq > query["after"])
    if "type" in query:
        stmt = stmt.where(Event.type == query["type"])
    if "service" in query:
        stmt = stmt.where(about_service(query["service"]))
    rows = db.session.scalars(stmt.order_by(Event.seq).limit(written_in_each_run(query["limit"] + 1))).all()
    more = len(rows) > query["limit"]
    rows = rows[:query["limit"]]
    return {"events": [ev.as_record() for ev in rows], "next_after": rows[-1].seq if more else None}


@blp.get("/verify")
@blp.arguments(VerifyQuery, location="query")
@blp.response(200, ChainReportSchema)
@require("audit")
def verify(query):
    """Recompute the whole chain now and say whether it is intact.

    Reads every event, so it takes longer on a long log. Admins and viewers only.
    """
    return events.verify_tenant(g.tenant.id, expect_head=query.get("expect_head")).as_dict()
