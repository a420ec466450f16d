"""The audit page: the Trust's event log as plain sentences, newest first.

Admins and viewers see who did what and when, can narrow the list, open the
recorded details of any event, and note down the log's head (its latest event
number and fingerprint) to check later that nothing has been changed.
Checking the whole chain reads every event, so it runs only when asked.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, Response, current_app, g, render_template, request, stream_with_context, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import Form, SelectField, ValidationError

from .. import events
from ..auth import require
from ..cache import derived, log_head
from ..dates import PAST_EXAMPLE, DateInputField
from ..db import db, written_in
from ..events import Event, EventPersonal
from ..exports.log import json_lines, records_up_to
from ..frame import kept_page
from ..models import Membership, Service, User
from ..plugins import host
from ..reports import about_service, day_starts, event_type_label, long_time, parse_day

bp = Blueprint("audit", __name__, url_prefix="/t/<slug>/audit")

PAGE_SIZE = 50
_A_PAGE = written_in(PAGE_SIZE)

# How a person's role reads after their name: "Ann Smith (staff)".
ROLE_WORDS = {
    "admin": "Trust admin",
    "staff": "staff",
    "service_user": "service user",
    "facilitator": "user facilitator",
    "viewer": "viewer",
}
NAMED_ACTORS = {"cli": "An operator", "system": "The system"}
INVITATION_ACTOR = "A service user (invitation)"
GONE_ACTOR = "Someone whose account no longer exists"
# Labels that are not names: written for the start of a sentence, lowercased after "by".
NOT_NAMES = {*NAMED_ACTORS.values(), INVITATION_ACTOR, GONE_ACTOR}


# --- who acted ----------------------------------------------------------------------

def _user_id(actor: str) -> int | None:
    kind, _, key = actor.partition(":")
    return int(key) if kind == "user" and key.isdigit() else None


def actor_labels(actors) -> dict[str, str]:
    """Plain labels for actor strings, loading every person named in one query (two when some have left the Trust)."""
    actors = set(actors)
    user_ids = {uid for a in actors if (uid := _user_id(a)) is not None}
    users, roles = {}, {}
    if user_ids:
        roles = {m.user_id: m for m in db.session.scalars(  # each membership comes with its person
            select(Membership).where(Membership.user_id.in_(user_ids)))}
        users = {user_id: member.user for user_id, member in roles.items()}
        if others := user_ids - users.keys():
            users |= {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(others)))}
    labels = {}
    for actor in actors:
        user_id = _user_id(actor)
        if actor in NAMED_ACTORS:
            labels[actor] = NAMED_ACTORS[actor]
        elif actor.startswith("invitation:"):
            labels[actor] = INVITATION_ACTOR
        elif user_id in users:
            member = roles.get(user_id)
            role = ROLE_WORDS.get(member.role, member.role) if member else ""
            if member is not None and not member.active:
                role = f"former {role}"
            name = users[user_id].display_name
            labels[actor] = f"{name} ({role})" if role else name
        elif user_id is not None:
            labels[actor] = GONE_ACTOR
        else:
            labels[actor] = actor
    return labels


def in_sentence(label: str) -> str:
    """A label as it reads mid-sentence ("by an operator"); a person's name is left as it is."""
    return label[:1].lower() + label[1:] if label in NOT_NAMES else label


def describe(event: Event, actor_label: str, service_name: str | None, event_types: dict | None = None) -> str:
    """The event's plain sentence, from its type's ``describe``; never fails the page.

    ``event_types`` is ``host().event_types``, passed in when describing many events.
    """
    etype = (host().event_types if event_types is None else event_types).get(event.type)
    if etype is not None and etype.describe is not None:
        try:
            return etype.describe(event, actor_label, service_name)
        except Exception:  # noqa: BLE001 - one plugin's faulty sentence must not hide the log
            current_app.logger.exception("describe() failed for event type %s", event.type)
    return f"{event_type_label(event.type)} recorded"


# --- the filter form ------------------------------------------------------------------

def _real_day(form, field):
    if field.data:
        try:
            parse_day(field.data)
        except ValueError as err:
            raise ValidationError(str(err)) from None


