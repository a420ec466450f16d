"""The rules an assessment's answers keep beyond their shape.

Each function takes the whole assessment as it would stand (flat answers) and
returns plain messages per flat key: empty when all is well.
"""
from __future__ import annotations

from datetime import date

from .levels import AREA_KEYS, BY_AREA, flat_key, level_title
from .practices import catalogue, unknown


def today() -> date:
    from core.reports import london_today

    return london_today()


def aims_problems(state: dict, changed: dict) -> dict:
    """The guide lets a service aim higher, never lower: an aim below the current level is refused."""
    problems = {}
    for area in AREA_KEYS:
        current, aim = state.get(flat_key(area, "current")), state.get(flat_key(area, "aim"))
        if current is None or aim is None or aim >= current:
            continue
        name = BY_AREA[area].name
        aim_key, current_key = flat_key(area, "aim"), flat_key(area, "current")
        if current_key in changed and aim_key not in changed:
            problems[current_key] = [
                f"{name}: the level now cannot be above the level you aim for ({level_title(aim)}). "
                f"Choose level {aim} or lower, or raise the aim too."]
        else:
            problems[aim_key] = [
                f"{name}: the level you aim for cannot be below where the service is now "
                f"({level_title(current)}). Choose level {current} or higher."]
    return problems


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def date_problems(changed: dict, state: dict | None = None) -> dict:
    """The assessment is not in the future; the day the aims are to be reached by comes after it."""
    problems = {}
    value = changed.get("assessed_on")
    if value is not None and _day(value) > today():
        problems["assessed_on"] = ["The date of the assessment cannot be in the future. Enter today's date "
                                   "or an earlier one."]
    both = {**(state or {}), **changed}
    if ("aim_by" in changed or "assessed_on" in changed) and both.get("aim_by") and both.get("assessed_on") \
            and "assessed_on" not in problems and _day(both["aim_by"]) <= _day(both["assessed_on"]):
        problems["aim_by"] = ["The date you aim to reach the levels by must be after the date of the assessment."]
    return problems


def missing(state: dict) -> dict:
    """What must be there before an assessment is submitted."""
    problems = {}
    if state.get("assessed_on") is None:
        problems["assessed_on"] = ["Enter the date of the assessment."]
    if not state.get("participants"):
        problems["participants"] = ["Say who took part in the assessment."]
    for area in AREA_KEYS:
        name = BY_AREA[area].name
        if state.get(flat_key(area, "current")) is None:
            problems[flat_key(area, "current")] = [f"{name}: choose the level the service is at now."]
        if state.get(flat_key(area, "aim")) is None:
            problems[flat_key(area, "aim")] = [f"{name}: choose the level you are aiming for."]
    return problems


def practice_problems(state: dict, changed: dict) -> dict:
    """Practices must be on the Trust's list; "how we do it" only for practices ticked.

    Reads the Trust's list, so callers check under ``core.events.locked()``.
    """
    keys = [flat_key(a, p) for a in AREA_KEYS for p in ("practices", "how")]
    if not any(key in changed for key in keys):
        return {}
    practices = catalogue()
    problems = {}
    for area in AREA_KEYS:
        name = BY_AREA[area].name
        ticked_key, how_key = flat_key(area, "practices"), flat_key(area, "how")
        ticked = state.get(ticked_key) or []
        if ticked_key in changed:
            strange = unknown(ticked, practices)
            if strange:
                problems[ticked_key] = [f"{name}: there is no practice {', '.join(repr(k) for k in strange)} "
                                        f"on this Trust's list. Choose practices from the list."]
        how = state.get(how_key)
        if how_key in changed and isinstance(how, dict):
            loose = [k for k in how if k not in ticked]
            if loose:
                problems[how_key] = [f"{name}: say how you do a practice only for practices ticked "
                                     f"(not ticked: {', '.join(loose)})."]
    return problems
