"""The levels plugin's JSON API, mounted by core at /api/v1/t/<slug>/levels.

Answers travel per area (``areas.policy.aim``); every field is in the OpenAPI
document. Bad input gets 422 with a message per field and stores nothing; a
step the assessment's status does not allow gets 409.
"""
from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from core.api import versions
from core.auth import require
from core.draft_api import DraftApi, DraftSchemas, list_query_schema, service_or_404
from core.events import EventError

from . import claims, commands, grid
from .answers import LevelsContentSchema, Strict, flatten, nest
from .commands import WRITE
from .levels import AREAS, HIGHEST, LOWEST, PARTS, VIEWS, flat_key
from .models import Assessment
from .practices import catalogue
from .reports import assessments_as_of

blp = Blueprint("api_levels", __name__, description=(
    "What are you aiming for? Assessments of where a service stands on the guide's five levels of "
    "involvement in three areas (individual, care setting, policy), the level it aims for, and the grid."))

ACTOR = "Who did it: 'user:<id>', 'cli', 'system' or 'invitation:<id>'"


# --- schemas ----------------------------------------------------------------------------------

class LevelsAssessmentCreateSchema(LevelsContentSchema):
    service_id = fields.Integer(required=True, strict=True, metadata={"description": "The service assessed"},
                                error_messages={"required": "Choose the service to assess.",
                                                "invalid": "Give the service's id as a whole number."})
    submit = fields.Boolean(load_default=False, metadata={
        "description": "true to submit at once (date, who took part and every level needed); false keeps a draft"},
        error_messages={"invalid": "Use true or false."})


class LevelsUpdateSchema(LevelsContentSchema):
    version = versions.version_field("assessment")


class LevelsAmendmentRequestSchema(Strict):
    changes = fields.Nested(LevelsContentSchema, required=True, metadata={
        "description": "The answers to correct, in the same shape as an assessment; null clears an answer"},
        error_messages={"required": "Send the answers to correct under 'changes'."})
    reason = fields.String(allow_none=True, validate=validate.Length(max=commands.MAX_REASON),
                           metadata={"description": "Why it is amended (shown with the amendment)"})
    version = versions.version_field("assessment")


class LevelsClaimSchema(ma.Schema):
    claimed = fields.Integer(allow_none=True, metadata={"description": "The level now, as claimed"})
    supported = fields.Integer(metadata={"description": "The highest level whose practices (and those of every "
                                                        "level below) are all ticked"})
    above_supported = fields.Boolean(metadata={"description": "true when the claim is above what is supported"})
    supported_title = fields.String()
    supported_wording = fields.String(metadata={"description": "The guide's words for the level supported"})
    note = fields.String(metadata={"description": "The comparison in plain words"})


def _area_out(area):
    return ma.Schema.from_dict({
        "current": fields.Integer(allow_none=True, metadata={"description": f"Level now, {LOWEST}-{HIGHEST}"}),
        "aim": fields.Integer(allow_none=True, metadata={"description": "Level aimed for"}),
        "achieved": fields.String(allow_none=True, metadata={"description": "How service users are involved now"}),
        "planned": fields.String(allow_none=True, metadata={"description": "How involvement might increase"}),
        "practices": fields.List(fields.String(), allow_none=True, metadata={
            "description": "The keys of the practices ticked"}),
        "how": fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True, metadata={
            "description": "Practice key -> how we do it, in a line"}),
        "evidence": fields.Raw(allow_none=True, metadata={
            "description": "Links and short notes: a list of {url, note}"}),
        "claim": fields.Nested(LevelsClaimSchema, metadata={
            "description": "The level claimed beside the level the practices ticked support"}),
    }, name=f"Levels{''.join(w.title() for w in area.key.split('_'))}AreaAnswers")


AreasOut = ma.Schema.from_dict(
    {area.key: fields.Nested(_area_out(area), metadata={"description": f"{area.name} — {area.description}"})
     for area in AREAS}, name="LevelsAreasAnswers")


class LevelsAmendmentSchema(ma.Schema):
    field = fields.String(metadata={"description": "The amended answer's flat key, e.g. policy_aim"})
    label = fields.String(metadata={"description": "The answer's name in plain words"})
    before = fields.Raw(data_key="from", attribute="from", metadata={"description": "The answer before"})
    after = fields.Raw(data_key="to", attribute="to", metadata={"description": "The answer after"})
    at = fields.String(metadata={"description": "When (UTC, ISO 8601)"})
    by = fields.String(metadata={"description": ACTOR})
    reason = fields.String(allow_none=True, metadata={"description": "Why it was amended"})
    event_id = fields.Integer(metadata={"description": "The amendment's event in the Trust's log"})


