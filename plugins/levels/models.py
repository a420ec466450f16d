"""The levels plugin's one projection: an assessment of where a service stands and aims to be.

Written only by the projectors in ``plugins.levels.events``. A row's id is the
id of the event that started the assessment, so replay reproduces it exactly.
Every answer has a column named by its flat key (``policy_aim``...).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db
from core.drafts import Draft
from core.history import Dated
from core.tenancy import TenantScoped

from .levels import AREA_KEYS, DEFAULT_VIEW, KEYS, LEVEL_PARTS, flat_key


class Assessment(TenantScoped, Draft, db.Model):
    """A draft until submitted; then amended, never edited (see ``core.drafts``)."""

    __tablename__ = "levels_assessments"
    __stream__ = "levels-assessment"
    __history__ = Dated("assessed_on")  # counts from the day of the assessment

    assessed_on: Mapped[date | None] = mapped_column(Date)
    aim_by: Mapped[date | None] = mapped_column(Date)  # by when the service aims to reach its aims
    participants: Mapped[str | None] = mapped_column(Text)
    view: Mapped[str] = mapped_column(String(20), default=DEFAULT_VIEW)  # whose view: levels.VIEWS

    individual_current: Mapped[int | None] = mapped_column(Integer)
    individual_aim: Mapped[int | None] = mapped_column(Integer)
    individual_achieved: Mapped[str | None] = mapped_column(Text)
    individual_planned: Mapped[str | None] = mapped_column(Text)
    individual_practices: Mapped[list | None] = mapped_column(JSON)  # practice keys ticked
    individual_how: Mapped[dict | None] = mapped_column(JSON)  # practice key -> how we do it, in a line
    individual_evidence: Mapped[list | None] = mapped_column(JSON)  # core.evidence items
    care_setting_current: Mapped[int | None] = mapped_column(Integer)
    care_setting_aim: Mapped[int | None] = mapped_column(Integer)
    care_setting_achieved: Mapped[str | None] = mapped_column(Text)
    care_setting_planned: Mapped[str | None] = mapped_column(Text)
    care_setting_practices: Mapped[list | None] = mapped_column(JSON)  # practice keys ticked
    care_setting_how: Mapped[dict | None] = mapped_column(JSON)  # practice key -> how we do it, in a line
    care_setting_evidence: Mapped[list | None] = mapped_column(JSON)  # core.evidence items
    policy_current: Mapped[int | None] = mapped_column(Integer)
    policy_aim: Mapped[int | None] = mapped_column(Integer)
    policy_achieved: Mapped[str | None] = mapped_column(Text)
    policy_planned: Mapped[str | None] = mapped_column(Text)
    policy_practices: Mapped[list | None] = mapped_column(JSON)  # practice keys ticked
    policy_how: Mapped[dict | None] = mapped_column(JSON)  # practice key -> how we do it, in a line
    policy_evidence: Mapped[list | None] = mapped_column(JSON)  # core.evidence items

    __table_args__ = (
        Index("ix_levels_assessments_tenant_service", "tenant_id", "service_id", "assessed_on"),
        Index("ix_levels_assessments_tenant_status", "tenant_id", "status"),
    )

    def get(self, key: str):
        """One answer by flat key, JSON-able (the date as an ISO string)."""
        value = getattr(self, key)
        return value.isoformat() if isinstance(value, date) else value

    def put(self, key: str, value) -> None:
        """Set one answer (None clears it). Only projectors call this."""
        if key not in KEYS:
            raise KeyError(key)
        if key in ("assessed_on", "aim_by") and isinstance(value, str):
            value = date.fromisoformat(value)
        if key == "view" and value is None:
            value = DEFAULT_VIEW  # assessments recorded before views were asked for are the staff team's
        setattr(self, key, value)

    def content(self) -> dict:
        """Every answer by flat key (absent ones as None)."""
        return {key: self.get(key) for key in KEYS}

    def level(self, area: str, part: str) -> int | None:
        """The level now (``current``) or aimed for (``aim``) in one area."""
        if part not in LEVEL_PARTS or area not in AREA_KEYS:
            raise KeyError(part)
        return getattr(self, flat_key(area, part))


class LevelsPractice(TenantScoped, db.Model):
    """A practice a Trust adds to the guide's checklist, at the level it supports."""

    __tablename__ = "levels_practices"
    __stream__ = "levels-practice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    level: Mapped[int] = mapped_column(Integer)
    wording: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_levels_practices_tenant_id", "tenant_id", "id"),)
