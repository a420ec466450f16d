"""The demo Trust's indicators rounds: one a year per service, all four steps.

The day centre's first round is the guide's own example: with an outside user
facilitator, service users evaluate the Centre and bring ten ideas for change;
at a special event both groups agree on two targets, a welcome pack and a
buddy scheme, and review them on the date they set. Later rounds, and the
ward's and outreach team's, follow the same steps with views that improve year
by year. The newest targets are still waiting for their review; one is overdue.
Answers come through invitation links, one per group, stopped once a round's
evaluation is over.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.demo_history import COMMUNITY, DAY_CENTRE, WARD, History, Step
from core.events import acting_as

from . import commands
from .indicators import KEYS

# How each indicator fares against a service's usual: the last two are the hardest to meet.
LEANING = {"valuing": 0.05, "listening": 0.0, "learning": -0.05, "engaging": -0.05, "working_with": 0.05,
           "connecting": -0.1, "involving": -0.15}

# Words people add to an answer, per indicator: how it happens, what stands in the way, what could change.
WORDS = {
    "valuing": ("Staff know my name and ask how I am.", "Sometimes I feel like a number on a list.",
                "Greet people by name and ask what matters to them."),
    "listening": ("They take time to hear what happened to me.", "Staff are busy in the office.",
                  "Staff come out of the office and join in with us."),
    "learning": ("They asked me what helped last time.", "Nobody asks what works for me.",
                 "Ask us which activities help and which do not."),
    "engaging": ("My worker helped me sort out my benefits.", "Housing and money never come up.",
                 "Have someone who knows about housing and benefits."),
    "working_with": ("My care plan has my own goals in it.", "The care plan is the staff's, not mine.",
                     "Write the care plan together, in my words."),
    "connecting": ("I was told about the advocacy service.", "I did not know about advocacy.",
                   "Put information about advocacy and advice where people see it."),
    "involving": ("I sat on an interview panel.", "Service users are not asked about new staff.",
                  "Service users help choose new staff."),
}

# The ten ideas the day centre's service users brought, each under the indicator it answered.
TEN_IDEAS = (
    ("valuing", "A welcome pack for new people that explains what the Centre can offer."),
    ("valuing", "A service user buddy to help new people through their first days."),
    ("valuing", "Staff greet people by name when they arrive."),
    ("listening", "Staff come out of the office and join in with us, like they used to."),
    ("listening", "A regular user meeting with our own agenda."),
    ("learning", "Ask us which activities help and which do not."),
    ("engaging", "Service users help choose the activities each month."),
    ("working_with", "A quiet room for people who find the lounge too busy."),
    ("connecting", "A notice board run by service users, with where to get advocacy and advice."),
    ("involving", "Service users help choose new staff."),
)
IDEAS_NOTES = (
    "With the outside user facilitator, service users brought ten ideas to make the Centre more welcoming "
    "and positively valuing of service users: "
    + " ".join(f"{number}. {idea}" for number, (_, idea) in enumerate(TEN_IDEAS, 1))
    + " Staff shared their own evaluation, and the facilitator helped everyone decide what to do first: "
      "a welcome pack and a service user buddy scheme."
)


@dataclass(frozen=True)
class Target:
    indicator: str
    change: str
    service_users_do: str
    staff_do: str
    review_after: int  # days from the meeting where it was agreed to its review date
    happened: str | None = None  # None: not reviewed (yet)
    outcomes: str = ""
    working_together: str = ""
    build_on: str = ""


@dataclass(frozen=True)
class Round:
    service: str
    month: int
    title: str
    view: float  # how well service users think the indicators are met, 0 to 1
    service_users: int
    staff: int
    setting: str
    chair: str
    chair_name: str
    notes: str
    targets: tuple[Target, ...]
    ideas: tuple[tuple[str, str], ...] = field(default=())  # service users' ideas for change, in order


ROUNDS = (
    # --- Oak Day Centre: the guide's example, then a round a year.
    Round(DAY_CENTRE, 3, "Evaluating the Centre with service users", 0.3, 7, 6, "special_event",
          "external_user_facilitator", "The Centre's outside user facilitator", IDEAS_NOTES, (
              Target("valuing", "A welcome pack for new service users which explains what the Centre can offer them.",
                     "Write the pack with staff, saying what they wish they had known on their first day.",
                     "Gather what the Centre offers, with days and times, and print the pack.", 91,
                     "yes", "Every new service user now gets the welcome pack on their first visit.",
                     "Established service users and staff exchanged information, which proved mutually "
                     "beneficial.",
                     "Everyone learnt a great deal, so it was not only new service users who gained. "
                     "Next, a page about the user meeting."),
              Target("working_with", "A service user buddy to support new service users through their first "
                                     "days at the Centre.",
                     "Volunteer as buddies and meet each new person on their first three days.",
                     "Match buddies to new service users and support the buddies.", 91,
                     "yes", "Eight service users became buddies; everyone new since then has had one.",
                     "Buddies and staff met every week and learnt a lot about the Centre from each other.",
                     "Ask the outside facilitator to train new buddies each year."),
          ), ideas=TEN_IDEAS),
    Round(DAY_CENTRE, 15, "The Centre, a year on", 0.5, 8, 6, "user_meeting", "service_user", "",
          "The user meeting compared this year's answers with last year's; welcoming people is much better.", (
              Target("involving", "Service users on the interview panel for new staff.",
                     "Two service users join each panel after a morning's training.",
                     "Add service users' questions to every interview.", 120, "yes",
                     "Service users sat on the panels for two support workers."),
              Target("listening", "Service users take turns to chair the user meeting.",
                     "Volunteer to chair, with a partner the first time.",
                     "Stay for the whole meeting and take the notes.", 120, "partly",
                     "Three service users have chaired; others are not ready yet.",
                     build_on="Pair a new chair with one who has done it."),
          )),
    Round(DAY_CENTRE, 27, "Our third evaluation", 0.62, 9, 7, "user_meeting", "service_user", "",
          "People asked for more help with money, work and rights.", (
              Target("connecting", "An advocacy and advice drop-in at the Centre once a month.",
                     "Tell others about it and give feedback after each drop-in.",
                     "Invite the local advocacy service and book the room.", 100, "yes",
                     "The drop-in has run every month, with about six people each time."),
              Target("engaging", "A work and volunteering group with the local college.",
                     "Help plan the sessions.", "Arrange the sessions with the college.", 100, "partly",
                     "Two sessions ran; the college's tutor left."),
          )),
    Round(DAY_CENTRE, 39, "Evaluating the Centre: year four", 0.72, 10, 7, "user_meeting", "service_user", "",
          "Most indicators are met now; the groups chose two ways to go further.", (
              Target("learning", "Service users and staff evaluate each new activity together after six weeks.",
                     "Run the evaluation with a member of staff.", "Change or stop activities that do not help.",
                     150),
              Target("involving", "Service users are paid for their time on interview panels.",
                     "Write down the time each panel takes.", "Agree the payment with the Trust.", 160),
          )),

    # --- Willow Ward.
    Round(WARD, 5, "The ward's first evaluation", 0.25, 5, 8, "user_meeting", "staff", "",
          "Patients said they rarely know what will be discussed at their ward round.", (
              Target("listening", "Patients can add items to the community meeting's agenda.",
                     "Put items in the box in the day room.", "Read out every item at the meeting.", 90, "yes",
                     "Every meeting now has items from patients."),
              Target("working_with", "Everyone is invited to their ward round, with time to prepare.",
                     "Write down what they want to say, with help if they want it.",
                     "Give each patient the time of their ward round the day before.", 90, "partly",
                     "Most patients are told the day before; weekend admissions are missed."),
          )),
    Round(WARD, 17, "Willow Ward, a year on", 0.38, 6, 8, "user_meeting", "staff", "",
          "Patients want to know about advocacy sooner.", (
              Target("connecting", "Information about advocacy for everyone on admission.",
                     "Check the leaflet is easy to read.", "Give the leaflet and explain it on admission.", 75,
                     "yes", "Every admission in the last two months had the leaflet."),
              Target("valuing", "Staff introduce themselves by name at the start of every shift.",
                     "Remind staff at the community meeting.", "Introduce themselves after handover.", 75, "no",
                     "The handover time changed and it was forgotten.", build_on="Try again with a board of names."),
          )),
    Round(WARD, 29, "Our third evaluation", 0.5, 7, 9, "user_meeting", "service_user", "",
          "A patient chaired the sharing of views for the first time.", (
              Target("involving", "Patients and former patients on interview panels for ward nurses.",
                     "Join the panels.", "Arrange the panels and pay former patients' expenses.", 90, "yes",
                     "A former patient sat on three panels."),
              Target("learning", "A questionnaire at discharge, read at the community meeting.",
                     "Help write the questions.", "Hand it out at discharge and collect it.", 90, "partly",
                     "About half of the people leaving filled it in."),
          )),
    Round(WARD, 37, "Willow Ward: year four", 0.6, 8, 9, "user_meeting", "service_user", "",
          "Housing and money worries came up again and again.", (
              Target("engaging", "A housing and benefits adviser on the ward every week.",
                     "Say what help they need before the adviser comes.", "Find an adviser and a room.", 90),
              Target("valuing", "Patients choose one activity on the ward each week.",
                     "Choose at the community meeting.", "Make the time for it.", 200),
          )),

    # --- Riverside Assertive Outreach Team.
    Round(COMMUNITY, 6, "Evaluating the team", 0.35, 5, 6, "special_event", "external_user_facilitator",
          "A user facilitator from the local user-led network",
          "People value their workers but do not know where to get advice.", (
              Target("listening", "Care coordinators ask at each visit what the person wants to talk about first.",
                     "Say what they want to talk about.", "Ask at the start of every visit.", 90, "yes",
                     "People say visits now start with what matters to them."),
              Target("connecting", "A list of local advocacy and advice services for everyone on the caseload.",
                     "Check the list and add places they use.", "Print the list and keep it up to date.", 90,
                     "yes", "Everyone on the caseload has had the list."),
          )),
    Round(COMMUNITY, 18, "The team, a year on", 0.48, 6, 6, "user_meeting", "service_user", "",
          "The café group wants a say in who joins the team.", (
              Target("engaging", "Help with work and volunteering from the team's peer worker.",
                     "Tell the peer worker what they would like to try.", "Give the peer worker time for it.", 120,
                     "partly", "Three people started volunteering; the post was empty for two months."),
              Target("involving", "Service users help choose the team's new peer worker.",
                     "Write questions and sit on the panel.", "Pay for their time.", 120, "yes",
                     "Two service users sat on the panel that chose the peer worker."),
          )),
    Round(COMMUNITY, 30, "Our third evaluation", 0.6, 7, 6, "special_event", "service_user", "",
          "Crisis plans were the first thing people raised.", (
              Target("working_with", "Crisis plans written with the person at home, in their words.",
                     "Say what helps in a crisis and who to call.", "Write the plan with them and leave a copy.",
                     90, "yes", "Crisis plans for twenty people were rewritten together."),
              Target("learning", "Service users tell the team's away day what helps and what does not.",
                     "Prepare what to say, with the peer worker.", "Give them the first hour of the away day.",
                     90, "yes", "Four service users spoke; the team changed how it does first visits."),
          )),
    Round(COMMUNITY, 40, "The team: year four", 0.72, 9, 7, "special_event", "service_user", "",
          "Service users want new staff to hear their side before they start visiting.", (
              Target("valuing", "Service users help train new staff about assertive outreach from their side.",
                     "Plan and give a session for each new member of staff.", "Pay for their time.", 120),
          )),
)


def _choice(rng: random.Random, view: float) -> str:
    if rng.random() < 0.04:
        return "dont_know"
    score = rng.gauss(view, 0.22)
    return "met" if score >= 0.65 else "partly_met" if score >= 0.35 else "not_met"


def answers(round_: Round, group: str, person: int) -> dict:
    """One person's answers, the same on every run: choices for each indicator and words for a few."""
    rng = random.Random(f"{round_.service}/{round_.month}/{group}/{person}")
    view = round_.view + (0.15 if group == "staff" else 0.0)
    raw = {}
    for key in KEYS:
        raw[key] = {"individual": _choice(rng, view + LEANING[key]),
                    "service": _choice(rng, view + LEANING[key] - 0.05)}
    for key in rng.sample(KEYS, 2):
        how, barriers, change = WORDS[key]
        raw[key] |= {"how": how} if raw[key]["individual"] == "met" else {"barriers": barriers, "change": change}
    if group == "service_users" and round_.ideas:
        # The guide's ten ideas, shared between the people who brought them.
        for key, idea in round_.ideas[person::round_.service_users]:
            raw[key]["change"] = idea
    return raw


