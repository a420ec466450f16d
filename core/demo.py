"""The demo Trust that ``make run`` loads on a first run, so there is something to try.

Loading it twice changes nothing. The first run's password is kept in a file
readable only by its owner (config ``DEMO_PASSWORD_FILE``, by default
``instance/demo-password.txt``) so later runs can show it again; it is shown
only while it still signs in.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from . import commands
from .auth import check_password
from .db import db
from .models import Tenant, User
from .tenancy import tenant_context

SLUG = "demo"
NAME = "Demo NHS Foundation Trust"
SERVICES = (
    ("Oak Day Centre", "day_centre",
     "A day centre where people drop in for groups, activities and a cup of tea."),
    ("Willow Ward", "inpatient_ward",
     "An adult acute ward with 18 beds."),
    ("Riverside Assertive Outreach Team", "assertive_outreach",
     "Visits people at home who find other services hard to use."),
)
# (e-mail, name, role): every demo account shares the first run's password.
ACCOUNTS = (
    ("admin@demo.example", "Demo admin", "admin"),
    ("staff@demo.example", "Demo staff member", "staff"),
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


def load() -> DemoTrust:
    """Create the demo Trust, its services and accounts unless it exists. The caller commits."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == SLUG))
    if tenant is not None:
        return DemoTrust(False, tenant.name, len(SERVICES), ADMIN_EMAIL, _remembered_password(_user(ADMIN_EMAIL)))

    tenant = commands.create_tenant(SLUG, NAME)
    password = new_password()
    with tenant_context(tenant.id):
        for name, kind, description in SERVICES:
            commands.create_service(name, kind, description)
        for email, display_name, role in ACCOUNTS:
            # An account left from an earlier demo keeps its own password.
            user = _user(email) or commands.create_user(email, display_name, password)
            commands.add_member(user, role)
    admin = _user(ADMIN_EMAIL)
    if check_password(admin.password_hash, password):
        _keep_password(password)
        shown = password
    else:
        shown = _remembered_password(admin)
    return DemoTrust(True, tenant.name, len(SERVICES), ADMIN_EMAIL, shown)
