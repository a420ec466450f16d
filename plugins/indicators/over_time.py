"""One service's indicators round after round: the service users' own measure over time.

Per indicator, per group (service users, staff) and level (for individuals,
across the service): how many said met, partly met or not met in each round,
and the group's view (the answer most of them gave). Then each round's
targets: agreed, achieved, partly achieved, not achieved or still to review.
Three reads from the history tables (rounds, responses, targets), however
many rounds.
"""
from __future__ import annotations

from datetime import date

from core import charts
from core.history import NOW, When, rows
from core.reports import london_day, london_today

from . import commands, summary
from .indicators import ANSWERS, GROUPS, INDICATORS, LEVEL_NAMES, LEVELS
from .models import Response, Round, Target

# The answers that count towards a group's view; "don't know" does not.
VIEWS = ("met", "partly_met", "not_met")
# Where answers are tied, the less favourable one is the group's view: a target is not missed by rounding up.
CAUTION = ("not_met", "partly_met", "met")
VIEW_TONES = {"met": "yes", "partly_met": "partly", "not_met": "no", None: "none"}


def group_view(counts: dict) -> str | None:
    """The answer most of a group gave (met, partly_met or not_met), the less favourable on a tie; None unanswered."""
    best = max((counts.get(answer, 0) for answer in VIEWS), default=0)
    if best == 0:
        return None
    return next(answer for answer in CAUTION if counts.get(answer, 0) == best)


def target_outcome(target, day: date) -> str:
    """``achieved``, ``partly``, ``not_achieved``, or the review's state (``overdue``, ``due``, ``not_due``)."""
    if target.reviewed_at is not None:
        return {"yes": "achieved", "partly": "partly", "no": "not_achieved"}.get(target.happened, "not_achieved")
    return summary.review_state(target, day)


def service_over_time(service, role: str | None, when: When = NOW) -> dict:
    """Every round of ``service`` as ``when`` sees them, oldest first, with each group's views and the targets."""
    day = when.day if not when.live else london_today()
    rounds = sorted(rows(Round, when, service_id=service.id), key=lambda r: (r.started_at, r.id))
    responses = rows(Response, when, service_id=service.id)
    targets = rows(Target, when, service_id=service.id)
    by_round: dict[int, list] = {}
    for response in responses:
        by_round.setdefault(response.round_id, []).append(response)
    round_data = []
    summaries = {}
    threshold = commands.min_answers()
    for round_ in rounds:
        own = by_round.get(round_.id, [])
        shown = summary.visible_groups(round_, role)
        summaries[round_.id] = {item["key"]: item for item in summary.summarise(own, shown, quotes=False, threshold=threshold)}
        round_targets = sorted((t for t in targets if t.round_id == round_.id), key=lambda t: t.id)
        outcomes = [target_outcome(t, day) for t in round_targets]
        round_data.append({
            "id": round_.id, "title": summary.round_title(round_),
            "started_on": london_day(round_.started_at).isoformat(),
            "shared_on": round_.shared_on.isoformat() if round_.shared_on else None,
            "groups_shown": list(shown), "responses": summary.count_by_group(own),
            "targets": {"agreed": len(round_targets),
                        **{key: outcomes.count(key) for key in
                           ("achieved", "partly", "not_achieved", "overdue", "due", "not_due")}},
        })
    indicators = []
    for key, (name, wording) in INDICATORS.items():
        per_group = {}
        for group in GROUPS:
            per_group[group] = {}
            for level in LEVELS:
                cells = []
                for round_ in rounds:
                    entry = summaries[round_.id][key]["groups"].get(group)
                    if entry is None or entry.get("withheld"):  # not shown to this reader (yet), or too few answers
                        cells.append(None)
                        continue
                    counts = dict(entry[level])
                    cells.append({"counts": counts, "view": group_view(counts), "responses": entry["responses"]})
                per_group[group][level] = cells
        indicators.append({"key": key, "name": name, "wording": wording, "groups": per_group})
    return {"service": {"id": service.id, "name": service.name}, "rounds": round_data, "indicators": indicators}


# --- charts and tables for the page ----------------------------------------------------

def _round_label(round_: dict) -> str:
    return round_["title"]


