"""The health check's part of reports, "as of" any moment.

State at a moment is rebuilt with ``core.events.fold`` and the very projectors
that keep the live table, so a report for last March shows last March's reviews.
"""
from __future__ import annotations

from datetime import datetime

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from core.db import db
from core.events import fold
from core.models import Service

from . import history
from .answers import today
from .compare import compare, moved_items
from .models import Review
from .questions import ANSWERS, KEY_ANSWERS, display

TITLE = "Health check of the user group"


def reviews_as_of(as_of: datetime | None) -> list[Review]:
    """Every review of the Trust in context as it stood at ``as_of`` (None: now)."""
    if as_of is None:
        return list(db.session.scalars(select(Review)))
    return list(fold(Review, as_of=as_of).values())


def report_day(as_of: datetime | None):
    from core.reports import london_day

    return london_day(as_of) if as_of is not None else today()


def service_data(service_id: int, as_of: datetime | None) -> dict:
    """The latest review of a service as of a moment, its agreed changes and what moved since the one before."""
    reviews = [r for r in reviews_as_of(as_of) if r.service_id == service_id]
    done = history.submitted(reviews)
    latest = done[-1] if done else None
    previous = done[-2] if len(done) > 1 else None
    moved = moved_items(compare(previous, latest)) if previous is not None else []
    return {
        "as_of": report_day(as_of).isoformat(),
        "reviews": len(done),
        "drafts": len([r for r in reviews if not r.submitted]),
        "latest": history.summary(latest),
        "previous": history.summary(previous),
        "agreed_changes": list(latest.agreed_changes or []) if latest else [],
        "shared_on": latest.shared_on.isoformat() if latest and latest.shared_on else None,
        "moved": [{k: item[k] for k in ("key", "label", "question", "a", "b", "a_text", "b_text", "moved", "note")}
                  for item in moved],
        "due": history.due_notice(reviews, report_day(as_of)),
    }


def overview(as_of: datetime | None) -> dict:
    """Each open service's last review date and key answers, overdue ones marked."""
    services = fold(Service, as_of=as_of).values() if as_of is not None else \
        db.session.scalars(select(Service)).all()
    reviews = reviews_as_of(as_of)
    day = report_day(as_of)
    rows = []
    for service in sorted((s for s in services if not s.archived), key=lambda s: (s.name.lower(), s.id)):
        own = [r for r in reviews if r.service_id == service.id]
        done = history.submitted(own)
        last = done[-1] if done else None
        rows.append({
            "service_id": service.id,
            "name": service.name,
            "last_review_id": last.id if last else None,
            "last_held_on": last.held_on.isoformat() if last else None,
            "key_answers": {key: last.get(key) for key in KEY_ANSWERS} if last else {},
            "due": history.due_notice(own, day),
        })
    return {"as_of": day.isoformat(), "services": rows,
            "overdue": sum(1 for row in rows if row["due"]["status"] == "due")}


def _render(template: str, data: dict) -> Markup:
    from .views import long_date

    return Markup(render_template(template, data=data, display=display, long_date=long_date,
                                  key_answers=KEY_ANSWERS, labels={k: ANSWERS[k].label for k in KEY_ANSWERS},
                                  due_sentence=history.due_sentence))


def service_fragment(service, as_of):
    from core.reports import Fragment

    data = service_data(service.id, as_of)
    return Fragment(plugin="healthcheck", title=TITLE,
                    html=_render("healthcheck/report_service.html", data), data=data)


def tenant_fragment(tenant, as_of):
    from core.reports import Fragment

    data = overview(as_of)
    return Fragment(plugin="healthcheck", title="Health checks of user groups",
                    html=_render("healthcheck/report_tenant.html", data), data=data)
