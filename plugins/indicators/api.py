"""The indicators' JSON API, mounted by core at /api/v1/t/<slug>/indicators/.

The same rules as the pages (plugins.indicators.commands): bad input answers
422 with per-field messages, a step that cannot be taken yet (a third target,
a review before its date, a member's second response to a round) 409, another Trust's round 404; nothing is stored.
"""
from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from core.auth import require
from core.db import db
from core.evidence import EvidenceList
from core.reports import london_today

from . import commands, summary
from .indicators import ANSWERS, CHAIRS, GROUPS, HAPPENED, KEYS, SETTINGS, TEXT_LIMIT
from .models import Response, Round, Target

blp = Blueprint("api_indicators", __name__, description=(
    "Getting there: service users and staff evaluate a service with the seven user-generated "
    "indicators, share their views, agree one or two targets for change and review progress."))

WORDS = ma.validate.Length(max=TEXT_LIMIT)
REQUIRED_WORDS = ma.validate.Length(min=1, max=TEXT_LIMIT)


def _one_of(choices, what):
    return ma.validate.OneOf(choices, error=f"Choose {what}: {', '.join(choices)}.")


# --- request schemas ---------------------------------------------------------------------------

class RoundIn(ma.Schema):
    service_id = ma.fields.Integer(required=True, metadata={"description": "The service being evaluated"})
    title = ma.fields.String(load_default="", validate=ma.validate.Length(max=200),
                             metadata={"description": "A name for the round, e.g. Spring 2027 (optional)"})
    share_planned_on = ma.fields.Date(load_default=None, allow_none=True, metadata={
        "description": "When the groups plan to share their views (optional): told to people who answer"})


class RoundQuery(ma.Schema):
    service_id = ma.fields.Integer(metadata={"description": "Only this service's rounds"})


class AnswerIn(ma.Schema):
    individual = ma.fields.String(load_default=None, allow_none=True, validate=_one_of(ANSWERS, "an answer"),
                                  metadata={"description": "Met at an individual level? One of: "
                                                           + ", ".join(ANSWERS)})
    service = ma.fields.String(load_default=None, allow_none=True, validate=_one_of(ANSWERS, "an answer"),
                               metadata={"description": "Met at a service level? One of: " + ", ".join(ANSWERS)})
    how = ma.fields.String(load_default="", validate=WORDS, metadata={"description": "If it is met, how"})
    barriers = ma.fields.String(load_default="", validate=WORDS,
                                metadata={"description": "If not, what stands in the way"})
    change = ma.fields.String(load_default="", validate=WORDS, metadata={"description": "How it could change"})


class ResponseIn(ma.Schema):
    group = ma.fields.String(load_default=None, allow_none=True, validate=_one_of(GROUPS, "a group"),
                             metadata={"description": "service_users or staff. Service users and staff answer "
                                                      "with their own group; facilitators and admins choose."})
    answers = ma.fields.Dict(
        keys=ma.fields.String(validate=_one_of(KEYS, "an indicator")), values=ma.fields.Nested(AnswerIn),
        required=True, metadata={"description": "One entry per indicator answered, keyed by: " + ", ".join(KEYS)})
    submission = ma.fields.String(
        load_default=None, allow_none=True,
        validate=ma.validate.Regexp(commands.SUBMISSION_PATTERN.pattern + "$",
                                    error="Use 8 to 64 letters, digits, '-' or '_' (a UUID will do)."),
        metadata={"description": "Optional one-time key chosen by the caller (8 to 64 letters, digits, '-' or "
                                 "'_', e.g. a UUID) so a request sent again is recorded once: the first call "
                                 "answers 201, a repeat with the same key answers 200 with the same response "
                                 "and stores nothing. Each member answers once per round: a second response "
                                 "with another key answers 409."})


