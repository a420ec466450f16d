"""The guide's fourteen questions, in its own words, and every answer a review keeps.

Each answer has a flat key (``q2_frequency``, ``q7_text``, ``held_on``...) used
alike by the event payloads, the form's field names and the projection. The
guide's questions decide the structured answers: those that can be compared
from one review to the next are choices or numbers; every question also keeps
the group's own words. Words people write are personal (erasable); choices,
numbers and dates are not.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

INTRODUCTION = (
    "Staff and service users suggest that an important first step towards user involvement "
    "in a service is to establish a user group in your service."
)
FIRST_STEP = "Setting up a user group is the first step"
AFTERWARDS = (
    "When you have answered all these questions discuss what you think needs to change to make "
    "your user group work better. Make a space at your next user meeting to share your views "
    "with your service users and see what they think."
)

# Limits: a clear message instead of absurd or oversized input.
MAX_TEXT = 5000
MAX_ITEM = 500
MAX_ITEMS = 50
MAX_PEOPLE = 100  # taking part in the review itself
MAX_ATTENDANCE = 500  # a user group larger than this is not a number anyone means

YES_PARTLY_NO = {"yes": "Yes", "partly": "Partly", "no": "No"}
YES_NO = {"yes": "Yes", "no": "No"}
WHO_DECIDES = {"staff": "Staff", "service_users": "Service users", "jointly": "Staff and service users together"}


@dataclass(frozen=True)
class Answer:
    """One answer a review keeps, under its flat key."""

    key: str
    label: str
    kind: str  # date | number | flag | choice | choices | text | list | evidence
    choices: dict = field(default_factory=dict)
    required: bool = False  # needed to submit (for a service with a user group, if a question's part)
    minimum: int = 0
    maximum: int | None = None
    hint: str = ""
    exclusive: tuple = ()  # choices that cannot be combined with any other
    question: int | None = None

    @property
    def personal(self) -> bool:
        """Words people write are kept apart from the hashed log, so they can be erased."""
        return self.kind in ("text", "list", "evidence")

    @property
    def part(self) -> str:
        """The answer's name inside its question in the API (``frequency`` of ``q2``)."""
        return self.key.split("_", 1)[1] if self.question else self.key

    def choice_label(self, value) -> str:
        return self.choices.get(value, str(value))


@dataclass(frozen=True)
class Question:
    number: int
    wording: str  # the guide's own words
    text_label: str
    answers: tuple = ()

    @property
    def key(self) -> str:
        return f"q{self.number}"

    @property
    def text_key(self) -> str:
        return f"q{self.number}_text"


def _q(number, wording, text_label, *answers):
    bound = tuple(replace(a, key=f"q{number}_{a.key}", question=number) for a in answers)
    return Question(number, wording, text_label, bound)


