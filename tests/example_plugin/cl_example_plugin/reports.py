"""The example's part of a report: its notes as they stood at the report's moment."""
from core.events import fold
from core.reports import Fragment, render_fragment

from . import NAME
from .models import ExampleNote


def notes_fragment(as_of, title: str) -> Fragment:
    notes = sorted(fold(ExampleNote, as_of=as_of).values(), key=lambda note: note.id)
    data = {"notes": [{"id": note.id, "text": note.text} for note in notes]}
    return Fragment(NAME, title, render_fragment("example/fragment.html", data=data), data)
