"""The levels' trends: how many services stood at each level, per area, at each point.

A distribution, never a ranking: each bar counts the Trust's open services at
each level at the end of a quarter. Two reads in all (assessments and
services), however many points.
"""
from __future__ import annotations

from core import charts
from core.models import Service
from core.trends import Timeline, Trend, capital

from . import grid, whose
from .levels import AREAS, DEFAULT_VIEW, LEVELS, VIEW_SHORT
from .models import Assessment

NOT_ASSESSED = "Not assessed"
NOT_ASSESSED_COLOUR = "#f0f4f5"
GROWING = 3  # the guide's "Growing involvement": the sentence counts services at it or above


def _by_service(assessments) -> dict:
    found: dict[int, list] = {}
    for assessment in assessments:
        found.setdefault(assessment.service_id, []).append(assessment)
    return found


def trend(timeline: Timeline) -> Trend:
    """Staff views by default; ``?view=`` asks for another, or ``both`` (staff and service users' side by side)."""
    view = whose.chosen()
    services_then = timeline.standing(Service)
    assessments_then = timeline.standing(Assessment)
    shown = ["staff", "service_users"] if view == whose.BOTH else [view]
    drawn = []
    for one in shown:
        drawn += _charts(timeline, services_then, assessments_then, one, named=view != DEFAULT_VIEW)
    return Trend("levels", "Levels of involvement across services", drawn,
                 intro="Each bar counts the open services at each level in one area, from their latest "
                       f"assessment at the end of the quarter ({whose.label(view).lower()}). "
                       "Services are counted, not ranked.")


def _charts(timeline, services_then, assessments_then, view: str, *, named: bool) -> list:
    per_point = []
    for services, assessments in zip(services_then, assessments_then):
        by_service = _by_service(whose.of_view(assessments, view))
        open_services = [s for s in services if not s.archived]
        counts = {area.key: {**{level.number: 0 for level in LEVELS}, None: 0} for area in AREAS}
        for service in open_services:
            latest = grid.latest_two(by_service.get(service.id, []))[0]
            for area in AREAS:
                level = latest.level(area.key, "current") if latest is not None else None
                counts[area.key][level if level in counts[area.key] else None] += 1
        per_point.append((len(open_services), counts))
    labels = timeline.labels
    points = timeline.points
    drawn = []
    prefix = f"{VIEW_SHORT[view]}: " if named else ""
    for area in AREAS:
        series = {f"Level {level.number}": [counts[area.key][level.number] for _, counts in per_point]
                  for level in LEVELS}
        series[NOT_ASSESSED] = [counts[area.key][None] for _, counts in per_point]
        drawn.append(charts.stacked_bar(
            f"{prefix}{area.name}: how many services stood at each level", _summary(area, points, per_point),
            labels, series, x_title="End of", colours=charts.LEVEL_COLOURS + (NOT_ASSESSED_COLOUR,),
            empty_text="There were no open services then."))
    return drawn


def _summary(area, points, per_point) -> str:
    def growing(point):
        total, counts = point
        return sum(n for level, n in counts[area.key].items() if level is not None and level >= GROWING), total

    last_n, last_total = growing(per_point[-1])
    sentence = (f"{capital(points[-1].at)}, {last_n} of {last_total} open services were at level {GROWING} "
                f"or above in this area")
    if len(per_point) > 1:
        first_n, first_total = growing(per_point[0])
        sentence += f", against {first_n} of {first_total} {points[0].at}"
    return sentence + "."
