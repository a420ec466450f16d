"""The health check's part of "what changed between two dates".

For each service, the latest health check at the first date is compared with
the latest at the second: a new health check, the answers that moved (the same
comparison as the "compare two health checks" page), the changes agreed last
time that were made or are still open, new changes agreed, and the day a
health check was shared with service users.
"""
from __future__ import annotations

from datetime import date

from core.changes import Section, change, in_order
from core.history import When, rows
from core.models import Service
from core.reports import long_date

from . import history
from .compare import compare, moved_items
from .models import Review
from .questions import ANSWERS
from .reports import TITLE

TENANT_TITLE = "Health checks of user groups"
LISTS = ("agreed_changes",)  # compared change by change below, not as one answer


def _latest(reviews) -> Review | None:
    done = history.submitted(reviews)
    return done[-1] if done else None


def _held(held: list, first_words: str) -> str:
    """``The first health check was held on 10 January 2025.``, or how many and the latest when several were."""
    if len(held) <= 1:
        return f"{first_words} {long_date(held[-1].held_on)}." if held else ""
    return (f"{len(held)} health checks were held, from {long_date(held[0].held_on)}; the latest, compared "
            f"here, on {long_date(held[-1].held_on)}.")


def _since(done: list, before) -> list:
    """The rows of ``done`` (oldest first) that came after ``before`` (all of them without one)."""
    ids = [row.id for row in done]
    return done[ids.index(before.id) + 1:] if before is not None and before.id in ids else done


def _shared_on(review: Review | None, day: date) -> date | None:
    """When the review was shared with service users, if that had happened by ``day``."""
    if review is None or review.shared_on is None or review.shared_on > day:
        return None
    return review.shared_on


def _sentence(text: str) -> str:
    """Words people typed, ending as a sentence."""
    text = (text or "").strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _plain(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _answer(item: dict, sid: int) -> dict:
    kind = ANSWERS[item["key"]].kind if item["key"] in ANSWERS else "number"
    both = item["a"] is not None and item["b"] is not None
    # several choices or a list: what was added and removed says more than two long lists
    moved = item["note"] if kind in ("choices", "list") and both else f"was {item['a_text']}, now {item['b_text']}"
    label = item["label"][:1].lower() + item["label"][1:]
    where = f"Question {item['question']}, {label}" if item["question"] else item["label"]
    return change(f"{where}: {moved}.", "answer", service_id=sid, key=item["key"], question=item["question"],
                  **{"from": item["a"], "to": item["b"]})


FOLLOWED = {  # "did it happen?" as answered at the later health check -> (words, kind)
    "yes": ("Happened", "change_made"),
    "partly": ("Partly happened", "change_partly_made"),
    "no": ("Did not happen", "change_not_made"),
    "not_yet": ("Not happened yet", "change_open"),
}


def _followed_up(before: Review, after: Review, sid: int) -> list[dict] | None:
    """What the later health check said about each change agreed at ``before``, if it said."""
    items = [i for i in after.followed_up or [] if i.get("earlier_id") == before.id]
    if not items:
        return None
    found = []
    for item in items:
        words, kind = FOLLOWED.get(item.get("happened"), ("Not happened yet", "change_open"))
        found.append(change(f"{words}, as agreed at the health check of {long_date(before.held_on)}: "
                            f"{_sentence(item.get('change') or '')}", kind, service_id=sid, to=item.get("change"),
                            happened=item.get("happened")))
    return found


def _agreed_changes(before: Review, after: Review, sid: int) -> list[dict]:
    """What became of the changes agreed at ``before``, and which were agreed anew at ``after``."""
    earlier = {_plain(text) for text in before.agreed_changes or []}
    answered = _followed_up(before, after, sid)
    if answered is not None:
        return answered + [change(f"Agreed to change: {_sentence(text)}", "change_agreed", service_id=sid, to=text)
                           for text in after.agreed_changes or [] if _plain(text) not in earlier]
    made = {_plain(text) for text in after.get("q14_changes") or []}
    still_listed = {_plain(text) for text in after.agreed_changes or []}
    found = []
    for text in before.agreed_changes or []:
        if _plain(text) in made:
            found.append(change(f"Made, as agreed at the health check of {long_date(before.held_on)}: {_sentence(text)}",
                                "change_made", service_id=sid, to=text))
        elif _plain(text) in still_listed:
            found.append(change(f"Still open, agreed at the health check of {long_date(before.held_on)}: {_sentence(text)}",
                                "change_open", service_id=sid, to=text))
        else:
            found.append(change(f"No longer listed as needing to change: {_sentence(text)}", "change_dropped",
                                service_id=sid, **{"from": text}))
    for text in after.agreed_changes or []:
        if _plain(text) not in earlier:
            found.append(change(f"Agreed to change: {_sentence(text)}", "change_agreed", service_id=sid, to=text))
    return found


def compared(before_reviews, after_reviews, sid: int, start: When, end: When) -> list[dict]:
    """How one service's health checks moved from ``start`` to ``end``."""
    before, after = _latest(before_reviews), _latest(after_reviews)
    if after is None:
        return []
    found = []
    held = _since(history.submitted(after_reviews), before)
    if before is None:
        found.append(change(_held(held, "The first health check was held on"), "first_review", service_id=sid,
                            review_id=after.id, held=len(held), to=after.held_on))
        found += [change(f"Agreed to change: {_sentence(text)}", "change_agreed", service_id=sid, to=text)
                  for text in after.agreed_changes or []]
    elif before.id != after.id:
        found.append(change(f"{_held(held, 'A health check was held on')} The one before was on "
                            f"{long_date(before.held_on)}.", "review", service_id=sid, review_id=after.id,
                            held=len(held), **{"from": before.held_on, "to": after.held_on}))
        found += [_answer(item, sid) for item in moved_items(compare(before, after)) if item["key"] not in LISTS]
        found += _agreed_changes(before, after, sid)
    shared = _shared_on(after, end.day)
    if shared is not None and (before is None or before.id != after.id or _shared_on(before, start.day) is None):
        found.append(change(f"The health check of {long_date(after.held_on)} was shared with service users on "
                            f"{long_date(shared)}.", "shared", service_id=sid, review_id=after.id, to=shared))
    return found


def service_section(service, start: When, end: When) -> Section:
    return Section("healthcheck", TITLE, compared(rows(Review, start, service_id=service.id),
                                                  rows(Review, end, service_id=service.id), service.id, start, end))


def tenant_section(tenant, start: When, end: When) -> Section:
    names = {s.id: s.name for s in rows(Service, end)}
    before, after = _by_service(rows(Review, start)), _by_service(rows(Review, end))
    found = []
    for sid, name in names.items():
        for item in compared(before.get(sid, []), after.get(sid, []), sid, start, end):
            found.append({**item, "what": f"{name}: {item['what']}", "service": name})
    return Section("healthcheck", TENANT_TITLE, in_order(found, names))


def _by_service(reviews) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for review in reviews:
        grouped.setdefault(review.service_id, []).append(review)
    return grouped
