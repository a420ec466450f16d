"""Actions as data: one list per Trust or service, and changes to an action's status, lead and date."""
import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint

from .. import actions
from ..auth import require
from ..db import db
from ..events import Conflict, EventError
from ..reports import london_today
from . import versions

blp = Blueprint("api_actions", __name__, url_prefix="/api/v1/t/<slug>/actions",
                description="Actions from every section: what, who leads it, by when, and how it stands.")

STATUS_CHOICE = "Choose the status: " + ", ".join(actions.STATUSES) + "."


class _Day(ma.fields.Date):
    default_error_messages = {"invalid": "Enter a real date in the format YYYY-MM-DD, like 2026-03-15."}


class _Owner(ma.fields.String):
    """``me`` or a member's id."""

    default_error_messages = {"invalid": "Use 'me' or a member's id (a whole number)."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if text == "me":
            return text
        if not text.isdigit() or len(text) > 9:
            raise self.make_error("invalid")
        return int(text)


class ActionsQuery(ma.Schema):
    service_id = ma.fields.Integer(metadata={"description": "Only this service's actions"},
                                   error_messages={"invalid": "Give the service's id as a whole number."})
    status = ma.fields.String(validate=ma.validate.OneOf(actions.STATUSES, error=STATUS_CHOICE))
    owner = _Owner(metadata={"description": "'me', or a member's id: only the actions they lead"})
    due_before = _Day(metadata={"description": "YYYY-MM-DD: only actions due before that day"})


class OwnerSchema(ma.Schema):
    member_id = ma.fields.Integer(allow_none=True, metadata={"description": "The member who leads it"})
    name = ma.fields.String(allow_none=True, metadata={
        "description": "The member's name, or the name of a person outside the platform (with member_id null)"})


class OwnerInSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "The lead is a member_id or a name.",
                      "type": "Send the lead as {\"member_id\": 12} or {\"name\": \"Sam Jones\"}, or null."}
    member_id = ma.fields.Integer(strict=True, allow_none=True,
                                  error_messages={"invalid": "Give the member's id as a whole number."})
    name = ma.fields.String(allow_none=True, error_messages={"invalid": "Enter the person's name as words."})

    @ma.validates_schema
    def _one(self, data, **kwargs):
        if data.get("member_id") is not None and data.get("name"):
            raise ma.ValidationError("Give a member_id or a name, not both.")


class SourceSchema(ma.Schema):
    key = ma.fields.String(metadata={"description": "What it came from, unique in the Trust"})
    plugin = ma.fields.String(metadata={"description": "The section it came from"})
    title = ma.fields.String(metadata={"description": "Where it came from, in words"})
    href = ma.fields.String(allow_none=True, metadata={"description": "The page it came from (null while that "
                                                                      "section is off)"})


class ActionSchema(ma.Schema):
    id = ma.fields.Integer()
    service_id = ma.fields.Integer(allow_none=True)
    what = ma.fields.String()
    status = ma.fields.String(metadata={"description": "not_started, under_way, done or dropped"})
    status_text = ma.fields.String()
    owner = ma.fields.Nested(OwnerSchema, allow_none=True, metadata={"description": "Who leads it, or null"})
    due_on = ma.fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD, or null"})
    overdue = ma.fields.Boolean(metadata={"description": "Open and due before today"})
    reason = ma.fields.String(allow_none=True, metadata={"description": "Why it was dropped"})
    version = ma.fields.Integer(metadata={"description": "Also the ETag: send it back to change the action"})
    source = ma.fields.Nested(SourceSchema)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    updated_by = ma.fields.String()


class ActionListSchema(ma.Schema):
    actions = ma.fields.List(ma.fields.Nested(ActionSchema), metadata={
        "description": "Soonest due first, undated last"})


class ActionPatchSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "An action's status, owner, due_on, reason and version can be changed; "
                                 "nothing else."}
    status = ma.fields.String(validate=ma.validate.OneOf(actions.STATUSES, error=STATUS_CHOICE),
                              error_messages={"invalid": STATUS_CHOICE, "null": STATUS_CHOICE})
    owner = ma.fields.Nested(OwnerInSchema, allow_none=True, metadata={
        "description": "{member_id} or {name}: who leads it; null: nobody yet"})
    due_on = _Day(allow_none=True, metadata={"description": "YYYY-MM-DD, today or later; null: no date"})
    reason = ma.fields.String(allow_none=True, metadata={"description": "Why it is dropped (needed for dropped)"},
                              error_messages={"invalid": "Enter the reason as words."})
    version = versions.version_field("action")


def _action(action_id: int) -> actions.Action:
    action = actions.by_id(action_id)
    if action is None:
        abort(404, "There is no such action in this Trust.")
    return action


def _one(action):
    return actions.as_json(action, actions.lead_names([action]), london_today())


@blp.get("")
@blp.arguments(ActionsQuery, location="query")
@blp.response(200, ActionListSchema)
@require("read")
def list_actions(query):
    """The Trust's actions (or one service's), filtered by status, owner and due date."""
    from .services import get_service

    if "service_id" in query:
        get_service(query["service_id"])
    owner = query.get("owner")
    if owner == "me":
        owner = g.membership.id
    found = actions.listing(service_id=query.get("service_id"), status=query.get("status"),
                           lead_member_id=owner, due_before=query.get("due_before"))
    names, today = actions.lead_names(found), london_today()
    return {"actions": [actions.as_json(a, names, today) for a in found]}


@blp.get("/<int:action_id>")
@blp.response(200, ActionSchema, headers=versions.ETAG_HEADER)
@require("read")
def read_action(action_id):
    """One action; its version is the ETag."""
    action = _action(action_id)
    return _one(action), 200, versions.etag(action.version)


@blp.patch("/<int:action_id>")
@blp.arguments(ActionPatchSchema)
@blp.response(200, ActionSchema, headers=versions.ETAG_HEADER)
@versions.document(blp, conflict="The version sent is older than the action's: nothing was saved")
@require("facilitate")
def change_action(data, action_id):
    """Change an action's status (a reason is needed for dropped), its lead or its date (today or later).
    Send If-Match (or version) so that a change made from an older copy is refused."""
    action = _action(action_id)
    expected = versions.expected_version(data.pop("version", None))
    kwargs = {}
    if "owner" in data:
        owner = data["owner"] or {}
        kwargs["lead_member_id"] = owner.get("member_id")
        kwargs["lead_name"] = owner.get("name") if owner.get("member_id") is None else ...
    if "due_on" in data:
        kwargs["due_on"] = data["due_on"]
    try:
        actions.change(action, status=data.get("status"), reason=data.get("reason"),
                       expected_version=expected, **kwargs)
        db.session.commit()
    except Conflict:
        db.session.rollback()
        raise
    except EventError:
        db.session.rollback()
        raise
    action = _action(action_id)
    return _one(action), 200, versions.etag(action.version)
