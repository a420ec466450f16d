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
from core.db import db
from core.events import Conflict, EventError
from core.history import When

from . import commands, history
from .answers import HealthCheckAnswersSchema, HealthCheckContentSchema, answer_field, flatten, nest, today
from .compare import compare
from .events import HAPPENED
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


class HealthCheckFollowUpItemSchema(ma.Schema):
    index = fields.Integer(metadata={"description": "The change's place in the earlier health check's list, from 0"})
    change = fields.String(metadata={"description": "The change as agreed then"})
    happened = fields.String(allow_none=True, metadata={
        "description": "Did it happen? " + ", ".join(HAPPENED) + "; null when not answered yet"})
    happened_words = fields.String(allow_none=True, metadata={"description": "The answer in plain words"})


class HealthCheckFollowUpSchema(ma.Schema):
    review_id = fields.Integer()
    version = fields.Integer(metadata={"description": "The review's version (also the ETag)"})
    earlier_id = fields.Integer(allow_none=True, metadata={
        "description": "The submitted health check before this one, whose agreed changes are followed up"})
    earlier_held_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    changes = fields.List(fields.Nested(HealthCheckFollowUpItemSchema), metadata={
        "description": "Each change agreed at the earlier health check, with whether it happened; empty when "
                       "it agreed none"})


class HealthCheckFollowUpAnswerSchema(ma.Schema):
    index = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=999), metadata={
        "description": "The change's place in the earlier health check's list, from 0 (as GET lists them)"})
    happened = fields.String(required=True, validate=validate.OneOf(HAPPENED), metadata={
        "description": "Did it happen? " + ", ".join(HAPPENED)})


class HealthCheckFollowUpRequestSchema(ma.Schema):
    changes = fields.List(fields.Nested(HealthCheckFollowUpAnswerSchema), required=True,
                          validate=validate.Length(max=1000), metadata={
                              "description": "An answer for every change agreed at the earlier health check"})
    version = versions.version_field("review")


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


def follow_up_json(review: Review) -> dict:
    earlier = commands.earlier_review(review)
    agreed = list(earlier.agreed_changes or []) if earlier is not None else []
    given = {}
    if earlier is not None:
        answered = [item for item in review.followed_up or [] if item.get("earlier_id") == earlier.id]
        given = {index: item.get("happened") for index, item in enumerate(answered)}
    changes = [{"index": index, "change": change, "happened": given.get(index),
                "happened_words": HAPPENED.get(given.get(index))} for index, change in enumerate(agreed)]
    return {"review_id": review.id, "version": review.version, "earlier_id": earlier.id if earlier else None,
            "earlier_held_on": earlier.held_on.isoformat() if earlier and earlier.held_on else None,
            "changes": changes}


@blp.get("/reviews/<int:review_id>/follow-up")
@blp.response(200, HealthCheckFollowUpSchema, headers=versions.ETAG_HEADER)
@drafts.errors(404)
@require("read")
def read_follow_up(review_id):
    """"Did it happen?": each change agreed at the service's health check before this one, with the answer
    given at this one (null when not answered yet). The review's version is the ETag."""
    review = drafts.record_or_404(review_id)
    return follow_up_json(review), 200, versions.etag(review.version)


@blp.put("/reviews/<int:review_id>/follow-up")
@blp.arguments(HealthCheckFollowUpRequestSchema)
@blp.response(200, HealthCheckFollowUpSchema, headers=versions.ETAG_HEADER)
@drafts.errors(403, 404, 422)
@versions.document(blp, conflict="The health check before agreed no changes, or the version sent is older "
                                 "than the review's")
@require("contribute")
def record_follow_up(data, review_id):
    """Record whether each change agreed at the health check before happened: yes, partly, no or not yet.
    Every change needs an answer; an index the earlier check did not agree, or a value not in the list, is 422
    and nothing is stored. Send If-Match (or version) so that answers given from an older copy are refused."""
    review = drafts.record_or_404(review_id)
    expected = versions.expected_version(data.get("version"))
    answers = {}
    for item in data["changes"]:
        if str(item["index"]) in answers:
            raise EventError("Each change is answered once.",
                             {"changes": [f"Change {item['index']} is answered more than once."]})
        answers[str(item["index"])] = item["happened"]
    try:
        commands.record_follow_up(review, answers, expected_version=expected)
        db.session.commit()
    except EventError as err:
        db.session.rollback()
        if isinstance(err, Conflict):
            raise
        fields_ = {}
        for key, messages in err.fields.items():
            fields_.setdefault("changes", {})[key.removeprefix("happened_")] = messages
        raise EventError(err.message, fields_ or err.fields) from None
    return follow_up_json(review), 200, versions.etag(review.version)


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
