"""Reports as data: the facts behind each fragment of a Trust's or a service's report."""
import marshmallow as ma
from flask import abort, g, make_response
from flask_smorest import Blueprint
from sqlalchemy import select

from .. import reports
from ..auth import require
from ..db import db
from ..errors import json_error
from ..exports.about import as_json, read_report
from ..models import Service

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1/t/<slug>",
                description="Reports on the Trust or one service, as they stood on a chosen day.")


class ReportQuery(ma.Schema):
    as_of = ma.fields.String(metadata={
        "description": "YYYY-MM-DD: where things stood at the end of that day in London, by the day things "
                       "happened (today or earlier, not before the Trust's record began). Leave out for today."})
    known_on = ma.fields.String(metadata={
        "description": "YYYY-MM-DD: use only what had been recorded by the end of that day (the audit "
                       "question: what did the records say then?). Leave out to use everything recorded."})


def asked_when(query):
    """The question the query asks, or a 400 naming the date at fault (before any work is done)."""
    try:
        return reports.parse_when(query.get("as_of"), query.get("known_on"))
    except reports.DateError as err:
        abort(make_response(*json_error(400, err.message, {err.field: [err.message]})))


class FragmentSchema(ma.Schema):
    plugin = ma.fields.String(metadata={"description": "Which part of Changing Lives made it: core, or a plugin"})
    title = ma.fields.String(metadata={"description": "The fragment's heading on the report page"})
    data = ma.fields.Dict(metadata={"description": "The facts shown, as the plugin gives them"})


class ReportServiceSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(metadata={"description": "Its name on the report's day"})
    kind = ma.fields.String()
    archived = ma.fields.Boolean(metadata={"description": "Whether it was archived on the report's day"})


class TenantReportSchema(ma.Schema):
    trust = ma.fields.String(metadata={"description": "The Trust's name"})
    trust_slug = ma.fields.String(metadata={"description": "The Trust's short name"})
    made_at = ma.fields.String(metadata={"description": "When this report was read, ISO 8601 in UTC"})
    head_seq = ma.fields.Integer(metadata={
        "description": "The event log's latest event when the report was read (0: nothing recorded yet)"})
    head_hash = ma.fields.String(metadata={
        "description": "That event's hash: ties this report to the log (see events verify)"})
    as_of = ma.fields.String(metadata={"description": "The day reported on, YYYY-MM-DD (today when not given)"})
    known_on = ma.fields.String(allow_none=True, metadata={
        "description": "YYYY-MM-DD: only what had been recorded by then; null when everything recorded counts"})
    question = ma.fields.String(metadata={"description": "The question the report answers, in a sentence"})
    fragments = ma.fields.List(ma.fields.Nested(FragmentSchema),
                               metadata={"description": "Core's first, then each enabled plugin's, in order"})


class ServiceReportSchema(TenantReportSchema):
    service = ma.fields.Nested(ReportServiceSchema)


@blp.get("/report")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, TenantReportSchema)
@blp.alt_response(400, description="A date that cannot be used: not a real date, in the future, or before "
                                    "the Trust's record began (the message and fields say which)")
@require("read")
def tenant_report(query):
    """The whole Trust's report."""
    return as_json(read_report(g.tenant, asked_when(query)))


@blp.get("/services/<int:service_id>/report")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, ServiceReportSchema)
@blp.alt_response(400, description="A date that cannot be used (the message and fields say which)")
@blp.alt_response(404, description="No such service in this Trust, or it had not been added yet on the "
                                    "day asked for (the message says which)")
@require("read")
def service_report(query, service_id):
    """One service's report."""
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    when = asked_when(query)
    then = reports.service_as_of(service.id, when)
    if then is None:
        added = reports.london_day(service.created_at).isoformat()
        abort(404, f"This service had not been added yet on {when.day.isoformat()}. It was added on {added}.")
    return as_json(read_report(g.tenant, when, service))
