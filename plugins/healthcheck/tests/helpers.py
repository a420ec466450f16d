"""Answers and small helpers the health check's tests share."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timezone
from html import unescape

import time_machine
from sqlalchemy import func, select

from core.events import Event


def complete(held_on: str = "2025-01-15", *, attendance: int = 4, frequency: str = "monthly",
             chair: str = "staff", speaks_more: str = "staff", **overrides) -> dict:
    """A full review in the API's shape: every essential answer given."""
    answers = {
        "q1": {"run_by": "staff", "text": "The ward manager runs it.\nShe books the room."},
        "q2": {"frequency": frequency, "time_set_by": "staff"},
        "q3": {"find_out": ["staff_tell_them", "posters"]},  # kept in the guide's order
        "q4": {"encouraged_by": "staff"},
        "q5": {"attendance": attendance, "diversity": "partly", "text": "Few younger people come."},
        "q6": {"staff_attendance": "all_of_the_time"},
        "q7": {"chair": chair, "chair_chosen_by": "staff"},
        "q8": {"agenda": "set_by_staff"},
        "q9": {"speaks_more": speaks_more},
        "q10": {"enjoyable": "partly", "comfortable": "no"},
        "q11": {"comfort_break": "no"},
        "q12": {"text": "Staff pick issues from the minutes."},
        "q13": {"told_by": ["minutes"]},
        "q14": {"changes": ["New chairs in the lounge"]},
    }
    for key, parts in overrides.pop("answers", {}).items():
        answers[key] = {**answers.get(key, {}), **parts}
    return {
        "held_on": held_on, "staff_count": 2, "service_user_count": 5,
        "participant_roles": "Ward manager, a nurse and five members of the user group",
        "has_user_group": True, "answers": answers,
        "agreed_changes": ["Service users take turns to chair"], **overrides,
    }


def event_count(tenant) -> int:
    with tenant.context() as session:
        return session.scalar(select(func.count(Event.id)))


@contextmanager
def at(year, month, day, hour=12):
    """Travel to a moment (UTC); the clock stands still."""
    with time_machine.travel(datetime(year, month, day, hour, tzinfo=timezone.utc), tick=False):
        yield


def text_of(response) -> str:
    """A page's visible words, spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def form_data(flat: dict, action: str = "draft", **extra) -> dict:
    """Flat answers as a browser posts the review form (line breaks as CRLF)."""
    data = {"action": action}
    for key, value in flat.items():
        if value is None:
            continue
        if key in ("held_on", "shared_on") and isinstance(value, str):  # a date: three boxes, as a browser sends it
            year, month, day = value.split("-")
            data.update({f"{key}-day": str(int(day)), f"{key}-month": str(int(month)), f"{key}-year": year})
        elif isinstance(value, bool):
            data[key] = "yes" if value else "no"
        elif isinstance(value, list) and key.endswith(("_changes", "agreed_changes")):
            data[key] = "\r\n".join(value)
        elif isinstance(value, str):
            data[key] = value.replace("\n", "\r\n")
        else:
            data[key] = value
    data.update(extra)
    return data
