"""The levels plugin's part of reports, "as of" any moment.

State at a moment is rebuilt with ``core.events.fold`` and the very projectors
that keep the live table, so a report for last March shows last March's levels.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.db import db
from core.events import fold
from core.models import Service

from . import grid
from .levels import AREAS, LEVELS
from .models import Assessment
from .rules import today

TITLE = "Levels of involvement"


def assessments_as_of(as_of: datetime | None) -> list[Assessment]:
    """Every assessment of the Trust in context as it stood at ``as_of`` (None: now)."""
    if as_of is None:
        return list(db.session.scalars(select(Assessment)))
    return list(fold(Assessment, as_of=as_of).values())


def report_day(as_of: datetime | None):
    from core.reports import london_day

    return london_day(as_of) if as_of is not None else today()


def service_data(service_id: int, as_of: datetime | None) -> dict:
    """The latest submitted assessment of a service as of a moment, and what moved since the one before."""
    own = [a for a in assessments_as_of(as_of) if a.service_id == service_id]
    latest, previous = grid.latest_two(own)
    comparison = grid.compare(previous, latest) if previous is not None else None
    return {
        "as_of": report_day(as_of).isoformat(),
        "assessments": len(grid.submitted(own)),
        "drafts": len([a for a in own if not a.submitted]),
        "latest": grid.summary(latest),
        "previous": grid.summary(previous),
        "moved": [{k: item[k] for k in ("area", "area_name", "part", "label", "a", "b", "a_text", "b_text", "note")}
                  for item in grid.moved_items(comparison)],
        "grid": grid.grid(latest),
    }


def overview(as_of: datetime | None) -> dict:
    """Each open service's current and aimed-for level per area, from its latest submitted assessment."""
    services = fold(Service, as_of=as_of).values() if as_of is not None else \
        db.session.scalars(select(Service)).all()
    by_service: dict[int, list] = {}
    for assessment in assessments_as_of(as_of):
        by_service.setdefault(assessment.service_id, []).append(assessment)
    rows = []
    for service in sorted((s for s in services if not s.archived), key=lambda s: (s.name.lower(), s.id)):
        latest, _ = grid.latest_two(by_service.get(service.id, []))
        rows.append({"service_id": service.id, "name": service.name,
                     "assessment_id": latest.id if latest else None,
                     "assessed_on": latest.get("assessed_on") if latest else None,
                     "levels": grid.area_levels(latest)})
    return {"as_of": report_day(as_of).isoformat(), "services": rows,
            "assessed": sum(1 for row in rows if row["assessment_id"] is not None)}


def _render(template: str, data: dict):
    from core.reports import render_fragment

    from .views import long_date

    return render_fragment(template, data=data, areas=AREAS, levels=LEVELS, long_date=long_date)


def service_fragment(service, as_of):
    from core.reports import Fragment

    data = service_data(service.id, as_of)
    return Fragment(plugin="levels", title=TITLE, html=_render("levels/report_service.html", data), data=data)


def tenant_fragment(tenant, as_of):
    from core.reports import Fragment

    data = overview(as_of)
    return Fragment(plugin="levels", title="Levels of involvement by service",
                    html=_render("levels/report_tenant.html", data), data=data)
