"""Actions: what a service will do, who leads it, by when, and how it stands.

Sections turn what they plan into actions through one small call,
``propose(...)``: the levels' planned developments, a health check's agreed
changes, the indicators' targets. The core keeps every action in one table
(a projection of ``action.*`` events, like every other), so one list per
service and per Trust shows them all, each linked back to where it came
from, without the core knowing any section. People then give each action a
lead (a member, or a named person outside the platform), a date and a status
(not started, under way, done, or dropped with a reason); every change is an
event, checked under the Trust's lock.
"""
from __future__ import annotations

from datetime import date, datetime

import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from .db import UTCDateTime, db
from .events import ERASED, EventError, EventType, ensure_version, locked, record
from .tenancy import TenantScoped

STATUSES = {"not_started": "Not started", "under_way": "Under way", "done": "Done", "dropped": "Dropped"}
OPEN = ("not_started", "under_way")
MAX_WHAT = 2000
MAX_NAME = 200
MAX_REASON = 2000
MAX_SOURCE = 200
NEEDS_CORRECTING = "Some answers need correcting."


class Action(TenantScoped, db.Model):
    """One action. Its id is the id of the event that proposed it; ``source`` names what it came from."""

    __tablename__ = "actions"
    __stream__ = "action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    source: Mapped[str] = mapped_column(String(MAX_SOURCE))  # e.g. levels-assessment:12:policy, unique per Trust
    source_plugin: Mapped[str] = mapped_column(String(60))
    source_title: Mapped[str] = mapped_column(String(300))  # where it came from, in words
    source_endpoint: Mapped[str | None] = mapped_column(String(120))  # the page it came from, for url_for
    source_args: Mapped[dict | None] = mapped_column(JSON)
    what: Mapped[str] = mapped_column(Text)
    lead_member_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    lead_name: Mapped[str | None] = mapped_column(String(MAX_NAME))  # a person outside the platform
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)  # why it was dropped
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        Index("uq_actions_tenant_source", "tenant_id", "source", unique=True),
        Index("ix_actions_tenant_service", "tenant_id", "service_id", "status"),
        Index("ix_actions_tenant_lead", "tenant_id", "lead_member_id", "status"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


# --- events ------------------------------------------------------------------------------------

class Proposed(ma.Schema):
    service_id = fields.Integer(allow_none=True, strict=True)
    source = fields.String(required=True, validate=validate.Length(min=1, max=MAX_SOURCE))
    source_plugin = fields.String(required=True, validate=validate.Length(min=1, max=60))
    source_title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    source_endpoint = fields.String(allow_none=True, validate=validate.Length(max=120))
    source_args = fields.Dict(allow_none=True)
    due_on = fields.Date(allow_none=True)
    lead_member_id = fields.Integer(allow_none=True, strict=True)


class Changed(ma.Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    due_on = fields.Date(allow_none=True)
    lead_member_id = fields.Integer(allow_none=True, strict=True)
    lead_named = fields.Boolean()  # the lead is now the person named in the personal part
    what_changed = fields.Boolean()  # the source's words changed; the new ones are in the personal part
    reason_given = fields.Boolean()


class Words(ma.Schema):
    what = fields.String(validate=validate.Length(max=MAX_WHAT))
    lead_name = fields.String(allow_none=True, validate=validate.Length(max=MAX_NAME))
    reason = fields.String(validate=validate.Length(max=MAX_REASON))


def _personal(ev, key):
    return ERASED if ev.erased else ev.personal.get(key)


def _proposed(action: Action, ev) -> None:
    p = ev.payload
    action.service_id = p.get("service_id")
    action.source, action.source_plugin, action.source_title = p["source"], p["source_plugin"], p["source_title"]
    action.source_endpoint, action.source_args = p.get("source_endpoint"), p.get("source_args")
    action.what = _personal(ev, "what") or ""
    action.due_on = date.fromisoformat(p["due_on"]) if p.get("due_on") else None
    action.lead_member_id = p.get("lead_member_id")
    action.lead_name = _personal(ev, "lead_name") if action.lead_member_id is None else None
    action.status, action.reason, action.version = "not_started", None, 1
    action.created_at = action.updated_at = ev.occurred_at
    action.updated_by = ev.actor


def _changed(action: Action, ev) -> None:
    p = ev.payload
    if "status" in p:
        action.status = p["status"]
        action.reason = _personal(ev, "reason") if p.get("reason_given") else None
    if "due_on" in p:
        action.due_on = date.fromisoformat(p["due_on"]) if p["due_on"] else None
    if "lead_member_id" in p:
        action.lead_member_id, action.lead_name = p["lead_member_id"], None
    if p.get("lead_named"):
        action.lead_member_id, action.lead_name = None, _personal(ev, "lead_name")
    if p.get("what_changed"):
        action.what = _personal(ev, "what") or ""
    action.version = (action.version or 0) + 1
    action.updated_at = ev.occurred_at
    action.updated_by = ev.actor


def _changed_sentence(ev, actor, service):
    p = ev.payload
    parts = []
    if "status" in p:
        parts.append(f"marked an action {STATUSES[p['status']].lower()}")
    if "due_on" in p:
        parts.append("changed an action's date")
    if "lead_member_id" in p or p.get("lead_named"):
        parts.append("changed who leads an action")
    if p.get("what_changed"):
        parts.append("brought an action's words up to date")
    where = f" at {service}" if service else ""
    return f"{actor} {' and '.join(parts) or 'changed an action'}{where}"


EVENT_TYPES = [
    EventType("action.proposed", Action, _proposed, Proposed, personal=Words, creates=True,
              label="Action added",
              describe=lambda ev, actor, service: (f"{actor} added an action from "
                                                   f"{ev.payload['source_title']}")),
    EventType("action.changed", Action, _changed, Changed, personal=Words, label="Action changed",
              describe=_changed_sentence),
]


# --- commands ----------------------------------------------------------------------------------

def by_source(source: str) -> Action | None:
    return db.session.scalar(select(Action).where(Action.source == source))


def by_id(action_id: int) -> Action | None:
    return db.session.scalar(select(Action).where(Action.id == action_id))


@locked()
def propose(source: str, what: str, *, plugin: str, title: str, service_id: int | None = None,
            link: tuple[str, dict] | None = None, due_on: date | None = None,
            lead_member_id: int | None = None) -> Action | None:
    """Make an action of something a section planned, once per ``source``; call it again when the
    words change and the action's words follow. Its date may be in the past: it is the one agreed.

    ``source`` names the thing uniquely in the Trust (``"<plugin>-<record>:<id>[:<part>]"``),
    ``title`` says where it came from in words, ``link`` is ``(endpoint, args)`` for ``url_for``.
    Returns the action (None when ``what`` is empty and there is none yet).
    """
    what = " ".join((what or "").split())[:MAX_WHAT]
    existing = by_source(source)
    if existing is not None:
        if what and existing.what != what and existing.what != ERASED:
            record("action.changed", {"what_changed": True}, stream=f"action:{existing.id}",
                   service_id=existing.service_id, personal={"what": what})
        return existing
    if not what:
        return None
    endpoint, args = link if link else (None, None)
    ev = record("action.proposed", {
        "service_id": service_id, "source": source, "source_plugin": plugin, "source_title": title[:300],
        "source_endpoint": endpoint, "source_args": args, "lead_member_id": lead_member_id,
        "due_on": due_on.isoformat() if due_on else None,
    }, personal={"what": what}, service_id=service_id)
    return by_id(ev.id)


def _member(member_id: int):
    from .models import Membership

    return db.session.scalar(select(Membership).where(Membership.id == member_id,
                                                      Membership.active.is_(True)))


@locked()
def change(action: Action, *, status: str | None = None, reason: str | None = None,
           due_on: date | None | object = ..., lead_member_id: int | None | object = ...,
           lead_name: str | None | object = ..., expected_version: int | None = None) -> Action:
    """Change an action's status, date or lead. ``...`` leaves a part as it is.

    A date set must be today or later; ``dropped`` needs a reason; the lead is a member of
    the Trust or a person named. Refuses with ``EventError`` per field (422) or ``Stale``.
    """
    from .reports import london_today

    ensure_version(action.version, expected_version,
                   "Someone else changed this action while you were editing it. Nothing was saved.")
    problems: dict[str, list[str]] = {}
    payload: dict = {}
    personal: dict = {}
    if status is not None and status not in STATUSES:
        problems["status"] = ["Choose the status: not_started, under_way, done or dropped."]
    elif status is not None and status != action.status:
        payload["status"] = status
        if status == "dropped":
            reason = " ".join((reason or "").split())
            if not reason:
                problems["reason"] = ["Say why the action is dropped."]
            elif len(reason) > MAX_REASON:
                problems["reason"] = [f"Use {MAX_REASON:,} characters or fewer."]
            else:
                payload["reason_given"], personal["reason"] = True, reason
    if due_on is not ... and due_on != action.due_on:
        if due_on is not None and due_on < london_today():
            problems["due_on"] = ["The date cannot be in the past. Choose today or a later date."]
        else:
            payload["due_on"] = due_on.isoformat() if due_on else None
    if lead_member_id is not ... and lead_member_id is not None:
        if _member(lead_member_id) is None:
            problems["owner"] = ["There is no such member in this Trust. Choose a member, or name a person."]
        elif lead_member_id != action.lead_member_id:
            payload["lead_member_id"] = lead_member_id
    elif lead_name is not ... and lead_name is not None:
        name = " ".join(lead_name.split())
        if not name:
            problems["owner"] = ["Enter the name of the person who leads it, or choose a member."]
        elif len(name) > MAX_NAME:
            problems["owner"] = [f"Use {MAX_NAME} characters or fewer for a name."]
        elif name != action.lead_name or action.lead_member_id is not None:
            payload["lead_named"], personal["lead_name"] = True, name
    elif lead_member_id is None and lead_name is None and (action.lead_member_id or action.lead_name):
        payload["lead_member_id"] = None  # nobody leads it now
    if problems:
        raise EventError(NEEDS_CORRECTING, problems)
    if not payload:
        raise EventError("Nothing to change: the action is already as you sent it.",
                         {"status": ["Change the status, the lead or the date."]})
    record("action.changed", payload, stream=f"action:{action.id}", service_id=action.service_id,
           personal=personal or None)
    return action


# --- reading -----------------------------------------------------------------------------------

def listing(*, service_id: int | None = None, status: str | None = None, lead_member_id: int | None = None,
            due_before: date | None = None) -> list[Action]:
    """The Trust's actions, filtered; soonest due first (undated last), then oldest."""
    stmt = select(Action)
    if service_id is not None:
        stmt = stmt.where(Action.service_id == service_id)
    if status is not None:
        stmt = stmt.where(Action.status == status)
    if lead_member_id is not None:
        stmt = stmt.where(Action.lead_member_id == lead_member_id)
    if due_before is not None:
        stmt = stmt.where(Action.due_on < due_before)
    found = db.session.scalars(stmt).all()
    return sorted(found, key=lambda a: (a.due_on is None, a.due_on or date.max, a.id))


def lead_names(actions) -> dict[int, str]:
    """Membership id -> the member's name, for the leads of these actions."""
    from .models import Membership

    ids = {a.lead_member_id for a in actions if a.lead_member_id}
    if not ids:
        return {}
    members = db.session.scalars(select(Membership).where(Membership.id.in_(ids))).all()
    return {m.id: m.user.display_name for m in members}


def lead_of(action: Action, names: dict[int, str]) -> str | None:
    if action.lead_member_id is not None:
        return names.get(action.lead_member_id, "A former member")
    return action.lead_name


def source_href(action: Action) -> str | None:
    """The page the action came from, while its section is on for the Trust."""
    from flask import url_for
    from werkzeug.routing import BuildError

    from .plugins import enabled_plugins

    if not action.source_endpoint or action.source_plugin not in enabled_plugins():
        return None
    try:
        return url_for(action.source_endpoint, **(action.source_args or {}))
    except BuildError:
        return None


def as_json(action: Action, names: dict[int, str], today: date) -> dict:
    return {
        "id": action.id, "service_id": action.service_id, "what": action.what,
        "status": action.status, "status_text": STATUSES[action.status],
        "owner": ({"member_id": action.lead_member_id, "name": lead_of(action, names)}
                  if action.lead_member_id is not None else
                  ({"member_id": None, "name": action.lead_name} if action.lead_name else None)),
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "overdue": action.overdue(today), "reason": action.reason, "version": action.version,
        "source": {"key": action.source, "plugin": action.source_plugin, "title": action.source_title,
                   "href": source_href(action)},
        "created_at": action.created_at, "updated_at": action.updated_at, "updated_by": action.updated_by,
    }


# --- the demo Trust ----------------------------------------------------------------------------

def demo_steps(history) -> list:
    """Near the end of the story the staff member takes the lead on the actions: older ones done
    (one dropped, with its reason), the latest under way or not started yet."""
    from .demo_history import MONTHS
    from .models import Membership, User

    def move_on():
        staff = db.session.scalar(select(Membership).join(User, Membership.user_id == User.id)
                                  .where(User.email == "staff@demo.example"))
        found = sorted(listing(), key=lambda a: a.id)
        for number, action in enumerate(found):
            lead = {"lead_member_id": staff.id} if staff is not None and number % 3 else {"lead_name": "The user group chair"}
            if number < len(found) // 2:
                dropped = number == 1
                change(action, status="dropped" if dropped else "done", **lead,
                       reason="The service user group chose another way to do this." if dropped else None)
            elif number < len(found) * 3 // 4:
                change(action, status="under_way", **lead)

    return [history.step(history.day(MONTHS - 1, 10), move_on, hour=16)]


# --- reminders ---------------------------------------------------------------------------------

def reminders(today: date) -> list:
    """The lead of each open action with a date hears of it 14 and 2 days before, and once overdue."""
    from .reminders import Reminder, stage, when_words

    found = []
    for action in listing():
        if not action.is_open or action.due_on is None or action.lead_member_id is None:
            continue
        when = stage(action.due_on, today)
        if when is None:
            continue
        what = action.what if len(action.what) <= 80 else action.what[:77].rstrip() + "..."
        found.append(Reminder(
            f"action:{action.id}:{action.due_on.isoformat()}:{when}", f"an action you lead {when_words(action.due_on, today).split(' (')[0]}",
            f"The action you lead, “{what}”, {when_words(action.due_on, today)}.",
            "actions.action_page", {"action_id": action.id}, audience="read",
            membership_id=action.lead_member_id))
    return found