class LevelsAssessmentSchema(ma.Schema):
    id = fields.Integer(metadata={"description": "The assessment's id (the id of the event that started it)"})
    service_id = fields.Integer()
    status = fields.String(metadata={"description": "draft or submitted"})
    view = fields.String(metadata={"description": "Whose view: staff, service_users or agreed"})
    version = fields.Integer(metadata={"description": "How many changes the assessment has had"})
    assessed_on = fields.Date(allow_none=True)
    aim_by = fields.Date(allow_none=True, metadata={
        "description": "The day by which the service aims to reach the levels it aims for"})
    participants = fields.String(allow_none=True, metadata={"description": "Who took part"})
    areas = fields.Nested(AreasOut)
    started_at = fields.DateTime()
    started_by = fields.String(metadata={"description": ACTOR})
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    submitted_by = fields.String(allow_none=True, metadata={"description": ACTOR})
    amendments = fields.List(fields.Nested(LevelsAmendmentSchema), metadata={
        "description": "Corrections after submission: what changed, from what to what, when and by whom"})


class LevelsAssessmentListSchema(ma.Schema):
    assessments = fields.List(fields.Nested(LevelsAssessmentSchema))


LevelsAssessmentQuery = list_query_schema("LevelsAssessmentQuery", "assessment")


class LevelsSummarySchema(ma.Schema):
    id = fields.Integer()
    service_id = fields.Integer()
    status = fields.String()
    assessed_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    aim_by = fields.String(allow_none=True, metadata={
        "description": "YYYY-MM-DD: by when the service aims to reach the levels aimed for"})
    levels = fields.Dict(metadata={"description": "Per area key: {current, aim}"})
    amendments = fields.Integer(metadata={"description": "How many answers were amended"})


def _past_day(value: str) -> None:
    from core.reports import parse_as_of

    try:
        parse_as_of(value)
    except ValueError as err:
        raise ma.ValidationError(str(err)) from None


class LevelsGridQuery(ma.Schema):
    service_id = fields.Integer(required=True, metadata={"description": "The service whose grid to show"},
                                error_messages={"required": "Choose the service whose grid to show."})
    as_of = fields.String(validate=_past_day, metadata={
        "description": "YYYY-MM-DD: the grid as it stood at the end of that day (London time, today or "
                       "earlier); leave out for now"})


class LevelsGridCellSchema(ma.Schema):
    area = fields.String()
    here = fields.Boolean(metadata={"description": "We are here: the level now in this area"})
    aiming = fields.Boolean(metadata={"description": "We are aiming for: the level aimed for in this area"})
    achieved = fields.String(allow_none=True, metadata={"description": "What has been achieved (summarised), "
                                                                       "in the cell marked 'We are here'"})
    planned = fields.String(allow_none=True, metadata={"description": "What is planned (summarised), in the "
                                                                      "cell marked 'We are aiming for'"})


class LevelsGridRowSchema(ma.Schema):
    level = fields.Integer()
    name = fields.String()
    description = fields.String(metadata={"description": "The guide's words for this level"})
    cells = fields.List(fields.Nested(LevelsGridCellSchema), metadata={"description": "One per area, in order"})


class LevelsAreaSchema(ma.Schema):
    key = fields.String()
    name = fields.String()
    description = fields.String(metadata={"description": "The guide's words for this area"})


class LevelsGridSchema(ma.Schema):
    service_id = fields.Integer()
    service_name = fields.String()
    as_of = fields.String(allow_none=True)
    assessment = fields.Nested(LevelsSummarySchema, allow_none=True, metadata={
        "description": "The latest submitted assessment shown, or null when there is none yet"})
    areas = fields.List(fields.Nested(LevelsAreaSchema))
    rows = fields.List(fields.Nested(LevelsGridRowSchema), metadata={"description": "The five levels, 1 to 5"})


class LevelsCompareQuery(ma.Schema):
    a = fields.Integer(required=True, metadata={"description": "The first assessment's id"})
    b = fields.Integer(required=True, metadata={"description": "The second assessment's id"})


class LevelsCompareItemSchema(ma.Schema):
    area = fields.String()
    area_name = fields.String()
    part = fields.String(metadata={"description": "current or aim"})
    label = fields.String()
    a = fields.Integer(allow_none=True)
    b = fields.Integer(allow_none=True)
    a_text = fields.String()
    b_text = fields.String()
    moved = fields.Boolean()
    change = fields.Integer(allow_none=True, metadata={"description": "b - a in levels (positive: up)"})
    note = fields.String(metadata={"description": "How it moved, e.g. 'Up 1 level'"})


