"""The levels' part of "what changed between two dates".

For each service, the latest submitted assessment at the first date is
compared with the latest at the second: a new assessment, levels up or down
per area (now and aimed for, as the grid's comparison counts them), and the
aims of the first that the second reached.
"""
from __future__ import annotations

from core.changes import Section, change, in_order
from core.history import When, rows
from core.models import Service
from core.reports import long_date

from . import aims, grid, whose
from .levels import AREAS, VIEW_SHORT, level_title
from .models import Assessment
from .reports import TITLE, report_day

TENANT_TITLE = "Levels of involvement by service"


def _latest(assessments) -> Assessment | None:
    return grid.latest_two(assessments)[0]


def _level(area_name: str, part: str, before: int | None, after: int | None) -> str:
    if before is None:
        return (f"{area_name}: now at {level_title(after)}." if part == "current"
                else f"{area_name}: aiming for {level_title(after)}.")
    if after is None:
        what = "the level now" if part == "current" else "the level aimed for"
        return f"{area_name}: {what} is no longer given (it was {level_title(before)})."
    steps = abs(after - before)
    direction = "up" if after > before else "down"
    amount = f"{direction} {steps} level{'s' if steps > 1 else ''}"
    if part == "current":
        return f"{area_name}: {amount}, from {level_title(before)} to {level_title(after)}."
    return f"{area_name}: the level aimed for went {amount}, from {level_title(before)} to {level_title(after)}."


def _since(done: list, before) -> list:
    """The assessments of ``done`` (oldest first) that came after ``before`` (all of them without one)."""
    ids = [row.id for row in done]
    return done[ids.index(before.id) + 1:] if before is not None and before.id in ids else done


def compared(before_rows, after_rows, sid: int, day=None) -> list[dict]:
    """How one service's levels moved from the first date to the second."""
    before, after = _latest(before_rows), _latest(after_rows)
    if after is None or (before is not None and before.id == after.id):
        return []  # the same assessment, as the same records know it: nothing moved
    done = _since(grid.submitted(after_rows), before)
    if len(done) > 1:
        words = (f"The levels of involvement were assessed {len(done)} times, from {long_date(done[0].assessed_on)}; "
                 f"the latest, compared here, on {long_date(after.assessed_on)}.")
    elif before is None:
        words = f"The levels of involvement were assessed for the first time, on {long_date(after.assessed_on)}."
    else:
        words = f"The levels of involvement were assessed again on {long_date(after.assessed_on)}."
    if before is None:
        found = [change(words, "first_assessment", service_id=sid, assessment_id=after.id, assessed=len(done),
                        to=after.assessed_on)]
    else:
        found = [change(f"{words} The assessment before was on {long_date(before.assessed_on)}.", "assessment",
                        service_id=sid, assessment_id=after.id, assessed=len(done),
                        **{"from": before.assessed_on, "to": after.assessed_on})]
    for area in AREAS:
        for part in ("current", "aim"):
            a = before.level(area.key, part) if before is not None else None
            b = after.level(area.key, part)
            if a != b:
                found.append(change(_level(area.name, part, a, b), "level", service_id=sid, area=area.key,
                                    part=part, **{"from": a, "to": b},
                                    direction=None if a is None or b is None else ("up" if b > a else "down")))
        if before is not None:
            aim, was = before.level(area.key, "aim"), before.level(area.key, "current")
            now = after.level(area.key, "current")
            if aim is not None and was is not None and was < aim and now is not None and now >= aim:
                found.append(change(f"{area.name}: reached the level aimed for, {level_title(aim)}.", "aim_reached",
                                    service_id=sid, area=area.key, to=now, aim=aim))
    if before is not None and before.aim_by is not None and day is not None:
        # The aim of the first date had a date: was it reached by then (the date passed, or reached early)?
        outcome = aims.outcome([before, *done], day)
        for item in outcome["areas"] if outcome else []:
            if item["status"] == aims.REACHED:
                found.append(change(f"{item['area_name']}: aim reached by its date. {item['sentence']}",
                                    "aim_reached_by_date", service_id=sid, area=item["area"], aim=item["aim"],
                                    aim_by=before.aim_by, to=item["found_on"]))
            elif item["status"] == aims.NOT_REACHED:
                found.append(change(f"{item['area_name']}: aim not reached by its date. {item['sentence']}",
                                    "aim_not_reached_by_date", service_id=sid, area=item["area"], aim=item["aim"],
                                    aim_by=before.aim_by, to=item["found_on"]))
    return found


def _per_view(before_rows, after_rows, sid: int, day=None) -> list[dict]:
    """Staff views by default; ``?view=`` asks for another, or ``both`` (each named)."""
    view = whose.chosen()
    if view != whose.BOTH:
        return compared(whose.of_view(before_rows, view), whose.of_view(after_rows, view), sid, day)
    found = []
    for one in ("staff", "service_users", "agreed"):
        found += [{**item, "what": f"{VIEW_SHORT[one]}: {item['what']}", "view": one}
                  for item in compared(whose.of_view(before_rows, one), whose.of_view(after_rows, one), sid, day)]
    return found


def service_section(service, start: When, end: When) -> Section:
    return Section("levels", TITLE, _per_view(rows(Assessment, start, service_id=service.id),
                                              rows(Assessment, end, service_id=service.id), service.id,
                                              report_day(end)))


def tenant_section(tenant, start: When, end: When) -> Section:
    names = {s.id: s.name for s in rows(Service, end)}
    before, after = _by_service(rows(Assessment, start)), _by_service(rows(Assessment, end))
    found = [{**item, "what": f"{name}: {item['what']}", "service": name}
             for sid, name in names.items() for item in _per_view(before.get(sid, []), after.get(sid, []), sid,
                                                                          report_day(end))]
    return Section("levels", TENANT_TITLE, in_order(found, names))


def _by_service(assessments) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for assessment in assessments:
        grouped.setdefault(assessment.service_id, []).append(assessment)
    return grouped
