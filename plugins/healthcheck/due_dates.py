"""Reminders: a service's next health check is due six months after the last."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.db import db
from core.models import Service
from core.reminders import Reminder, stage, when_words
from core.reports import long_date

from . import history
from .models import Review


def due(today: date) -> list[Reminder]:
    services = db.session.scalars(select(Service).where(Service.archived.is_(False))).all()
    by_service: dict[int, list] = {}
    for review in db.session.scalars(select(Review)):
        by_service.setdefault(review.service_id, []).append(review)
    found = []
    for service in services:
        notice = history.due_notice(by_service.get(service.id, []), today)
        if notice["due_on"] is None:
            continue  # never reviewed: nothing has a date yet
        due_on = date.fromisoformat(notice["due_on"])
        when = stage(due_on, today)
        if when is None:
            continue
        found.append(Reminder(
            key=f"healthcheck.due:{service.id}:{due_on.isoformat()}:{when}",
            subject=f"a health check for {service.name} is {'overdue' if when == 'overdue' else 'due soon'}",
            why=(f"The next health check of {service.name}'s user group {when_words(due_on, today)}: "
                 f"the last one was held on {long_date(date.fromisoformat(notice['last_held_on']))} and the guide suggests one every "
                 f"{history.REVIEW_EVERY_MONTHS} months."),
            endpoint="healthcheck.service_history", values={"service_id": service.id},
            audience="contribute"))
    return found
