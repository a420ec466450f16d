"""The indicators' trends: what each group saw as met in the rounds of each half-year, and the targets.

Counts, never a ranking. Each round counts once per indicator with each
group's view (the answer most of the group gave, at both levels together).
Three reads in all (rounds, responses, targets), however many half-years.
"""
from __future__ import annotations

from core import charts
from core.reports import london_day, long_date
from core.trends import Timeline, Trend, capital

from . import commands, summary
from .indicators import GROUPS, INDICATORS, LEVELS
from .models import Response, Round, Target
from .over_time import group_view

VIEW_NAMES = {"met": "Met", "partly_met": "Partly met", "not_met": "Not met"}
POSSESSIVE = {"service_users": "service users'", "staff": "staff's"}


def _role():
    from flask import g

    membership = g.get("membership")
    return membership.role if membership is not None else None


def trend(timeline: Timeline) -> Trend:
    periods = timeline.periods
    labels = [p.label for p in periods]
    ends = [p.end for p in periods]
    (rounds,) = timeline.standing(Round, [timeline.end])
    (responses,) = timeline.standing(Response, [timeline.end])
    targets_then = timeline.standing(Target, ends)
    by_round: dict[int, list] = {}
    for response in responses:
        by_round.setdefault(response.round_id, []).append(response)

    views = {group: {view: [0] * len(periods) for view in VIEW_NAMES} for group in GROUPS}
    rounds_started = [0] * len(periods)
    threshold, role = commands.min_answers(), _role()  # once, not per round
    for round_ in rounds:
        started = london_day(round_.started_at)
        index = next((i for i, p in enumerate(periods) if p.start <= started <= p.end), None)
        if index is None:
            continue
        rounds_started[index] += 1
        # Fair steps: before a round's exchange, a reader sees only their own group's views.
        shown = summary.visible_groups(round_, role)
        for item in summary.summarise(by_round.get(round_.id, []), shown, quotes=False, threshold=threshold):
            for group, entry in item["groups"].items():
                pooled = {answer: sum(entry[level][answer] for level in LEVELS) for answer in VIEW_NAMES}
                view = group_view(pooled)
                if view is not None:
                    views[group][view][index] += 1

    span = f"from {long_date(timeline.start)} to {long_date(timeline.end)}"
    total_rounds = sum(rounds_started)
    drawn = []
    for group, name in GROUPS.items():
        series = {VIEW_NAMES[view]: counts for view, counts in views[group].items()}
        met, judged = sum(series["Met"]), sum(sum(values) for values in series.values())
        drawn.append(charts.stacked_bar(
            f"Indicators met in each half-year's rounds: {POSSESSIVE[group]} view",
            f"In the {total_rounds} round{'' if total_rounds == 1 else 's'} started {span}, {name.lower()} saw "
            f"{met} of {judged} indicator{'' if judged == 1 else 's'} as met ({len(INDICATORS)} in each round "
            f"they answered).",
            labels, series, x_title="Rounds started in", colours=charts.ANSWER_COLOURS,
            empty_text="No rounds had answers then."))

    agreed, achieved, partly, missed, overdue = ([0] * len(periods) for _ in range(5))
    final_targets = targets_then[-1] if targets_then else []
    for target in final_targets:
        for i, period in enumerate(periods):
            if period.start <= london_day(target.agreed_at) <= period.end:
                agreed[i] += 1
            if target.reviewed_at is not None and period.start <= target.review_on <= period.end:
                {"yes": achieved, "partly": partly}.get(target.happened, missed)[i] += 1
    for i, (period, targets) in enumerate(zip(periods, targets_then)):
        overdue[i] = sum(1 for t in targets if summary.review_state(t, period.end) == "overdue")
    drawn.append(charts.bar(
        "Targets for change agreed and achieved in each half-year",
        f"{capital(span)}, {sum(agreed)} target{'' if sum(agreed) == 1 else 's'} for change "
        f"{'was' if sum(agreed) == 1 else 'were'} agreed and {sum(achieved)} achieved; {overdue[-1]} "
        f"review{'' if overdue[-1] == 1 else 's'} {'was' if overdue[-1] == 1 else 'were'} overdue at the end.",
        labels, {"Agreed": agreed, "Achieved": achieved, "Partly achieved": partly, "Not achieved": missed,
                 "Reviews overdue at the end": overdue},
        x_title="Half-year", colours=(charts.NHS_BLUE,) + charts.ANSWER_COLOURS + (charts.NHS_GREY,),
        empty_text="No targets had been agreed then."))
    return Trend("indicators", "Getting there: the service user indicators", drawn,
                 intro="A group's view of an indicator in a round is the answer most of its members gave, "
                       "the less favourable on a tie. A target counts as achieved in the half-year of its review.")
