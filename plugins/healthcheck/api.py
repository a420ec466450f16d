"""The health check's JSON API, mounted by core at /api/v1/t/<slug>/healthcheck.

Answers travel per question (``answers.q2.frequency``); every field is in the
OpenAPI document. Bad input gets 422 with a message per field and stores
nothing; a step the review's status does not allow gets 409.
"""
from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from core.api import versions
from core.auth import require
from core.draft_api import DraftApi, DraftSchemas, list_query_schema, service_or_404
from core.events import EventError
from core.history import When

from . import commands, history
from .answers import HealthCheckAnswersSchema, HealthCheckContentSchema, answer_field, flatten, nest, today
from .compare import compare
from .models import Review
from .questions import ANSWERS, FIRST_STEP, GENERAL, KEY_ANSWERS, YES_PARTLY_NO_KEYS
from .reports import overview

blp = Blueprint("api_healthcheck", __name__, description=(
    "A health check for your user group: reviews of a service's user group with the guide's 14 questions, "
    "what needs to change, sharing them with service users, and comparing reviews over time."))

ACTOR = "Who did it: 'user:<id>', 'cli', 'system' or 'invitation:<id>'"


# --- schemas ----------------------------------------------------------------------------------

class HealthCheckReviewCreateSchema(HealthCheckContentSchema):
    service_id = fields.Integer(required=True, metadata={"description": "The service whose user group is reviewed"})
    submit = fields.Boolean(load_default=False, metadata={
        "description": "true to submit at once (every essential answer needed); false keeps a draft"})


class HealthCheckUpdateSchema(HealthCheckContentSchema):
    version = versions.version_field("review")


class HealthCheckAmendmentRequestSchema(ma.Schema):
    changes = fields.Nested(HealthCheckContentSchema, required=True, metadata={
        "description": "The answers to correct, in the same shape as a review; null clears an answer"})
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "Why it is amended (shown with the amendment)"})
    version = versions.version_field("review")


class HealthCheckSharingRequestSchema(ma.Schema):
    shared_on = answer_field(ANSWERS["shared_on"], required=True)
    service_user_views = answer_field(ANSWERS["service_user_views"])


class HealthCheckAmendmentSchema(ma.Schema):
    field = fields.String(metadata={"description": "The flat key of the amended answer, e.g. q5_attendance"})
    label = fields.String(metadata={"description": "The answer's name in plain words"})
    question = fields.Integer(allow_none=True, metadata={"description": "The guide's question number, if any"})
    before = fields.Raw(data_key="from", attribute="from", metadata={"description": "The answer before"})
    after = fields.Raw(data_key="to", attribute="to", metadata={"description": "The answer after"})
    at = fields.String(metadata={"description": "When (UTC, ISO 8601)"})
    by = fields.String(metadata={"description": ACTOR})
    reason = fields.String(allow_none=True, metadata={"description": "Why it was amended"})
    event_id = fields.Integer(metadata={"description": "The amendment's event in the Trust's log"})


class HealthCheckReviewSchema(HealthCheckContentSchema):
    id = fields.Integer(metadata={"description": "The review's id (the id of the event that started it)"})
    service_id = fields.Integer()
    status = fields.String(metadata={"description": "draft or submitted"})
    version = fields.Integer(metadata={"description": "How many changes the review has had"})
    answers = fields.Nested(HealthCheckAnswersSchema)
    first_step = fields.String(allow_none=True, metadata={
        "description": "When the service has no user group yet: the guide's first step"})
    started_at = fields.DateTime()
    started_by = fields.String(metadata={"description": ACTOR})
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    submitted_by = fields.String(allow_none=True, metadata={"description": ACTOR})
    sharing_recorded_at = fields.DateTime(allow_none=True)
    amendments = fields.List(fields.Nested(HealthCheckAmendmentSchema), metadata={
        "description": "Corrections after submission: what changed, from what to what, when and by whom"})


class HealthCheckReviewListSchema(ma.Schema):
    reviews = fields.List(fields.Nested(HealthCheckReviewSchema))


HealthCheckReviewQuery = list_query_schema("HealthCheckReviewQuery", "review")


class HealthCheckSummarySchema(ma.Schema):
    id = fields.Integer()
    service_id = fields.Integer()
    status = fields.String()
    held_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    has_user_group = fields.Boolean(allow_none=True)
    staff_count = fields.Integer(allow_none=True)
    service_user_count = fields.Integer(allow_none=True)
    key_answers = fields.Dict(metadata={"description": "Answers to " + ", ".join(KEY_ANSWERS)})
    amendments = fields.Integer(metadata={"description": "How many answers were amended"})


class HealthCheckCompareQuery(ma.Schema):
    a = fields.Integer(required=True, metadata={"description": "The first review's id"})
    b = fields.Integer(required=True, metadata={"description": "The second review's id"})


class HealthCheckCompareItemSchema(ma.Schema):
    key = fields.String(metadata={"description": "Flat key of the answer, e.g. q2_frequency"})
    label = fields.String()
    question = fields.Integer(allow_none=True)
    a = fields.Raw(allow_none=True, metadata={"description": "The answer in review a"})
    b = fields.Raw(allow_none=True, metadata={"description": "The answer in review b"})
    a_text = fields.String()
    b_text = fields.String()
    moved = fields.Boolean(metadata={"description": "Whether the answer changed from a to b"})
    note = fields.String(metadata={"description": "How it moved, e.g. +3 or 'Meets more often'"})


