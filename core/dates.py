"""The one way people type a date on a page: day, month and year in three boxes.

``DateInputField`` is a WTForms field rendered by ``date_field`` in
core/templates/macros/forms.html with the NHS.UK date input. It reads the three
boxes (``<name>-day``, ``<name>-month``, ``<name>-year``) or, so that links and
the documented addresses keep working, the ISO date under the field's own name
(``?as_of=2026-06-01``). Its ``data`` is the ISO date (``"2026-06-01"``), ``""``
when nothing was typed, or ``None`` when what was typed is not a date: then
``problem`` says which part is wrong, in plain words, and ``wrong`` names the
boxes to mark. The API keeps its ISO strings and its own messages.
"""
from __future__ import annotations

import re
from datetime import date

from wtforms import StringField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

PARTS = ("day", "month", "year")
EXAMPLE = "15 3 2027"
PAST_EXAMPLE = "15 3 2026"

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _month(text: str) -> int | None:
    """A month as a number 1 to 12: "3", "03", "March" or "mar"; None otherwise."""
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    text = text.lower()
    for number, name in enumerate(MONTHS, start=1):
        if len(text) >= 3 and name.startswith(text):
            return number
    return None


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def parse_parts(day: str, month: str, year: str) -> tuple[date | None, str | None, tuple[str, ...]]:
    """Three boxes as typed -> (the date, None, ()) or (None, what is wrong, the wrong boxes).

    All three empty is no date and no problem: whether one is needed is the form's rule.
    """
    typed = {"day": (day or "").strip(), "month": (month or "").strip(), "year": (year or "").strip()}
    if not any(typed.values()):
        return None, None, ()
    missing = [part for part in PARTS if not typed[part]]
    if missing:
        return None, f"The date must include {_and(['a ' + part for part in missing])}", tuple(missing)
    wrong, messages = [], []
    if not typed["day"].isdigit() or not 1 <= int(typed["day"]) <= 31:
        wrong.append("day")
        messages.append("Day must be between 1 and 31")
    month_number = _month(typed["month"])
    if month_number is None:
        wrong.append("month")
        messages.append("Month must be between 1 and 12")
    if not (typed["year"].isdigit() and len(typed["year"]) == 4) or int(typed["year"]) < 1000:
        wrong.append("year")
        messages.append("Year must be 4 numbers")
    if wrong:
        return None, ". ".join(messages), tuple(wrong)
    try:
        return date(int(typed["year"]), month_number, int(typed["day"])), None, ()
    except ValueError:
        name = MONTHS[month_number - 1].capitalize()
        return None, f"{int(typed['day'])} {name} {typed['year']} is not a real date", ("day",)


def parse_iso(text: str) -> tuple[date | None, str | None, dict]:
    """An ISO date from an address (``2026-06-01``) -> (the date, None, parts) or (None, problem, parts)."""
    text = (text or "").strip()
    if not text:
        return None, None, {}
    if not _ISO.fullmatch(text):
        return None, f"Enter the date as a day, month and year, for example {EXAMPLE}", {}
    year, month, day = text.split("-")
    parts = {"day": str(int(day)), "month": str(int(month)), "year": year}
    found, problem, _ = parse_parts(parts["day"], parts["month"], parts["year"])
    return found, problem, parts


class DateInputField(StringField):
    """A date typed in three boxes (day, month, year); also reads an ISO date under its own name.

    ``check``: refuse a date that is not one when the form is validated (the
    default). Forms that keep what was typed even when it is wrong (drafts) pass
    ``check=False`` and read ``problem`` and ``parts`` themselves.
    ``example``: the date shown in the hint ("For example, 15 3 2027").
    """

    def __init__(self, label=None, validators=None, *, check: bool = True, example: str = EXAMPLE, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(label, validators, **kwargs)
        self.check = check
        self.example = example
        self.problem: str | None = None
        self.wrong: tuple[str, ...] = ()
        self.typed: dict | None = None  # the boxes as typed, when they were

    @property
    def hint(self) -> str:
        described = (self.description or "").strip()
        example = f"For example, {self.example}"
        return f"{described} {example}" if described else example

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        self.problem, self.wrong, self.typed = None, (), None
        if formdata is None:
            return
        names = {part: f"{self.name}-{part}" for part in PARTS}
        if any((formdata.get(name) or "").strip() for name in names.values()):
            self.read_parts({part: formdata.get(name) or "" for part, name in names.items()})
        elif self.name in formdata:
            found, problem, parts = parse_iso(formdata.get(self.name) or "")
            self.typed = parts or None
            self._settle(found, problem, PARTS if problem else ())

    def read_parts(self, parts: dict) -> None:
        """Take the three boxes as typed (a form's data, or a draft's value kept as typed)."""
        self.typed = {part: str(parts.get(part) or "") for part in PARTS}
        found, problem, wrong = parse_parts(self.typed["day"], self.typed["month"], self.typed["year"])
        self._settle(found, problem, wrong)

    def _settle(self, found, problem, wrong) -> None:
        self.problem, self.wrong = problem, tuple(wrong)
        self.data = None if problem else (found.isoformat() if found else "")
        self.raw_data = [self.data or ""]

    def parsed(self) -> date | None:
        return date.fromisoformat(self.data) if self.data else None

    @property
    def parts(self) -> dict:
        """What to show in the boxes: as typed, else the date's parts."""
        if self.typed is not None:
            return self.typed
        if isinstance(self.data, str) and _ISO.fullmatch(self.data):
            year, month, day = self.data.split("-")
            return {"day": str(int(day)), "month": str(int(month)), "year": year}
        return {part: "" for part in PARTS}

    @property
    def wrong_parts(self) -> tuple[str, ...]:
        """The boxes to mark: those named by the problem, else all three when the date as a whole is wrong."""
        if self.wrong:
            return self.wrong
        return PARTS if self.errors else ()

    @property
    def error_id(self) -> str:
        """Where the error summary links: the first wrong box."""
        return f"{self.id}-{(self.wrong_parts or PARTS)[0]}"

    def pre_validate(self, form):
        if self.check and self.problem:
            raise StopValidation(self.problem)

    def _value(self):
        return self.data or ""


def problems_on(form) -> bool:
    """Put each date field's problem on it as its error (for forms not validated as a whole).

    True when there was one: the caller answers 400 with the form and changes nothing.
    """
    bad = False
    for field in form:
        if isinstance(field, DateInputField) and field.problem:
            field.errors = [field.problem]
            bad = True
    return bad