class SharingIn(ma.Schema):
    shared_on = ma.fields.Date(required=True, metadata={"description": "When the groups shared their views"})
    setting = ma.fields.String(required=True, validate=_one_of(SETTINGS, "where"),
                               metadata={"description": "One of: " + ", ".join(SETTINGS)})
    chaired_by = ma.fields.String(required=True, validate=_one_of(CHAIRS, "who chaired"),
                                  metadata={"description": "One of: " + ", ".join(CHAIRS)})
    chair_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    notes = ma.fields.String(load_default="", validate=WORDS)
    ideas = ma.fields.List(ma.fields.String(validate=REQUIRED_WORDS), load_default=list,
                           metadata={"description": "The ideas for change that came up, one per entry; targets "
                                                    "are chosen from these (step 3)"})


class TargetIn(ma.Schema):
    indicator = ma.fields.String(required=True, validate=_one_of(KEYS, "an indicator"),
                                 metadata={"description": "One of: " + ", ".join(KEYS)})
    change = ma.fields.String(required=True, validate=REQUIRED_WORDS, metadata={"description": "What will change"})
    service_users_do = ma.fields.String(required=True, validate=REQUIRED_WORDS,
                                        metadata={"description": "What service users will do"})
    staff_do = ma.fields.String(required=True, validate=REQUIRED_WORDS,
                                metadata={"description": "What staff will do"})
    review_on = ma.fields.Date(required=True, metadata={"description": "When to review progress (in the future)"})
    agreed_for_service_users = ma.fields.String(load_default="", validate=ma.validate.Length(max=200), metadata={
        "description": "Who agreed the target for service users (targets are joint; the pages require it, the "
                       "API accepts it left out so that earlier callers keep working)"})
    agreed_for_staff = ma.fields.String(load_default="", validate=ma.validate.Length(max=200), metadata={
        "description": "Who agreed the target for staff (as agreed_for_service_users)"})


class ReviewIn(ma.Schema):
    happened = ma.fields.String(required=True, validate=_one_of(HAPPENED, "whether it happened"),
                                metadata={"description": "One of: " + ", ".join(HAPPENED)})
    outcomes = ma.fields.String(required=True, validate=REQUIRED_WORDS,
                                metadata={"description": "What the outcomes have been"})
    working_together = ma.fields.String(load_default="", validate=WORDS,
                                        metadata={"description": "How working together felt"})
    build_on = ma.fields.String(load_default="", validate=WORDS,
                                metadata={"description": "How to build on it in other areas"})
    reviewed_for_service_users = ma.fields.String(load_default="", validate=ma.validate.Length(max=200),
                                                  metadata={"description": "Who reviewed it for service users"})
    reviewed_for_staff = ma.fields.String(load_default="", validate=ma.validate.Length(max=200),
                                          metadata={"description": "Who reviewed it for staff"})
    evidence = EvidenceList(load_default=None, allow_none=True)


# --- response schemas -------------------------------------------------------------------------------

class ReviewOut(ma.Schema):
    happened = ma.fields.String()
    outcomes = ma.fields.String()
    working_together = ma.fields.String()
    build_on = ma.fields.String()
    reviewed_for_service_users = ma.fields.String(allow_none=True)
    reviewed_for_staff = ma.fields.String(allow_none=True)
    evidence = ma.fields.Raw(allow_none=True, metadata={
        "description": "Links and notes behind the review ({url, note} each), or \"[erased]\""})
    reviewed_at = ma.fields.DateTime()


class TargetOut(ma.Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    indicator = ma.fields.String()
    change = ma.fields.String()
    service_users_do = ma.fields.String()
    staff_do = ma.fields.String()
    review_on = ma.fields.Date()
    agreed_for_service_users = ma.fields.String(allow_none=True)
    agreed_for_staff = ma.fields.String(allow_none=True)
    agreed_at = ma.fields.DateTime()
    review_state = ma.fields.String(metadata={"description": "reviewed, overdue, due or not_due"})
    review = ma.fields.Nested(ReviewOut, allow_none=True)


class SharingOut(ma.Schema):
    shared_on = ma.fields.Date()
    setting = ma.fields.String()
    chaired_by = ma.fields.String()
    chair_name = ma.fields.String()
    notes = ma.fields.String()
    ideas = ma.fields.List(ma.fields.String())


class StepOut(ma.Schema):
    key = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String(metadata={"description": ", ".join(summary.STATUS_WORDS)})
    current = ma.fields.Boolean()


class RoundOut(ma.Schema):
    id = ma.fields.Integer()
    service_id = ma.fields.Integer()
    title = ma.fields.String()
    started_at = ma.fields.DateTime()
    share_planned_on = ma.fields.Date(allow_none=True)
    responses = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                               metadata={"description": "How many people answered, per group"})
    sharing = ma.fields.Nested(SharingOut, allow_none=True)
    steps = ma.fields.List(ma.fields.Nested(StepOut))
    targets = ma.fields.List(ma.fields.Nested(TargetOut))


