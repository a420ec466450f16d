"""The health check's one projection: a review of a service's user group.

Written only by the projectors in ``plugins.healthcheck.events``; a row's id is
the id of the event that started the review, so replay reproduces it exactly.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db
from core.drafts import Draft
from core.history import Dated
from core.tenancy import TenantScoped

from .questions import ANSWERS, CHANGES_COUNT

# Answers kept in columns of their own; every other answer lives in
# ``answers`` (choices and numbers) or ``texts`` (words).
COLUMNS = ("held_on", "staff_count", "service_user_count", "participant_roles", "has_user_group",
           "agreed_changes", "shared_on", "service_user_views")
DATES = ("held_on", "shared_on")


class Review(TenantScoped, Draft, db.Model):
    """A draft until submitted; then amended, never edited (see ``core.drafts``)."""

    __tablename__ = "healthcheck_reviews"
    __stream__ = "healthcheck-review"
    __history__ = Dated("held_on")  # counts from the day it was held, however late it was typed in

    held_on: Mapped[date | None] = mapped_column(Date)
    staff_count: Mapped[int | None] = mapped_column(Integer)
    service_user_count: Mapped[int | None] = mapped_column(Integer)
    participant_roles: Mapped[str | None] = mapped_column(Text)
    has_user_group: Mapped[bool | None] = mapped_column(Boolean)
    answers: Mapped[dict] = mapped_column(JSON)  # flat key -> choice, choices or number
    texts: Mapped[dict] = mapped_column(JSON)  # flat key -> words (erasable)
    agreed_changes: Mapped[list] = mapped_column(JSON)
    # The changes agreed at the health check before, each with "did it happen?" (yes, partly, no, not_yet).
    followed_up: Mapped[list | None] = mapped_column(JSON)

    shared_on: Mapped[date | None] = mapped_column(Date)
    service_user_views: Mapped[str | None] = mapped_column(Text)
    sharing_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sharing_recorded_by: Mapped[str | None] = mapped_column(String(200))
    # amendments' entries also carry the guide's question number: {..., question}

    __table_args__ = (
        Index("ix_healthcheck_reviews_tenant_service", "tenant_id", "service_id", "held_on"),
        Index("ix_healthcheck_reviews_tenant_status", "tenant_id", "status"),
    )

    def get(self, key: str):
        """One answer by its flat key, as JSON-able values (dates as ISO strings)."""
        if key in COLUMNS:
            value = getattr(self, key)
            return value.isoformat() if isinstance(value, date) else value
        if key == CHANGES_COUNT:
            return (self.answers or {}).get(key)
        store = self.texts if ANSWERS[key].personal else self.answers
        return (store or {}).get(key)

    def put(self, key: str, value) -> None:
        """Set one answer (None clears it). Only projectors call this."""
        if key in COLUMNS:
            if key in DATES and isinstance(value, str):
                value = date.fromisoformat(value)
            if key == "agreed_changes" and value is None:
                value = []
            setattr(self, key, value)
            return
        personal = key != CHANGES_COUNT and ANSWERS[key].personal
        store = dict((self.texts if personal else self.answers) or {})
        if value is None or value == [] or value == "":
            store.pop(key, None)
        else:
            store[key] = value
        # a new dict, so the JSON column is seen to change
        if personal:
            self.texts = store
        else:
            self.answers = store

    def content(self) -> dict:
        """Every answer by flat key (absent ones as None)."""
        values = {key: self.get(key) for key in ANSWERS}
        values[CHANGES_COUNT] = self.get(CHANGES_COUNT)
        return values
