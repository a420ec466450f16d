"""The one-indicator-a-page journey, shared by invitation links and members with accounts.

Both answer the seven indicators the same way: one indicator a page ("3 of 7"),
Back and Continue, "Save and come back later" on every page, "Check your
answers", then a confirmation. What differs is where the pages are and how the
answers so far are kept (a resume code for an invitation; the member's own
saved answers for a member), so each journey hands the shared templates a
``Pages`` of its addresses and keeps its answers through its own command, which
records an event (``indicators.draft_saved``) on each Continue.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .forms import apply_errors
from .indicators import INDICATORS, KEYS, LEVELS, PLAIN_ANSWERS, TEXTS, easy_read, plain


@dataclass(frozen=True)
class Pages:
    """Where a journey's pages are: the templates build every link and form from these."""

    question: Callable[[int], str]  # the page of indicator n (1 to 7)
    check: str  # "Check your answers", which also sends them
    saved: str  # where "Save and come back later" leads from the check page
    start: str  # before the questions
    presentation: str | None = None  # large print or easy read (invitation pages)
    again: str | None = None  # "start the questions again" on the confirmation (a shared device)
    finished: str | None = None  # where to go after the confirmation (a member's round)


TOTAL = len(KEYS)


def in_range(number: int) -> bool:
    return 1 <= number <= TOTAL


def question_context(pages: Pages, number: int) -> dict:
    """What the page of indicator ``number`` shows: the plain and easy-read words, the guide's, Back."""
    key = KEYS[number - 1]
    return {"number": number, "key": key, "name": INDICATORS[key][0], "wording": INDICATORS[key][1],
            "plain": plain(key), "easy": easy_read(key), "total": TOTAL, "pages": pages,
            "back": pages.question(number - 1) if number > 1 else pages.start}


def answers_after(answers: dict | None, key: str, form) -> dict:
    """The answers so far with this page's answer put in (or taken out when left empty)."""
    found = dict(answers or {})
    answer = form.to_answer()
    if any(answer.values()):
        found[key] = answer
    else:
        found.pop(key, None)
    return found


def next_page(pages: Pages, number: int, saving: bool) -> str:
    if saving:
        return pages.saved
    return pages.question(number + 1) if number < TOTAL else pages.check


def per_question_errors(form, err, key) -> None:
    """A command's messages for this indicator's answer, on this page's fields."""
    parts = ((err.fields or {}).get("answers") or {})
    parts = parts.get(key) if isinstance(parts, dict) else None
    if isinstance(parts, dict):
        for part, messages in parts.items():
            if part in form._fields:
                form[part].errors = list(form[part].errors) + list(messages)
    if not form.errors:
        apply_errors(form, err)


def rows(answers: dict) -> list[dict]:
    """What the check page lists: per indicator, each question and its answer in plain words."""
    found = []
    for number, key in enumerate(KEYS, start=1):
        answer = answers.get(key) or {}
        found.append({"number": number, "key": key, "plain": plain(key), "name": INDICATORS[key][0],
                      "choices": {level: PLAIN_ANSWERS.get(answer.get(level)) for level in LEVELS},
                      "words": {part: answer.get(part) or "" for part in TEXTS}})
    return found
