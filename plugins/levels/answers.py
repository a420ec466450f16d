"""The shape of an assessment's answers: one set of fields for the pages, the API and the log.

Answers travel between layers as a flat dict keyed by flat key (``policy_aim``)
with JSON-able values (the date as an ISO string); the API nests them per area
(``areas.policy.aim``). These fields check shape only (types, levels 1 to 5,
length); the rules that need more than one answer or today's date live in
``rules``.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.api.fields import Words as SharedWords
from core.evidence import EvidenceList

from .levels import AREA_KEYS, AREAS, EVIDENCE_KEYS, GENERAL_KEYS, HIGHEST, HOW_KEYS, LEVEL_KEYS, LOWEST, \
    PART_LABELS, PARTS, PRACTICE_KEYS, TEXT_KEYS, VIEWS, flat_key, split_key

MAX_TEXT = 5000
MAX_PARTICIPANTS = 1000
MAX_HOW = 200  # "how we do it" in a line
MAX_PRACTICES = 100

NOT_PART = "This is not part of an assessment."
LEVEL_RANGE = f"Choose a level from {LOWEST} (No involvement) to {HIGHEST} (Partnership)."


class Strict(ma.Schema):
    """Refuses keys it does not know, with a plain message."""

    error_messages = {"unknown": NOT_PART, "type": "Send these answers as a JSON object."}


class LevelNumber(fields.Integer):
    """A level: a whole number 1 to 5 (no text, fractions or true/false)."""

    default_error_messages = {"invalid": f"Enter the level as a whole number from {LOWEST} to {HIGHEST}.",
                              "too_large": LEVEL_RANGE}

    def __init__(self, **kwargs):
        super().__init__(strict=True, validate=validate.Range(min=LOWEST, max=HIGHEST, error=LEVEL_RANGE),
                         **kwargs)


class Day(fields.Date):
    default_error_messages = {"invalid": "Enter a real date in the format YYYY-MM-DD, like 2026-03-15."}


class Words(SharedWords):
    """Free text of at most ``maximum`` characters; blank text is no answer."""

    default_error_messages = {"invalid": "Enter words here, not a number or a list."}

    def __init__(self, maximum: int, **kwargs):
        super().__init__(validate=validate.Length(
            max=maximum, error=f"Use {maximum:,} characters or fewer."), **kwargs)


# --- fields, one per flat key -------------------------------------------------------------

def _doc(text: str) -> dict:
    return {"metadata": {"description": text}}


def assessed_on_field(**extra):
    return Day(allow_none=True, **_doc("The day the staff team assessed the service (YYYY-MM-DD); "
                                       "not in the future"), **extra)


def aim_by_field(**extra):
    return Day(allow_none=True, **_doc("The day by which the service aims to reach the levels it aims for "
                                       "(YYYY-MM-DD); after the day of the assessment"), **extra)


def participants_field(**extra):
    return Words(MAX_PARTICIPANTS, allow_none=True,
                 **_doc("Who took part, in your own words (for example: the ward team and two members of "
                        "the user group)"), **extra)


VIEW_CHOICE = "Choose whose view this is: staff, service_users or agreed."


def view_field(**extra):
    return fields.String(validate=validate.OneOf(VIEWS, error=VIEW_CHOICE),
                         error_messages={"invalid": VIEW_CHOICE, "null": VIEW_CHOICE},
                         **_doc("Whose view the assessment is: staff (the staff team's), service_users (the "
                                "service users', through a user group, a facilitator or their own accounts) or "
                                "agreed (agreed together). Leave out for staff."), **extra)


def _few_enough(keys) -> None:
    # runs after an empty list has become None (no practices)
    if keys is not None and len(keys) > MAX_PRACTICES:
        raise ma.ValidationError("Too many practices.")


class PracticeKeys(fields.List):
    """Practice keys, each once; whether each is known is checked with the Trust's list (``rules``)."""

    default_error_messages = {"invalid": "Send the practices as a list of practice keys."}

    def __init__(self, **kwargs):
        super().__init__(fields.String(error_messages={"invalid": "Each practice is a key, like payment."}),
                         validate=_few_enough, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        keys = list(dict.fromkeys(super()._deserialize(value, attr, data, **kwargs)))
        return keys or None


class HowLines(fields.Dict):
    """Practice key -> how we do it, in a line."""

    default_error_messages = {"invalid": "Send 'how' as an object: practice key -> how you do it, in a line."}

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=Words(MAX_HOW), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        lines = {k: v for k, v in super()._deserialize(value, attr, data, **kwargs).items() if v}
        return lines or None


def part_field(area: str, part: str, **extra):
    name = dict((a.key, a.name) for a in AREAS)[area]
    if part == "practices":
        return PracticeKeys(allow_none=True, **_doc(
            f"{name}: the keys of the practices in place (GET .../levels/practices lists them)"), **extra)
    if part == "how":
        return HowLines(allow_none=True, **_doc(
            f"{name}: how you do each practice ticked, in a line ({MAX_HOW} characters or fewer)"), **extra)
    if part == "evidence":
        return EvidenceList(allow_none=True, **extra)
    if part in ("current", "aim"):
        what = "where the service is now" if part == "current" else "the level aimed for (not below the current level)"
        return LevelNumber(allow_none=True, **_doc(f"{name}: {what}, {LOWEST} to {HIGHEST}"), **extra)
    return Words(MAX_TEXT, allow_none=True, **_doc(f"{name}: {PART_LABELS[part]}"), **extra)


def flat_field(key: str, **extra):
    if key == "assessed_on":
        return assessed_on_field(**extra)
    if key == "aim_by":
        return aim_by_field(**extra)
    if key == "participants":
        return participants_field(**extra)
    if key == "view":
        return view_field(**extra)
    return part_field(*split_key(key), **extra)


# --- flat schemas: the event payloads and the pages ------------------------------------------

StructuredSet = Strict.from_dict({"assessed_on": assessed_on_field(), "aim_by": aim_by_field(), "view": view_field(),
                                  **{key: flat_field(key) for key in (*LEVEL_KEYS, *PRACTICE_KEYS)}},
                                 name="LevelsStructuredSet")
PersonalSet = Strict.from_dict({"participants": participants_field(),
                                **{key: flat_field(key) for key in (*TEXT_KEYS, *HOW_KEYS, *EVIDENCE_KEYS)}},
                               name="LevelsPersonalSet")
FlatSchema = Strict.from_dict({key: flat_field(key) for key in (
    *GENERAL_KEYS, *LEVEL_KEYS, *TEXT_KEYS, *PRACTICE_KEYS, *HOW_KEYS, *EVIDENCE_KEYS)}, name="LevelsFlatAnswers")


def load_flat(values: dict) -> tuple[dict, dict]:
    """Check flat answers' shape: (the answers that are fine, JSON-able; messages per flat key)."""
    try:
        return dump_flat(FlatSchema().load(values)), {}
    except ma.ValidationError as err:
        valid = err.valid_data if isinstance(err.valid_data, dict) else {}
        return dump_flat(valid), err.normalized_messages()


def dump_flat(values: dict) -> dict:
    """Loaded flat answers back to JSON-able values (the date as an ISO string)."""
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in values.items()}


