"""What's next on a member's home page: the levels assessments they started and have not submitted."""
from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import select

from core.auth import role_can
from core.db import db
from core.drafts import DRAFT
from core.home import Next
from core.models import Service
from core.reports import long_date

from .commands import WRITE
from .models import Assessment


def items(membership, today: date) -> list[Next]:
    if not role_can(membership.role, WRITE):
        return []
    drafts = db.session.scalars(select(Assessment).where(Assessment.status == DRAFT,
                                                         Assessment.started_by == f"user:{membership.user_id}")).all()
    if not drafts:
        return []
    names = {s.id: s.name for s in db.session.scalars(select(Service).where(Service.archived.is_(False)))}
    return [Next(f"Your draft levels assessment of {names[a.service_id]}",
                 f"You started it on {long_date(a.started_at.date())} and have not submitted it yet.",
                 url_for("levels.edit_assessment", assessment_id=a.id), kind="draft")
            for a in sorted(drafts, key=lambda a: a.id) if a.service_id in names]
