"""Core's own plugin: the event types of tenants, services, members, tokens and plugins.

Registered through the same hooks as every other plugin.
"""
from pathlib import Path

from marshmallow import Schema, fields, validate

from .auth import ROLES
from .events import EventType
from .hookspecs import hookimpl
from .models import (ApiToken, Erasure, MemberInvitation, Membership, SentReminder, Service, Tenant, TenantPlugin,
                     PasswordLink, TrustContact, User)
from .db import db

NAME = validate.Length(min=1, max=200)

SERVICE_KINDS = {
    "day_centre": "Day centre",
    "inpatient_ward": "Inpatient ward",
    "community_team": "Community mental health team",
    "assertive_outreach": "Assertive outreach team",
    "crisis_team": "Crisis or home treatment team",
    "voluntary_sector": "Voluntary-sector service",
    "other": "Other",
}


class TenantCreated(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True, validate=NAME)


class ServiceCreated(Schema):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=validate.OneOf(SERVICE_KINDS))
    description = fields.String(load_default="", validate=validate.Length(max=2000))


class ServiceRenamed(Schema):
    name = fields.String(required=True, validate=NAME)


class ServiceDescribed(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(SERVICE_KINDS))
    description = fields.String(required=True, validate=validate.Length(max=2000))


class ServiceCoded(Schema):
    code = fields.String(required=True, validate=validate.Length(max=20))  # "": the code is taken off


