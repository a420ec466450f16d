"""What's next on a member's home page: their draft health checks, health checks due or overdue
(six months after the last, the dates the reminders use), and, for service users, the health checks
shared with them. Reads services and reviews once, whatever their number."""
from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from sqlalchemy import select

from core.auth import role_can
from core.db import db
from core.drafts import DRAFT, SUBMITTED
from core.home import SHARED_FOR_DAYS, Next, when_words
from core.models import Service
from core.reminders import stage
from core.reports import long_date

from . import history
from .models import Review


def items(membership, today: date) -> list[Next]:
    services = {s.id: s for s in db.session.scalars(select(Service).where(Service.archived.is_(False)))}
    by_service: dict[int, list[Review]] = {}
    for review in db.session.scalars(select(Review)):
        if review.service_id in services:
            by_service.setdefault(review.service_id, []).append(review)
    found = []
    me = f"user:{membership.user_id}"
    if role_can(membership.role, "contribute"):
        for reviews in by_service.values():
            for review in reviews:
                if review.status == DRAFT and review.started_by == me:
                    name = services[review.service_id].name
                    found.append(Next(f"Your draft health check of {name}",
                                      f"You started it on {long_date(review.started_at.date())} and have not "
                                      "submitted it yet.",
                                      url_for("healthcheck.edit_review", review_id=review.id), kind="draft"))
    if role_can(membership.role, "read_staff_views"):
        for service_id, service in services.items():
            notice = history.due_notice(by_service.get(service_id, []), today)
            if notice["due_on"] is None:
                continue
            due_on = date.fromisoformat(notice["due_on"])
            when = stage(due_on, today)
            if when is None:
                continue
            found.append(Next(f"Health check of {service.name}",
                              f"The next health check {when_words(due_on, today)}: the last was held on "
                              f"{long_date(date.fromisoformat(notice['last_held_on']))}.",
                              url_for("healthcheck.service_history", service_id=service_id), due_on,
                              "overdue" if when == "overdue" else "due"))
    if membership.role == "service_user":
        since = today - timedelta(days=SHARED_FOR_DAYS)
        for service_id, reviews in by_service.items():
            shared = [r for r in reviews if r.status == SUBMITTED and r.shared_on and r.shared_on >= since]
            if shared:
                latest = max(shared, key=lambda r: (r.shared_on, r.id))
                found.append(Next(f"The health check of {services[service_id].name}",
                                  f"It was shared with service users on {long_date(latest.shared_on)}. See what "
                                  "it found and what will change.",
                                  url_for("healthcheck.view_review", review_id=latest.id), kind="shared"))
    return found
