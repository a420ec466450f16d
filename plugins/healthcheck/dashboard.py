"""The health check's panel on the Trust dashboard: each service's last health check and whether one is due."""
from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import select

from core.dashboard import Moved, Panel
from core.db import db
from core.models import Service

from . import history
from .answers import today
from .models import Review

TITLE = "Health checks of user groups"


def panel(since: date | None) -> Panel:
    services = db.session.scalars(select(Service).where(Service.archived.is_(False))
                                  .order_by(Service.name, Service.id)).all()
    reviews = db.session.scalars(select(Review)).all()
    day = today()
    found = []
    for service in services:
        own = [r for r in reviews if r.service_id == service.id]
        done = history.submitted(own)
        last = done[-1] if done else None
        found.append({"service_id": service.id, "name": service.name,
                      "last_review_id": last.id if last else None,
                      "last_held_on": last.held_on.isoformat() if last else None,
                      "due": history.due_notice(own, day)})
    names = {s.id: s.name for s in services}
    moved = []
    if since is not None:
        for review in history.submitted(reviews):
            if review.held_on > since and review.service_id in names:
                moved.append(Moved(f"{names[review.service_id]} held a health check of its user group",
                                   review.held_on, url_for("healthcheck.view_review", review_id=review.id)))
    data = {"services": found,
            "due": sum(1 for row in found if row["due"]["status"] == "due"),
            "never": sum(1 for row in found if row["due"]["status"] == "none")}
    from .views import long_date

    return Panel("healthcheck", TITLE, "healthcheck/dashboard.html", data, context={"long_date": long_date},
                 moved=moved)
