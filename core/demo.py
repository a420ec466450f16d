"""The demo Trust that ``make run`` loads on a first run, so there is something to try.

It comes with a few years of history (see ``core.demo_history``): each section
records its part through its own commands, back-dated, so every report,
comparison, chart and export has something to show. Loading it twice changes
nothing. The first run's password is kept in a file
readable only by its owner (config ``DEMO_PASSWORD_FILE``, by default
``instance/demo-password.txt``) so later runs can show it again; it is shown
only while it still signs in.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from . import commands
from .auth import check_password
from .db import db
from .demo_history import COMMUNITY, DAY_CENTRE, MONTHS, WARD, History, Step, months_before, planned_steps, run_steps
from .events import Event, recording_at
from .models import Service, Tenant, User
from .reports import london_day, london_today
from .tenancy import tenant_context

SLUG = "demo"
NAME = "Demo NHS Foundation Trust"
# The services by their part in the story: the guide's own day centre, a ward and a community team.
SERVICES = {
    DAY_CENTRE: ("Oak Day Centre", "day_centre",
                 "A day centre where people drop in for groups, activities and a cup of tea."),
    WARD: ("Willow Ward", "inpatient_ward",
           "An adult acute ward with 18 beds."),
    COMMUNITY: ("Riverside Assertive Outreach Team", "assertive_outreach",
                "Visits people at home who find other services hard to use."),
}
# (e-mail, name, role): every demo account shares the first run's password.
ACCOUNTS = (
    ("admin@demo.example", "Demo admin", "admin"),
    ("staff@demo.example", "Demo staff member", "staff"),
    ("facilitator@demo.example", "Demo user facilitator", "facilitator"),
    ("viewer@demo.example", "Demo board member", "viewer"),
)
ADMIN_EMAIL = ACCOUNTS[0][0]
PASSWORD_FILE = "demo-password.txt"
# Letters and digits that cannot be mistaken for one another when copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass
class DemoTrust:
    created: bool  # False when the demo Trust was there already
    tenant_name: str
    services: int
    email: str
    password: str | None  # None when it can no longer be shown
    events: int = 0
    first_day: date | None = None  # of the log, in London
    last_day: date | None = None

    @property
    def months(self) -> int:
        """Whole months between the log's first and last days."""
        if self.first_day is None or self.last_day is None:
            return 0
        first, last = self.first_day, self.last_day
        return (last.year - first.year) * 12 + last.month - first.month - (last.day < first.day)


def password_file() -> str:
    return current_app.config.get("DEMO_PASSWORD_FILE") or os.path.join(current_app.instance_path, PASSWORD_FILE)


def new_password() -> str:
    """16 random characters in groups of four, like ``k7mq-3xfa-9rtp-2hwe``."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def _keep_password(password: str) -> None:
    path = password_file()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    os.chmod(path, 0o600)  # the file may have existed with wider permissions


def _remembered_password(user: User | None) -> str | None:
    """The kept password, if it still signs in to ``user``."""
    try:
        with open(password_file()) as handle:
            password = handle.read().strip()
    except OSError:
        return None
    if user is not None and password and check_password(user.password_hash, password):
        return password
    return None


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _summary(trust: DemoTrust, tenant: Tenant) -> DemoTrust:
    """The Trust's size and the days its log covers."""
    with tenant_context(tenant.id):
        trust.services = db.session.scalar(select(func.count(Service.id)))
        trust.events, first, last = db.session.execute(
            select(func.count(Event.id), func.min(Event.occurred_at), func.max(Event.occurred_at))).one()
    trust.first_day = london_day(first) if first else None
    trust.last_day = london_day(last) if last else None
    return trust


Progress = Callable[[list[Step]], AbstractContextManager[Iterable[Step]]]


def load(progress: Progress = nullcontext) -> DemoTrust:
    """Create the demo Trust with its history unless it exists. The caller commits.

    ``progress`` wraps the list of steps (``click.progressbar`` fits) to show how far it has got.
    """
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == SLUG))
    if tenant is not None:
        trust = DemoTrust(False, tenant.name, len(SERVICES), ADMIN_EMAIL, _remembered_password(_user(ADMIN_EMAIL)))
        return _summary(trust, tenant)

    history = History(start=months_before(london_today(), MONTHS))
    opened = history.at(history.start, 9)
    password = new_password()
    actors = {}
    with recording_at(opened):
        tenant = commands.create_tenant(SLUG, NAME)
        tenant.created_at = opened  # the Trust's row agrees with its log about when it began
        with tenant_context(tenant.id):
            for key, (name, kind, description) in SERVICES.items():
                history.services[key] = commands.create_service(name, kind, description).id
            for email, display_name, role in ACCOUNTS:
                # An account left from an earlier demo keeps its own password.
                user = _user(email) or commands.create_user(email, display_name, password)
                commands.add_member(user, role)
                actors[role] = f"user:{user.id}"
    with tenant_context(tenant.id):
        with progress(planned_steps(history)) as steps:
            run_steps(steps, actors)

    admin = _user(ADMIN_EMAIL)
    if check_password(admin.password_hash, password):
        _keep_password(password)
        shown = password
    else:
        shown = _remembered_password(admin)
    return _summary(DemoTrust(True, tenant.name, len(SERVICES), ADMIN_EMAIL, shown), tenant)
