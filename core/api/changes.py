"""What changed between two dates, as data: for the whole Trust or one service, section by section."""
import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with
from sqlalchemy import select

from .. import changes, reports
from ..auth import require
from ..db import db
from ..models import Service
from . import ErrorSchema

blp = Blueprint("api_changes", __name__, url_prefix="/api/v1/t/<slug>",
                description="What changed between two dates, for the Trust or one service.")

DAY = ("YYYY-MM-DD: the end of that day in London, by the day things happened (today or earlier, not "
       "before the Trust's record began).")


class ChangesQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    start = ma.fields.String(data_key="from", metadata={"description": f"Required. The first date. {DAY}"})
    end = ma.fields.String(data_key="to", metadata={
        "description": f"Required. The second date, the same as the first or later. {DAY}"})
    known_on = ma.fields.String(metadata={
        "description": "YYYY-MM-DD: use only what had been recorded by the end of that day, at both dates (the "
                       "audit question). Leave out to use everything recorded."})



class ChangesSectionSchema(ma.Schema):
    plugin = ma.fields.String(metadata={"description": "Which part of Changing Lives made it: core, or a plugin"})
    title = ma.fields.String(metadata={"description": "The section's heading"})
    changes = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "Each change: an object with at least \"what\" (a plain sentence) and \"kind\" (what "
                       "sort of change: service_renamed, answer, level, aim_reached, aim_reached_by_date, "
                       "evaluation, target_agreed, resource_added...), and the facts behind it (service_id, area, "
                       "from, to...); empty when nothing changed"})


class ChangesBetweenDatesSchema(ma.Schema):
    start = ma.fields.String(data_key="from", metadata={"description": "The first date, YYYY-MM-DD"})
    end = ma.fields.String(data_key="to", metadata={"description": "The second date, YYYY-MM-DD"})
    known_on = ma.fields.String(allow_none=True, metadata={
        "description": "YYYY-MM-DD: only what had been recorded by then; null when everything recorded counts"})
    sections = ma.fields.List(ma.fields.Nested(ChangesSectionSchema), metadata={
        "description": "Core's first, then each enabled plugin's, in the guide's order"})


BAD_DATES = ("A date is missing, malformed, in the future, before the Trust's record began, or the first comes "
             "after the second (\"fields\" names it)")


def _span(query):
    """The two dates asked for, or a 400 naming the field at fault (``{"error": {"code", "message", "fields"}}``)."""
    try:
        return changes.parse_span(query.get("start"), query.get("end"), query.get("known_on"))
    except reports.DateError as err:
        abort_with(400, message=err.message, errors={err.field: [err.message]})


def _body(span, sections) -> dict:
    return {"start": span.start.as_of.isoformat(), "end": span.end.as_of.isoformat(),
            "known_on": span.end.known_on.isoformat() if span.end.known_on else None,
            "sections": [section.as_json() for section in sections]}


@blp.get("/changes")
@blp.arguments(ChangesQuerySchema, location="query")
@blp.response(200, ChangesBetweenDatesSchema)
@blp.alt_response(400, schema=ErrorSchema, description=BAD_DATES)
@require("read")
def tenant_changes(query):
    """What changed across the whole Trust between two dates."""
    span = _span(query)
    return _body(span, changes.tenant_changes(g.tenant, span))


@blp.get("/services/<int:service_id>/changes")
@blp.arguments(ChangesQuerySchema, location="query")
@blp.response(200, ChangesBetweenDatesSchema)
@blp.alt_response(400, schema=ErrorSchema, description=BAD_DATES)
@blp.alt_response(404, description="No such service in this Trust, or it had not been added yet on the second "
                                   "date (the message says which)")
@require("read")
def service_changes(query, service_id):
    """What changed for one service between two dates."""
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    span = _span(query)
    if reports.service_as_of(service.id, span.end) is None:
        added = reports.london_day(service.created_at).isoformat()
        abort(404, f"This service had not been added yet on {span.end.as_of.isoformat()}. It was added on {added}.")
    return _body(span, changes.service_changes(service, span))
