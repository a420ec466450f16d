"""Reminders: a target's review date (step four, for both groups), an invitation link about to close,
and a round that has waited on one step for more than 30 days."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.db import db
from core.models import Service
from core.reminders import Reminder, stage, when_words
from core.reports import long_date

from .commands import responses_by_round
from .indicators import GROUPS, INDICATORS, STEPS
from .models import Invitation, Round, Target

CLOSING_BEFORE = "2"  # an invitation link: one reminder, two days before it closes
WAITING_DAYS = 30  # a round still on the same step this long: one reminder for that step


def due(today: date) -> list[Reminder]:
    rounds = {r.id: r for r in db.session.scalars(select(Round))}
    names = {s.id: s.name for s in db.session.scalars(select(Service).where(Service.archived.is_(False)))}
    return [*_target_reviews(today, rounds, names), *_closing_links(today, rounds, names),
            *_waiting_rounds(today, rounds, names)]


def _target_reviews(today, rounds, names):
    for target in db.session.scalars(select(Target).where(Target.reviewed_at.is_(None))):
        round_ = rounds.get(target.round_id)
        when = stage(target.review_on, today)
        if round_ is None or round_.service_id not in names or when is None:
            continue
        indicator = INDICATORS.get(target.indicator, (target.indicator,))[0]
        service = names[round_.service_id]
        yield Reminder(
            key=f"indicators.target_review:{target.id}:{when}",
            subject=(f"the review of a target for {service} is "
                     f"{'overdue' if when == 'overdue' else 'coming up'}"),
            why=(f"The review of the target for change on {indicator} agreed for {service} "
                 f"{when_words(target.review_on, today)}. Meet with service users to look at what happened, "
                 "then record the review."),
            endpoint="indicators.review", values={"round_id": round_.id, "target_id": target.id},
            audience="contribute")  # the review is joint: service users record it too


def _closing_links(today, rounds, names):
    for invitation in db.session.scalars(select(Invitation).where(Invitation.revoked.is_(False),
                                                                  Invitation.expires_on.is_not(None))):
        round_ = rounds.get(invitation.round_id)
        if round_ is None or round_.service_id not in names or stage(invitation.expires_on, today) != CLOSING_BEFORE:
            continue
        service = names[round_.service_id]
        yield Reminder(
            key=f"indicators.link_closing:{invitation.id}",
            subject=f"an invitation link for {service} closes soon",
            why=(f"The invitation link{f' {invitation.label!r}' if invitation.label else ''} for {service}'s "
                 f"indicators round closes at the end of {long_date(invitation.expires_on)}. If people still need "
                 "to answer, remind them, or make a new link."),
            endpoint="indicators.invitations", values={"round_id": round_.id},
            audience="facilitate")


def _waiting_rounds(today, rounds, names):
    """The latest round of each service, still on step one, two or three more than 30 days after the step began.

    Steps one and two count from the day the round started (the views are shared once both groups have
    answered); step three from the day the views were shared. Step four has its own reminders: the reviews.
    """
    latest = {}
    for round_ in sorted(rounds.values(), key=lambda r: (r.started_at, r.id)):
        latest[round_.service_id] = round_
    counts = responses_by_round()
    agreed = set(db.session.scalars(select(Target.round_id).distinct()))
    for round_ in latest.values():
        if round_.service_id not in names or round_.id in agreed:
            continue
        if round_.shared:
            step, began = "targets", round_.shared_on
        else:
            answered = counts.get(round_.id, {})
            step = "share" if all(answered.get(group) for group in GROUPS) else "evaluate"
            began = round_.started_at.date()
        if today - began <= timedelta(days=WAITING_DAYS):
            continue
        service = names[round_.service_id]
        number = [key for key, _ in STEPS].index(step) + 1
        what = dict(STEPS)[step].partition(": ")[2].lower()  # "evaluate the service"
        yield Reminder(
            key=f"indicators.round_waiting:{round_.id}:{step}",
            subject=f"the indicators round for {service} is waiting on step {number}",
            why=(f"The indicators round for {service} has been on step {number} ({what}) since {long_date(began)}: "
                 f"more than {WAITING_DAYS} days. See what it is waiting for and "
                 "take the next step, or agree with service users when it will happen."),
            endpoint="indicators.round_page", values={"round_id": round_.id},
            audience="facilitate")