class LevelsCompareSchema(ma.Schema):
    a = fields.Nested(LevelsSummarySchema)
    b = fields.Nested(LevelsSummarySchema)
    items = fields.List(fields.Nested(LevelsCompareItemSchema))
    moved = fields.List(fields.String(), metadata={"description": "area.part of each level that moved"})


# --- helpers ----------------------------------------------------------------------------------

def assessment_json(assessment: Assessment, practices=None) -> dict:
    practices = catalogue() if practices is None else practices
    return {
        "id": assessment.id, "service_id": assessment.service_id, "status": assessment.status,
        "view": assessment.view, "version": assessment.version, "assessed_on": assessment.assessed_on,
        "aim_by": assessment.aim_by, "participants": assessment.participants,
        "areas": {area.key: {**{part: assessment.get(flat_key(area.key, part)) for part in PARTS},
                             "claim": claims.area_claim(assessment, area.key, practices)} for area in AREAS},
        "started_at": assessment.started_at, "started_by": assessment.started_by,
        "updated_at": assessment.updated_at, "submitted_at": assessment.submitted_at,
        "submitted_by": assessment.submitted_by, "amendments": assessment.amendments or [],
    }


drafts = DraftApi(
    blp=blp, thing="assessment", path="assessments", noun="assessment", permission=WRITE, model=Assessment,
    schemas=DraftSchemas(create=LevelsAssessmentCreateSchema, update=LevelsUpdateSchema,
                         amend=LevelsAmendmentRequestSchema, record=LevelsAssessmentSchema,
                         listing=LevelsAssessmentListSchema, query=LevelsAssessmentQuery),
    find=commands.assessment_by_id, as_json=assessment_json, in_order=grid.in_order, flatten=flatten, nest=nest,
    start=commands.start_assessment, save=commands.save_draft, submit=commands.submit_assessment,
    amend=commands.amend_assessment, needed_to_submit="the date, who took part and every level are needed.",
)


# --- routes -----------------------------------------------------------------------------------

drafts.register()


@blp.get("/grid")
@blp.arguments(LevelsGridQuery, location="query")
@blp.response(200, LevelsGridSchema)
@require("read")
def service_grid(query):
    """A service's latest submitted assessment as the guide's grid: rows are the five levels, columns the three
    areas; each cell says whether "we are here" or "we are aiming for", with the achievements summarised."""
    from core.history import When
    from core.reports import parse_past_day

    service = service_or_404(query["service_id"])
    when = When(as_of=parse_past_day(query["as_of"])) if query.get("as_of") else When()
    latest, _ = grid.latest_two(assessments_as_of(when, service.id))
    return {"service_id": service.id, "service_name": service.name, "as_of": query.get("as_of"),
            "assessment": grid.summary(latest), **grid.grid(latest)}


@blp.get("/compare")
@blp.arguments(LevelsCompareQuery, location="query")
@blp.response(200, LevelsCompareSchema)
@require("read")
def compare_assessments(query):
    """Two assessments of a service side by side: how the level now and the aim moved in each area."""
    first, second = drafts.record_or_404(query["a"]), drafts.record_or_404(query["b"])
    if first.service_id != second.service_id:
        raise EventError("Choose two assessments of the same service.",
                         {"b": ["Choose an assessment of the same service as a."]})
    return grid.compare(first, second)


# --- whose view -------------------------------------------------------------------------------

class LevelsViewAreaSchema(ma.Schema):
    area = fields.String()
    area_name = fields.String()
    current = fields.Integer(allow_none=True)
    aim = fields.Integer(allow_none=True)


class LevelsViewSchema(ma.Schema):
    view = fields.String()
    title = fields.String(metadata={"description": "Whose view, in words"})
    assessment = fields.Nested(LevelsSummarySchema, allow_none=True, metadata={
        "description": "The latest submitted assessment of this view, or null when there is none"})


class LevelsDifferenceSchema(ma.Schema):
    area = fields.String()
    area_name = fields.String()
    part = fields.String(metadata={"description": "current or aim"})
    staff = fields.Integer()
    service_users = fields.Integer()
    gap = fields.Integer(metadata={"description": "service_users - staff, in levels"})
    note = fields.String(metadata={"description": "The difference in plain words"})


