"""Reminders: a target's review date (step four, for both groups), and an invitation link about to close."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.db import db
from core.models import Service
from core.reminders import Reminder, stage, when_words
from core.reports import long_date

from .indicators import INDICATORS
from .models import Invitation, Round, Target

CLOSING_BEFORE = "2"  # an invitation link: one reminder, two days before it closes


def due(today: date) -> list[Reminder]:
    rounds = {r.id: r for r in db.session.scalars(select(Round))}
    names = {s.id: s.name for s in db.session.scalars(select(Service).where(Service.archived.is_(False)))}
    return [*_target_reviews(today, rounds, names), *_closing_links(today, rounds, names)]


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
