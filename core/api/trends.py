"""The Trust's trends as data: each section's charts as titled tables of numbers."""
import marshmallow as ma
from flask import g
from flask_smorest import Blueprint, abort

from .. import trends
from ..auth import require
from ..reports import DateError

blp = Blueprint("api_trends", __name__, url_prefix="/api/v1/t/<slug>",
                description="How the Trust's services stood over time: distributions and counts, never a ranking.")


class TrendsQuery(ma.Schema):
    start = ma.fields.String(data_key="from", metadata={
        "description": "YYYY-MM-DD: the first day (default: when the Trust's record began)"})
    end = ma.fields.String(data_key="to", metadata={"description": "YYYY-MM-DD: the last day (default: today)"})
    known_on = ma.fields.String(metadata={
        "description": "YYYY-MM-DD: use only what had been recorded by the end of that day"})


class PointSchema(ma.Schema):
    day = ma.fields.String(metadata={"description": "YYYY-MM-DD; each point is the end of that day"})
    label = ma.fields.String(metadata={"description": "The point's name on the charts"})


class PeriodSchema(ma.Schema):
    start = ma.fields.String()
    end = ma.fields.String()
    label = ma.fields.String()


class ChartSchema(ma.Schema):
    title = ma.fields.String()
    summary = ma.fields.String(metadata={"description": "What the chart shows, in one sentence"})
    headers = ma.fields.List(ma.fields.String(), metadata={"description": "The table's header row"})
    rows = ma.fields.List(ma.fields.List(ma.fields.Raw()), metadata={
        "description": "One row per point or period: its label, then one number per series"})


class TrendSchema(ma.Schema):
    plugin = ma.fields.String()
    title = ma.fields.String()
    intro = ma.fields.String()
    charts = ma.fields.List(ma.fields.Nested(ChartSchema))


class TrendsSchema(ma.Schema):
    start = ma.fields.String(data_key="from")
    end = ma.fields.String(data_key="to")
    known_on = ma.fields.String(allow_none=True)
    question = ma.fields.String(metadata={"description": "What the trends describe, in a sentence"})
    points = ma.fields.List(ma.fields.Nested(PointSchema), metadata={
        "description": "Quarter ends, then the last day; at most 40"})
    periods = ma.fields.List(ma.fields.Nested(PeriodSchema), metadata={
        "description": "Half-years (whole years beyond ten years), for counts of what happened in each"})
    sections = ma.fields.List(ma.fields.Nested(TrendSchema), metadata={
        "description": "Core's first, then each enabled section's, in the guide's order"})


@blp.get("/trends")
@blp.arguments(TrendsQuery, location="query")
@blp.response(200, TrendsSchema)
@blp.alt_response(400, description="A date that cannot be used: malformed, in the future, before the Trust's "
                                   "record began, or `from` after `to`")
@require("read_staff_views")
def tenant_trends(query):
    """The Trust's trends: levels, health checks, indicators and targets over time."""
    try:
        timeline = trends.parse_timeline(query.get("start"), query.get("end"), query.get("known_on"))
    except DateError as err:
        abort(400, message=err.message, errors={err.field: [err.message]})
    return {
        "start": timeline.start.isoformat(), "end": timeline.end.isoformat(),
        "known_on": timeline.known_on.isoformat() if timeline.known_on else None,
        "question": timeline.words(),
        "points": [{"day": p.day.isoformat(), "label": p.label} for p in timeline.points],
        "periods": [{"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label}
                    for p in timeline.periods],
        "sections": [trend.as_dict() for trend in trends.tenant_trends(g.tenant, timeline)],
    }
