"""The guide's schedule "What are you aiming for?": five levels of involvement and three areas.

The words are the guide's own (Transforming Services: Changing Lives, p. 11-12),
line breaks joined; nothing here is paraphrased. Every other module takes its
names, descriptions and flat keys from this one.
"""
from __future__ import annotations

from dataclasses import dataclass

TITLE = "What are you aiming for?"

INTRODUCTION = (
    "Working towards service user involvement in services means being clear about where you are "
    "starting from and what you want to achieve.",
    "The following schedule can be used by staff teams to share where they think their service is in "
    "relation to user involvement and where it might be heading. Use it to decide what level of user "
    "involvement you have and what level you would like to achieve.",
)

AREAS_INTRODUCTION = (
    "The Birmingham and Solihull Mental Health Trust’s User Involvement Strategy states that there are "
    "three areas of activity where user involvement is essential:"
)

AREAS_AFTERWARDS = (
    "In each of these areas user involvement can be developed in a variety of ways. Think about how you "
    "currently involve service users in each of these areas and then think about how you might increase "
    "this involvement in each of these areas.",
    "The grid on the next page can be used to summarise your achievements in relation to the five levels "
    "and the three areas as well as to plan further developments",
)


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    description: str

    @property
    def title(self) -> str:
        """``Level 3: Growing involvement``."""
        return f"Level {self.number}: {self.name}"


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    description: str  # the guide's words after the dash

    @property
    def sentence(self) -> str:
        """The description as a sentence of its own: ``Service users should be involved in ...``."""
        text = self.description[:1].upper() + self.description[1:]
        return text if text.endswith(".") else text + "."


LEVELS = (
    Level(1, "No involvement", (
        "The service is planned, delivered and managed and care plans are drawn up without consulting "
        "or involving service users.")),
    Level(2, "Limited involvement", (
        "User groups are given limited information concerning the service and are occasionally consulted "
        "by staff, on changes to the service. No opportunity is provided for users to become actively "
        "involved in shaping the service as a whole. Users are sometimes involved in their care and "
        "treatment plans but this is not systematic.")),
    Level(3, "Growing involvement", (
        "User groups are regularly consulted on aspects of the service e.g. decisions about activities, "
        "decoration and design of the premises that service users use. Comments are sought from service "
        "users by staff on referral and admission policies and practice. Most users are involved in "
        "meetings about their care and treatment plans. However, key decisions on service planning, staff "
        "recruitment, financial decisions, changing service delivery current management problems and "
        "organisational pressures are made in forums in which service users are not represented.")),
    Level(4, "Collaboration", (
        "Service users are fully involved and regularly contribute to a full range of service issues e.g. "
        "their care and treatment plans, staff recruitment, service planning, referral and admission "
        "policies. The service has a statement of values and aims in relation to service user involvement. "
        "Payments are made to cover the time and expenses of service users who become involved in service "
        "change outside of the regular user meetings. Opportunities are provided for service users to meet "
        "up together, and appropriate training and support is made available to them so that they gain the "
        "skills needed to collaborate with staff. Positive steps are taken to encourage service users to "
        "access job opportunities within the service and beyond.")),
    Level(5, "Partnership", (
        "Service users and staff work in partnership across all service areas. This work is underpinned "
        "by an explicit statement of partnership values and service aims. Key decisions are made jointly. "
        "Service users are involved in the evaluation of the service. An infrastructure is in place to "
        "provide induction, support and training for service users. Service users have opportunities to be "
        "recruited to work in the service. Positive steps are taken made to encourage service users to work "
        "voluntarily within the service with a view to finding employment in the service or a similar "
        "environment.")),
)

AREAS = (
    Area("individual", "Individual",
         "service users should be involved in their own care and treatment plans"),
    Area("care_setting", "Care setting",
         "service users should be involved in exchanges about how the services they are using are being "
         "planned and delivered"),
    Area("policy", "Policy",
         "service users should be involved in decision and policy making groups within the Trust."),
)