class LevelsViewsSchema(ma.Schema):
    service_id = fields.Integer()
    service_name = fields.String()
    views = fields.List(fields.Nested(LevelsViewSchema), metadata={
        "description": "The latest submitted assessment of each view: staff, service_users, agreed"})
    differences = fields.List(fields.Nested(LevelsDifferenceSchema), metadata={
        "description": "Where the latest staff and service-user views differ by a level or more"})
    summary = fields.String(metadata={"description": "The differences in one plain sentence"})


@blp.get("/services/<int:service_id>/views")
@blp.response(200, LevelsViewsSchema)
@require("read")
def service_views(service_id):
    """The latest submitted assessment of each view (staff, service users, agreed) per area, and where the
    staff team's and service users' views differ by a level or more."""
    from . import whose

    service = service_or_404(service_id)
    found = whose.latest_views(grid.service_assessments(service.id))
    differences = whose.differences(found)
    return {"service_id": service.id, "service_name": service.name,
            "views": [{"view": view, "title": VIEWS[view], "assessment": grid.summary(found[view])}
                      for view in VIEWS],
            "differences": differences, "summary": whose.summary(found, differences)}


class LevelsAimAreaSchema(ma.Schema):
    area = fields.String(metadata={"description": "individual, care_setting or policy"})
    area_name = fields.String()
    aim = fields.Integer(metadata={"description": "The level aimed for (above the level then)"})
    status = fields.String(metadata={"description": "reached (by the date), not_reached (by the date) or "
                                                    "not_yet (the date has not come)"})
    found_on = fields.String(allow_none=True, metadata={
        "description": "YYYY-MM-DD of the assessment the status rests on, if any"})
    found_level = fields.Integer(allow_none=True, metadata={"description": "The level that assessment found"})
    sentence = fields.String(metadata={"description": "The answer in one plain sentence"})


class LevelsAimSchema(ma.Schema):
    service_id = fields.Integer()
    aim = fields.Dict(allow_none=True, metadata={
        "description": "The last aim with a date: assessment_id, set_on, aim_by (YYYY-MM-DD) and areas (see "
                       "LevelsAimArea); null when no submitted assessment gave a date"})
    areas = fields.List(fields.Nested(LevelsAimAreaSchema), metadata={
        "description": "Per area aimed higher: whether the aim was reached by its date"})


@blp.get("/services/<int:service_id>/aim")
@blp.response(200, LevelsAimSchema)
@require("read")
def service_aim(service_id):
    """Whether the last aim was reached by its date: the latest submitted assessment that said by when the
    service aims to reach its levels, and per area aimed higher, reached, not reached or not yet."""
    from . import aims
    from .rules import today

    service = service_or_404(service_id)
    found = aims.outcome(grid.submitted(grid.service_assessments(service.id)), today())
    return {"service_id": service.id, "aim": {k: v for k, v in found.items() if k != "areas"} if found else None,
            "areas": found["areas"] if found else []}


# --- the practices checklist ------------------------------------------------------------------

class LevelsPracticeSchema(ma.Schema):
    key = fields.String(metadata={"description": "The key an assessment's practices list uses"})
    level = fields.Integer(metadata={"description": "The level whose description names it (2-5)"})
    wording = fields.String()
    source = fields.String(metadata={"description": "guide or trust"})


class LevelsPracticeListSchema(ma.Schema):
    practices = fields.List(fields.Nested(LevelsPracticeSchema))


class LevelsPracticeCreateSchema(Strict):
    level = fields.Integer(required=True, strict=True, metadata={"description": "The level it supports, 2 to 5"},
                           error_messages={"required": "Choose the level this practice supports, from 2 to 5.",
                                           "invalid": "Give the level as a whole number from 2 to 5."})
    wording = fields.String(required=True, metadata={"description": "The practice in a sentence"},
                            error_messages={"required": "Describe the practice in a sentence.",
                                            "invalid": "Describe the practice in words."})


def _practice_json(practice) -> dict:
    return {"key": practice.key, "level": practice.level, "wording": practice.wording,
            "source": "trust" if practice.trust else "guide"}


@blp.get("/practices")
@blp.response(200, LevelsPracticeListSchema)
@require("read")
def list_practices():
    """The checklist offered in each area: the guide's practices and the Trust's own, by level."""
    return {"practices": [_practice_json(p) for p in catalogue()]}


@blp.post("/practices")
@blp.arguments(LevelsPracticeCreateSchema)
@blp.response(201, LevelsPracticeSchema)
@require("manage")
def add_practice(data):
    """Add a practice of the Trust's own to the checklist (Trust admins)."""
    from .practices import Practice, trust_key

    practice = drafts.run(lambda: commands.add_practice(data["level"], data["wording"]))
    return _practice_json(Practice(trust_key(practice.id), practice.level, practice.wording, trust=True))
