"""Reports as data: the facts behind each fragment of a Trust's or a service's report."""
import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint
from sqlalchemy import select

from .. import reports
from ..auth import require
from ..db import db
from ..models import Service

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1/t/<slug>",
                description="Reports on the Trust or one service, as they stood on a chosen day.")


def _past_day(value: str) -> None:
    try:
        reports.parse_as_of(value)
    except ValueError as err:
        raise ma.ValidationError(str(err)) from None


class ReportQuery(ma.Schema):
    as_of = ma.fields.String(
        validate=_past_day,
        metadata={"description": "YYYY-MM-DD: the report as it stood at the end of that day in London "
                                 "(today or earlier). Leave out for now."})


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
    as_of = ma.fields.String(metadata={"description": "The day reported on, YYYY-MM-DD (today when not given)"})
    fragments = ma.fields.List(ma.fields.Nested(FragmentSchema),
                               metadata={"description": "Core's first, then each enabled plugin's, in order"})


class ServiceReportSchema(TenantReportSchema):
    service = ma.fields.Nested(ReportServiceSchema)


def _moment(query):
    """(the day as text, the moment to fold to: None for now)."""
    if query.get("as_of"):
        return reports.parse_day(query["as_of"]).isoformat(), reports.parse_as_of(query["as_of"])
    return reports.london_today().isoformat(), None


def _fragments(fragments):
    return [{"plugin": f.plugin, "title": f.title, "data": f.data} for f in fragments]


@blp.get("/report")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, TenantReportSchema)
@require("read")
def tenant_report(query):
    """The whole Trust's report."""
    day, as_of = _moment(query)
    return {"as_of": day, "fragments": _fragments(reports.tenant_report(g.tenant, as_of))}


@blp.get("/services/<int:service_id>/report")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, ServiceReportSchema)
@blp.alt_response(404, description="No such service in this Trust, or it had not been added yet on the "
                                    "day asked for (the message says which)")
@require("read")
def service_report(query, service_id):
    """One service's report."""
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    day, as_of = _moment(query)
    then = reports.service_as_of(service.id, as_of)
    if then is None:
        added = reports.london_day(service.created_at).isoformat()
        abort(404, f"This service had not been added yet on {day}. It was added on {added}.")
    return {
        "as_of": day,
        "service": {"id": service.id, "name": then.name, "kind": then.kind, "archived": then.archived},
        "fragments": _fragments(reports.service_report(service, as_of)),
    }
