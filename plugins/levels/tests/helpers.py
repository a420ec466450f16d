"""Assessments and small helpers the levels tests share."""
from __future__ import annotations

import html as html_module
import re
from contextlib import contextmanager
from datetime import datetime, timezone

import time_machine
from sqlalchemy import func, select

from core.events import Event

ASSESSMENTS = "levels/assessments"


def complete(assessed_on: str = "2025-01-15", *, individual=(2, 3), care_setting=(2, 4), policy=(1, 2),
             **overrides) -> dict:
    """A whole assessment in the API's shape: (current, aim) per area."""
    levels = {"individual": individual, "care_setting": care_setting, "policy": policy}
    areas = {
        area: {"current": current, "aim": aim,
               "achieved": f"What {area} has achieved so far.", "planned": f"What {area} plans next."}
        for area, (current, aim) in levels.items()
    }
    for area, parts in overrides.pop("areas", {}).items():
        areas[area] = {**areas[area], **parts}
    return {"assessed_on": assessed_on, "participants": "The ward team and two members of the user group",
            "areas": areas, **overrides}


def form_data(body: dict, action: str = "draft", **extra) -> dict:
    """An assessment in the API's shape, as the page's form posts it."""
    data = {"action": action}
    for key in ("assessed_on", "aim_by"):
        if body.get(key) is not None:  # a date: three boxes, as a browser sends it
            year, month, day = body[key].split("-")
            data.update({f"{key}-day": str(int(day)), f"{key}-month": str(int(month)), f"{key}-year": year})
    if body.get("participants") is not None:
        data["participants"] = body["participants"]
    for area, parts in body.get("areas", {}).items():
        for part, value in parts.items():
            if value is not None:
                data[f"{area}_{part}"] = str(value)
    data.update(extra)
    return data


def event_count(tenant) -> int:
    with tenant.context() as session:
        return session.scalar(select(func.count(Event.id)))


@contextmanager
def at(year, month, day, hour=12):
    """Travel to a moment (UTC); the clock stands still."""
    with time_machine.travel(datetime(year, month, day, hour, tzinfo=timezone.utc), tick=False):
        yield


def text_of(response) -> str:
    """A page's visible words, spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def base(tenant) -> str:
    return f"/t/{tenant.slug}/levels"
