"""The levels' chart over time, drawn by core.charts from ``grid.chart``."""
from __future__ import annotations

from datetime import date

from core import charts
from core.reports import long_date


def levels_over_time(data: dict) -> charts.Chart:
    """The level now in each area at each submitted assessment, oldest first: a line per area."""
    dates = [long_date(date.fromisoformat(str(a["assessed_on"]))) for a in data["assessments"]]
    areas = data["areas"].values()
    if not dates:
        summary = "There is no submitted assessment yet."
    elif len(dates) == 1:
        summary = f"At the assessment of {dates[0]}: " + ", ".join(
            f"{area['name'].lower()} level {_level(area['current'][0])}" for area in areas) + "."
    else:
        summary = f"From {dates[0]} to {dates[-1]}: " + "; ".join(
            _movement(area["name"], area["current"][0], area["current"][-1]) for area in areas) + "."
    return charts.line(
        "Level now in each area, at each assessment", summary, dates,
        {area["name"]: area["current"] for area in areas}, x_title="Assessment of", y_range=(1, 5),
        missing_text="Not given", empty_text="There is no submitted assessment yet.")


def _level(value) -> str:
    return str(value) if value is not None else "not given"


def _movement(name: str, first, last) -> str:
    if first is None or last is None or first == last:
        return f"{name.lower()} level {_level(last)}" + (" throughout" if first == last else "")
    return f"{name.lower()} level {'up' if last > first else 'down'} from {first} to {last}"