class AuditFilters(Form):
    """Narrow the log. A GET form: it changes nothing, so it carries no CSRF token."""

    type = SelectField("Kind of event", default="", invalid_choice_message="Choose a kind of event from the list.")
    service = SelectField("Service", default="", invalid_choice_message="Choose a service from the list.")
    actor = SelectField("Who did it", default="", invalid_choice_message="Choose a person from the list.")
    date_from = DateInputField("From date", validators=[_real_day], example=PAST_EXAMPLE)
    date_to = DateInputField("To date", validators=[_real_day], example=PAST_EXAMPLE)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.date_from.data and self.date_to.data:
            if parse_day(self.date_from.data) > parse_day(self.date_to.data):
                self.date_to.errors = list(self.date_to.errors) + [
                    "The 'to' date must be the same as or after the 'from' date."]
                valid = False
        return valid

    def conditions(self) -> list:
        """WHERE clauses for the chosen filters (the form must be valid)."""
        where = []
        if self.type.data:
            where.append(Event.type == self.type.data)
        if self.service.data:
            where.append(about_service(int(self.service.data)))
        if self.actor.data:
            where.append(Event.actor == self.actor.data)
        if self.date_from.data:
            where.append(Event.occurred_at >= day_starts(parse_day(self.date_from.data)))
        if self.date_to.data:
            where.append(Event.occurred_at < day_starts(parse_day(self.date_to.data) + timedelta(days=1)))
        return where

    def chosen(self) -> dict:
        return {f.name: f.data for f in self if f.data}


def _filter_form(actors: dict[str, str], services: list) -> AuditFilters:
    form = AuditFilters(request.args)
    form.type.choices = [("", "Any kind")] + sorted(
        ((name, event_type_label(name)) for name in host().event_types), key=lambda c: c[1])
    form.service.choices = [("", "Any service")] + [
        (str(s.id), s.name + (" (archived)" if s.archived else "")) for s in services]
    form.actor.choices = [("", "Anyone")] + sorted(actors.items(), key=lambda c: (c[1].lower(), c[0]))
    return form


# --- the page ---------------------------------------------------------------------------

def _cursor(name: str) -> int | None:
    """An event number from the query string (``before``/``after``), or None when absent or not a number."""
    text = request.args.get(name, "")
    return int(text) if text.isdigit() and len(text) <= 12 else None


def _page_of_events(where: list) -> list[Event]:
    """One page, newest first, found by event number (keyset), never by skipping rows.

    ``before=N``: the page of events just older than N; ``after=N``: the page just
    newer than N (a short one means it reached the newest, so the newest full page
    is shown instead); neither: the newest page.
    """
    query = select(Event).where(*where).options(lazyload(Event.personal_row))  # the words: see _with_words
    after, before = _cursor("after"), _cursor("before")
    if after is not None:
        newer = db.session.scalars(query.where(Event.seq > after).order_by(Event.seq).limit(_A_PAGE)).all()
        if len(newer) == PAGE_SIZE:
            return _with_words(list(reversed(newer)))
    elif before is not None:
        older = db.session.scalars(query.where(Event.seq < before).order_by(Event.seq.desc()).limit(_A_PAGE)).all()
        if older:
            return _with_words(older)
    return _with_words(db.session.scalars(query.order_by(Event.seq.desc()).limit(_A_PAGE)).all())


def _with_words(page_events: list[Event]) -> list[Event]:
    """The erasable words of the page's events that have any, in one query by event id.

    What the relationship's own (selectin) loading asks, for fewer rows and at less cost;
    an event whose words were erased is left without, as ``Event.erased`` expects.
    """
    ids = [ev.id for ev in page_events if ev.personal_digest is not None]
    found = {row.event_id: row for row in db.session.scalars(select(EventPersonal).where(EventPersonal.event_id.in_(ids)))}
    for ev in page_events:
        set_committed_value(ev, "personal_row", found.get(ev.id))
    return page_events


def _pagination(page_events: list, filters: dict, newer: int, older: int) -> dict | None:
    """Links to the newer and older pages, for the NHS.UK pagination component (None when there are none).

    ``newer`` and ``older`` count the matching events either side of the page.
    """
    params = {}
    if newer:
        params["previous"] = {"href": url_for("audit.index", after=page_events[0].seq, **filters),
                              "labelText": "Newer events"}
    if older > 0:
        params["next"] = {"href": url_for("audit.index", before=page_events[-1].seq, **filters),
                          "labelText": "Older events"}
    return params or None


def _service_ids(ev: Event) -> set[int]:
    ids = {ev.service_id} if ev.service_id is not None else set()
    kind, _, key = ev.stream.partition(":")
    if kind == Service.__stream__ and key.isdigit():
        ids.add(int(key))
    return ids


def _preload_members(page_events) -> list[Membership]:
    """Load the memberships (and their users) that member sentences look up, in one query.

    The session's identity map then answers their ``session.get``; it holds rows
    weakly, so the caller keeps the returned list while the sentences are made.
    """
    ids = {int(ev.entity_id) for ev in page_events
           if ev.stream.startswith(f"{Membership.__stream__}:") and ev.entity_id.isdigit()}
    if not ids:
        return []
    return db.session.scalars(select(Membership).where(Membership.id.in_(ids))).all()


@dataclass(slots=True)
class Row:
    """One event as the page shows it (attributes, which templates read faster than a dict's keys)."""

    seq: int
    when: str
    sentence: str
    type: str
    kind: str
    payload: str
    personal: str | None


