"""One-time submission keys: a form sent twice (a double-click, a browser's resend) records once.

Every form that creates something carries a random key in a hidden field
(``core.forms.CreateForm``). Before the command runs, ``claim(key)`` takes the
Trust's append lock and looks the key up: if an earlier request already made
something with it, ``Resent`` is raised with that request's first event, and
the view answers with what the first made (a redirect to it) instead of
making another. Otherwise the key goes with the transaction, and the first
event ``record()`` appends in it is filed under the key, in the same
transaction, so two requests released together cannot both get past the check.

The keys are bookkeeping of the log itself, like ``event_personal``: replay
does not touch them.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from .db import UTCDateTime, db, utcnow
from .tenancy import TenantScoped

PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_PENDING = "submission_key"


class Submission(TenantScoped, db.Model):
    __tablename__ = "form_submissions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("uq_form_submissions_tenant_key", "tenant_id", "key", unique=True),)


class Resent(Exception):
    """This form was sent before: ``event`` is the first event its first sending recorded."""

    message = "This form had already been sent, so nothing new was added. Here is what it made."

    def __init__(self, event):
        super().__init__(self.message)
        self.event = event

    @property
    def entity_id(self) -> int:
        return int(self.event.entity_id)


def new_key() -> str:
    return secrets.token_urlsafe(24)


def claim(key: str | None) -> None:
    """Under the Trust's lock: raise ``Resent`` if ``key`` made something already, else file the
    next recorded event under it. A missing or malformed key (an old form) is no key."""
    from . import events

    if not isinstance(key, str) or not PATTERN.fullmatch(key):
        return
    with events.locked():
        earlier = db.session.scalar(select(events.Event).join(Submission, Submission.event_id == events.Event.id)
                                    .where(Submission.key == key))
        if earlier is not None:
            raise Resent(earlier)
        session = db.session()
        session.info[_PENDING] = (session.get_transaction(), key)


def file_under_key(event) -> None:
    """Called by ``record()`` for each event it appends: the first one after a claim takes the key."""
    session = db.session()
    pending = session.info.get(_PENDING)
    if pending is None:
        return
    del session.info[_PENDING]
    transaction, key = pending
    if transaction is not session.get_transaction():
        return  # claimed in a transaction that has ended
    session.add(Submission(key=key, event_id=event.id, tenant_id=event.tenant_id))
    session.flush()


def answer(done: Resent, url: str):
    """The page's answer to a form sent again: what the first sending made, and why nothing is new."""
    from flask import flash, redirect

    db.session.rollback()  # releases the lock; nothing of this request is kept
    flash(done.message, "info")
    return redirect(url)
