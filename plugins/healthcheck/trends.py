"""The health check's trends: checks held in each half-year, and services due one at its end.

Two reads in all (reviews and services), however many half-years.
"""
from __future__ import annotations

from core import charts
from core.models import Service
from core.reports import long_date
from core.trends import Timeline, Trend

from . import history
from .events import HAPPENED
from .models import Review

# "Did it happen?" as the series of the follow-up chart, in the order the question offers them.
FOLLOWED_SERIES = {"yes": "Happened", "partly": "Partly happened", "no": "Did not happen", "not_yet": "Not yet"}
assert set(FOLLOWED_SERIES) == set(HAPPENED)


def followed_up_counts(reviews, start, end) -> dict[str, int]:
    """How the changes agreed at one health check were followed up at the next, counted over the
    submitted checks held from ``start`` to ``end``: {"yes": n, "partly": n, "no": n, "not_yet": n}."""
    counts = dict.fromkeys(FOLLOWED_SERIES, 0)
    for review in history.submitted(reviews):
        if start <= review.held_on <= end:
            for item in review.followed_up or []:
                if item.get("happened") in counts:
                    counts[item["happened"]] += 1
    return counts


def trend(timeline: Timeline) -> Trend:
    periods = timeline.periods
    ends = [period.end for period in periods]
    services_then = timeline.standing(Service, ends)
    reviews_then = timeline.standing(Review, ends)
    held, due, never = [], [], []
    followed = {key: [] for key in FOLLOWED_SERIES}
    for period, services, reviews in zip(periods, services_then, reviews_then):
        for key, count in followed_up_counts(reviews, period.start, period.end).items():
            followed[key].append(count)
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
    answered = {key: sum(values) for key, values in followed.items()}
    total_followed = sum(answered.values())
    followed_summary = (
        f"From {long_date(timeline.start)} to {long_date(timeline.end)}, health checks asked whether "
        f"{total_followed} change{'' if total_followed == 1 else 's'} agreed at the check before had happened: "
        f"{answered['yes']} had, {answered['partly']} partly, {answered['no']} had not and "
        f"{answered['not_yet']} not yet." if total_followed else
        f"From {long_date(timeline.start)} to {long_date(timeline.end)}, no health check recorded whether the "
        "changes agreed at the one before had happened.")
    follow_chart = charts.stacked_bar(
        "Did the changes agreed at the health check before happen? Answers at the checks held in each half-year",
        followed_summary, labels, {FOLLOWED_SERIES[key]: values for key, values in followed.items()},
        x_title="Half-year", empty_text="No health check recorded whether earlier changes happened then.")
    return Trend("healthcheck", "Health checks of user groups", [chart, follow_chart],
                 intro="A user group is due a health check six months after its last one. Each half-year "
                       "counts the checks held in it, and the open services due one or never checked at its end; "
                       "then, at the checks held in it, whether the changes agreed at the check before happened.")
