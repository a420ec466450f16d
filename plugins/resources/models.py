"""The resources plugin's one projection: an organisation a Trust's services can draw on.

Written only by the projectors in ``plugins.resources.events``. A row's id is
the id of the event that added it, so replay reproduces it exactly.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db
from core.tenancy import TenantScoped

GUIDE = "guide"
PACKAGE = "package"


class Resource(TenantScoped, db.Model):
    __tablename__ = "resources_resources"
    __stream__ = "resource"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Where an entry came from when no person typed it: "guide:<key>" for the guide's
    # national organisations, "package:<plugin>:<key>" for a Trust's package.
    origin_key: Mapped[str | None] = mapped_column(String(200))
    package: Mapped[str | None] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(10))

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    website: Mapped[str] = mapped_column(String(500))

    service_ids: Mapped[list] = mapped_column(JSON)  # empty: relevant to every service
    tags: Mapped[list] = mapped_column(JSON)

    archived: Mapped[bool] = mapped_column(Boolean)
    withdrawn: Mapped[bool] = mapped_column(Boolean)  # archived because its package stopped offering it
    version: Mapped[int] = mapped_column(Integer)  # events applied: a form notices a stale copy
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))

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

    def relevant_to(self, service_id: int) -> bool:
        return not self.service_ids or service_id in self.service_ids

    def words(self) -> dict:
        return {"name": self.name, "description": self.description, "address": self.address,
                "phone": self.phone, "email": self.email, "website": self.website}
