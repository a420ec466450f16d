"""The resources plugin's one projection: an organisation a Trust's services can draw on.

Written only by the projectors in ``plugins.resources.events``. A row's id is
the id of the event that added it, so replay reproduces it exactly.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db
from core.tenancy import TenantScoped

from .rules import ORGANISATION, WORD_FIELDS

GUIDE = "guide"
PACKAGE = "package"
CHECK_EVERY = timedelta(days=365)  # an entry not checked for this long is listed for the admin


class Resource(TenantScoped, db.Model):
    __tablename__ = "resources_resources"
    __stream__ = "resource"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Where an entry came from when no person typed it: "guide:<key>" for the guide's
    # national organisations, "package:<plugin>:<key>" for a Trust's package.
    origin_key: Mapped[str | None] = mapped_column(String(200))
    package: Mapped[str | None] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(12))  # organisation or individual

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    website: Mapped[str] = mapped_column(String(500))
    # An individual's consent for their contact details: who gave it, and the day.
    consent_by: Mapped[str] = mapped_column(String(200))
    consent_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    service_ids: Mapped[list] = mapped_column(JSON)  # empty: relevant to every service
    tags: Mapped[list] = mapped_column(JSON)

    archived: Mapped[bool] = mapped_column(Boolean)
    withdrawn: Mapped[bool] = mapped_column(Boolean)  # archived because its package stopped offering it
    version: Mapped[int] = mapped_column(Integer)  # events applied: a form notices a stale copy
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))
    # Someone confirmed the details were right (added, changed, or "Still right").
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (
        Index("uq_resources_resources_tenant_origin", "tenant_id", "origin_key", unique=True),
        Index("ix_resources_resources_tenant_scope", "tenant_id", "scope", "archived"),
    )

    @property
    def source(self) -> str:
        """Who looks after the entry: "people", "guide" or "package"."""
        if self.package:
            return PACKAGE
        if self.origin_key and self.origin_key.startswith(f"{GUIDE}:"):
            return GUIDE
        return "people"

    @property
    def package_key(self) -> str | None:
        """The key a package gave the entry."""
        if not self.package or not self.origin_key:
            return None
        return self.origin_key.split(":", 2)[2]

    @property
    def shows_contact(self) -> bool:
        """An organisation's contact details are shown; a person's only with their consent noted."""
        return self.kind in (ORGANISATION, None) or bool(self.consent_by and self.consent_on)

    def unchecked_since(self, now: datetime) -> bool:
        return self.checked_at is None or self.checked_at <= now - CHECK_EVERY

    def relevant_to(self, service_id: int) -> bool:
        return not self.service_ids or service_id in self.service_ids

    def words(self) -> dict:
        return {key: getattr(self, key) for key in WORD_FIELDS}
