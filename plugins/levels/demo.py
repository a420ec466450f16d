"""The demo Trust's levels: each service's team assesses itself once a year and moves up.

The ward and the outreach team start with little involvement and climb; the
day centre, the guide's example, climbs fastest after its indicators round.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.demo_history import COMMUNITY, DAY_CENTRE, WARD, History, Step
from core.events import EventError

from . import commands
from .answers import load_flat
from .levels import AREA_KEYS, flat_key

# What a team says it does, per area and level.
ACHIEVED = {
    "individual": {
        1: "Care plans are written by staff and given to people afterwards.",
        2: "Some people see their care plan before it is finished.",
        3: "Most people take part in the meetings about their care plan.",
        4: "People write part of their own care plan, in their own words.",
        5: "Care plans are written together; people hold their own copy and choose its review date.",
    },
    "care_setting": {
        1: "Staff decide how the service runs.",
        2: "Staff tell the user group about changes and sometimes ask what people think.",
        3: "The user group is asked about activities, the building and how people are welcomed.",
        4: "Service users sit on interview panels and help plan changes to the service.",
        5: "Service users and staff decide together how the service runs, and evaluate it together.",
    },
    "policy": {
        1: "No service users take part in the Trust's decision-making groups.",
        2: "A service user is sometimes invited to a Trust meeting.",
        3: "Service users comment on the Trust policies that affect the service.",
        4: "Two service users, paid for their time, sit on the Trust's service planning group.",
        5: "Service users help decide the Trust's plans as members of its groups.",
    },
}
# What a team plans, per area and the level it aims for.
PLANNED = {
    "individual": {
        2: "Offer everyone a copy of their care plan to comment on.",
        3: "Invite everyone to their care planning meeting and ask what they want to discuss.",
        4: "Write care plans with people, in their own words.",
        5: "Let people hold their own plan and set its review date.",
    },
    "care_setting": {
        2: "Tell the user group about changes before they happen.",
        3: "Ask the user group about activities and the building, and act on what it says.",
        4: "Pay service users for their time on interview panels and service planning.",
        5: "Plan and evaluate the service jointly with service users.",
    },
    "policy": {
        2: "Invite a service user to the Trust's service meetings.",
        3: "Send Trust policies to the user group for comment.",
        4: "Ask for paid service user members on the Trust's planning group.",
        5: "Make key decisions jointly with service users across the Trust.",
    },
}
KEEP_GOING = "Keep what works, and make sure new staff and service users know about it."


@dataclass(frozen=True)
class Assessment:
    service: str
    month: int
    day: int
    levels: tuple[tuple[int, int], ...]  # (current, aim) for individual, care setting, policy
    participants: str
    typed_after: int = 2
    draft_for: int | None = None  # days kept as a draft before submitting
    amend: tuple[int, dict, str] | None = None  # (days after submitting, corrected answers, why)
    view: str = "staff"  # whose view (levels.VIEWS)
    practices: tuple[tuple[str, ...], ...] = ()  # practice keys ticked, per area, when given
    aim_within: int | None = None  # days after the assessment by which the team aims to reach its aims


# The practices the day centre's team ticks at its latest assessment: enough to back level 4,
# not the partnership it claims for the care setting.
UP_TO_COLLABORATION = ("occasional_consultation", "regular_consultation", "care_plan_meetings", "values_statement",
                       "payment", "meeting_together", "training_support", "recruitment_and_planning", "job_steps")
HOW = {"payment": "Vouchers for time at meetings, and bus fares paid on the day",
       "values_statement": "Our involvement statement is on the wall by the door and in the welcome pack"}


ASSESSMENTS = (
    Assessment(DAY_CENTRE, 2, 20, ((2, 3), (2, 3), (1, 2)), "The centre manager and three support workers"),
    Assessment(DAY_CENTRE, 14, 12, ((3, 4), (3, 4), (1, 3)),
               "The staff team, the outside user facilitator and two members of the user group", typed_after=8),
    Assessment(DAY_CENTRE, 26, 10, ((4, 4), (4, 5), (2, 3)), "The staff team and three members of the user group"),
    Assessment(DAY_CENTRE, 38, 8, ((4, 5), (5, 5), (3, 4)), "The staff team and four members of the user group",
               draft_for=5, practices=(UP_TO_COLLABORATION, UP_TO_COLLABORATION, ("occasional_consultation",))),
    Assessment(DAY_CENTRE, 39, 2, ((4, 5), (4, 5), (2, 4)),
               "Eight members of the user group, with the outside user facilitator", view="service_users"),

    Assessment(WARD, 3, 15, ((2, 3), (1, 2), (1, 2)), "The ward manager and the nursing team"),
    Assessment(WARD, 15, 16, ((2, 3), (2, 3), (1, 2)), "The ward manager, two nurses and a patient",
               amend=(20, {"policy_aim": 3}, "After the community meeting we agreed to aim higher for policy.")),
    Assessment(WARD, 27, 14, ((3, 4), (3, 4), (2, 3)), "The ward team, a peer support worker and two patients",
               typed_after=4, draft_for=9, aim_within=380),
    Assessment(WARD, 39, 6, ((4, 4), (3, 4), (2, 3)), "The ward team, a peer support worker and three patients",
               typed_after=14),

    Assessment(COMMUNITY, 4, 11, ((2, 3), (2, 3), (1, 2)), "The team leader and four care coordinators"),
    Assessment(COMMUNITY, 16, 9, ((3, 4), (3, 4), (2, 3)), "The team and two members of the café group",
               typed_after=6),
    Assessment(COMMUNITY, 28, 13, ((4, 5), (4, 4), (2, 3)), "The team, the peer worker and three service users",
               amend=(45, {"care_setting_aim": 5}, "The café group asked us to aim for partnership here too.")),
    Assessment(COMMUNITY, 40, 7, ((5, 5), (4, 5), (3, 4)), "The team, the peer worker and four service users",
               typed_after=10, aim_within=365),
)


def _checked(values: dict) -> dict:
    loaded, problems = load_flat(values)
    if problems:
        raise EventError("A demo assessment does not fit the schedule.", problems)
    return loaded


def _values(assessment: Assessment, assessed_on) -> dict:
    values = {"assessed_on": assessed_on.isoformat(), "participants": assessment.participants,
              "view": assessment.view}
    if assessment.aim_within is not None:
        values["aim_by"] = (assessed_on + timedelta(days=assessment.aim_within)).isoformat()
    for area, ticked in zip(AREA_KEYS, assessment.practices):
        values |= {flat_key(area, "practices"): list(ticked),
                   flat_key(area, "how"): {k: v for k, v in HOW.items() if k in ticked} or None}
    for area, (current, aim) in zip(AREA_KEYS, assessment.levels):
        values |= {flat_key(area, "current"): current, flat_key(area, "aim"): aim,
                   flat_key(area, "achieved"): ACHIEVED[area][current],
                   flat_key(area, "planned"): PLANNED[area][aim] if aim > current else KEEP_GOING}
    return _checked(values)


def _plan(history: History, assessment: Assessment) -> list[Step]:
    assessed_on = history.day(assessment.month, assessment.day)
    typed_on = assessed_on + timedelta(days=assessment.typed_after)
    service_id = history.services[assessment.service]
    values = _values(assessment, assessed_on)
    made = {}

    def start():
        made["assessment"] = commands.start_assessment(service_id, values, submit=assessment.draft_for is None)

    steps = [history.step(typed_on, start, hour=14)]
    submitted_on = typed_on
    if assessment.draft_for is not None:
        submitted_on = typed_on + timedelta(days=assessment.draft_for)
        steps.append(history.step(submitted_on, lambda: commands.submit_assessment(made["assessment"]), hour=10))
    if assessment.amend is not None:
        days, corrected, reason = assessment.amend
        steps.append(history.step(submitted_on + timedelta(days=days), lambda: commands.amend_assessment(
            made["assessment"], _checked(corrected), reason), hour=12))
    return steps


def steps(history: History) -> list[Step]:
    return [step for assessment in ASSESSMENTS for step in _plan(history, assessment)]
