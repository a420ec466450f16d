"""The Trust dashboard: every service at a glance, one panel per section, and what moved lately.

Each enabled plugin fills its own panel through the ``dashboard_panel`` hook:
a ``Panel`` names its template and the facts it shows, and the core renders
it (as with report fragments, a plugin never hands over markup). A panel may
also list what ``Moved`` in its section since the day the reader chose; the
core gathers those into one short list that links to the full changes page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup

from .plugins import tenant_results
from .reports import DateError, long_date, london_today, parse_past_day, trust_started_on

MOVED_SHOWN = 10  # the dashboard's list stays short; the changes page has the rest


@dataclass(frozen=True)
class Moved:
    """One thing that moved since the chosen day: a plain sentence, the day, and where it comes from."""

    what: str
    day: date | None = None
    href: str | None = None


@dataclass
class Panel:
    """One plugin's part of the dashboard: its template, the facts it shows and what moved.

    The core renders ``template`` with ``data``, ``since`` and ``context``.
    Panels are shown by ``order``, then in load order (the guide's order).
    """

    plugin: str
    title: str
    template: str
    data: dict
    context: dict = field(default_factory=dict)
    order: int = 100
    moved: list[Moved] = field(default_factory=list)


def render(panel: Panel, since: date | None) -> Markup:
    from flask import render_template

    return Markup(render_template(panel.template, data=panel.data, since=since, **panel.context))


def panels(tenant, membership, since: date | None) -> list[Panel]:
    """Each enabled plugin's panel, in order."""
    found = []
    for plugin, result in tenant_results("dashboard_panel", tenant=tenant, membership=membership, since=since):
        if not isinstance(result, Panel):
            raise TypeError(f"plugin {plugin!r} returned {type(result).__name__} from dashboard_panel; "
                            f"it must return core.dashboard.Panel or None")
        if not result.plugin:
            result.plugin = plugin
        found.append(result)
    return sorted(found, key=lambda p: p.order)


def moved(found: list[Panel]) -> list[Moved]:
    """Every panel's movements, latest first (undated last)."""
    items = [item for panel in found for item in panel.moved]
    return sorted(items, key=lambda m: (m.day is not None, m.day or date.min), reverse=True)


def default_since() -> date:
    """Three months back, or the day the Trust's record began if that is later."""
    today = london_today()
    month_index = today.month - 1 - 3
    year, month = today.year + month_index // 12, month_index % 12 + 1
    back = date(year, month, min(today.day, 28))
    started = trust_started_on()
    return max(back, started) if started else back


def parse_since(text: str | None) -> date:
    """The day typed (or the default), or ``DateError`` with a plain message."""
    if not (text or "").strip():
        return default_since()
    try:
        day = parse_past_day(text)
    except ValueError as err:
        raise DateError("since", str(err)) from None
    started = trust_started_on()
    if started is not None and day < started:
        raise DateError("since", f"Enter a date on or after {long_date(started)}, when this Trust's record begins.")
    return day