class RoundListOut(ma.Schema):
    rounds = ma.fields.List(ma.fields.Nested(RoundOut))


class ResponseOut(ma.Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    group = ma.fields.String()
    sent_at = ma.fields.DateTime()
    answers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict())


class GroupSummaryOut(ma.Schema):
    responses = ma.fields.Integer(metadata={"description": "How many of the group answered"})
    individual = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                                metadata={"description": "Counts per answer at an individual level"})
    service = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                             metadata={"description": "Counts per answer at a service level"})
    quotes = ma.fields.List(ma.fields.Dict(), metadata={"description": "What people said: how, barriers, change"})
    withheld = ma.fields.Boolean(metadata={
        "description": "True when too few service users answered (fewer than the Trust's threshold, at least 3): "
                       "counts are zero and there are no quotes, so nobody can be singled out"})
    message = ma.fields.String(metadata={"description": "Why it is withheld, e.g. 'fewer than 3 answers'"})


class IndicatorSummaryOut(ma.Schema):
    key = ma.fields.String()
    name = ma.fields.String()
    wording = ma.fields.String()
    groups = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(GroupSummaryOut))


class ComparisonOut(ma.Schema):
    round_id = ma.fields.Integer()
    shared = ma.fields.Boolean()
    groups_shown = ma.fields.List(ma.fields.String(), metadata={
        "description": "Service users see only their own group until the views are shared"})
    indicators = ma.fields.List(ma.fields.Nested(IndicatorSummaryOut))


class RoundTargetsOut(ma.Schema):
    agreed = ma.fields.Integer()
    achieved = ma.fields.Integer(metadata={"description": "Reviewed: the change happened"})
    partly = ma.fields.Integer(metadata={"description": "Reviewed: it partly happened"})
    not_achieved = ma.fields.Integer(metadata={"description": "Reviewed: it did not happen"})
    overdue = ma.fields.Integer(metadata={"description": "Not reviewed, and the review date has passed"})
    due = ma.fields.Integer(metadata={"description": "Not reviewed, and the review date is today"})
    not_due = ma.fields.Integer(metadata={"description": "Not reviewed, and the review date is still to come"})


class RoundOverTimeOut(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    started_on = ma.fields.String(metadata={"description": "YYYY-MM-DD"})
    shared_on = ma.fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD, once views were shared"})
    groups_shown = ma.fields.List(ma.fields.String(), metadata={
        "description": "Service users see only their own group's views until the round's views are shared"})
    responses = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    targets = ma.fields.Nested(RoundTargetsOut)


class ViewOut(ma.Schema):
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={
        "description": "How many answered met, partly_met, not_met and dont_know"})
    view = ma.fields.String(allow_none=True, metadata={
        "description": "The answer most of the group gave (the less favourable on a tie); null with no answers"})
    responses = ma.fields.Integer()


class IndicatorOverTimeOut(ma.Schema):
    key = ma.fields.String()
    name = ma.fields.String()
    wording = ma.fields.String()
    groups = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.Nested(ViewOut, allow_none=True))), metadata={
        "description": "group -> level (individual, service) -> one entry per round, oldest first "
                       "(null where that group's views are not shown to the reader yet)"})


class OverTimeOut(ma.Schema):
    service = ma.fields.Dict(metadata={"description": "id and name"})
    rounds = ma.fields.List(ma.fields.Nested(RoundOverTimeOut), metadata={"description": "Oldest first"})
    indicators = ma.fields.List(ma.fields.Nested(IndicatorOverTimeOut))


