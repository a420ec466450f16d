"""Checking answers: one set of rules for the pages, the API and the event log.

Every answer's marshmallow field is built here from its description in
``questions``, so the form, the API's schemas (and so the OpenAPI document)
and the events' payload schemas accept exactly the same values with the same
messages. Answers travel between layers as a flat dict keyed by flat key with
JSON-able values (dates as ISO strings); the API nests them per question.

Shape is checked always, even in a draft (unknown keys, answers outside their
choices, absurd numbers, future dates); completeness only on submission.
"""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from core.api.fields import Words
from core.db import utcnow
from core.evidence import EvidenceList, flatten_messages

from .questions import (
    ANSWERS, CHANGES_COUNT, MAX_ITEM, MAX_ITEMS, MAX_TEXT, PERSONAL, QUESTIONS, STRUCTURED,
    required_keys,
)

UNKNOWN_QUESTION = "There is no such question. The questions are q1 to q14."
UNKNOWN_PART = "This question has no such answer."
UNKNOWN_FIELD = "This is not part of a health check."


class WholeNumber(fields.Integer):
    """A whole number (marshmallow refuses true/false and fractions here)."""

    default_error_messages = {"invalid": "Enter a whole number, like 6.",
                              "too_large": "Enter a smaller number."}


class Day(fields.Date):
    default_error_messages = {"invalid": "Enter a real date in the format YYYY-MM-DD, like 2026-03-15."}


def _lcfirst(text: str) -> str:
    return text[:1].lower() + text[1:]


def _no_combination(answer):
    def check(values):
        if values and len(values) > 1 and any(v in answer.exclusive for v in values):
            names = " or ".join(f"'{answer.choice_label(v)}'" for v in answer.exclusive)
            raise ma.ValidationError(f"You cannot choose {names} together with another answer.")
    return check


def _no_repeats(values):
    if values and len(set(values)) != len(values):
        raise ma.ValidationError("Choose each answer once.")


def answer_field(answer, **extra) -> fields.Field:
    """The marshmallow field for one answer. ``None`` clears an answer."""
    doc = {"description": answer.label + (f". {answer.hint}" if answer.hint else "")}
    common = {"allow_none": True, "metadata": doc, **extra}
    if answer.kind == "date":
        return Day(**common)
    if answer.kind == "number":
        upper = answer.maximum
        return WholeNumber(validate=validate.Range(
            min=answer.minimum, max=upper,
            error=f"Enter a number from {answer.minimum} to {upper}."), **common)
    if answer.kind == "flag":
        return fields.Boolean(error_messages={"invalid": "Choose yes or no."}, **common)
    one_of = validate.OneOf(list(answer.choices), error="Must be one of: {choices}.")
    if answer.kind == "choice":
        return fields.String(validate=one_of, **common)
    if answer.kind == "choices":
        return fields.List(fields.String(validate=one_of),
                           validate=[_no_repeats, _no_combination(answer)], **common)
    if answer.kind == "text":
        return Words(validate=validate.Length(max=MAX_TEXT, error=f"Use {MAX_TEXT} characters or fewer."),
                     **common)
    if answer.kind == "list":
        item = Words(validate=validate.Length(max=MAX_ITEM, error=f"Use {MAX_ITEM} characters or fewer "
                                                                  "for each item."))
        return fields.List(item, validate=validate.Length(
            max=MAX_ITEMS, error=f"List {MAX_ITEMS} items or fewer."), **common)
    if answer.kind == "evidence":
        return EvidenceList(**common)
    raise ValueError(answer.kind)


def changes_count_field(**extra) -> fields.Field:
    return WholeNumber(validate=validate.Range(min=0, max=MAX_ITEMS), allow_none=True, **extra)


# --- flat answers: the form and the event log -------------------------------------------------

class _Strict(ma.Schema):
    error_messages = {"unknown": UNKNOWN_FIELD}


def flat_schema(keys) -> type[ma.Schema]:
    """A schema of the given flat keys."""
    return _Strict.from_dict({key: answer_field(ANSWERS[key]) for key in keys})


FlatAnswers = flat_schema(ANSWERS)
StructuredSet = _Strict.from_dict({**{k: answer_field(ANSWERS[k]) for k in STRUCTURED},
                                   CHANGES_COUNT: changes_count_field()})
PersonalSet = flat_schema(PERSONAL)


def load_flat(data: dict) -> tuple[dict, dict]:
    """Check flat answers. Returns (clean values, {flat key: [messages]})."""
    try:
        loaded = FlatAnswers().load(data)
    except ma.ValidationError as err:
        return {}, _flat_messages(err.normalized_messages())
    return jsonable(loaded), {}


def _flat_messages(messages: dict) -> dict:
    """marshmallow's messages, one list of plain strings per flat key."""
    flat = {}
    for key, value in messages.items():
        if key in ANSWERS and ANSWERS[key].kind == "evidence":
            flat[key] = flatten_messages(value)
        elif isinstance(value, dict):  # a list's item errors: {index: [messages]}
            flat[key] = sorted({m for msgs in value.values() for m in msgs})
        else:
            flat[key] = list(value)
    return flat


