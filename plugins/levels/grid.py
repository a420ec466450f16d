"""The grid, the history and what moved: read models built from assessments.

The functions take assessments rather than querying, so pages (live rows),
the API and reports (rows folded "as of" a moment) share them.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.db import db

from .levels import AREAS, BY_NUMBER, LEVELS, flat_key, level_title
from .models import Assessment

SUMMARY_LENGTH = 200


def in_order(assessments) -> list[Assessment]:
    """Oldest first: by the day assessed (undated drafts last), then as started."""
    return sorted(assessments, key=lambda a: (a.assessed_on is None, a.assessed_on or date.min, a.id))


def submitted(assessments) -> list[Assessment]:
    return in_order(a for a in assessments if a.submitted and a.assessed_on is not None)


def latest_two(assessments) -> tuple[Assessment | None, Assessment | None]:
    """The latest submitted assessment and the one before it."""
    done = submitted(assessments)
    return (done[-1] if done else None), (done[-2] if len(done) > 1 else None)


def service_assessments(service_id: int) -> list[Assessment]:
    """Every assessment of a service in the Trust in context, oldest first."""
    return in_order(db.session.scalars(select(Assessment).where(Assessment.service_id == service_id)))


def summarise(text: str | None, length: int = SUMMARY_LENGTH) -> str | None:
    """The first ``length`` characters of some words, cut at a space."""
    if not text:
        return None
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def area_levels(assessment: Assessment | None) -> dict:
    """Per area key: {"current", "aim"} (None without an assessment)."""
    return {area.key: {"current": assessment.level(area.key, "current") if assessment else None,
                       "aim": assessment.level(area.key, "aim") if assessment else None}
            for area in AREAS}


def grid(assessment: Assessment | None) -> dict:
    """Rows = the five levels, columns = the three areas; each cell says "We are here" / "We are aiming for"."""
    rows = []
    for level in LEVELS:
        cells = []
        for area in AREAS:
            current = assessment.level(area.key, "current") if assessment else None
            aim = assessment.level(area.key, "aim") if assessment else None
            here, aiming = current == level.number, aim == level.number
            cells.append({
                "area": area.key,
                "here": here,
                "aiming": aiming,
                "achieved": summarise(assessment.get(flat_key(area.key, "achieved"))) if here else None,
                "planned": summarise(assessment.get(flat_key(area.key, "planned"))) if aiming else None,
            })
        rows.append({"level": level.number, "name": level.name, "description": level.description,
                     "cells": cells})
    return {"areas": [{"key": a.key, "name": a.name, "description": a.description} for a in AREAS],
            "rows": rows}


def summary(assessment: Assessment | None) -> dict | None:
    if assessment is None:
        return None
    return {"id": assessment.id, "service_id": assessment.service_id, "status": assessment.status,
            "assessed_on": assessment.get("assessed_on"), "aim_by": assessment.get("aim_by"),
            "levels": area_levels(assessment), "amendments": len(assessment.amendments or [])}


def _movement(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return "Not comparable" if before != after else "Not given"
    if after == before:
        return "No change"
    steps = abs(after - before)
    direction = "Up" if after > before else "Down"
    return f"{direction} {steps} level{'s' if steps > 1 else ''}"


def compare(first: Assessment, second: Assessment) -> dict:
    """How the current and aimed-for levels moved from ``first`` to ``second``, per area."""
    items = []
    for area in AREAS:
        for part, label in (("current", "Level now"), ("aim", "Level aimed for")):
            a, b = first.level(area.key, part), second.level(area.key, part)
            items.append({"area": area.key, "area_name": area.name, "part": part, "label": label,
                          "a": a, "b": b, "a_text": level_title(a), "b_text": level_title(b),
                          "moved": a != b, "change": (b - a) if a is not None and b is not None else None,
                          "note": _movement(a, b)})
    return {"a": summary(first), "b": summary(second), "items": items,
            "moved": [f"{item['area']}.{item['part']}" for item in items if item["moved"]]}


def moved_items(comparison: dict | None) -> list[dict]:
    return [item for item in (comparison or {}).get("items", []) if item["moved"]]


def chart(assessments) -> dict:
    """The current and aimed-for level per area at each submitted assessment, oldest first."""
    done = submitted(assessments)
    return {
        "assessments": [{"id": a.id, "assessed_on": a.get("assessed_on")} for a in done],
        "areas": {area.key: {"name": area.name,
                             "current": [a.level(area.key, "current") for a in done],
                             "aim": [a.level(area.key, "aim") for a in done]}
                  for area in AREAS},
        "highest": max(BY_NUMBER),
    }


def aims_reached(previous: Assessment | None, latest: Assessment | None) -> list[dict]:
    """Per area, whether the level aimed for at the assessment before was reached by the latest one:
    ``{"area", "aim", "now", "reached"}``; empty without two submitted assessments or without aims."""
    from .levels import AREAS

    if previous is None or latest is None:
        return []
    found = []
    for area in AREAS:
        aim, now = previous.level(area.key, "aim"), latest.level(area.key, "current")
        if aim is None:
            continue
        found.append({"area": area.name, "aim": aim, "now": now, "reached": now is not None and now >= aim})
    return found