# --- helpers -------------------------------------------------------------------------------------------

def _round(round_id: int) -> Round:
    round_ = commands.round_by_id(round_id)
    if round_ is None:
        abort(404, message="There is no such round in this Trust.")
    return round_


def _target_out(target, today) -> dict:
    review = None
    if target.reviewed_at is not None:
        review = {"happened": target.happened, "outcomes": target.outcomes,
                  "working_together": target.working_together, "build_on": target.build_on,
                  "reviewed_for_service_users": target.reviewed_for_service_users,
                  "reviewed_for_staff": target.reviewed_for_staff, "evidence": target.review_evidence,
                  "reviewed_at": target.reviewed_at}
    return {"id": target.id, "round_id": target.round_id, "indicator": target.indicator,
            "change": target.change, "service_users_do": target.service_users_do, "staff_do": target.staff_do,
            "review_on": target.review_on, "agreed_at": target.agreed_at,
            "agreed_for_service_users": target.agreed_for_service_users, "agreed_for_staff": target.agreed_for_staff,
            "review_state": summary.review_state(target, today), "review": review}


def _round_out(round_: Round, counts: dict | None = None, targets: list | None = None) -> dict:
    today = london_today()
    counts = counts if counts is not None else commands.responses_by_group(round_.id)
    targets = targets if targets is not None else commands.round_targets(round_.id)
    sharing = None
    if round_.shared:
        sharing = {"shared_on": round_.shared_on, "setting": round_.shared_setting,
                   "chaired_by": round_.shared_chair, "chair_name": round_.shared_chair_name,
                   "notes": round_.shared_notes, "ideas": round_.ideas or []}
    return {"id": round_.id, "service_id": round_.service_id, "title": summary.round_title(round_),
            "started_at": round_.started_at, "share_planned_on": round_.share_planned_on, "responses": counts, "sharing": sharing,
            "steps": summary.steps(round_, counts, targets, today),
            "targets": [_target_out(t, today) for t in targets]}


def _conflict_status(err) -> int:
    return err.status


def _run(action):
    """Run a command; its refusal becomes a JSON error (409 or 422) with nothing stored."""
    try:
        return action()
    except commands.CommandError as err:
        db.session.rollback()
        abort(_conflict_status(err), message=err.message, errors=err.fields)


# --- routes ----------------------------------------------------------------------------------------------

@blp.post("/rounds")
@blp.arguments(RoundIn)
@blp.response(201, RoundOut)
@require("facilitate")
def start_round(data):
    """Start a round of the indicators for a service."""
    round_ = _run(lambda: commands.start_round(data["service_id"], data["title"], data["share_planned_on"]))
    db.session.commit()
    return _round_out(round_)


@blp.get("/rounds")
@blp.arguments(RoundQuery, location="query")
@blp.response(200, RoundListOut)
@require("read")
def list_rounds(query):
    """Rounds, newest first; optionally one service's."""
    statement = select(Round).order_by(Round.started_at.desc(), Round.id.desc())
    if "service_id" in query:
        statement = statement.where(Round.service_id == query["service_id"])
    rounds = db.session.scalars(statement).all()
    # Three queries however many rounds there are.
    counts = commands.responses_by_round()
    targets: dict[int, list] = {}
    for target in db.session.scalars(select(Target).order_by(Target.id)):
        targets.setdefault(target.round_id, []).append(target)
    return {"rounds": [_round_out(r, counts.get(r.id, dict.fromkeys(GROUPS, 0)), targets.get(r.id, []))
                       for r in rounds]}


@blp.get("/rounds/<int:round_id>")
@blp.response(200, RoundOut)
@require("read")
def read_round(round_id):
    """One round: where it is in the four steps, the sharing, the targets and their reviews."""
    return _round_out(_round(round_id))


