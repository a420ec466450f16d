"""The levels' panel on the Trust dashboard: a heatmap of services x areas, and levels that moved.

Services are listed by name, never ranked. The heatmap's cells say the level
now and the level aimed for in words; the colour only helps the eye.
"""
from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import select

from core import charts
from core.db import db
from core.dashboard import Moved, Panel
from core.history import When, rows
from core.models import Service

from . import grid, whose
from .levels import AREAS, DEFAULT_VIEW
from .models import Assessment

TITLE = "Levels of involvement"


def _latest_by_service(assessments) -> dict:
    by_service: dict[int, list] = {}
    for assessment in whose.of_view(assessments, DEFAULT_VIEW):  # the staff team's, as the guide's schedule
        by_service.setdefault(assessment.service_id, []).append(assessment)
    return {service_id: grid.latest_two(own)[0] for service_id, own in by_service.items()}


def _moved(services, now: dict, then: dict) -> list[Moved]:
    """A first assessment, or an area whose level now went up or down, since the chosen day."""
    found = []
    for service in services:
        before, after = then.get(service.id), now.get(service.id)
        if after is None:
            continue
        href = url_for("levels.service_page", service_id=service.id)
        if before is None:
            found.append(Moved(f"{service.name} had its first assessment of its levels of involvement",
                               after.assessed_on, href))
            continue
        for area in AREAS:
            a, b = before.level(area.key, "current"), after.level(area.key, "current")
            if a is not None and b is not None and a != b:
                found.append(Moved(f"{service.name}: {area.name.lower()} went {'up' if b > a else 'down'} "
                                   f"from level {a} to level {b}", after.assessed_on, href))
    return found


def panel(since: date | None) -> Panel:
    services = db.session.scalars(select(Service).where(Service.archived.is_(False))
                                  .order_by(Service.name, Service.id)).all()
    now = _latest_by_service(db.session.scalars(select(Assessment)))
    heat_rows, data_rows = [], []
    for service in services:
        latest = now.get(service.id)
        href = url_for("levels.service_page", service_id=service.id)
        levels = grid.area_levels(latest)
        heat_rows.append(charts.HeatRow(service.name, tuple(
            charts.level_cell(levels[a.key]["current"], levels[a.key]["aim"], href) for a in AREAS), href))
        data_rows.append({"service_id": service.id, "name": service.name,
                          "assessed_on": latest.get("assessed_on") if latest else None, "levels": levels})
    assessed = sum(1 for row in data_rows if row["assessed_on"])
    heatmap = charts.heatmap(
        "Where each service is now, and what it aims for",
        f"{assessed} of {len(services)} open service{'' if len(services) == 1 else 's'} "
        f"{'has' if assessed == 1 else 'have'} a submitted assessment; services are listed by name.",
        "Service", [a.name for a in AREAS], heat_rows, key=charts.LEVEL_KEY + (("none", "Not assessed"),),
        empty_text="There are no open services yet.")
    moved = []
    if since is not None:
        then = _latest_by_service(rows(Assessment, When(as_of=since)))
        moved = _moved(services, now, then)
    return Panel("levels", TITLE, "levels/dashboard.html", {"services": data_rows, "assessed": assessed},
                 context={"heatmap": heatmap}, moved=moved)
