"""Whether the last aim was reached by its date.

The guide asks each service "what level would you like to achieve?"; an
assessment may also say by when (``aim_by``, one date for the whole assessment,
as the guide asks the question once for the schedule). The last aim is the one
set at the latest submitted assessment that gave a date. For each area whose
level aimed for was above the level then, a later assessment on or before the
date either found the level reached, or it was not reached by then, or the date
has not come yet.
"""
from __future__ import annotations

from datetime import date

from core.reports import long_date

from .levels import AREAS, level_title

REACHED, NOT_REACHED, NOT_YET = "reached", "not_reached", "not_yet"


def last_aim(done: list) -> object | None:
    """The latest submitted assessment (oldest first in ``done``) that set a date for its aims."""
    dated = [a for a in done if a.aim_by is not None and a.assessed_on is not None]
    return dated[-1] if dated else None


def outcome(done: list, today: date) -> dict | None:
    """``{"set_on", "aim_by", "assessment_id", "areas": [{"area", "area_name", "aim", "status", "found_on",
    "found_level", "sentence"}]}`` for the last dated aim, or None when no assessment set one."""
    aim = last_aim(done)
    if aim is None:
        return None
    later = [a for a in done if a.assessed_on > aim.assessed_on]
    by_then = [a for a in later if a.assessed_on <= aim.aim_by]
    after = [a for a in later if a.assessed_on > aim.aim_by]
    areas = []
    for area in AREAS:
        aimed, then = aim.level(area.key, "aim"), aim.level(area.key, "current")
        if aimed is None or (then is not None and aimed <= then):
            continue  # kept where it was, or nothing aimed for: nothing to reach
        reached = next((a for a in by_then if (a.level(area.key, "current") or 0) >= aimed), None)
        head = f"Aimed for {level_title(aimed)} in {area.name.lower()} by {long_date(aim.aim_by)}"
        if reached is not None:
            status, found = REACHED, reached
            sentence = f"{head}: reached on the assessment of {long_date(reached.assessed_on)}."
        elif aim.aim_by >= today:
            status, found = NOT_YET, (by_then[-1] if by_then else None)
            sentence = f"{head}: the date has not come yet."
        else:
            status = NOT_REACHED
            found = by_then[-1] if by_then else (after[0] if after else None)
            if found is None:
                sentence = f"{head}: not reached by then, as far as is known: no assessment since has looked again."
            else:
                sentence = (f"{head}: not reached by then: the assessment of {long_date(found.assessed_on)} found "
                            f"{level_title(found.level(area.key, 'current'))}.")
        areas.append({"area": area.key, "area_name": area.name, "aim": aimed, "status": status,
                      "found_on": found.assessed_on.isoformat() if found is not None else None,
                      "found_level": found.level(area.key, "current") if found is not None else None,
                      "sentence": sentence})
    return {"assessment_id": aim.id, "set_on": aim.assessed_on.isoformat(), "aim_by": aim.aim_by.isoformat(),
            "areas": areas}
