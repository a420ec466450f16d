"""E-mail reminders of what has a date: sent once each, recorded as events.

Plugins say what is coming up through the ``reminders`` hook (a target review,
a health check due...), each a ``Reminder`` with a key that names the thing and
the stage (``stage``: 14 days before, 2 days before, overdue). ``send_due``
mails every active member whose role can do the work and who has not switched
reminders off, and records ``reminder.sent`` for each, so that running it again
sends nothing twice. A message the mail server refuses is not recorded: the
next run tries it again.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, url_for
from sqlalchemy import select, text

from .auth import ROLES, role_can
from .db import db
from .events import locked, record
from .mail import Letter, MailError
from .models import Membership, SentReminder, Tenant
from .plugins import tenant_items
from .reports import long_date
from .tenancy import tenant_context

log = logging.getLogger(__name__)

BEFORE = (2, 14)  # days before a date when a reminder goes


@dataclass(frozen=True)
class Reminder:
    """One thing to remind people of. ``key`` is unique to the thing and its stage."""

    key: str
    subject: str
    why: str  # the e-mail's first line: what is coming and when
    endpoint: str  # the page that does the work, with ``values`` (the Trust's slug is added)
    values: dict = field(default_factory=dict)
    audience: str = "facilitate"  # the action a member's role must allow (core.auth.PERMISSIONS)
    membership_id: int | None = None  # one member only


def stage(due_on: date, today: date) -> str | None:
    """Which reminder is due for a date: "overdue", "2" or "14" days before, or None yet."""
    if today > due_on:
        return "overdue"
    days = (due_on - today).days
    return next((str(limit) for limit in BEFORE if days <= limit), None)


def when_words(due_on: date, today: date) -> str:
    """``is due on 3 March 2027 (in 14 days)``, ``is due today`` or ``was due on 3 March 2027, 5 days ago``."""
    days = (due_on - today).days
    if days < 0:
        return f"was due on {long_date(due_on)}, {-days} day{'s' if days != -1 else ''} ago"
    if days == 0:
        return "is due today"
    return f"is due on {long_date(due_on)} (in {days} day{'s' if days != 1 else ''})"


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    shown: int = 0  # no mail server: printed instead
    trusts: int = 0
    people: set = field(default_factory=set)


def _members_for(reminder: Reminder, members: list[Membership]) -> list[Membership]:
    return [m for m in members
            if m.reminders and role_can(m.role, reminder.audience)
            and (reminder.membership_id is None or reminder.membership_id == m.id)]


def _sent(key: str, membership_id: int) -> bool:
    return db.session.scalar(select(SentReminder.id).where(
        SentReminder.key == key, SentReminder.membership_id == membership_id)) is not None


def _letter(tenant: Tenant, member: Membership, reminder: Reminder) -> Letter:
    link = url_for(reminder.endpoint, slug=tenant.slug, _external=True, **reminder.values)
    settings = url_for("reminders.settings", slug=tenant.slug, _external=True)
    role = ROLES.get(member.role, member.role)
    body = (f"Hello {member.user.display_name},\n\n{reminder.why}\n\n{link}\n\n"
            f"You get this e-mail because you are a member of {tenant.name} on Changing Lives ({role}) "
            f"with reminders switched on. To switch them off: {settings}\n")
    return Letter(to=member.user.email, subject=f"{tenant.name}: {reminder.subject}", body=body)


def send_due(mailer, today: date, tenant_ids: list[int], outcome: Outcome,
             progress: Callable[[], None] = lambda: None) -> Outcome:
    """Send every reminder due on ``today`` in these Trusts that has not gone to that person before."""
    app = current_app._get_current_object()
    for tenant_id in tenant_ids:
        # A context (and database session) of its own per Trust: what is cached for a request, such as
        # the plugins switched on, is that Trust's.
        with app.app_context(), app.test_request_context("/", base_url=public_url()), tenant_context(tenant_id):
            tenant = db.session.get(Tenant, tenant_id)
            for reminder, member in _due(tenant, today):
                _send_one(mailer, tenant, reminder, member, outcome)
        outcome.trusts += 1
        progress()
    return outcome


def _due(tenant: Tenant, today: date) -> Iterator[tuple[Reminder, Membership]]:
    members = db.session.scalars(select(Membership).where(Membership.active.is_(True))
                                 .order_by(Membership.id)).all()
    for reminder in tenant_items("reminders", tenant=tenant, today=today):
        for member in _members_for(reminder, members):
            yield reminder, member


def _send_one(mailer, tenant: Tenant, reminder: Reminder, member: Membership, outcome: Outcome) -> None:
    with _only_one_sender(tenant.id, reminder.key, member.id):
        if _sent(reminder.key, member.id):
            db.session.rollback()
            return
        letter = _letter(tenant, member, reminder)
        try:
            mailer.send(letter)
        except MailError as err:
            db.session.rollback()
            outcome.failed += 1
            log.warning("Reminder %s to member %s in %s not sent, kept for the next run: %s",
                        reminder.key, member.id, tenant.slug, err)
            return
        if not mailer.sends:
            db.session.rollback()
            outcome.shown += 1
            return
        record("reminder.sent", {"key": reminder.key, "membership_id": member.id}, actor="system")
        db.session.commit()
    outcome.sent += 1
    outcome.people.add(member.id)


@contextmanager
def _only_one_sender(tenant_id: int, key: str, membership_id: int):
    """Two runs at once send a reminder once: the second waits here, then finds it sent.

    On PostgreSQL the lock is this reminder's own, so the Trust's writers carry on while
    the mail server is slow; ``record()`` takes the Trust's lock only to append. SQLite
    serialises every writing transaction anyway, so there the Trust's lock serves.
    """
    if db.engine.dialect.name != "postgresql":
        with locked():
            yield
        return
    name = f"reminder:{tenant_id}:{key}:{membership_id}".encode()
    number = int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big", signed=True)
    db.session.execute(text("SELECT pg_advisory_xact_lock(:number)"), {"number": number})
    yield


def switch(member: Membership, on: bool) -> None:
    """A member switches their reminders on or off. The caller commits."""
    if member.reminders != on:
        record("member.reminders_set", {"on": on}, stream=f"membership:{member.id}")


def public_url() -> str:
    return current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
