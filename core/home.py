"""What's next for you: the first thing each person sees on their Trust's home page.

Each section answers the ``next_for`` hook with ``Next`` items for the member
signed in: what they can do now (a round to answer, a draft to finish), what
is due or overdue (a target review, a health check), and what has been
shared with them. Each item links straight to the page that does the work.
The core adds the member's own actions and, for admins, what the Trust has
yet to set up, then puts overdue things first, then by date.

Implementations read each table once (never a query per service or row) and
reuse the dates their reminders use (``core.reminders.stage``), so the home
page and the e-mails agree on what is due.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .plugins import tenant_items

# kinds, in the order people meet them; each has a tag on the page
KINDS = {
    "overdue": ("Overdue", "red"),
    "due": ("Due soon", "orange"),
    "draft": ("Draft", "yellow"),
    "answer": ("Your views", "blue"),
    "step": ("Next step", "blue"),
    "action": ("Your action", "purple"),
    "shared": ("Shared with you", "green"),
    "setup": ("To set up", "grey"),
}
SHARED_FOR_DAYS = 365  # what was shared with service users stays on their home page for a year


@dataclass(frozen=True)
class Next:
    """One thing for one person: a title, a plain sentence, where to do it, and by when."""

    title: str
    sentence: str
    href: str
    due_on: date | None = None
    kind: str = "step"


def _order(item: Next, today: date):
    overdue = item.kind == "overdue" or (item.due_on is not None and item.due_on < today)
    return (not overdue, list(KINDS).index(item.kind) if item.kind in KINDS else len(KINDS),
            item.due_on or date.max, item.title)


def next_for(tenant, membership, today: date) -> list[Next]:
    """Every section's items for ``membership``, most pressing first."""
    items = tenant_items("next_for", tenant=tenant, membership=membership, today=today)
    for item in items:
        if not isinstance(item, Next):
            raise TypeError(f"next_for must return core.home.Next items, not {type(item).__name__}")
    return sorted(items, key=lambda item: _order(item, today))


def when_words(due_on: date, today: date) -> str:
    """``due on 3 March 2027``, ``due today`` or ``was due on 3 March 2027``."""
    from .reports import long_date

    if due_on < today:
        return f"was due on {long_date(due_on)}"
    if due_on == today:
        return "is due today"
    return f"is due on {long_date(due_on)}"


def core_items(membership, today: date) -> list[Next]:
    """The member's own open actions, and for admins what the Trust has not set up yet."""
    from flask import url_for
    from sqlalchemy import select

    from . import actions, commands
    from .auth import role_can
    from .db import db
    from .models import Service
    from .reminders import stage

    found = []
    mine = [a for a in actions.listing(lead_member_id=membership.id) if a.is_open]
    # Overdue or due within the reminders' 14 days: one item each; the rest, one item for them all.
    soon = [a for a in mine if a.due_on is not None and stage(a.due_on, today) is not None]
    later = len(mine) - len(soon)
    if soon:
        names = {s.id: s.name for s in db.session.scalars(select(Service))}
        for action in soon:
            where = f" for {names[action.service_id]}" if action.service_id in names else ""
            found.append(Next(action.what if len(action.what) <= 120 else action.what[:117] + "...",
                              f"You lead this action{where}. It {when_words(action.due_on, today)}.",
                              url_for("actions.action_page", action_id=action.id),
                              action.due_on, "overdue" if action.overdue(today) else "due"))
    if later:
        found.append(Next(f"Your {'other ' if soon else ''}open action{'s' if later != 1 else ''}",
                          f"You lead {later} {'other ' if soon else ''}open action{'s' if later != 1 else ''} "
                          "with no date soon. See how each stands and move it on.",
                          url_for("actions.tenant_actions", owner="me"), kind="action"))
    if role_can(membership.role, "manage"):
        contact = commands.trust_contact()
        if contact is None or contact.empty:
            found.append(Next("Give the Trust's contact details",
                              "People see them on the contact page, in the privacy notice and on invitation pages.",
                              url_for("site.edit_trust_contact"), kind="setup"))
    return found
