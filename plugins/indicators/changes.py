"""The indicators' part of "what changed between two dates".

For each service: a new round, the step the latest round had reached, the
evaluations per indicator, group and level (how many said met, partly met,
not met or don't know, in the latest round at each date), and targets agreed,
achieved, partly achieved, missed or overdue for review. Service users see the
staff group's answers only once the groups had shared their views, as on the
report.
"""
from __future__ import annotations

from core.changes import Section, change, in_order
from core.history import When, rows
from core.models import Service
from core.reports import long_date

from . import summary
from .indicators import ANSWERS, GROUP_WORDS, INDICATORS, LEVEL_NAMES, LEVELS, STEPS
from .models import Response, Round, Target
from .report import TITLE, _role

STEP_TITLES = dict(STEPS)
REVIEWED = {"yes": ("target_achieved", "Target achieved"),
            "partly": ("target_partly_achieved", "Target partly achieved"),
            "no": ("target_missed", "Target not achieved")}


class Moment:
    """One service's indicators as one ``When`` sees them: its latest round, answers and targets."""

    def __init__(self, when: When, rounds, responses, targets):
        self.day = when.day
        self.round = max(rounds, key=lambda r: (r.started_at, r.id)) if rounds else None
        self.responses = [r for r in responses if self.round is not None and r.round_id == self.round.id]
        self.targets = {t.id: t for t in targets}
        self.groups = summary.visible_groups(self.round, _role()) if self.round is not None else ()

    def step(self) -> str | None:
        if self.round is None:
            return None
        own = [t for t in self.targets.values() if t.round_id == self.round.id]
        current = summary.current_step(summary.steps(self.round, summary.count_by_group(self.responses), own,
                                                     self.day))
        return current["key"] if current else None

    def evaluations(self) -> dict:
        """(indicator, group) -> per level, how many gave each answer; for the groups shown."""
        found = {}
        for item in summary.summarise(self.responses, self.groups, quotes=False):
            for group, entry in item["groups"].items():
                found[(item["key"], group)] = {level: entry[level] for level in LEVELS}
        return found


def _counted(counts: dict | None) -> str:
    if not counts or not any(counts.values()):
        return "no answers"
    return ", ".join(f"{n} {ANSWERS[answer].lower()}" for answer, n in counts.items() if n)


def _levels(per_level: dict | None) -> str:
    """``for individuals 2 met, 1 not met; across the service 3 partly met``, or ``no answers``."""
    if not per_level or not any(any(counts.values()) for counts in per_level.values()):
        return "no answers"
    return "; ".join(f"{LEVEL_NAMES[level].lower()} {_counted(per_level[level])}" for level in LEVELS)


def _words(text: str | None) -> str:
    return (text or "").strip().rstrip(".")


def _rounds(before: Moment, after: Moment, sid: int) -> list[dict]:
    found = []
    if after.round is not None and (before.round is None or before.round.id != after.round.id):
        found.append(change(f"A round of the indicators started: {summary.round_title(after.round)}.",
                            "round_started", service_id=sid, round_id=after.round.id))
    step_before, step_after = before.step(), after.step()
    new_round = after.round is not None and (before.round is None or before.round.id != after.round.id)
    if after.round is not None and (new_round or step_after != step_before):
        was = f" (it was at {STEP_TITLES[step_before]})" if step_before and not new_round else ""
        if step_after is None:
            words = f"Every step of the latest round is complete{was}."
        else:
            words = f"The latest round is now at {STEP_TITLES[step_after]}{was}."
        found.append(change(words, "step", service_id=sid, round_id=after.round.id,
                            **{"from": None if new_round else step_before, "to": step_after}))
    return found


def _evaluations(before: Moment, after: Moment, sid: int) -> list[dict]:
    found = []
    earlier, later = before.evaluations(), after.evaluations()
    new_round = before.round is not None and after.round is not None and before.round.id != after.round.id
    for (indicator, group), per_level in later.items():
        was = earlier.get((indicator, group))
        if was == per_level or (was is None and _levels(per_level) == "no answers"):
            continue
        then = "in the round before" if new_round else "before"
        found.append(change(
            f"{INDICATORS[indicator][0]}, {GROUP_WORDS[group]}: {_levels(per_level)} ({then}: {_levels(was)}).",
            "evaluation", service_id=sid, indicator=indicator, group=group, **{"from": was, "to": per_level}))
    return found


def _targets(before: Moment, after: Moment, sid: int) -> list[dict]:
    found = []
    for tid, target in sorted(after.targets.items()):
        name = INDICATORS.get(target.indicator, (target.indicator,))[0]
        facts = {"service_id": sid, "target_id": tid, "indicator": target.indicator}
        earlier = before.targets.get(tid)
        if earlier is None:
            found.append(change(f"Target agreed for {name}: {_words(target.change)}; to be reviewed on {long_date(target.review_on)}.",
                                "target_agreed", **facts, to=target.review_on))
        if target.reviewed and (earlier is None or not earlier.reviewed):
            kind, words = REVIEWED.get(target.happened, ("target_reviewed", "Target reviewed"))
            found.append(change(f"{words} ({name}): {_words(target.change)}.", kind, **facts, to=target.happened))
        elif summary.review_state(target, after.day) == "overdue" and (
                earlier is None or summary.review_state(earlier, before.day) != "overdue"):
            found.append(change(f"Review overdue since {long_date(target.review_on)} ({name}): {_words(target.change)}.",
                                "target_overdue", **facts, to=target.review_on))
    return found


def compared(before: Moment, after: Moment, sid: int) -> list[dict]:
    return _rounds(before, after, sid) + _evaluations(before, after, sid) + _targets(before, after, sid)


def _moment(when: When, service_id: int, *, everything=None) -> Moment:
    """The service's indicators at ``when``, from its own rows or picked out of the Trust's (``everything``)."""
    if everything is None:
        return Moment(when, rows(Round, when, service_id=service_id), rows(Response, when, service_id=service_id),
                      rows(Target, when, service_id=service_id))
    rounds, responses, targets = everything
    own = [r for r in rounds if r.service_id == service_id]
    ids = {r.id for r in own}
    return Moment(when, own, [r for r in responses if r.round_id in ids], [t for t in targets if t.round_id in ids])


def service_section(service, start: When, end: When) -> Section:
    return Section("indicators", TITLE, compared(_moment(start, service.id), _moment(end, service.id), service.id))


def tenant_section(tenant, start: When, end: When) -> Section:
    names = {s.id: s.name for s in rows(Service, end)}
    at_start = (rows(Round, start), rows(Response, start), rows(Target, start))
    at_end = (rows(Round, end), rows(Response, end), rows(Target, end))
    found = []
    for sid, name in names.items():
        before, after = _moment(start, sid, everything=at_start), _moment(end, sid, everything=at_end)
        found += [{**item, "what": f"{name}: {item['what']}", "service": name}
                  for item in compared(before, after, sid)]
    return Section("indicators", TITLE, in_order(found, names))