def met_chart(data: dict, group: str) -> charts.Chart:
    """How many of the seven indicators the group saw as met, at each level, round after round."""
    labels = [_round_label(r) for r in data["rounds"]]
    series = {}
    for level in LEVELS:
        values = []
        for index in range(len(data["rounds"])):
            cells = [indicator["groups"][group][level][index] for indicator in data["indicators"]]
            answered = [c for c in cells if c is not None and c["view"] is not None]
            values.append(sum(1 for c in answered if c["view"] == "met") if answered else None)
        series[LEVEL_NAMES[level]] = values
    words = GROUPS[group].lower()
    possessive = "staff's" if group == "staff" else f"{words}'"
    shown = [(label, series[LEVEL_NAMES["service"]][i]) for i, label in enumerate(labels)
             if series[LEVEL_NAMES["service"]][i] is not None]
    if not shown:
        sentence = f"No round has {possessive} answers to show yet."
    elif len(shown) == 1:
        sentence = f"In {shown[0][0]}, {words} saw {shown[0][1]} of the 7 indicators as met across the service."
    else:
        sentence = (f"{GROUPS[group]} saw {shown[0][1]} of the 7 indicators as met across the service in "
                    f"{shown[0][0]}, and {shown[-1][1]} in {shown[-1][0]}.")
    return charts.line(f"Indicators met, round after round: {possessive} view", sentence, labels, series,
                       x_title="Round", y_range=(0, 7), missing_text="Not answered or not shared yet",
                       empty_text="There are no rounds yet.")


def targets_chart(data: dict) -> charts.Chart:
    labels = [_round_label(r) for r in data["rounds"]]
    series = {
        "Agreed": [r["targets"]["agreed"] for r in data["rounds"]],
        "Achieved": [r["targets"]["achieved"] for r in data["rounds"]],
        "Partly achieved": [r["targets"]["partly"] for r in data["rounds"]],
        "Not achieved": [r["targets"]["not_achieved"] for r in data["rounds"]],
    }
    agreed, achieved = sum(series["Agreed"]), sum(series["Achieved"])
    sentence = (f"Across {len(labels)} round{'' if len(labels) == 1 else 's'}, {agreed} "
                f"target{'' if agreed == 1 else 's'} for change {'was' if agreed == 1 else 'were'} agreed "
                f"and {achieved} achieved.")
    return charts.bar("Targets for change, round after round", sentence, labels, series, x_title="Round",
                      colours=(charts.NHS_BLUE,) + charts.ANSWER_COLOURS,
                      empty_text="There are no rounds yet.")


def indicator_heatmap(data: dict, index: int) -> charts.Heatmap:
    """One indicator: a row per round, a column per group and level, each cell the group's view and its counts."""
    indicator = data["indicators"][index]
    columns = [f"{GROUPS[g]}: {LEVEL_NAMES[lv].lower()}" for g in GROUPS for lv in LEVELS]
    heat_rows = []
    for position, round_ in enumerate(data["rounds"]):
        cells = []
        for group in GROUPS:
            for level in LEVELS:
                cell = indicator["groups"][group][level][position]
                if cell is None:
                    cells.append(charts.HeatCell("Not shared yet", "none"))
                    continue
                counts = cell["counts"]
                note = ", ".join(f"{counts[k]} {ANSWERS[k].lower()}" for k in ANSWERS if counts.get(k))
                cells.append(charts.HeatCell(ANSWERS[cell["view"]] if cell["view"] else "No answers",
                                             VIEW_TONES[cell["view"]], note if cell["responses"] else ""))
        heat_rows.append((round_["title"], cells))
    met = sum(1 for group in GROUPS for level in LEVELS
              if indicator["groups"][group][level] and indicator["groups"][group][level][-1]
              and indicator["groups"][group][level][-1]["view"] == "met")
    sentence = (f"In the latest round, {met} of the 4 views (two groups, two levels) were met."
                if data["rounds"] else "There are no rounds yet.")
    return charts.heatmap(f"{indicator['name']}: {indicator['wording']}", sentence, "Round", columns, heat_rows,
                          key=(("yes", "Met"), ("partly", "Partly met"), ("no", "Not met"),
                               ("none", "No answers, or not shared yet")),
                          empty_text="There are no rounds yet.")
