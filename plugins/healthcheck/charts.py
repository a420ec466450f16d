"""The health check's charts over time, drawn by core.charts from ``history.chart_data``."""
from __future__ import annotations

from datetime import date

from core import charts
from core.reports import long_date

from .questions import YES_PARTLY_NO_KEYS, display

ANSWER_TONES = {"yes": "yes", "partly": "partly", "no": "no"}
ANSWER_KEY = (("yes", "Yes"), ("partly", "Partly"), ("no", "No"), ("none", "Not answered"))


def _dates(data: dict) -> list[str]:
    return [long_date(date.fromisoformat(r["held_on"])) for r in data["reviews"]]


def attendance(data: dict) -> charts.Chart:
    """How many service users usually attend, at each submitted health check, oldest first."""
    dates, counts = _dates(data), data["attendance"]
    answered = [(day, count) for day, count in zip(dates, counts) if count is not None]
    if not answered:
        summary = "No health check has said how many service users usually attend."
    elif len(answered) == 1:
        summary = f"At the health check of {answered[0][0]}, {answered[0][1]} usually attended."
    else:
        (first_day, first), (last_day, last) = answered[0], answered[-1]
        change = "rose" if last > first else "fell" if last < first else "stayed"
        summary = (f"Usual attendance {change} from {first} on {first_day} to {last} on {last_day}."
                   if change != "stayed" else f"Usual attendance stayed at {last} from {first_day} to {last_day}.")
    return charts.bar(
        "How many service users usually attend, at each health check", summary, dates,
        {"Service users usually attending": counts}, x_title="Health check held on", horizontal=True,
        missing_text="Not answered", empty_text="No health check has said how many service users usually attend.")


def answers(data: dict) -> charts.Heatmap:
    """The yes / partly / no answers at each submitted health check: a row per health check."""
    keys = YES_PARTLY_NO_KEYS
    rows = [(day, [charts.HeatCell(display(key, data["answers"][key][i]),
                                   ANSWER_TONES.get(data["answers"][key][i], "none")) for key in keys])
            for i, day in enumerate(_dates(data))]
    yes_counts = [sum(data["answers"][key][i] == "yes" for key in keys) for i in range(len(rows))]
    if not rows:
        summary = "There is no submitted health check yet."
    elif len(rows) == 1:
        summary = f"{yes_counts[0]} of these {len(keys)} answers were yes on {rows[0][0]}."
    else:
        summary = (f"{yes_counts[0]} of these {len(keys)} answers were yes on {rows[0][0]}, "
                   f"and {yes_counts[-1]} on {rows[-1][0]}.")
    return charts.heatmap(
        "Yes, partly and no answers at each health check", summary, "Health check held on",
        [data["short_labels"].get(key, data["labels"][key]) for key in keys], rows, key=ANSWER_KEY)
