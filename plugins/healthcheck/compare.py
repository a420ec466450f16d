"""Two reviews side by side, and what moved from the first to the second."""
from __future__ import annotations

from .history import summary
from .models import Review
from .questions import ANSWERS, CHANGES_COUNT, FREQUENCY_ORDER, QUESTIONS, display

# What is compared: the facts of each review, every structured answer, and the lists.
COMPARED = (
    "has_user_group", "staff_count", "service_user_count",
    *(a.key for q in QUESTIONS for a in q.answers if a.kind != "list"),
    CHANGES_COUNT, "q14_changes", "agreed_changes",
)
COUNT_LABEL = "How many changes came from the group's ideas"


def _label(key: str) -> str:
    return COUNT_LABEL if key == CHANGES_COUNT else ANSWERS[key].label


def _question(key: str) -> int | None:
    return 14 if key == CHANGES_COUNT else ANSWERS[key].question


def _shown(key: str, value) -> str:
    if key == CHANGES_COUNT:
        return "Not answered" if value is None else str(value)
    return display(key, value)


def _note(key: str, before, after) -> str:
    """How an answer moved, in a few words."""
    kind = "number" if key == CHANGES_COUNT else ANSWERS[key].kind
    if before is None or after is None:
        return "Answered" if before is None else "No longer answered"
    if kind == "number":
        diff = after - before
        return f"{diff:+d}"
    if key == "q2_frequency":
        earlier, later = FREQUENCY_ORDER.index(before), FREQUENCY_ORDER.index(after)
        return "Meets more often" if later < earlier else "Meets less often"
    if kind in ("choices", "list"):
        answer = ANSWERS[key]
        added = [v for v in after if v not in before]
        removed = [v for v in before if v not in after]
        words = []
        if added:
            words.append("Added: " + "; ".join(answer.choice_label(v) for v in added))
        if removed:
            words.append("Removed: " + "; ".join(answer.choice_label(v) for v in removed))
        return ". ".join(words)
    return f"{_shown(key, before)} to {_shown(key, after)}"


def compare(a: Review, b: Review) -> dict:
    """Review ``a`` beside review ``b``: every compared answer, and whether it moved from a to b."""
    items = []
    for key in COMPARED:
        before, after = a.get(key), b.get(key)
        if isinstance(before, list) and isinstance(after, list) and ANSWERS.get(key) \
                and ANSWERS[key].kind == "choices":
            moved = sorted(before) != sorted(after)
        else:
            moved = before != after
        items.append({
            "key": key, "label": _label(key), "question": _question(key),
            "a": before, "b": after, "a_text": _shown(key, before), "b_text": _shown(key, after),
            "moved": moved, "note": _note(key, before, after) if moved else "",
        })
    return {"a": summary(a), "b": summary(b), "items": items,
            "moved": [item["key"] for item in items if item["moved"]]}


def moved_items(comparison: dict) -> list[dict]:
    return [item for item in comparison["items"] if item["moved"]]


__all__ = ["compare", "moved_items", "COMPARED"]
