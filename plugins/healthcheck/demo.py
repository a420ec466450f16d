"""The demo Trust's health checks: about every six months for each service, over years.

The user groups grow: the day centre's barely met before its outside user
facilitator came, the ward starts with none, the outreach team's meets in a
café. Most checks are typed in some days after the meeting, and shared at the
next user meeting; a few are corrected later with an amendment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from core.demo_history import COMMUNITY, DAY_CENTRE, WARD, History, Step
from core.events import EventError

from . import commands
from .answers import load_flat

# How far a user group has come, as the guide's questions would find it (0: there is none yet).
STAGES = {
    1: {"q1_run_by": "staff", "q2_frequency": "less_often", "q2_time_set_by": "staff",
        "q3_find_out": ["staff_tell_them"], "q4_encouraged_by": "staff", "q5_diversity": "no",
        "q6_staff_attendance": "all_of_the_time", "q7_chair": "staff", "q7_chair_chosen_by": "not_decided",
        "q8_agenda": "none", "q9_speaks_more": "staff", "q10_enjoyable": "partly", "q10_comfortable": "no",
        "q11_comfort_break": "no", "q13_told_by": ["not_told"],
        "q12_text": "Staff notice what comes up and raise it at the team meeting."},
    2: {"q1_run_by": "staff", "q2_frequency": "monthly", "q2_time_set_by": "staff",
        "q3_find_out": ["posters", "staff_tell_them"], "q4_encouraged_by": "staff", "q5_diversity": "partly",
        "q6_staff_attendance": "all_of_the_time", "q7_chair": "staff", "q7_chair_chosen_by": "staff",
        "q8_agenda": "set_by_staff", "q9_speaks_more": "staff", "q10_enjoyable": "partly",
        "q10_comfortable": "partly", "q11_comfort_break": "no", "q13_told_by": ["minutes"],
        "q12_text": "Anyone can raise an issue under any other business; staff write the actions down."},
    3: {"q1_run_by": "jointly", "q2_frequency": "fortnightly", "q2_time_set_by": "jointly",
        "q3_find_out": ["posters", "word_of_mouth", "staff_tell_them"], "q4_encouraged_by": "both",
        "q5_diversity": "partly", "q6_staff_attendance": "some_of_the_time", "q7_chair": "rotating",
        "q7_chair_chosen_by": "jointly", "q8_agenda": "staff_and_service_users",
        "q9_speaks_more": "about_equal", "q10_enjoyable": "yes", "q10_comfortable": "partly",
        "q11_comfort_break": "yes", "q13_told_by": ["minutes", "notice_board"],
        "q12_text": "The group agrees its actions at the end of each meeting and who will take them."},
    4: {"q1_run_by": "service_users", "q2_frequency": "fortnightly", "q2_time_set_by": "service_users",
        "q3_find_out": ["posters", "word_of_mouth", "staff_tell_them", "newsletter"], "q4_encouraged_by": "both",
        "q5_diversity": "yes", "q6_staff_attendance": "some_of_the_time", "q7_chair": "service_user",
        "q7_chair_chosen_by": "service_users", "q8_agenda": "staff_and_service_users",
        "q9_speaks_more": "service_users", "q10_enjoyable": "yes", "q10_comfortable": "yes",
        "q11_comfort_break": "yes", "q13_told_by": ["minutes", "notice_board", "newsletter"],
        "q12_text": "Service users keep an action list; each item has a service user and a member of staff "
                    "who take it on."},
}

WHERE = {
    DAY_CENTRE: "The user meeting is held in the lounge after lunch.",
    WARD: "The community meeting is held in the ward's day room.",
    COMMUNITY: "The user group meets in a café near the team base, and the team pays for the tea.",
}


@dataclass(frozen=True)
class Check:
    service: str
    month: int
    day: int
    stage: int
    attendance: int | None
    roles: str
    staff: int
    users: int
    changes: tuple[str, ...] = ()  # question 14: what the group changed in the last six months
    agreed: tuple[str, ...] = ()  # what needs to change
    typed_after: int = 3  # days between the meeting and typing it in
    draft_for: int | None = None  # days kept as a draft before submitting; None: submitted at once
    shared_after: int | None = 14  # days until the user meeting where it was shared
    views: str = ""
    answers: dict = field(default_factory=dict)  # beyond the stage's usual answers
    amend: tuple[int, dict, str] | None = None  # (days after submitting, corrected answers, why)


CHECKS = (
    # --- Oak Day Centre: the guide's example. A user group that hardly met, until the outside facilitator.
    Check(DAY_CENTRE, 1, 14, 1, 3, "The centre manager, two support workers and three service users", 3, 3,
          agreed=("Ask an outside user facilitator to help service users evaluate the Centre",
                  "Hold the user meeting every month, on a day people are here"),
          typed_after=9, views="Several people said they did not know the Centre had a user group.",
          answers={"q1_text": "The centre manager calls a meeting when there is something to tell people."}),
    Check(DAY_CENTRE, 7, 22, 2, 6, "Two support workers, the outside user facilitator and five service users",
          2, 5,
          changes=("A welcome pack for new service users", "Service user buddies for people's first days",
                   "Staff join the Tuesday lunch group"),
          agreed=("Service users add items to the agenda", "Put the date of the next meeting on the board"),
          views="People liked the welcome pack and asked for a copy on the notice board."),
    Check(DAY_CENTRE, 13, 18, 2, 8, "The centre manager, a support worker and six service users", 2, 6,
          changes=("A notice board run by service users", "Photos and names of staff by the front door"),
          agreed=("Take turns to chair", "Have a tea break halfway"),
          typed_after=21, draft_for=6,
          amend=(40, {"q5_attendance": 9}, "The sign-in sheet showed nine people, not eight.")),
    Check(DAY_CENTRE, 19, 20, 3, 9, "A support worker and seven service users", 1, 7,
          changes=("Service users choose the activities each month", "A quiet room upstairs"),
          agreed=("Reach people who come on Fridays only",)),
    Check(DAY_CENTRE, 25, 16, 3, 11, "The centre manager, a support worker and eight service users", 2, 8,
          changes=("Service users on the interview panel for a support worker",),
          agreed=("A newsletter written by service users",), typed_after=5,
          views="The group asked to run the meeting without staff for the first half hour."),
    Check(DAY_CENTRE, 31, 21, 4, 12, "A support worker and nine service users", 1, 9,
          changes=("A newsletter written by service users", "Buddies trained by the outside facilitator"),
          agreed=("Ask the Trust to pay service users for time on interview panels",)),
    Check(DAY_CENTRE, 37, 19, 4, 14, "The centre manager and ten service users", 1, 10,
          changes=("Service users paid for their time on interview panels", "A Saturday drop-in run by service users"),
          agreed=("Share what works here with the other day services",), typed_after=12),

    # --- Willow Ward: no user group at first; a weekly community meeting that grows.
    Check(WARD, 2, 9, 0, None, "The ward manager, two nurses and an occupational therapist", 4, 0,
          agreed=("Start a weekly community meeting on the ward",
                  "Ask people who have left the ward what a meeting should be like"),
          shared_after=None, answers={"has_user_group": False}),
    Check(WARD, 8, 12, 1, 4, "The ward manager, a nurse and four patients", 2, 4,
          changes=("A weekly community meeting",), agreed=("Meet at a time that does not clash with ward rounds",),
          typed_after=10, views="Patients said the meeting is too short to say much.",
          answers={"q2_frequency": "weekly", "q13_told_by": ["next_meeting"]}),
    Check(WARD, 14, 11, 1, 5, "A nurse, an occupational therapist and five patients", 2, 5,
          changes=("The meeting moved to Thursday afternoons",),
          agreed=("Write down what is agreed and put it on the board",),
          answers={"q2_frequency": "weekly", "q13_told_by": ["next_meeting"]},
          amend=(12, {"q6_staff_attendance": "some_of_the_time"},
                 "Staff leave after the first half hour; we had put all of the time.")),
    Check(WARD, 20, 15, 2, 5, "The ward manager, a nurse and five patients", 2, 5,
          changes=("Minutes on the board after each meeting", "Fresh fruit in the day room"),
          agreed=("A patient co-chairs with a nurse",), typed_after=30, draft_for=4,
          answers={"q2_frequency": "weekly"}),
    Check(WARD, 26, 13, 2, 6, "A nurse, a peer support worker and six patients", 2, 6,
          changes=("A patient co-chairs the meeting",), agreed=("Tell new patients about the meeting on admission",),
          answers={"q2_frequency": "weekly", "q7_chair": "rotating", "q7_chair_chosen_by": "jointly"}),
    Check(WARD, 32, 17, 3, 7, "The ward manager, a peer support worker and seven patients", 2, 7,
          changes=("New patients hear about the meeting on admission", "Patients helped choose the new chairs"),
          agreed=("Ask former patients to join the meeting once a month",), typed_after=6,
          answers={"q2_frequency": "weekly"},
          amend=(60, {"q5_attendance": 8, "q5_diversity": "yes"},
                 "The group asked us to count the two former patients who now come.")),
    Check(WARD, 38, 10, 3, 8, "A peer support worker, a nurse and eight patients", 2, 8,
          changes=("Former patients join the meeting once a month",),
          agreed=("A patient representative at the ward's business meeting",), typed_after=34,
          answers={"q2_frequency": "weekly", "q5_diversity": "yes"}),

    # --- Riverside Assertive Outreach Team: a small group in a café that people come to trust.
    Check(COMMUNITY, 1, 21, 1, 3, "The team leader, a care coordinator and three service users", 2, 3,
          agreed=("Meet every month at the same café and time",), typed_after=6,
          answers={"q2_frequency": "less_often", "q3_find_out": ["letters_or_texts", "staff_tell_them"]}),
    Check(COMMUNITY, 7, 18, 1, 4, "A care coordinator and four service users", 1, 4,
          changes=("Meetings every month at the Riverside café",), agreed=("Text people the day before",),
          answers={"q2_frequency": "monthly", "q3_find_out": ["letters_or_texts", "staff_tell_them"]}),
    Check(COMMUNITY, 13, 20, 2, 5, "The team leader, a support worker and five service users", 2, 5,
          changes=("A text reminder the day before", "Bus fares paid for the meeting"),
          agreed=("Service users suggest agenda items by text",), typed_after=15, draft_for=3),
    Check(COMMUNITY, 19, 19, 3, 6, "A care coordinator and six service users", 1, 6,
          changes=("Agenda items sent by text", "A service user co-chairs"),
          agreed=("Meet every two weeks",), views="People asked for a walk after the meeting in summer."),
    Check(COMMUNITY, 25, 22, 3, 7, "A support worker, a peer worker and seven service users", 2, 7,
          changes=("Meetings every two weeks", "A summer walking group"),
          agreed=("Involve service users in choosing the team's new peer worker",),
          amend=(25, {"q9_speaks_more": "service_users"}, "We read the notes again: service users spoke more.")),
    Check(COMMUNITY, 31, 18, 3, 8, "The team leader and eight service users", 1, 8,
          changes=("Two service users on the panel that chose the peer worker",),
          agreed=("A leaflet about the team written with service users",), typed_after=8),
    Check(COMMUNITY, 37, 24, 4, 9, "A peer worker and nine service users", 1, 9,
          changes=("A leaflet written with service users", "Service users run the first half of the meeting"),
          agreed=("Service users join the team's away day",), typed_after=19,
          answers={"q3_find_out": ["word_of_mouth", "letters_or_texts", "staff_tell_them", "newsletter"]}),
)


def _values(check: Check) -> dict:
    """The check's flat answers, checked for shape as the pages would check them."""
    values = {"held_on": None, "staff_count": check.staff, "service_user_count": check.users,
              "participant_roles": check.roles, "has_user_group": check.stage > 0,
              "agreed_changes": list(check.agreed)}
    if check.stage:
        values |= STAGES[check.stage] | {"q5_attendance": check.attendance, "q14_changes": list(check.changes),
                                         "q1_text": WHERE[check.service]}
    values |= check.answers
    return values


