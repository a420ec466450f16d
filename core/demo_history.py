"""The demo Trust's past: years of exercises, recorded as they would have been.

Each section plans its own part of the story through the ``demo_history`` hook:
a list of ``Step``s, each a moment and a function calling the section's own
commands. The core runs every section's steps in the order of their moments,
inside ``recording_at`` so each event carries the moment it was typed in, and
as the demo account whose part it was. The log's moments therefore never go
backwards, and a section can rely on its earlier steps having run.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from .events import acting_as, recording_at
from .plugins import tenant_items
from .reports import LONDON

# The story runs for this many whole months before the current one.
MONTHS = 42
# The services' parts in the story, and the names the core gives them.
DAY_CENTRE, WARD, COMMUNITY = "day_centre", "ward", "community"


def months_before(today: date, months: int) -> date:
    """The first day of the month ``months`` months before ``today``'s month."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Step:
    """Something done in the demo Trust: ``run()`` calls a section's commands at moment ``at``."""

    at: datetime  # aware, UTC: when it was recorded
    run: Callable[[], object]
    by: str = "staff"  # the role of the demo account that did it


@dataclass
class History:
    """What a section needs to plan its part: the services and the calendar of the story."""

    start: date  # the Trust is set up on this day; the story's month 0
    services: dict[str, int] = field(default_factory=dict)  # DAY_CENTRE, WARD, COMMUNITY -> service id

    def day(self, month: int, day: int = 1) -> date:
        """The ``day`` of the story's month ``month`` (0 is the first)."""
        index = self.start.year * 12 + self.start.month - 1 + month
        return date(index // 12, index % 12 + 1, day)

    @staticmethod
    def at(on: date, hour: int = 10, minute: int = 0) -> datetime:
        """A moment on day ``on``, London time, in UTC as the log keeps it."""
        return datetime.combine(on, time(hour, minute), tzinfo=LONDON).astimezone(timezone.utc)

    def step(self, on: date, run: Callable[[], object], *, by: str = "staff", hour: int = 10,
             minute: int = 0) -> Step:
        return Step(self.at(on, hour, minute), run, by)


def planned_steps(history: History) -> list[Step]:
    """Every enabled section's steps, in the order they happened (a section's own order on ties)."""
    return sorted(tenant_items("demo_history", history=history), key=lambda step: step.at)


def run_steps(steps: Iterable[Step], actors: dict[str, str]) -> int:
    """Record each step at its moment, as its account. Returns how many ran."""
    count = 0
    for step in steps:
        with recording_at(step.at), acting_as(actors[step.by]):
            step.run()
        count += 1
    return count
