"""What's next on a member's home page, for the indicators.

- Service users and staff: the rounds they can give their views on now (or finish, if they saved answers).
- Service users: what was shared with them (rounds whose views were exchanged, in the last year).
- Staff-side roles: rounds ready for their next step (sharing views, agreeing targets).
- Everyone who takes part, and viewers: target reviews coming up (14 days before, as the reminders) or overdue.

Reads rounds, targets, counts and the member's own answers once each, whatever their number.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from sqlalchemy import select

from core.auth import role_can
from core.db import db
from core.home import SHARED_FOR_DAYS, Next, when_words
from core.models import Service
from core.reminders import stage
from core.reports import long_date

from . import commands, summary
from .indicators import GROUPS, INDICATORS
from .models import Draft, Response, Round, Target

ANSWERING_ROLES = ("service_user", "staff")  # the guide's two groups, each answering as itself


def items(membership, today: date) -> list[Next]:
    names = {s.id: s.name for s in db.session.scalars(select(Service).where(Service.archived.is_(False)))}
    rounds = [r for r in db.session.scalars(select(Round).order_by(Round.started_at, Round.id))
              if r.service_id in names]
    if not rounds:
        return []
    role = membership.role
    found: list[Next] = []
    if role in ANSWERING_ROLES:
        found += _to_answer(membership, rounds, names)
    if role == "service_user":
        since = today - timedelta(days=SHARED_FOR_DAYS)
        for round_ in rounds:
            if round_.shared and round_.shared_on >= since:
                found.append(Next(f"What service users and staff said about {names[round_.service_id]}",
                                  f"Both groups' views were shared on {long_date(round_.shared_on)}.",
                                  url_for("indicators.comparison", round_id=round_.id), kind="shared"))
    targets = db.session.scalars(select(Target).order_by(Target.id)).all()
    if role_can(role, "facilitate") or role == "viewer":
        found += _next_steps(rounds, targets, names, today)
    if role_can(role, "contribute") or role == "viewer":
        found += _reviews(role, rounds, targets, names, today)
    return found


def _to_answer(membership, rounds, names) -> list[Next]:
    open_rounds = [r for r in rounds if not r.shared]
    if not open_rounds:
        return []
    answered = set(db.session.scalars(select(Response.round_id).where(Response.membership_id == membership.id)))
    started = set(db.session.scalars(select(Draft.round_id).where(Draft.membership_id == membership.id,
                                                                 Draft.open.is_(True))))
    found = []
    for round_ in open_rounds:
        if round_.id in answered:
            continue
        name = names[round_.service_id]
        href = url_for("indicators.evaluate", round_id=round_.id)
        planned = (f" The groups plan to share their views on {long_date(round_.share_planned_on)}."
                   if round_.share_planned_on else "")
        if round_.id in started:
            found.append(Next(f"Finish your views on {name}",
                              "You saved your answers to finish later; they are not sent yet." + planned,
                              href, round_.share_planned_on, "draft"))
        else:
            found.append(Next(f"Give your views on {name}",
                              "Say how well the service does on the seven indicators service users wrote." + planned,
                              href, round_.share_planned_on, "answer"))
    return found


def _next_steps(rounds, targets, names, today) -> list[Next]:
    counts = commands.responses_by_round()
    by_round: dict[int, list] = {}
    for target in targets:
        by_round.setdefault(target.round_id, []).append(target)
    latest = {}
    for round_ in rounds:
        latest[round_.service_id] = round_  # oldest first: the last one per service stays
    found = []
    for round_ in latest.values():
        steps = {step["key"]: step["status"] for step in summary.steps(
            round_, counts.get(round_.id, dict.fromkeys(GROUPS, 0)), by_round.get(round_.id, []), today)}
        # Both groups answered: sharing can start. Shared: targets can be agreed.
        ready = next((key for key in ("share", "targets") if steps[key] == "not_started"), None)
        if ready is None:
            continue
        name = names[round_.service_id]
        if ready == "share":
            found.append(Next(f"Share the views on {name}",
                              "Both groups have answered: meet to share their views, then record it.",
                              url_for("indicators.sharing", round_id=round_.id), round_.share_planned_on, "step"))
        else:
            found.append(Next(f"Agree targets for {name}",
                              f"The views were shared on {long_date(round_.shared_on)}: agree one or two targets "
                              "for change.", url_for("indicators.targets", round_id=round_.id), kind="step"))
    return found


def _reviews(role, rounds, targets, names, today) -> list[Next]:
    by_id = {r.id: r for r in rounds}
    found = []
    for target in targets:
        round_ = by_id.get(target.round_id)
        when = stage(target.review_on, today) if target.reviewed_at is None else None
        if round_ is None or when is None:
            continue
        indicator = INDICATORS.get(target.indicator, (target.indicator,))[0]
        href = (url_for("indicators.review", round_id=round_.id, target_id=target.id) if role_can(role, "contribute")
                else url_for("indicators.targets", round_id=round_.id))
        found.append(Next(f"Review the target on {indicator} for {names[round_.service_id]}",
                          f"The review with service users {when_words(target.review_on, today)}.", href,
                          target.review_on, "overdue" if when == "overdue" else "due"))
    return found