def _rows(page_events, labels: dict[str, str], services: dict) -> list[Row]:
    members = _preload_members(page_events)  # noqa: F841 - kept alive for the identity map
    event_types = host().event_types
    kinds: dict[str, str] = {}
    rows = []
    for ev in page_events:
        service = services.get(ev.service_id) if ev.service_id is not None else None
        if service is None and ev.stream.startswith(f"{Service.__stream__}:"):
            service = services.get(int(ev.entity_id)) if ev.entity_id.isdigit() else None
        personal = None
        if ev.personal_digest is not None:
            personal = events.ERASED if ev.erased else json.dumps(
                ev.personal, indent=2, sort_keys=True, ensure_ascii=False)
        if ev.type not in kinds:
            kinds[ev.type] = event_type_label(ev.type)
        rows.append(Row(
            seq=ev.seq,
            when=long_time(ev.occurred_at),
            sentence=describe(ev, labels.get(ev.actor, ev.actor), service.name if service else None, event_types),
            type=ev.type,
            kind=kinds[ev.type],
            payload=json.dumps(ev.payload, indent=2, sort_keys=True, ensure_ascii=False),
            personal=personal,
        ))
    return rows


@dataclass(frozen=True)
class Listing:
    """One page of the list: its rows, how many events match, and how many of them are newer than the page."""

    rows: list[Row]
    total: int
    newer: int


def _listing(where: list, head_seq: int, labels: dict[str, str], services: dict) -> Listing:
    total = db.session.scalar(select(func.count(Event.id)).where(*where))
    page_events = _page_of_events(where) if total else []
    newer = 0
    if page_events and page_events[0].seq < head_seq:
        # where this page starts in the list: events newer than its first (an index count, no rows read)
        newer = db.session.scalar(select(func.count(Event.id)).where(*where, Event.seq > page_events[0].seq))
    return Listing(_rows(page_events, labels, services), total, newer)


@bp.get("/")
@require("audit")
def index():
    """The log, newest first. The page is kept per member and address until the Trust records anything
    (``core.frame.kept_page``); a check of the chain is made afresh whenever asked for, since a
    change made behind the log's back would leave its head, and so a kept answer, as it was."""
    if request.args.get("verify") == "1":
        return _page()
    return kept_page("audit", (), _page)


def _page():
    # Who has acted, the services and each list asked for are kept until the Trust records anything
    # (core.cache): the log, the people's roles and the services' names change only by a new event.
    tenant = g.tenant
    head_seq, head_hash = log_head()
    labels = derived("audit.labels", (), lambda: actor_labels(db.session.scalars(select(Event.actor).distinct()).all()))
    all_services = derived("audit.services", (), lambda: db.session.execute(  # plain rows
        select(Service.id, Service.name, Service.archived).order_by(Service.name, Service.id)).all())
    services = {s.id: s for s in all_services}
    form = _filter_form(labels, all_services)

    rows, pagination, total, first = [], None, 0, 1
    valid = form.validate()
    filters = form.chosen() if valid else {}
    here = {}
    if valid:
        where = form.conditions()
        asked = (tuple(sorted(filters.items())), _cursor("after"), _cursor("before"))
        listing = derived("audit.listing", asked, lambda: _listing(where, head_seq, labels, services))
        rows, total = listing.rows, listing.total
        if rows:
            if rows[0].seq < head_seq:
                here = {"before": rows[0].seq + 1}
            first = 1 + listing.newer
            # a page is a run of neighbours in the list, so the events older than it are the rest of the total
            pagination = _pagination(rows, filters, listing.newer, total - listing.newer - len(rows))

    chain = events.verify_tenant(tenant.id) if request.args.get("verify") == "1" else None
    return render_template(
        "audit/index.html", form=form, rows=rows, total=total, first=first,
        pagination=pagination, filters=filters, head_seq=head_seq, head_hash=head_hash, chain=chain,
        verify_href=url_for("audit.index", verify=1, **filters, **here),
    )

@bp.get("/export.jsonl")
@require("audit")
def export():
    """The whole log up to now as JSON Lines, as ``events export`` writes it, to check with ``events verify --file``."""
    tenant_id, slug = g.tenant.id, g.tenant.slug
    head_seq, _ = events.head(tenant_id)
    db.session.rollback()  # the download reads in batches of its own; hold nothing open meanwhile
    lines = stream_with_context(json_lines(records_up_to(tenant_id, head_seq)))
    # the last event's number in the name: events recorded while it downloads are left for the next copy
    name = f"{slug}-events-1-to-{head_seq}.jsonl"
    return Response(lines, mimetype="application/jsonl", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


__all__ = ["bp", "actor_labels", "describe"]