def jsonable(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


# --- nested answers: the API -------------------------------------------------------------------

def _question_schema(question) -> type[ma.Schema]:
    parts = {a.part: answer_field(a) for a in question.answers}
    parts["text"] = answer_field(ANSWERS[question.text_key])
    parts["evidence"] = answer_field(ANSWERS[f"{question.key}_evidence"])
    if question.number == 14:
        parts["count"] = changes_count_field(
            dump_only=True, metadata={"description": "How many changes are listed (kept when words are erased)"})
    attrs = {"error_messages": {"unknown": UNKNOWN_PART}, **parts,
             "Meta": type("Meta", (), {"ordered": True})}
    return type(f"HealthCheckQuestion{question.number}Answers", (ma.Schema,), attrs)


QUESTION_SCHEMAS = {q.key: _question_schema(q) for q in QUESTIONS}

HealthCheckAnswersSchema = type("HealthCheckAnswersSchema", (ma.Schema,), {
    "error_messages": {"unknown": UNKNOWN_QUESTION},
    **{key: fields.Nested(schema, metadata={"description": f"{q.number}. {q.wording}"})
       for (key, schema), q in zip(QUESTION_SCHEMAS.items(), QUESTIONS)},
})


class HealthCheckContentSchema(ma.Schema):
    """A review's answers: about the review, the 14 questions, what needs to change and the sharing step.

    Every answer may be left out (a draft) or null (clears it)."""

    error_messages = {"unknown": UNKNOWN_FIELD}

    held_on = answer_field(ANSWERS["held_on"])
    staff_count = answer_field(ANSWERS["staff_count"])
    service_user_count = answer_field(ANSWERS["service_user_count"])
    participant_roles = answer_field(ANSWERS["participant_roles"])
    has_user_group = answer_field(ANSWERS["has_user_group"])
    answers = fields.Nested(HealthCheckAnswersSchema, metadata={
        "description": "Answers to the guide's questions, keyed q1 to q14; each has 'text' (your own words) "
                       "and, where it can be compared over time, structured answers."})
    agreed_changes = answer_field(ANSWERS["agreed_changes"])
    shared_on = answer_field(ANSWERS["shared_on"])
    service_user_views = answer_field(ANSWERS["service_user_views"])


def flatten(content: dict) -> dict:
    """Loaded API content -> flat answers (JSON-able)."""
    flat = {k: v for k, v in content.items() if k != "answers"}
    for qkey, parts in (content.get("answers") or {}).items():
        for part, value in (parts or {}).items():
            flat[f"{qkey}_{part}"] = value
    return jsonable(flat)


def nest(flat: dict) -> dict:
    """Flat answers (or messages) -> the API's shape, per question."""
    out: dict = {}
    for key, value in flat.items():
        answer = ANSWERS.get(key)
        number = answer.question if answer else (14 if key == CHANGES_COUNT else None)
        if number is None:
            out[key] = value
        else:
            part = key.split("_", 1)[1]
            out.setdefault("answers", {}).setdefault(f"q{number}", {})[part] = value
    return out


# --- rules beyond shape ------------------------------------------------------------------------

def today() -> date:
    from core.reports import london_day

    return london_day(utcnow())


def date_problems(state: dict, changed: dict) -> dict:
    """Dates of meetings already held are not in the future, and sharing follows the review."""
    problems = {}
    now = today()
    held_on = _day(state.get("held_on"))
    shared_on = _day(state.get("shared_on"))
    if "held_on" in changed and held_on and held_on > now:
        problems["held_on"] = ["The date the health check was held must be today or in the past."]
    if "shared_on" in changed and shared_on and shared_on > now:
        problems["shared_on"] = ["The date of the user meeting must be today or in the past."]
    if ({"held_on", "shared_on"} & set(changed)) and held_on and shared_on and shared_on < held_on:
        problems.setdefault("shared_on", []).append(
            "The user meeting where you shared the review must be on or after the day of the health check.")
    return problems


def missing(state: dict) -> dict:
    """What must still be answered before submitting, as a message per flat key."""
    problems = {key: [missing_message(key)] for key in required_keys(bool(state.get("has_user_group")))
                if state.get(key) in (None, [], "")}
    if state.get("staff_count") == 0 and state.get("service_user_count") == 0:
        problems["staff_count"] = ["At least one person must have taken part in the health check."]
    return problems


def missing_message(key: str) -> str:
    answer = ANSWERS[key]
    if key == "has_user_group":
        return "Choose whether this service has a user group yet."
    if answer.label.endswith("?"):
        return f"Choose an answer: {answer.label}"
    if answer.kind == "date":
        return f"Enter the {_lcfirst(answer.label)}."
    if answer.kind == "number":
        return f"Enter {_lcfirst(answer.label)}."
    if answer.kind == "choices":
        return f"Choose at least one answer: {_lcfirst(answer.label)}."
    return f"Choose {_lcfirst(answer.label)}."


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


__all__ = ["HealthCheckContentSchema", "HealthCheckAnswersSchema", "FlatAnswers", "StructuredSet", "PersonalSet",
           "load_flat", "flatten", "nest", "date_problems", "missing", "today", "jsonable"]