QUESTIONS = (
    _q(1, "Who has the responsibility of running the group?",
       "Who runs it, in your own words",
       Answer("run_by", "Who runs the group", "choice", {
           "staff": "Staff", "service_users": "Service users",
           "jointly": "Staff and service users together",
           "external": "An external facilitator or organisation",
           "nobody": "Nobody has that responsibility"}, required=True)),
    _q(2, "How often does the group meet and who sets the time for the meetings?",
       "Anything else about when the group meets",
       Answer("frequency", "How often the group meets", "choice", {
           "weekly": "Every week", "fortnightly": "Every two weeks", "monthly": "Every month",
           "less_often": "Less often than every month", "no_regular_meetings": "No regular meetings"},
           required=True),
       Answer("time_set_by", "Who sets the time for the meetings", "choice", WHO_DECIDES, required=True)),
    _q(3, "How do service users find out when and where a meeting is taking place?",
       "Anything else about how people find out",
       Answer("find_out", "How service users find out", "choices", {
           "posters": "Posters or notices", "word_of_mouth": "Word of mouth",
           "letters_or_texts": "Letters or text messages", "staff_tell_them": "Staff tell them",
           "newsletter": "A newsletter", "other": "Another way"},
           required=True, hint="Select all that apply.")),
    _q(4, "Is it staff and/or service users who encourage people to attend the group?",
       "How people are encouraged to come",
       Answer("encouraged_by", "Who encourages people to attend", "choice", {
           "staff": "Staff", "service_users": "Service users", "both": "Both staff and service users",
           "nobody": "Nobody does"}, required=True)),
    _q(5, "How many service users attend the group?  Do they reflect the diversity of people that use the service?",
       "Who comes, and who does not",
       Answer("attendance", "How many service users usually attend", "number", required=True,
              maximum=MAX_ATTENDANCE, hint="A typical meeting. Enter a number, for example 6."),
       Answer("diversity", "Do they reflect the diversity of people that use the service?", "choice",
              YES_PARTLY_NO, required=True)),
    _q(6, "Do staff attend the group for some or all of the time?",
       "Anything else about staff at the group",
       Answer("staff_attendance", "Staff at the group", "choice", {
           "none": "Staff do not attend", "some_of_the_time": "Some of the time",
           "all_of_the_time": "All of the time"}, required=True)),
    _q(7, "Who chairs the group and how is this decided?",
       "How the chair is decided, in your own words",
       Answer("chair", "Who chairs the group", "choice", {
           "staff": "A member of staff", "service_user": "A service user",
           "rotating": "It rotates", "external_facilitator": "An external facilitator"}, required=True),
       Answer("chair_chosen_by", "Who decides who chairs", "choice", {
           **WHO_DECIDES, "not_decided": "There is no agreed way"}, required=True)),
    _q(8, "Do you have an agenda for these meetings?  Can service users as well as staff provide items "
          "for the agenda?",
       "Anything else about the agenda",
       Answer("agenda", "The agenda", "choice", {
           "none": "No agenda", "set_by_staff": "An agenda set by staff",
           "staff_and_service_users": "An agenda with items from staff and service users"}, required=True)),
    _q(9, "Do service users speak at these events more or less than staff members?",
       "Anything else about who speaks",
       Answer("speaks_more", "Who speaks more", "choice", {
           "service_users": "Service users speak more", "about_equal": "About the same",
           "staff": "Staff speak more"}, required=True)),
    _q(10, "Is your user group an enjoyable event?  Is the atmosphere one in which people feel comfortable "
           "about expressing their views?",
       "What makes it enjoyable or not",
       Answer("enjoyable", "Is it an enjoyable event?", "choice", YES_PARTLY_NO, required=True),
       Answer("comfortable", "Do people feel comfortable about expressing their views?", "choice",
              YES_PARTLY_NO, required=True)),
    _q(11, "Is there a comfort break during the meeting?",
       "Anything else about breaks",
       Answer("comfort_break", "Is there a comfort break?", "choice", YES_NO, required=True)),
    _q(12, "How are issues for further action identified in the group?",
       "How issues for further action are identified"),
    _q(13, "How do you let people know what has happened at these meetings?",
       "Anything else about letting people know",
       Answer("told_by", "How people hear what happened", "choices", {
           "minutes": "Written notes or minutes", "notice_board": "A notice board or posters",
           "newsletter": "A newsletter", "next_meeting": "At the next meeting",
           "staff_pass_on": "Staff pass it on", "not_told": "People are not told"},
           required=True, hint="Select all that apply.", exclusive=("not_told",))),
    _q(14, "What has changed in your service over the last six months as a result of ideas generated by "
           "the user group?",
       "Anything else about what changed",
       Answer("changes", "What changed", "list",
              hint="One change on each line. Leave empty if nothing changed.")),
)

QUESTION_BY_KEY = {q.key: q for q in QUESTIONS}

