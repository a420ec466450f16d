"""core.drafts: the parts of the draft → submitted → amended workflow that the plugins'
own tests do not reach (erased words, the amendment reason's limit, entries for unchanged answers)."""
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from core import drafts
from core.events import ERASED, EventError


class Record(SimpleNamespace):
    """A stand-in for a projection row: answers by flat key."""

    def get(self, key):
        return self.answers.get(key)

    submitted = drafts.Draft.submitted


def _event(payload, personal=None, *, erased=False):
    return SimpleNamespace(payload=payload, personal=personal or {}, erased=erased, id=41, actor="user:7",
                           occurred_at=datetime(2025, 1, 22, 9, tzinfo=timezone.utc))


def test_changed_values_reads_words_from_the_personal_part_until_they_are_erased():
    payload = {"set": {"level": 3}, "words": ["notes"], "clear": ["plan"]}
    assert drafts.changed_values(_event(payload, {"set": {"notes": "Kind words"}})) == {
        "level": 3, "notes": "Kind words", "plan": None}
    assert drafts.changed_values(_event(payload, erased=True)) == {"level": 3, "notes": ERASED, "plan": None}
    # a plugin says how erased words read where an answer is a list
    assert drafts.changed_values(_event(payload, erased=True), lambda key: [ERASED])["notes"] == [ERASED]


def test_amendment_entries_list_only_real_changes_in_the_order_given():
    record = Record(answers={"a": 1, "b": "same", "c": None})
    ev = _event({}, {"reason": "Typed the wrong level"})
    values = {"c": "new", "b": "same", "a": 2}
    entries = drafts.amendment_entries(record, values, ["a", "b", "c"], ev, lambda key: {"label": key.upper()})
    assert [(e["field"], e["label"], e["from"], e["to"]) for e in entries] == [
        ("a", "A", 1, 2), ("c", "C", None, "new")]
    assert entries[0] == {"field": "a", "label": "A", "from": 1, "to": 2, "at": "2025-01-22T09:00:00.000000Z",
                          "by": "user:7", "event_id": 41, "reason": "Typed the wrong level"}
    erased = drafts.amendment_entries(record, values, ["a"], _event({}, erased=True), lambda key: {})
    assert erased[0]["reason"] == ERASED


def test_a_reason_is_trimmed_and_a_long_one_refused_with_the_plugins_words():
    assert drafts.clean_reason("  A typing slip  ", limit=20, too_long="Too long.") == "A typing slip"
    assert drafts.clean_reason("   ", limit=20, too_long="Too long.") is None
    assert drafts.clean_reason(None, limit=20, too_long="Too long.") is None
    with pytest.raises(EventError) as refused:
        drafts.clean_reason("x" * 21, limit=20, too_long="Too long.")
    assert refused.value.fields == {"reason": ["Too long."]}


def test_status_checks_name_the_record_in_the_plugins_words():
    draft, submitted = Record(status=drafts.DRAFT), Record(status=drafts.SUBMITTED)
    drafts.ensure_editable(draft, "review")
    drafts.ensure_not_submitted(draft, "review")
    drafts.ensure_submitted(submitted, "review")
    with pytest.raises(drafts.DraftConflict, match="^This review has been submitted, so it cannot be edited"):
        drafts.ensure_editable(submitted, "review")
    with pytest.raises(drafts.DraftConflict, match="^Only a submitted review is amended"):
        drafts.ensure_submitted(draft, "review")
    assert drafts.nothing_changed("review").fields == {"changes": ["Change at least one answer."]}
