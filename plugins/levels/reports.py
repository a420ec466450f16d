"""The levels plugin's part of reports, "as of" any moment.

Assessments as a ``core.history.When`` sees them come from the history tables
(kept by the very projectors that keep the live table), so a report for last
March shows last March's levels.
"""
from __future__ import annotations

from core.history import When, rows
from core.models import Service

from . import aims, grid, whose
from .levels import AREAS, LEVELS
from .models import Assessment
from .rules import today

TITLE = "Levels of involvement"


def assessments_as_of(when: When, service_id: int | None = None) -> list[Assessment]:
    """The assessments of the Trust in context (or of one service) as ``when`` sees them."""
    return rows(Assessment, when, service_id=service_id)


def report_day(when: When):
    return when.day if not when.live else today()


def service_data(service_id: int, when: When) -> dict:
    """The latest submitted assessment of a service as of a moment, and what moved since the one before."""
    own = assessments_as_of(when, service_id)
    view = whose.chosen()
    latest, previous = grid.latest_two(whose.of_view(own, view))
    comparison = grid.compare(previous, latest) if previous is not None else None
    found_views = whose.latest_views(own)
    differences = whose.differences(found_views)
    return {
        "as_of": report_day(when).isoformat(),
        "view": view,
        "views": {name: grid.summary(found) for name, found in found_views.items()},
        "differences": [{k: d[k] for k in ("area", "part", "staff", "service_users", "gap", "note")}
                        for d in differences],
        "views_summary": whose.summary(found_views, differences),
        "assessments": len(grid.submitted(own)),
        "drafts": len([a for a in own if not a.submitted]),
        "latest": grid.summary(latest),
        "previous": grid.summary(previous),
        "moved": [{k: item[k] for k in ("area", "area_name", "part", "label", "a", "b", "a_text", "b_text", "note")}
                  for item in grid.moved_items(comparison)],
        "grid": grid.grid(latest),
        # The last aim with a date, and whether it was reached by then (as known on the report's day).
        "aim": aims.outcome(grid.submitted(whose.of_view(own, view)), report_day(when)),
    }


def overview(when: When) -> dict:
    """Each open service's current and aimed-for level per area, from its latest submitted assessment."""
    services = rows(Service, when)
    by_service: dict[int, list] = {}
    for assessment in whose.of_view(assessments_as_of(when), whose.chosen()):
        by_service.setdefault(assessment.service_id, []).append(assessment)
    found = []
    for service in sorted((s for s in services if not s.archived), key=lambda s: (s.name.lower(), s.id)):
        latest, _ = grid.latest_two(by_service.get(service.id, []))
        found.append({"service_id": service.id, "name": service.name,
                      "assessment_id": latest.id if latest else None,
                      "assessed_on": latest.get("assessed_on") if latest else None,
                      "levels": grid.area_levels(latest)})
    return {"as_of": report_day(when).isoformat(), "services": found,
            "assessed": sum(1 for row in found if row["assessment_id"] is not None)}


def _fragment(title: str, template: str, data: dict):
    from core.reports import Fragment

    from .views import long_date

    return Fragment(plugin="levels", title=title, template=template, data=data,
                    context={"areas": AREAS, "levels": LEVELS, "long_date": long_date})


def service_fragment(service, when: When):
    return _fragment(TITLE, "levels/report_service.html", service_data(service.id, when))


def tenant_fragment(tenant, when: When):
    return _fragment("Levels of involvement by service", "levels/report_tenant.html", overview(when))
