"""Signed-in sessions kept on the server, so that ending one ends it everywhere at once.

The browser's cookie holds only a random key; its SHA-256 names a row here.
Signing out, changing a password, being removed from a Trust or an admin's
"sign out everywhere" end the rows, and a copied cookie stops working with
them. A session left idle longer than ``SESSION_IDLE_MINUTES`` (30 by default)
ends too; what a person saved as a draft is kept. Like accounts, sessions are
identity rather than a Trust's history, so they live outside the event log.
"""
from __future__ import annotations

import hashlib
import secrets
from functools import cache
from datetime import datetime, timedelta

from flask import current_app, has_request_context, session
from sqlalchemy import ForeignKey, Index, String, bindparam, select, update
from sqlalchemy.orm import Mapped, lazyload, mapped_column

from .db import UTCDateTime, db, utcnow

KEY = "sid"
IDLE_ENDED = "idle"
# Refresh "last seen" at most this often: a page view need not be a database write.
TOUCH_EVERY = timedelta(seconds=60)


class UserSession(db.Model):
    __tablename__ = "user_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_why: Mapped[str | None] = mapped_column(String(40))

    # Identity, like accounts: no Trust's row, so no tenant policy; ended, never deleted (see core.rls).
    __table_args__ = (Index("ix_user_sessions_user", "user_id", "ended_at"),
                      {"info": {"serving_privileges": ("SELECT", "INSERT", "UPDATE")}})


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config.get("SESSION_IDLE_MINUTES", 30))


def start(user_id: int) -> None:
    """A new session for a person who has just signed in: whatever the cookie held before is dropped."""
    session.clear()  # a session fixed by someone else before sign-in is not carried over
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(key_hash=_hash(key), user_id=user_id, started_at=now, last_seen_at=now))
    session[KEY] = key


def current_user_id() -> int | None:
    """The user whose live session the cookie names, or None (and the row ended if it went idle)."""
    key = session.get(KEY)
    if not key or not isinstance(key, str):
        return None
    from flask import g

    from .tenancy import current_tenant_id

    # The session and its person in one query; g holds the person so the user loader's
    # session.get finds it in the identity map instead of asking the database again. Inside
    # a Trust the same query brings their membership of it (scoped like every query), if any.
    inside = current_tenant_id() is not None
    found = g.pop("_session_read", None)  # read already with the Trust (core.web), for this key
    if found is None or found[0] != _hash(key):
        found = db.session.execute(_session_query(inside), {"key_hash": _hash(key)}).first()
    else:
        found = found[1] if found[1][0] is not None else None
    if found is None or found[0].ended_at is not None:
        return None
    row, g._session_user = found[0], found[1]
    if inside:
        g._session_membership = (current_tenant_id(), found[2])
    now = utcnow()
    if now - row.last_seen_at > _idle_limit():
        _write_apart(update(UserSession).where(UserSession.key_hash == row.key_hash, UserSession.ended_at.is_(None))
                     .values(ended_at=now, ended_why=IDLE_ENDED))
        session["ended_idle"] = True
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        _write_apart(update(UserSession).where(UserSession.key_hash == row.key_hash).values(last_seen_at=now))
    return row.user_id


def cookie_key_hash() -> str | None:
    """The hash naming the session row the cookie's key is for, if the cookie holds one."""
    key = session.get(KEY)
    return _hash(key) if key and isinstance(key, str) else None


def read_already(key_hash: str, row: UserSession | None, user, membership) -> None:
    """The session the cookie names, its person and their membership of the Trust in context, read
    with the Trust in one query (core.web): ``current_user_id`` uses them instead of asking again."""
    from flask import g

    g._session_read = (key_hash, (row, user, membership))


@cache
def _session_query(inside_a_trust: bool):
    """Built once (making a statement costs as much as running a small one)."""
    from .models import Membership, User
    from .tenancy import built_once

    query = (select(UserSession, User).join(User, User.id == UserSession.user_id)
             .where(UserSession.key_hash == bindparam("key_hash")))
    if inside_a_trust:
        query = (query.add_columns(Membership).outerjoin(Membership, Membership.user_id == User.id)
                 .options(lazyload(Membership.user)))  # the person is loaded already
    return built_once(query)


def _write_apart(statement) -> None:
    """A write that depends on nothing the request read, committed at once. A request that only
    reads stays a reader (see core.db): the write has a transaction of its own. A request that
    writes holds the write lock already (SQLite), so it commits the write in its own."""
    from .db import only_reading

    if only_reading():
        with db.engine.connect().execution_options(writes_apart=True) as connection, connection.begin():
            connection.execute(statement)
    else:
        db.session.execute(statement)
        db.session.commit()


def _end(row: UserSession, why: str, now: datetime) -> None:
    row.ended_at, row.ended_why = now, why


def end_this(why: str = "signed out") -> None:
    """End the session the cookie names (signing out)."""
    key = session.pop(KEY, None)
    if key:
        row = db.session.get(UserSession, _hash(key))
        if row is not None and row.ended_at is None:
            _end(row, why, utcnow())


def end_all(user_id: int, why: str, keep_this: bool = False) -> int:
    """End every live session of a person (all their devices); with ``keep_this``, all but the caller's own."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    key = session.get(KEY) if has_request_context() else None
    if keep_this and key:
        query = query.where(UserSession.key_hash != _hash(key))
    result = db.session.execute(query.values(ended_at=utcnow(), ended_why=why))
    return result.rowcount or 0


def live_count(user_id: int) -> int:
    return len(db.session.scalars(select(UserSession.key_hash).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None))).all())