# --- nested schemas: the API ---------------------------------------------------------------

AREA_NULL = "Send this area's answers as an object, or leave the area out."
AREAS_NOT_OBJECT = "Send the answers per area as an object with the keys individual, care_setting and policy."


class Group(fields.Nested):
    """A nested object; anything else gets one plain message on the field itself."""

    default_error_messages = {"type": AREA_NULL, "null": AREA_NULL}

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("type")
        return super()._deserialize(value, attr, data, partial=partial, **kwargs)


def _area_schema(area: str):
    return Strict.from_dict({part: part_field(area, part) for part in PARTS},
                            name=f"Levels{''.join(w.title() for w in area.split('_'))}Area")


AREA_SCHEMAS = {area: _area_schema(area) for area in AREA_KEYS}

AreasSchema = Strict.from_dict(
    {area.key: Group(AREA_SCHEMAS[area.key], **_doc(f"{area.name} — {area.description}"))
     for area in AREAS}, name="LevelsAreas")


class LevelsContentSchema(Strict):
    """An assessment's answers, nested per area. In a change, only the answers sent change; null clears one."""

    assessed_on = assessed_on_field()
    aim_by = aim_by_field()
    participants = participants_field()
    view = view_field()
    areas = Group(AreasSchema, **_doc("Per area: current (1-5), aim (1-5, not below current), "
                                      "achieved and planned (words), practices (keys), how (key -> a line) "
                                      "and evidence (links and notes)"),
                  error_messages={"type": AREAS_NOT_OBJECT, "null": AREAS_NOT_OBJECT})


def flatten(data: dict) -> dict:
    """The API's nested answers -> flat answers (only those sent)."""
    flat = {key: data[key] for key in GENERAL_KEYS if key in data}
    for area, parts in (data.get("areas") or {}).items():
        for part, value in (parts or {}).items():
            flat[flat_key(area, part)] = value
    return dump_flat(flat)


def nest(flat: dict) -> dict:
    """Flat answers (or messages) -> the API's nested shape; keys that are no answer stay as they are."""
    nested: dict = {}
    for key, value in flat.items():
        area, part = split_key(key)
        if area in AREA_KEYS and part in PARTS:
            nested.setdefault("areas", {}).setdefault(area, {})[part] = value
        else:
            nested[key] = value
    return nested
