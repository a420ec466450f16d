"""The health check's trends: checks held in each half-year, and services due one at its end.

Two reads in all (reviews and services), however many half-years.
"""
from __future__ import annotations

from core import charts
from core.models import Service
from core.reports import long_date
from core.trends import Timeline, Trend

from . import history
from .models import Review


def trend(timeline: Timeline) -> Trend:
    periods = timeline.periods
    ends = [period.end for period in periods]
    services_then = timeline.standing(Service, ends)
    reviews_then = timeline.standing(Review, ends)
    held, due, never = [], [], []
    for period, services, reviews in zip(periods, services_then, reviews_then):
        done = history.submitted(reviews)
        held.append(sum(1 for r in done if period.start <= r.held_on <= period.end))
        statuses = [history.due_notice([r for r in done if r.service_id == s.id], period.end)["status"]
                    for s in services if not s.archived]
        due.append(statuses.count("due"))
        never.append(statuses.count("none"))
    labels = [period.label for period in periods]
    total = sum(held)
    summary = (f"From {long_date(timeline.start)} to {long_date(timeline.end)}, {total} health "
               f"check{'' if total == 1 else 's'} {'was' if total == 1 else 'were'} held; at the end {due[-1]} open "
               f"service{'' if due[-1] == 1 else 's'} {'was' if due[-1] == 1 else 'were'} due one and "
               f"{never[-1]} had never had one.")
    chart = charts.bar(
        "Health checks held, and services due one, in each half-year", summary, labels,
        {"Health checks held": held, "Due or overdue at the end": due, "Never checked at the end": never},
        x_title="Half-year", empty_text="There were no services and no health checks then.")
    return Trend("healthcheck", "Health checks of user groups", [chart],
                 intro="A user group is due a health check six months after its last one. Each half-year "
                       "counts the checks held in it, and the open services due one or never checked at its end.")
