"""The example's one projection, written only by its projector."""
from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db
from core.tenancy import TenantScoped


class ExampleNote(TenantScoped, db.Model):
    __tablename__ = "example_notes"
    __stream__ = "example-note"

    # The id of the event that created the note, so replay reproduces it.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_example_notes_tenant_id", "tenant_id", "id"),)
