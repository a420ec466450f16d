"""Who may do what: the role -> action table, passwords, sign-in and tokens.

The table below is the only place roles are given rights. Views and API
routes name the action they need (``@require("manage")``); they never test
roles themselves.
"""
from __future__ import annotations

import hashlib
import secrets
from functools import wraps

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g
from flask_login import LoginManager

from .db import db

ROLES = {
    "admin": "Trust admin",
    "staff": "Staff",
    "service_user": "Service user",
    "facilitator": "User facilitator",
    "viewer": "Viewer (read only)",
}

# One line each, shown under the role choices when adding a member or changing a role.
ROLE_HINTS = {
    "admin": "Adds services and members, chooses the sections, and sees everything, including the audit log.",
    "staff": "Fills in health checks and assessments, and answers the indicators as staff.",
    "service_user": "Answers the indicators as a service user, sees what is shared with service users and "
                    "takes part in reviews.",
    "facilitator": "Runs the indicators with both groups: makes invitation links, shares views and agrees targets.",
    "viewer": "Reads everything staff see, reports and the audit log, but changes nothing (for example an auditor).",
}

# action -> roles allowed to take it
PERMISSIONS = {
    "read": {"admin", "staff", "service_user", "facilitator", "viewer"},
    "contribute": {"admin", "staff", "service_user", "facilitator"},  # take part in exercises
    "read_staff_views": {"admin", "staff", "facilitator", "viewer"},  # beyond what is shared with service users
    # Before two groups exchange their views, each reads only its own; a facilitator prepares the exchange.
    "read_both_groups": {"facilitator"},
    "facilitate": {"admin", "staff", "facilitator"},  # run sharing events, agree targets
    "manage": {"admin"},  # services, members, plugins
    "audit": {"admin", "viewer"},  # the event log
}

MIN_PASSWORD_LENGTH = 12
# NCSC guidance: length, and no common or easily guessed passwords; no rules about symbols or case.
# zxcvbn scores 0-4 against its bundled lists of common passwords, names and keyboard patterns.
GUESSABLE_BELOW = 3

_hasher = PasswordHasher()
# Tests hash thousands of passwords; the cheapest parameters keep them fast.
_test_hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"


def role_can(role: str | None, action: str) -> bool:
    return role in PERMISSIONS[action]


def can(action: str) -> bool:
    """Whether the member in context may take ``action`` in this tenant."""
    membership = g.get("membership")
    return membership is not None and role_can(membership.role, action)


def require(action: str):
    """Refuse the view with 403 unless the member in context may take ``action``."""
    if action not in PERMISSIONS:
        raise KeyError(action)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(action):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_action = action
        return wrapped

    return decorator


def _password_hasher() -> PasswordHasher:
    return _test_hasher if current_app.config.get("TESTING") else _hasher


def without_account(view):
    """Mark a tenant page that people may open with no account, such as an invitation link.

    The view itself must check what it was given (a token in the URL); the
    tenant is still resolved and every query still scoped to it.
    """
    view.without_account = True
    return view


def hash_password(password: str) -> str:
    return _password_hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _password_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in plain words, or None."""
    from zxcvbn import zxcvbn

    password = password or ""
    if len(password) > 200:
        return "Enter a password of 200 characters or fewer."
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        return (f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters. Three random words, "
                f"like \"kettle orbit maple\", are easy to remember and hard to guess.")
    if zxcvbn(password[:100])["score"] < GUESSABLE_BELOW:
        return ("That password is too common or too easy to guess. Try three random words, "
                "like \"kettle orbit maple\".")
    return None


def new_token() -> tuple[str, str]:
    """A fresh API token and the hash that is stored in its place."""
    token = "cl_" + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.user_loader
def _load_user(user_id: str):
    from .models import User

    from . import sessions

    if not user_id.isdigit() or sessions.current_user_id() != int(user_id):
        return None  # no live session on the server: signed out, ended elsewhere, or idle too long
    return db.session.get(User, int(user_id))