class HealthCheckCompareSchema(ma.Schema):
    a = fields.Nested(HealthCheckSummarySchema)
    b = fields.Nested(HealthCheckSummarySchema)
    items = fields.List(fields.Nested(HealthCheckCompareItemSchema))
    moved = fields.List(fields.String(), metadata={"description": "Keys of the answers that moved"})


class HealthCheckDueSchema(ma.Schema):
    status = fields.String(metadata={"description": "none (never reviewed), due (last review more than six "
                                                    "months old) or ok"})
    due = fields.Boolean()
    last_held_on = fields.String(allow_none=True)
    due_on = fields.String(allow_none=True, metadata={"description": "Six months after the last review"})


class HealthCheckChartSchema(ma.Schema):
    reviews = fields.List(fields.Dict(), metadata={"description": "Submitted reviews, oldest first: id, held_on"})
    attendance = fields.List(fields.Integer(allow_none=True), metadata={
        "description": "Service users usually attending, per review"})
    attendance_max = fields.Integer()
    answers = fields.Dict(metadata={"description": "Per question key (" + ", ".join(YES_PARTLY_NO_KEYS)
                                                   + "): the answer at each review"})
    labels = fields.Dict(metadata={"description": "Each charted answer's name"})
    short_labels = fields.Dict(metadata={"description": "Shorter names, as the chart shows them"})


class HealthCheckHistorySchema(ma.Schema):
    service_id = fields.Integer()
    service_name = fields.String()
    reviews = fields.List(fields.Nested(HealthCheckSummarySchema))
    due = fields.Nested(HealthCheckDueSchema)
    chart = fields.Nested(HealthCheckChartSchema)


class HealthCheckOverviewRowSchema(ma.Schema):
    service_id = fields.Integer()
    name = fields.String()
    last_review_id = fields.Integer(allow_none=True)
    last_held_on = fields.String(allow_none=True)
    key_answers = fields.Dict()
    due = fields.Nested(HealthCheckDueSchema)


class HealthCheckOverviewSchema(ma.Schema):
    as_of = fields.String()
    services = fields.List(fields.Nested(HealthCheckOverviewRowSchema))
    overdue = fields.Integer(metadata={"description": "Services whose last review is more than six months old"})


# --- helpers ----------------------------------------------------------------------------------

def review_json(review: Review) -> dict:
    content = review.content()
    general = {a.key: content[a.key] for a in GENERAL}
    per_question = {k: v for k, v in content.items() if k not in general}
    data = {**general, "held_on": review.held_on, "shared_on": review.shared_on,
            "answers": nest(per_question).get("answers", {})}
    data.update({
        "id": review.id, "service_id": review.service_id, "status": review.status, "version": review.version,
        "first_step": FIRST_STEP if review.has_user_group is False else None,
        "started_at": review.started_at, "started_by": review.started_by, "updated_at": review.updated_at,
        "submitted_at": review.submitted_at, "submitted_by": review.submitted_by,
        "sharing_recorded_at": review.sharing_recorded_at, "amendments": review.amendments or [],
    })
    return data


drafts = DraftApi(
    blp=blp, thing="review", path="reviews", noun="health check", permission="contribute", model=Review,
    schemas=DraftSchemas(create=HealthCheckReviewCreateSchema, update=HealthCheckUpdateSchema,
                         amend=HealthCheckAmendmentRequestSchema, record=HealthCheckReviewSchema,
                         listing=HealthCheckReviewListSchema, query=HealthCheckReviewQuery),
    find=commands.review_by_id, as_json=review_json, in_order=history.in_order, flatten=flatten, nest=nest,
    start=commands.start_review, save=commands.save_draft, submit=commands.submit_review,
    amend=commands.amend_review, needed_to_submit="the essential answers must be there.",
)


# --- routes -----------------------------------------------------------------------------------

drafts.register()


@blp.post("/reviews/<int:review_id>/sharing")
@blp.arguments(HealthCheckSharingRequestSchema)
@blp.response(200, HealthCheckReviewSchema)
@drafts.errors(403, 404, 409, 422)
@require("contribute")
def record_sharing(data, review_id):
    """The sharing step: the user meeting where the review was shared, and what service users said.
    409 when already recorded for a submitted review (amend it instead)."""
    review = drafts.record_or_404(review_id)
    drafts.run(commands.record_sharing, review, flatten(data))
    return review_json(review)


@blp.get("/compare")
@blp.arguments(HealthCheckCompareQuery, location="query")
@blp.response(200, HealthCheckCompareSchema)
@drafts.errors(404, 422)
@require("read")
def compare_reviews(query):
    """Two reviews of a service side by side: every compared answer and what moved from a to b."""
    first, second = drafts.record_or_404(query["a"]), drafts.record_or_404(query["b"])
    if first.service_id != second.service_id:
        raise EventError("Choose two health checks of the same service.",
                         {"b": ["Choose a health check of the same service as a."]})
    return compare(first, second)


@blp.get("/services/<int:service_id>")
@blp.response(200, HealthCheckHistorySchema)
@drafts.errors(404)
@require("read")
def service_history(service_id):
    """A service's reviews over time, the chart's data and whether a review is due."""
    service = service_or_404(service_id)
    reviews = history.service_reviews(service.id)
    return {"service_id": service.id, "service_name": service.name,
            "reviews": [history.summary(r) for r in reviews],
            "due": history.due_notice(reviews, today()), "chart": history.chart_data(reviews)}


@blp.get("/overview")
@blp.response(200, HealthCheckOverviewSchema)
@require("read")
def trust_overview():
    """Every service's last review, its key answers and whether it is overdue."""
    return overview(When())
