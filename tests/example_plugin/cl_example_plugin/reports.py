"""The example's part of a report: its notes as the report's question sees them."""
from core.history import rows
from core.reports import Fragment

from . import NAME
from .models import ExampleNote


def notes_fragment(when, title: str) -> Fragment:
    notes = sorted(rows(ExampleNote, when), key=lambda note: note.id)
    data = {"notes": [{"id": note.id, "text": note.text} for note in notes]}
    return Fragment(NAME, title, "example/fragment.html", data)