LEVEL_NUMBERS = tuple(level.number for level in LEVELS)
LOWEST, HIGHEST = LEVEL_NUMBERS[0], LEVEL_NUMBERS[-1]
BY_NUMBER = {level.number: level for level in LEVELS}
AREA_KEYS = tuple(area.key for area in AREAS)
BY_AREA = {area.key: area for area in AREAS}

# What each assessment keeps per area. Levels are numbers (hashed payload);
# what people write about their service is words (erasable).
LEVEL_PARTS = ("current", "aim")
TEXT_PARTS = ("achieved", "planned")
# What makes a level checkable: the practices ticked (keys, hashed payload), "how we do it" per
# practice ticked and evidence (links and short notes), both words and so erasable.
PRACTICE_PART = "practices"
NOTE_PARTS = ("how", "evidence")
PARTS = LEVEL_PARTS + TEXT_PARTS + (PRACTICE_PART,) + NOTE_PARTS

PART_LABELS = {
    "current": "Where is the service now?",
    "aim": "What level are you aiming for?",
    "achieved": "How do you currently involve service users?",
    "planned": "How might you increase this involvement?",
    "practices": "Which of these practices are in place?",
    "how": "How we do it, per practice ticked",
    "evidence": "Evidence: links and short notes",
}
PART_NAMES = {"current": "level now", "aim": "level aimed for", "achieved": "what has been achieved",
              "planned": "what is planned", "practices": "practices in place", "how": "how we do it",
              "evidence": "evidence"}

# Whose view an assessment is. Assessments recorded before views were asked for are the staff team's.
VIEWS = {
    "staff": "The staff team's view",
    "service_users": "Service users' view",
    "agreed": "Agreed by staff and service users together",
}
DEFAULT_VIEW = "staff"
VIEW_SHORT = {"staff": "Staff team", "service_users": "Service users", "agreed": "Agreed together"}


def flat_key(area: str, part: str) -> str:
    """``care_setting`` + ``aim`` -> ``care_setting_aim``: the name used by events, forms and columns."""
    return f"{area}_{part}"


def split_key(key: str) -> tuple[str, str]:
    area, _, part = key.rpartition("_")
    return area, part


def view_title(view: str | None) -> str:
    return VIEWS.get(view or DEFAULT_VIEW, "Not given")


LEVEL_KEYS = tuple(flat_key(a, p) for a in AREA_KEYS for p in LEVEL_PARTS)
TEXT_KEYS = tuple(flat_key(a, p) for a in AREA_KEYS for p in TEXT_PARTS)
PRACTICE_KEYS = tuple(flat_key(a, PRACTICE_PART) for a in AREA_KEYS)
HOW_KEYS = tuple(flat_key(a, "how") for a in AREA_KEYS)
EVIDENCE_KEYS = tuple(flat_key(a, "evidence") for a in AREA_KEYS)
GENERAL_KEYS = ("assessed_on", "aim_by", "participants", "view")
PERSONAL_KEYS = ("participants",) + TEXT_KEYS + HOW_KEYS + EVIDENCE_KEYS
KEYS = GENERAL_KEYS + tuple(flat_key(a, p) for a in AREA_KEYS for p in PARTS)


def label_of(key: str) -> str:
    """A plain name for a flat key, e.g. ``Policy: level aimed for``."""
    if key == "assessed_on":
        return "Date of the assessment"
    if key == "aim_by":
        return "Aiming to reach those levels by"
    if key == "participants":
        return "Who took part"
    if key == "view":
        return "Whose view"
    area, part = split_key(key)
    return f"{BY_AREA[area].name}: {PART_NAMES[part]}"


def level_title(number: int | None) -> str:
    """``Level 3: Growing involvement``, or ``Not given`` for no level."""
    level = BY_NUMBER.get(number) if isinstance(number, int) else None
    return level.title if level else "Not given"