def _checked(values: dict) -> dict:
    loaded, problems = load_flat(values)
    if problems:
        raise EventError("A demo health check does not fit the questions.", problems)
    return loaded


class _Planned(list):
    """A check's steps, and what they made (the review, once its first step has run)."""

    made: dict


def _plan(history: History, check: Check) -> list[Step]:
    held_on = history.day(check.month, check.day)
    typed_on = held_on + timedelta(days=check.typed_after)
    service_id = history.services[check.service]
    values = _checked({**_values(check), "held_on": held_on.isoformat()})
    made = {}

    def start():
        made["review"] = commands.start_review(service_id, values, submit=check.draft_for is None)

    steps = [history.step(typed_on, start, hour=15)]
    submitted_on = typed_on
    if check.draft_for is not None:
        submitted_on = typed_on + timedelta(days=check.draft_for)
        steps.append(history.step(submitted_on, lambda: commands.submit_review(made["review"]), hour=11))
    if check.shared_after is not None:
        shared_on = held_on + timedelta(days=check.shared_after)
        sharing = _checked({"shared_on": shared_on.isoformat(),
                            "service_user_views": check.views or "Service users agreed with what we found."})
        recorded_on = max(shared_on, submitted_on)
        steps.append(history.step(recorded_on, lambda: commands.record_sharing(made["review"], sharing), hour=16))
    else:
        recorded_on = submitted_on
    if check.amend is not None:
        days, corrected, reason = check.amend
        amended_on = recorded_on + timedelta(days=days)
        steps.append(history.step(amended_on, lambda: commands.amend_review(
            made["review"], _checked(corrected), reason), hour=12))
    planned = _Planned(steps)
    planned.made = made
    return planned


# "Did it happen?" for the changes agreed at a service's check before, asked at the next one: most happen,
# some partly, the odd one not yet or not at all.
HAPPENED_IN_TURN = ("yes", "partly", "yes", "not_yet", "yes", "no")


def _follow_up(history: History, check: Check, before: Check, turn: int, made: dict) -> Step:
    """Recorded a day after the check was typed in (and submitted, if it waited as a draft)."""
    answers = {str(index): HAPPENED_IN_TURN[(turn + index) % len(HAPPENED_IN_TURN)]
               for index in range(len(before.agreed))}
    day = history.day(check.month, check.day) + timedelta(days=check.typed_after + (check.draft_for or 0) + 1)
    return history.step(day, lambda: commands.record_follow_up(made["review"], answers), hour=9)


def steps(history: History) -> list[Step]:
    found, last = [], {}
    for turn, check in enumerate(CHECKS):
        planned = _plan(history, check)
        found += planned
        before = last.get(check.service)
        if before is not None and before.agreed:
            found.append(_follow_up(history, check, before, turn, planned.made))
        last[check.service] = check
    return found
