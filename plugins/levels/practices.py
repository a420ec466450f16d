"""The practices behind a level: the guide's, and those a Trust adds.

The guide's level descriptions (p. 11-12) name concrete practices; each is
listed here with the level whose description names it, in the guide's words.
A level is supported in an area when every practice listed for it and for
every level below it is ticked in that area, so a claim of Partnership with
nothing ticked shows as supported only at level 1. A Trust may add practices
of its own (``LevelsPractice`` rows, kept by events); they count the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.db import db

from .levels import BY_NUMBER, LOWEST, level_title


@dataclass(frozen=True)
class Practice:
    key: str
    level: int
    wording: str
    trust: bool = False  # added by the Trust, not the guide's


GUIDE_PRACTICES = (
    Practice("occasional_consultation", 2, "User groups are given information about the service and are "
             "consulted by staff on changes to the service."),
    Practice("regular_consultation", 3, "User groups are regularly consulted on aspects of the service, "
             "e.g. decisions about activities, decoration and design of the premises that service users use."),
    Practice("care_plan_meetings", 3, "Most users are involved in meetings about their care and treatment plans."),
    Practice("values_statement", 4, "The service has a statement of values and aims in relation to service "
             "user involvement."),
    Practice("payment", 4, "Payments are made to cover the time and expenses of service users who become "
             "involved in service change outside of the regular user meetings."),
    Practice("meeting_together", 4, "Opportunities are provided for service users to meet up together."),
    Practice("training_support", 4, "Appropriate training and support is made available to service users so "
             "that they gain the skills needed to collaborate with staff."),
    Practice("recruitment_and_planning", 4, "Service users regularly contribute to staff recruitment, service "
             "planning, and referral and admission policies."),
    Practice("job_steps", 4, "Positive steps are taken to encourage service users to access job opportunities "
             "within the service and beyond."),
    Practice("partnership_values", 5, "The work is underpinned by an explicit statement of partnership values "
             "and service aims."),
    Practice("joint_decisions", 5, "Key decisions are made jointly."),
    Practice("evaluation", 5, "Service users are involved in the evaluation of the service."),
    Practice("infrastructure", 5, "An infrastructure is in place to provide induction, support and training "
             "for service users."),
    Practice("recruited_to_work", 5, "Service users have opportunities to be recruited to work in the service, "
             "and positive steps are taken to encourage them to work voluntarily within the service with a "
             "view to finding employment."),
)
GUIDE_KEYS = frozenset(p.key for p in GUIDE_PRACTICES)
TRUST_PREFIX = "trust-"


def trust_key(practice_id: int) -> str:
    return f"{TRUST_PREFIX}{practice_id}"


def catalogue(*, include_retired: bool = False) -> list[Practice]:
    """The guide's practices and the Trust's own (the Trust in context), by level.

    Read once a request (a list of assessments shows the claim of each); ``forget()`` after a change."""
    from flask import g, has_app_context

    from .models import LevelsPractice

    kept = g.setdefault("levels_practices", {}) if has_app_context() else {}
    if include_retired not in kept:
        own = db.session.scalars(select(LevelsPractice).order_by(LevelsPractice.id)).all()
        extra = [Practice(trust_key(p.id), p.level, p.wording, trust=True)
                 for p in own if include_retired or not p.retired]
        kept[include_retired] = sorted([*GUIDE_PRACTICES, *extra], key=lambda p: p.level)
    return list(kept[include_retired])


def forget() -> None:
    """The Trust's practices changed in this request: read them again."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("levels_practices", None)


def by_key(practices) -> dict[str, Practice]:
    return {p.key: p for p in practices}


def supported_level(ticked, practices) -> int:
    """The highest level whose practices, and those of every level below, are all ticked."""
    ticked = set(ticked or [])
    supported = LOWEST
    for number in sorted(BY_NUMBER):
        needed = [p.key for p in practices if p.level == number]
        if number == LOWEST:
            continue
        if not needed or not set(needed) <= ticked:
            break
        supported = number
    return supported


def claim(current: int | None, ticked, practices) -> dict:
    """The level claimed beside the level the ticked practices support, in plain words."""
    supported = supported_level(ticked, practices)
    above = current is not None and current > supported
    if current is None:
        note = "No level is claimed yet."
    elif above:
        note = (f"The level claimed, {level_title(current)}, is above what the practices ticked support: "
                f"{level_title(supported)}.")
    else:
        note = f"The practices ticked support the level claimed ({level_title(supported)})."
    return {"claimed": current, "supported": supported, "above_supported": above,
            "supported_title": level_title(supported), "supported_wording": BY_NUMBER[supported].description,
            "note": note}


def unknown(keys, practices) -> list[str]:
    known = by_key(practices)
    return [key for key in keys or [] if key not in known]