class MemberAdded(Schema):
    user_id = fields.Integer(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class MemberInvited(Schema):
    user_id = fields.Integer(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    expires_at = fields.String(required=True, validate=validate.Length(max=40))


class RoleChanged(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class PersonalErased(Schema):
    event_seq = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    authority = fields.String(required=True, validate=validate.Length(min=3, max=500))


class RemindersSet(Schema):
    on = fields.Boolean(required=True)


class ReminderSent(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=200))
    membership_id = fields.Integer(required=True, strict=True)


class PasswordLinkSent(Schema):
    user_id = fields.Integer(required=True, strict=True)
    token_hash = fields.String(required=True, validate=validate.Length(equal=64))
    expires_at = fields.String(required=True, validate=validate.Length(max=40))


class TrustContactWords(Schema):
    """The Trust's contact: personal words, kept apart from the hash so they can be erased."""

    name = fields.String(load_default="", validate=validate.Length(max=200))
    phone = fields.String(load_default="", validate=validate.Length(max=60))
    email = fields.String(load_default="", validate=validate.Length(max=254))
    when = fields.String(load_default="", validate=validate.Length(max=500))


class TokenCreated(Schema):
    membership_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    token_hash = fields.String(required=True, validate=validate.Length(equal=64))


# --- projectors: fold one event into one row -------------------------------------------

def _tenant_created(tenant, ev):
    tenant.name = ev.payload["name"]


def _service_created(service, ev):
    service.name = ev.payload["name"]
    service.kind = ev.payload["kind"]
    service.description = ev.payload["description"]
    service.archived = False
    service.created_at = ev.occurred_at


def _service_renamed(service, ev):
    service.name = ev.payload["name"]


def _service_coded(service, ev):
    service.code = ev.payload["code"] or None


def _service_described(service, ev):
    service.kind = ev.payload["kind"]
    service.description = ev.payload["description"]


def _set(attr, value):
    def apply(obj, ev):
        setattr(obj, attr, value)
    return apply


def _member_added(member, ev):
    member.user_id = ev.payload["user_id"]
    member.role = ev.payload["role"]
    member.active = True
    if member.reminders is None:  # a new member has reminders on; one added back keeps their choice
        member.reminders = True


def _member_invited(invitation, ev):
    from .events import parse_iso

    invitation.user_id = ev.payload["user_id"]
    invitation.role = ev.payload["role"]
    invitation.invited_at = ev.occurred_at
    invitation.expires_at = parse_iso(ev.payload["expires_at"])
    invitation.status = "waiting"
    invitation.answered_at = None


def _answered(status):
    def apply(invitation, ev):
        invitation.status = status
        invitation.answered_at = ev.occurred_at
    return apply


def _role_changed(member, ev):
    member.role = ev.payload["role"]


def _reminders_set(member, ev):
    member.reminders = ev.payload["on"]


def _reminder_sent(sent, ev):
    sent.key = ev.payload["key"]
    sent.membership_id = ev.payload["membership_id"]
    sent.sent_at = ev.occurred_at


def _erased(erasure, ev):
    erasure.event_seq = ev.payload["event_seq"]
    erasure.authority = ev.payload["authority"]
    erasure.erased_at = ev.occurred_at


def _token_created(token, ev):
    token.membership_id = ev.payload["membership_id"]
    token.name = ev.payload["name"]
    token.token_hash = ev.payload["token_hash"]
    token.created_at = ev.occurred_at
    token.revoked = False


def _password_link_sent(link, ev):
    from .events import parse_iso

    link.user_id = ev.payload["user_id"]
    link.token_hash = ev.payload["token_hash"]
    link.created_at = ev.occurred_at
    link.expires_at = parse_iso(ev.payload["expires_at"])
    link.used_at = None


def _password_link_used(link, ev):
    link.used_at = ev.occurred_at


def _password_link_sentence(template):
    def describe(ev, actor, service):
        link = db.session.get(PasswordLink, int(ev.entity_id))
        return template.format(actor=actor, who=_user_name(link.user_id) if link else "a new member")
    return describe


def _trust_contact_set(contact, ev):
    contact.name = ev.personal.get("name", "")
    contact.phone = ev.personal.get("phone", "")
    contact.email = ev.personal.get("email", "")
    contact.when_to_call = ev.personal.get("when", "")
    contact.changed_at = ev.occurred_at


# --- plain sentences for the audit page ----------------------------------------------

def _user_name(user_id):
    user = db.session.get(User, user_id)
    return user.display_name if user else f"user {user_id}"


def _says(template):
    def describe(ev, actor, service):
        return template.format(actor=actor, service=service or "a service", **ev.payload)
    return describe


ROLE_PHRASES = {"admin": "a Trust admin", "staff": "staff", "service_user": "a service user",
                "facilitator": "a user facilitator", "viewer": "a viewer"}


def _member_sentence(template):
    def describe(ev, actor, service):
        member = db.session.get(Membership, ev.payload.get("membership_id") or int(ev.entity_id))
        who = _user_name(member.user_id) if member else "a member"
        role = ROLE_PHRASES.get(ev.payload.get("role"), "")
        state = "on" if ev.payload.get("on") else "off"
        return template.format(actor=actor, who=who, role=role, state=state)
    return describe


def _invitation_sentence(template):
    def describe(ev, actor, service):
        invitation = db.session.get(MemberInvitation, int(ev.entity_id))
        # the person is named only once they have joined; until then, "someone"
        joined = invitation is not None and invitation.status == "accepted"
        who = _user_name(invitation.user_id) if joined else "someone"
        role = ROLE_PHRASES.get(invitation.role if invitation else "", "")
        return template.format(actor=actor, who=who, role=role)
    return describe


def _plugin_sentence(verb):
    def describe(ev, actor, service):
        return f"{actor} switched {verb} the {ev.entity_id} section"
    return describe


def _access_sentence(verb):
    def describe(ev, actor, service):
        return f"{actor} {verb} the {ev.entity_id} plugin for this Trust"
    return describe


def _service_code_sentence(ev, actor, service):
    if ev.payload["code"]:
        return f"{actor} gave {service or 'a service'} the code {ev.payload['code']}"
    return f"{actor} took the code off {service or 'a service'}"


@hookimpl
def event_types():
    from .actions import EVENT_TYPES as ACTION_EVENTS

    return [*ACTION_EVENTS,
        EventType("tenant.created", Tenant, _tenant_created, TenantCreated,
                  describe=_says("{actor} set up the Trust {name}")),
        EventType("service.created", Service, _service_created, ServiceCreated, creates=True,
                  label="Service added", describe=_says("{actor} added the service {name}")),
        EventType("service.renamed", Service, _service_renamed, ServiceRenamed,
                  label="Service renamed", describe=_says("{actor} renamed a service to {name}")),
        EventType("service.described", Service, _service_described, ServiceDescribed,
                  describe=_says("{actor} changed the details of {service}")),
        EventType("service.coded", Service, _service_coded, ServiceCoded, label="Service code set",
                  describe=_service_code_sentence),
        EventType("service.archived", Service, _set("archived", True),
                  label="Service archived", describe=_says("{actor} archived {service}")),
        EventType("service.restored", Service, _set("archived", False),
                  describe=_says("{actor} brought back {service} from the archive")),
        EventType("member.added", Membership, _member_added, MemberAdded, creates=True,
                  label="Member added", describe=_member_sentence("{actor} added {who} as {role}")),
        EventType("member.invited", MemberInvitation, _member_invited, MemberInvited, creates=True,
                  label="Member invited", describe=_invitation_sentence("{actor} invited {who} to join as {role}")),
        EventType("member.invitation_accepted", MemberInvitation, _answered("accepted"),
                  label="Invitation accepted", describe=_invitation_sentence("{who} accepted the invitation")),
        EventType("member.invitation_declined", MemberInvitation, _answered("declined"),
                  label="Invitation declined", describe=_invitation_sentence("{who} declined the invitation")),
        EventType("member.role_changed", Membership, _role_changed, RoleChanged,
                  describe=_member_sentence("{actor} made {who} {role}")),
        EventType("member.removed", Membership, _set("active", False),
                  label="Member removed", describe=_member_sentence("{actor} removed {who} from the Trust")),
        EventType("member.reminders_set", Membership, _reminders_set, RemindersSet,
                  label="E-mail reminders switched on or off", describe=_member_sentence("{actor} switched e-mail reminders for {who} {state}")),
        EventType("reminder.sent", SentReminder, _reminder_sent, ReminderSent, creates=True,
                  label="Reminder e-mailed", describe=_member_sentence("A reminder was e-mailed to {who}")),
        EventType("token.created", ApiToken, _token_created, TokenCreated, creates=True,
                  describe=_says("{actor} created the API token {name}")),
        EventType("token.revoked", ApiToken, _set("revoked", True),
                  describe=_says("{actor} revoked an API token")),
        EventType("plugin.enabled", TenantPlugin, _set("enabled", True),
                  describe=_plugin_sentence("on")),
        EventType("plugin.disabled", TenantPlugin, _set("enabled", False),
                  describe=_plugin_sentence("off")),
        EventType("plugin.allowed", TenantPlugin, _set("allowed", True),
                  label="Section allowed for the Trust", describe=_access_sentence("allowed")),
        EventType("plugin.disallowed", TenantPlugin, _set("allowed", False),
                  label="Section no longer allowed for the Trust", describe=_access_sentence("disallowed")),
        EventType("member.password_link_sent", PasswordLink, _password_link_sent, PasswordLinkSent, creates=True,
                  label="Set-password link e-mailed",
                  describe=_password_link_sentence("{actor} e-mailed {who} a link to set their password")),
        EventType("member.password_link_used", PasswordLink, _password_link_used, label="Password set from a link",
                  describe=_password_link_sentence("{who} set their password with the link they were e-mailed")),
        EventType("trust.contact_set", TrustContact, _trust_contact_set, None, TrustContactWords, creates=True,
                  label="Trust contact changed", describe=_says("{actor} changed the Trust's contact details")),
        EventType("personal.erased", Erasure, _erased, PersonalErased, creates=True, label="Personal words erased",
                  describe=_says("{actor} erased the personal words kept with event {event_seq}, "
                                 "on the authority of {authority}")),
    ]


@hookimpl
def migration_directory():
    return str(Path(__file__).resolve().parent.parent / "migrations" / "versions")


@hookimpl(tryfirst=True)
def navigation(tenant, membership):
    from flask import url_for

    from .auth import role_can
    from .plugins import NavItem

    items = [NavItem("Services", url_for("tenant.home"))]
    if role_can(membership.role, "manage"):
        items.append(NavItem("Members", url_for("tenant.members")))
        items.append(NavItem("Sections", url_for("tenant.plugins")))
    if role_can(membership.role, "audit"):
        items.append(NavItem("Audit", url_for("audit.index")))
    items.append(NavItem("Actions", url_for("actions.tenant_actions")))
    items.append(NavItem("Report", url_for("reports.tenant_report")))
    if role_can(membership.role, "read_staff_views"):
        items.append(NavItem("Trends", url_for("trends.tenant_trends")))
    return items


@hookimpl
def tenant_trends(tenant, timeline):
    """How many services the Trust had open at each point, by kind (the ground every section's counts stand on)."""
    from . import charts
    from .trends import Trend, capital

    standing = timeline.standing(Service)
    kinds = sorted({s.kind for rows in standing for s in rows if not s.archived})
    series = {SERVICE_KINDS.get(kind, kind): [sum(1 for s in rows if s.kind == kind and not s.archived)
                                              for rows in standing] for kind in kinds}
    last = sum(values[-1] for values in series.values()) if series else 0
    chart = charts.stacked_bar(
        "Services open, by kind", f"{capital(timeline.points[-1].at)} the Trust had {last} open "
        f"service{'' if last == 1 else 's'} on Changing Lives.", timeline.labels, series, x_title="End of",
        empty_text="No services had been added by then.")
    return Trend("core", "Services", [chart], order=0)


@hookimpl
def reminders(today):
    """The lead of each open action with a date, before it is due and once it is overdue."""
    from .actions import reminders as action_reminders

    return action_reminders(today)


@hookimpl
def next_for(membership, today):
    """The member's own open actions; for admins, what the Trust has yet to set up."""
    from .home import core_items

    return core_items(membership, today)


@hookimpl
def demo_history(history):
    from .actions import demo_steps

    return demo_steps(history)


@hookimpl
def dashboard_panel(tenant, membership, since):
    """Your actions: the open actions the signed-in member leads, overdue ones first."""
    from .views.actions import your_actions_panel

    return your_actions_panel(membership)


# --- report fragments: what core knows, as of the report's moment ------------------------

def _members_by_role(when):
    from .history import rows

    counts = dict.fromkeys(ROLES, 0)
    for member in rows(Membership, when):
        if member.active and member.role in counts:
            counts[member.role] += 1
    return counts


def _recorded_by(query, when):
    """Limit a query of events to those recorded by the report's day (all of them for now)."""
    from .events import Event
    from .reports import day_ends

    if when.live:
        return query
    last_day = min(d for d in (when.as_of, when.known_on) if d is not None)
    return query.where(Event.occurred_at <= day_ends(last_day))


@hookimpl
def service_report_fragment(service, when):
    from sqlalchemy import func, select

    from .events import Event
    from .reports import Fragment, about_service, event_type_label, service_as_of

    then = service_as_of(service.id, when)
    if then is None:
        return None
    query = select(Event.type, func.count()).where(about_service(service.id)).group_by(Event.type)
    events_by_type = {type_name: count for type_name, count in sorted(db.session.execute(_recorded_by(query, when)).all())}
    data = {
        "service": {"id": service.id, "name": then.name, "kind": then.kind, "archived": then.archived},
        "members_by_role": _members_by_role(when),
        "events_by_type": events_by_type,
    }
    return Fragment("core", "The service and its Trust", "reports/core_service_fragment.html", data,
                    context={"roles": ROLES, "kinds": SERVICE_KINDS, "type_label": event_type_label}, order=0)


@hookimpl
def tenant_report_fragment(tenant, when):
    from sqlalchemy import func, select

    from .events import Event
    from .history import rows
    from .reports import Fragment

    services = sorted(rows(Service, when), key=lambda s: (s.name.lower(), s.id))
    data = {
        "services": [{"id": s.id, "name": s.name, "kind": s.kind, "archived": s.archived} for s in services],
        "members_by_role": _members_by_role(when),
        "events_total": db.session.scalar(_recorded_by(select(func.count(Event.id)), when)),
    }
    return Fragment("core", "Services and members", "reports/core_tenant_fragment.html", data,
                    context={"roles": ROLES, "kinds": SERVICE_KINDS}, order=0)


# --- what changed between two dates -------------------------------------------------------

@hookimpl
def service_changes(service, start, end):
    from .changes_of_services import service_section

    return service_section(service, start, end)


@hookimpl
def tenant_changes(tenant, start, end):
    from .changes_of_services import tenant_section

    return tenant_section(tenant, start, end)
