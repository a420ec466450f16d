"""The indicators' parts of the reports, as things stood at a moment.

State as a ``core.history.When`` sees it comes from the history tables (kept
by the same projectors as the live tables), so a report for last March shows
last March's round, answers, targets and reviews. Service users see the staff group's summary only once
the views had been shared by then, as on the pages.
"""
from __future__ import annotations

from datetime import date

from flask import g

from core.history import When, rows
from core.models import Service
from core.reports import Fragment, london_day, london_today, long_date

from . import summary
from .indicators import ANSWERS, GROUPS, HAPPENED, INDICATORS, LEVEL_NAMES, LEVELS, STEPS
from .models import Response, Round, Target

TITLE = "Getting there: the service user indicators"
ORDER = 100  # as every section: the load order (the guide's order) decides


def _day(when: When):
    return when.day if not when.live else london_today()


def _day_words(iso: str) -> str:
    return long_date(date.fromisoformat(iso))


def _role() -> str | None:
    membership = g.get("membership")
    return membership.role if membership is not None else None


def _target_data(target, day) -> dict:
    return {
        "id": target.id, "indicator": target.indicator, "change": target.change,
        "service_users_do": target.service_users_do, "staff_do": target.staff_do,
        "review_on": target.review_on.isoformat(), "review_state": summary.review_state(target, day),
        "happened": target.happened, "outcomes": target.outcomes,
        "working_together": target.working_together, "build_on": target.build_on,
    }


def _without_withheld(items: list[dict]) -> list[dict]:
    """A group below the answer threshold carries only its number of answers and why nothing
    else is shown, so the report, its JSON and its exports say "fewer than 3 answers"."""
    for item in items:
        for group, entry in item["groups"].items():
            if entry.get("withheld"):
                item["groups"][group] = {"responses": entry["responses"], "withheld": True,
                                         "message": entry["message"]}
    return items


def _context() -> dict:
    return {"groups": GROUPS, "answers": ANSWERS, "levels": LEVELS, "level_names": LEVEL_NAMES,
            "indicators": INDICATORS, "happened": HAPPENED, "status_words": summary.STATUS_WORDS,
            "steps": dict(STEPS), "day": _day_words}


def service_fragment(service, when: When) -> Fragment:
    day = _day(when)
    rounds = rows(Round, when, service_id=service.id)
    data: dict = {"rounds": len(rounds), "round": None, "groups_shown": [], "indicators": [], "targets": []}
    if rounds:
        latest = max(rounds, key=lambda r: (r.started_at, r.id))
        # A round's answers and targets are all recorded after it started: read only those.
        since = latest.started_at
        responses = [r for r in rows(Response, when, service_id=service.id, recorded_since=since)
                     if r.round_id == latest.id]
        targets = sorted((t for t in rows(Target, when, service_id=service.id, recorded_since=since)
                          if t.round_id == latest.id), key=lambda t: t.id)
        groups = summary.visible_groups(latest, _role())
        counts = summary.count_by_group(responses)
        steps = summary.steps(latest, counts, targets, day)
        current = summary.current_step(steps)
        data.update({
            "round": {"id": latest.id, "title": summary.round_title(latest),
                      "started_on": london_day(latest.started_at).isoformat(),
                      "shared_on": latest.shared_on.isoformat() if latest.shared_on else None,
                      "responses": counts, "current_step": current["key"] if current else None,
                      "steps": steps},
            "groups_shown": list(groups),
            "indicators": _without_withheld(summary.summarise(responses, groups, quotes=False)),
            "targets": [_target_data(t, day) for t in targets],
        })
    return Fragment("indicators", TITLE, "indicators/report_service.html", data, context=_context(), order=ORDER)


def tenant_fragment(tenant, when: When) -> Fragment:
    day = _day(when)
    services = {s.id: s for s in rows(Service, when)}
    rounds = {r.id: r for r in rows(Round, when)}
    targets = rows(Target, when)
    latest_rounds = {}
    for round_ in sorted(rounds.values(), key=lambda r: (r.started_at, r.id)):
        latest_rounds[round_.service_id] = round_
    # Only the latest rounds' answers are counted, and those were all recorded after the earliest of them began.
    since = min((r.started_at for r in latest_rounds.values()), default=None)
    responses = rows(Response, when, recorded_since=since)
    per_service = []
    for service in sorted(services.values(), key=lambda s: (s.name.lower(), s.id)):
        own = [r for r in rounds.values() if r.service_id == service.id]
        if not own:
            continue
        latest = latest_rounds[service.id]
        latest_targets = [t for t in targets if t.round_id == latest.id]
        counts = summary.count_by_group(r for r in responses if r.round_id == latest.id)
        current = summary.current_step(summary.steps(latest, counts, latest_targets, day))
        per_service.append({"service_id": service.id, "service": service.name, "rounds": len(own),
                            "latest_round": summary.round_title(latest),
                            "current_step": current["key"] if current else None})
    waiting = []
    for target in summary.awaiting_review(targets, day):
        round_ = rounds.get(target.round_id)
        service = services.get(round_.service_id) if round_ else None
        waiting.append({"target_id": target.id, "round_id": target.round_id,
                        "service": service.name if service else "", "indicator": target.indicator,
                        "review_on": target.review_on.isoformat(),
                        "state": summary.review_state(target, day)})
    data = {
        "services": per_service,
        "targets_due": [w for w in waiting if w["state"] == "due"],
        "targets_overdue": [w for w in waiting if w["state"] == "overdue"],
    }
    return Fragment("indicators", TITLE, "indicators/report_tenant.html", data, context=_context(), order=ORDER)
