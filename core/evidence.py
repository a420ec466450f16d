"""Evidence behind an answer: links and short notes, shared by every section that asks for it.

A piece of evidence is ``{"url": ..., "note": ...}`` with at least one of the two.
Links must be http or https (never ``javascript:`` or ``data:``), so a page can
show them as links safely. Files are not taken: a Trust keeps documents in its
own store and links to them. Evidence is words people wrote, so sections keep it
in the erasable personal part of their events.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

MAX_ITEMS = 10
MAX_URL = 500
MAX_NOTE = 500

NOT_A_LINK = "Enter a link that starts with http:// or https://, like https://www.example.nhs.uk/minutes."
EMPTY_ITEM = "Give a link, a short note, or both."
TOO_MANY = f"Give {MAX_ITEMS} pieces of evidence or fewer."
NOT_A_LIST = "Send evidence as a list of objects with a url, a note or both."


class _Link(fields.String):
    default_error_messages = {"invalid": NOT_A_LINK, "too_long": f"Use {MAX_URL} characters or fewer for a link."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        if len(text) > MAX_URL:
            raise self.make_error("too_long")
        try:
            validate.URL(schemes={"http", "https"}, require_tld=False, error=NOT_A_LINK)(text)
        except ma.ValidationError:
            raise self.make_error("invalid") from None
        return text


class _Note(fields.String):
    default_error_messages = {"invalid": "Enter the note as words."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = " ".join(super()._deserialize(value, attr, data, **kwargs).split())
        if len(text) > MAX_NOTE:
            raise ma.ValidationError(f"Use {MAX_NOTE} characters or fewer for a note.")
        return text or None


class EvidenceItem(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "Evidence has only a url and a note.", "type": NOT_A_LIST}

    url = _Link(allow_none=True, metadata={"description": "A link (http or https only)"})
    note = _Note(allow_none=True, metadata={"description": f"A short note, up to {MAX_NOTE} characters"})

    @ma.post_load
    def _one_at_least(self, data, **kwargs):
        data = {"url": data.get("url"), "note": data.get("note")}
        if data["url"] is None and data["note"] is None:
            raise ma.ValidationError(EMPTY_ITEM)
        return data


def _at_most_allowed(items) -> None:
    # runs after an empty list has become None (no evidence)
    if items is not None and len(items) > MAX_ITEMS:
        raise ma.ValidationError(TOO_MANY)


class EvidenceList(fields.List):
    """A list of evidence; an empty list is no evidence (None)."""

    default_error_messages = {"invalid": NOT_A_LIST}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"description": f"Up to {MAX_ITEMS} links (http or https) and short notes"})
        super().__init__(fields.Nested(EvidenceItem), validate=_at_most_allowed, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        items = super()._deserialize(value, attr, data, **kwargs)
        return items or None


def from_form(form, prefix: str, rows: int) -> list[dict]:
    """Evidence typed in a page's rows ``<prefix>_url_<n>`` and ``<prefix>_note_<n>`` (blank rows dropped)."""
    found = []
    for n in range(rows):
        url, note = (form.get(f"{prefix}_url_{n}") or "").strip(), (form.get(f"{prefix}_note_{n}") or "").strip()
        if url or note:
            found.append({"url": url or None, "note": note or None})
    return found


def check(items) -> tuple[list | None, list[str]]:
    """Evidence from a form: (the items loaded, plain messages)."""
    try:
        return EvidenceList(allow_none=True).deserialize(items or []), []
    except ma.ValidationError as err:
        return None, flatten_messages(err.messages)


def flatten_messages(messages) -> list[str]:
    """Marshmallow's nested messages (lists, per item, per field) as plain sentences."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, list):
        return [m for item in messages for m in flatten_messages(item)]
    if isinstance(messages, dict):
        found = []
        for key, value in messages.items():
            prefix = f"Evidence {key + 1}: " if isinstance(key, int) else ""
            found += [prefix + m if not m.startswith("Evidence") else m for m in flatten_messages(value)]
        return found
    return [str(messages)]
