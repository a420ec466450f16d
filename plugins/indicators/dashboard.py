"""The indicators' panel on the Trust dashboard: where each service's latest round is, and reviews due."""
from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import select

from core.dashboard import Moved, Panel
from core.db import db
from core.models import Service
from core.reports import london_day, london_today

from . import commands, summary
from .indicators import GROUPS, INDICATORS
from .models import Round, Target

TITLE = "Getting there: the service user indicators"


def panel(since: date | None) -> Panel:
    services = db.session.scalars(select(Service).where(Service.archived.is_(False))
                                  .order_by(Service.name, Service.id)).all()
    rounds = db.session.scalars(select(Round).order_by(Round.started_at, Round.id)).all()
    targets = db.session.scalars(select(Target).order_by(Target.id)).all()
    counts = commands.responses_by_round()
    today = london_today()
    latest = {}
    for round_ in rounds:
        latest[round_.service_id] = round_  # oldest first, so the last one stays
    rows = []
    for service in services:
        round_ = latest.get(service.id)
        row = {"service_id": service.id, "name": service.name, "round": None}
        if round_ is not None:
            own = [t for t in targets if t.round_id == round_.id]
            steps = summary.steps(round_, counts.get(round_.id, dict.fromkeys(GROUPS, 0)), own, today)
            current = summary.current_step(steps)
            row["round"] = {"id": round_.id, "title": summary.round_title(round_),
                            "step": current["title"] if current else None,
                            "status": current["status"] if current else "completed"}
        rows.append(row)
    names = {s.id: s.name for s in services}
    by_id = {r.id: r for r in rounds}
    waiting = [{"target_id": t.id, "round_id": t.round_id, "service": names[by_id[t.round_id].service_id],
                "indicator": INDICATORS[t.indicator][0], "review_on": t.review_on.isoformat(),
                "state": summary.review_state(t, today)}
               for t in summary.awaiting_review(targets, today) if by_id[t.round_id].service_id in names]
    data = {"services": rows, "reviews_waiting": waiting}
    return Panel("indicators", TITLE, "indicators/dashboard.html", data,
                 context={"status_words": summary.STATUS_WORDS,
                          "day_words": lambda iso: _long(date.fromisoformat(iso))},
                 moved=_moved(since, rounds, targets, names) if since is not None else [])


def _long(day: date) -> str:
    from core.reports import long_date

    return long_date(day)


def _moved(since: date, rounds, targets, names: dict) -> list[Moved]:
    found = []
    by_id = {r.id: r for r in rounds}
    for round_ in rounds:
        name = names.get(round_.service_id)
        if name is None:
            continue
        href = url_for("indicators.round_page", round_id=round_.id)
        started = london_day(round_.started_at)
        if started > since:
            found.append(Moved(f"{name} started a round of the indicators", started, href))
        if round_.shared_on is not None and round_.shared_on > since:
            found.append(Moved(f"{name}: service users and staff shared their views", round_.shared_on, href))
    for target in targets:
        round_ = by_id.get(target.round_id)
        name = names.get(round_.service_id) if round_ else None
        if name is None:
            continue
        href = url_for("indicators.targets", round_id=target.round_id)
        agreed = london_day(target.agreed_at)
        indicator = INDICATORS[target.indicator][0]
        if agreed > since:
            found.append(Moved(f"{name} agreed a target for change ({indicator})", agreed, href))
        if target.reviewed_at is not None and target.review_on > since:
            outcome = {"yes": "achieved", "partly": "partly achieved", "no": "not achieved"}.get(
                target.happened, "reviewed")
            found.append(Moved(f"{name} reviewed a target for change ({indicator}): {outcome}",
                               target.review_on, href))
    return found
