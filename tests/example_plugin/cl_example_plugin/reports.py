"""The example's part of a report: its notes as the report's question sees them."""
from core import charts
from core.dashboard import Panel
from core.history import rows
from core.reports import Fragment
from core.trends import Trend

from . import NAME
from .models import ExampleNote


def notes_fragment(when, title: str) -> Fragment:
    notes = sorted(rows(ExampleNote, when), key=lambda note: note.id)
    data = {"notes": [{"id": note.id, "text": note.text} for note in notes]}
    return Fragment(NAME, title, "example/fragment.html", data)


def notes_changes(start, end, title: str):
    """The notes written between the two dates, as a ``core.changes.Section``."""
    from core.changes import Section, change

    before = {note.id for note in rows(ExampleNote, start)}
    added = sorted((note for note in rows(ExampleNote, end) if note.id not in before), key=lambda note: note.id)
    return Section(NAME, title, [change(f"Note written: {note.text}", "note_added", note_id=note.id)
                                 for note in added])


def notes_trend(timeline) -> Trend:
    """How many notes there were at each point: one read of the notes' history, however many points."""
    counts = [len(notes) for notes in timeline.standing(ExampleNote)]
    chart = charts.line("Example notes", f"There were {counts[-1]} notes {timeline.points[-1].at}.",
                        timeline.labels, {"Notes": counts}, x_title="End of")
    return Trend(NAME, "Example notes", [chart])


def notes_panel() -> Panel:
    notes = sorted(rows(ExampleNote), key=lambda note: note.id)
    return Panel(NAME, "Example notes", "example/fragment.html", {"notes": [{"id": n.id, "text": n.text} for n in notes]})