# Answers about the review itself, beside the questions.
GENERAL = (
    Answer("held_on", "Date the health check was held", "date", required=True,
           hint="For example, 2026-03-15"),
    Answer("staff_count", "How many staff took part", "number", required=True, maximum=MAX_PEOPLE),
    Answer("service_user_count", "How many service users took part", "number", required=True,
           maximum=MAX_PEOPLE),
    Answer("participant_roles", "Who took part: their roles", "text",
           hint="For example: ward manager, two nurses, four members of the user group. "
                "Roles rather than names."),
    Answer("has_user_group", "Does this service have a user group yet?", "flag", YES_NO, required=True),
    Answer("agreed_changes", "What needs to change", "list",
           hint="The changes you agreed, one on each line."),
    Answer("shared_on", "Date of the user meeting where you shared the review", "date",
           hint="For example, 2026-04-02"),
    Answer("service_user_views", "What service users said about it", "text"),
)

# Every question also keeps the group's own words.
TEXTS = tuple(Answer(q.text_key, q.text_label, "text", question=q.number) for q in QUESTIONS)

# ... and may carry evidence: links and short notes (core.evidence).
EVIDENCE = tuple(Answer(f"{q.key}_evidence", "Evidence: links and short notes", "evidence", question=q.number)
                 for q in QUESTIONS)
EVIDENCE_KEYS = tuple(a.key for a in EVIDENCE)

ANSWERS: dict[str, Answer] = {
    a.key: a for a in (*GENERAL, *(a for q in QUESTIONS for a in q.answers), *TEXTS, *EVIDENCE)
}
STRUCTURED = tuple(k for k, a in ANSWERS.items() if not a.personal)
PERSONAL = tuple(k for k, a in ANSWERS.items() if a.personal)
SHARING = ("shared_on", "service_user_views")

# Not typed by anyone: the number of changes listed under question 14, kept in
# the hashed log so comparisons survive the erasure of the words.
CHANGES_COUNT = "q14_count"

# Answers compared across reviews on the chart, with the short names the chart has room for.
YES_PARTLY_NO_KEYS = ("q5_diversity", "q10_enjoyable", "q10_comfortable", "q11_comfort_break")
CHART_NAMES = {"q5_diversity": "Reflects the service's diversity", "q10_enjoyable": "An enjoyable event",
               "q10_comfortable": "Comfortable to give views", "q11_comfort_break": "A comfort break"}
# Key answers shown for every service in the Trust's report.
KEY_ANSWERS = ("q2_frequency", "q5_attendance", "q7_chair", "q9_speaks_more")

# Frequencies from most to least often, so a comparison can say which way it moved.
FREQUENCY_ORDER = ("weekly", "fortnightly", "monthly", "less_often", "no_regular_meetings")


def question_of(key: str) -> Question | None:
    number = ANSWERS[key].question if key in ANSWERS else None
    return QUESTIONS[number - 1] if number else None


def required_keys(has_user_group: bool) -> list[str]:
    """What must be answered before a review is submitted."""
    general = [a.key for a in GENERAL if a.required]
    if not has_user_group:
        return general
    return general + [a.key for q in QUESTIONS for a in q.answers if a.required]


def display(key: str, value) -> str:
    """An answer as plain words."""
    answer = ANSWERS.get(key)
    if value is None or value == [] or value == "":
        return "Not answered"
    if answer is None:
        return str(value)
    if answer.kind == "flag":
        return "Yes" if value is True else "No" if value is False else str(value)
    if answer.kind == "choice":
        return answer.choice_label(value)
    if answer.kind == "choices":
        return ", ".join(answer.choice_label(v) for v in value)
    if answer.kind == "list":
        return "; ".join(value) if isinstance(value, list) else str(value)
    if answer.kind == "evidence":
        return "; ".join(" ".join(filter(None, (item.get("note"), item.get("url")))) for item in value) \
            if isinstance(value, list) else str(value)
    if answer.kind == "date":
        from core.reports import long_date

        return long_date(date.fromisoformat(value)) if isinstance(value, str) else long_date(value)
    return str(value)