@blp.post("/rounds/<int:round_id>/responses")
@blp.arguments(ResponseIn)
@blp.response(201, ResponseOut, description="The answers were recorded")
@blp.alt_response(200, schema=ResponseOut, description="Sent before with the same submission key: "
                                                      "the first response, nothing stored again")
@blp.alt_response(409, description="This member has already answered this round, or the submission key "
                                   "was used for someone else's answers")
@require("contribute")
def send_response(data, round_id):
    """Send one person's answers for their group (step 1). Each member answers once per round."""
    round_ = _round(round_id)

    def send() -> Response:
        group = commands.group_for(g.membership.role, data.get("group"))
        return commands.send_response(round_, group, data["answers"], membership_id=g.membership.id,
                                      submission=data.get("submission"))

    try:
        response, status = _run(send), 201
    except commands.AlreadySent as done:
        db.session.rollback()
        response, status = done.response, 200
    db.session.commit()
    return {"id": response.id, "round_id": response.round_id, "group": response.group,
            "sent_at": response.sent_at, "answers": response.answers}, status


@blp.post("/rounds/<int:round_id>/sharing")
@blp.arguments(SharingIn)
@blp.response(201, RoundOut)
@require("contribute")
def share(data, round_id):
    """Record that the two groups shared their views (step 2), with their ideas for change. A joint step:
    service users, staff and facilitators may record it."""
    round_ = _round(round_id)
    _run(lambda: commands.share_views(round_, data["shared_on"], data["setting"], data["chaired_by"],
                                      data["chair_name"], data["notes"], data["ideas"]))
    db.session.commit()
    return _round_out(round_)


@blp.post("/rounds/<int:round_id>/targets")
@blp.arguments(TargetIn)
@blp.response(201, TargetOut)
@require("contribute")
def agree_target(data, round_id):
    """Agree a target for change (step 3): one or two per round, agreed jointly (who agreed for each group)."""
    round_ = _round(round_id)
    target = _run(lambda: commands.agree_target(
        round_, data["indicator"], data["change"], data["service_users_do"], data["staff_do"], data["review_on"],
        agreed_for_service_users=data["agreed_for_service_users"], agreed_for_staff=data["agreed_for_staff"],
        who_agreed_required=False))
    db.session.commit()
    return _target_out(target, london_today())


@blp.post("/rounds/<int:round_id>/targets/<int:target_id>/review")
@blp.arguments(ReviewIn)
@blp.response(201, TargetOut)
@require("contribute")
def review_target(data, round_id, target_id):
    """Review progress on a target, on or after its review date (step 4)."""
    round_ = _round(round_id)
    target = commands.target_by_id(round_, target_id)
    if target is None:
        abort(404, message="There is no such target in this round.")
    _run(lambda: commands.review_target(target, round_, data["happened"], data["outcomes"],
                                        data["working_together"], data["build_on"],
                                        reviewed_for_service_users=data["reviewed_for_service_users"],
                                        reviewed_for_staff=data["reviewed_for_staff"], evidence=data["evidence"]))
    db.session.commit()
    return _target_out(target, london_today())


@blp.get("/rounds/<int:round_id>/comparison")
@blp.response(200, ComparisonOut)
@require("read")
def comparison(round_id):
    """Both groups' views per indicator, side by side. Until the views are shared each group sees only its own
    (facilitators see both); service users' counts and words are withheld below the Trust's answer threshold."""
    round_ = _round(round_id)
    groups = summary.visible_groups(round_, g.membership.role)
    responses = db.session.scalars(select(Response).where(Response.round_id == round_.id)).all()
    return {"round_id": round_.id, "shared": round_.shared, "groups_shown": list(groups),
            "indicators": summary.summarise(responses, groups)}


@blp.get("/services/<int:service_id>/over-time")
@blp.response(200, OverTimeOut)
@blp.alt_response(404, description="No such service in this Trust")
@require("read")
def over_time(service_id):
    """One service's indicators round after round: each group's views per indicator and level, and the targets."""
    from core.models import Service

    from .over_time import service_over_time

    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404, message="There is no such service in this Trust.")
    return service_over_time(service, g.membership.role)


__all__ = ["blp"]