def _plan(history: History, round_: Round) -> list[Step]:
    started_on = history.day(round_.month, 2)
    shared_on = history.day(round_.month + 1, 8)
    service_id = history.services[round_.service]
    made = {}

    def start():
        made["round"] = commands.start_round(service_id, round_.title)
        made["links"] = {group: commands.create_invitation(made["round"], group, label=label)[0]
                         for group, label in (("service_users", "Service users' link"), ("staff", "Staff link"))}

    def respond(group: str, person: int):
        def send():
            link = made["links"][group]
            with acting_as(f"invitation:{link.id}"):  # as the invitation page records it
                commands.send_response(made["round"], group, answers(round_, group, person), invitation=link)
        return send

    def stop_links():
        for link in made["links"].values():
            commands.revoke_invitation(link, made["round"])

    def share():
        commands.share_views(made["round"], shared_on, round_.setting, round_.chair, round_.chair_name,
                             round_.notes)

    steps = [history.step(started_on, start, by="facilitator", hour=9)]
    for group, count, hour in (("service_users", round_.service_users, 13), ("staff", round_.staff, 16)):
        steps += [history.step(started_on + timedelta(days=1 + person * 20 // count), respond(group, person),
                               by="facilitator", hour=hour, minute=person) for person in range(count)]
    steps.append(history.step(started_on + timedelta(days=24), stop_links, by="facilitator", hour=17))
    steps.append(history.step(shared_on, share, by="facilitator", hour=15))
    for number, target in enumerate(round_.targets):
        steps += _target_steps(history, made, target, shared_on, number)
    return steps


def _target_steps(history: History, made: dict, target: Target, agreed_on: date, number: int) -> list[Step]:
    review_on = agreed_on + timedelta(days=target.review_after)

    def agree():
        made[number] = commands.agree_target(made["round"], target.indicator, target.change,
                                             target.service_users_do, target.staff_do, review_on,
                                             agreed_for_service_users="The user group",
                                             agreed_for_staff="The team manager", agreed_on=agreed_on)

    steps = [history.step(agreed_on, agree, by="facilitator", hour=16, minute=number)]
    if target.happened is not None:
        steps.append(history.step(review_on, lambda: commands.review_target(
            made[number], made["round"], target.happened, target.outcomes, target.working_together,
            target.build_on), by="facilitator", hour=15, minute=number))
    return steps


def steps(history: History) -> list[Step]:
    return [step for round_ in ROUNDS for step in _plan(history, round_)]
