"""What changed between two dates: sections from core and each enabled plugin, laid out in order.

Each plugin describes its own changes through the hooks ``service_changes`` and
``tenant_changes``, comparing its rows as ``start`` sees them with its rows as
``end`` sees them (two ``core.history.When`` with the same ``known_on``). The
core only collects the ``Section``s, in load order (the guide's order), and
checks the dates people ask for.

A change is a plain dict: ``"what"`` is a sentence a person reads; the other
keys (``kind``, ``service_id``, ``area``, ``from``, ``to``...) are the facts
behind it, JSON-able, for the API and exports.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .history import When
from .plugins import tenant_results
from .reports import DateError, parse_when


@dataclass
class Section:
    """One plugin's changes between two dates. An empty list means nothing changed there.

    Sections are shown by ``order`` (core's 0 first, every section 100), then in
    load order; a plugin may leave ``plugin`` empty and the core fills it in.
    """

    plugin: str
    title: str
    changes: list[dict] = field(default_factory=list)
    order: int = 100

    @property
    def summary(self) -> str:
        """``3 changes``, ``1 change`` or ``Nothing changed``: the line under the section's heading."""
        count = len(self.changes)
        if count == 0:
            return "Nothing changed"
        return f"{count} change{'s' if count != 1 else ''}"

    def as_json(self) -> dict:
        return {"plugin": self.plugin, "title": self.title, "changes": self.changes}


def change(what: str, kind: str, **facts) -> dict:
    """A change: its sentence, its kind and the facts behind it (dates as ISO text)."""
    from datetime import date

    return {"what": what, "kind": kind,
            **{key: value.isoformat() if isinstance(value, date) else value for key, value in facts.items()}}


@dataclass(frozen=True)
class Span:
    """The two moments compared: ``start`` and ``end`` share ``known_on``."""

    start: When
    end: When

    def query_args(self) -> dict:
        args = {"from": self.start.as_of.isoformat(), "to": self.end.as_of.isoformat()}
        if self.end.known_on is not None:
            args["known_on"] = self.end.known_on.isoformat()
        return args


def parse_span(from_text: str | None, to_text: str | None, known_on_text: str | None = None) -> Span:
    """The two dates to compare, from text; ``DateError`` (field ``from``, ``to`` or ``known_on``) when unusable.

    Both dates are needed; each must be a real day, not in the future and not
    before the Trust's record began (``core.reports.parse_when``), and ``from``
    may not come after ``to``.
    """
    whens = {}
    for name, text, label in (("from", from_text, "the first date"), ("to", to_text, "the second date")):
        if not (text or "").strip():
            raise DateError(name, f"Enter {label}, in the format YYYY-MM-DD.")
        try:
            whens[name] = parse_when(text, known_on_text)
        except DateError as err:
            raise DateError(name if err.field == "as_of" else err.field, err.message) from None
    if whens["from"].as_of > whens["to"].as_of:
        raise DateError("to", "The second date must be the same as the first date or after it.")
    return Span(whens["from"], whens["to"])


def _sections(hook_name: str, **kwargs) -> list[Section]:
    sections = []
    for plugin, result in tenant_results(hook_name, **kwargs):
        if not isinstance(result, Section):
            raise TypeError(f"plugin {plugin!r} returned {type(result).__name__} from "
                            f"{hook_name}; it must return core.changes.Section or None")
        if not result.plugin:
            result.plugin = plugin
        sections.append(result)
    return sorted(sections, key=lambda s: s.order)  # stable: equal orders keep load order


def service_changes(service, span: Span) -> list[Section]:
    """What changed for one service between the span's two dates, section by section."""
    return _sections("service_changes", service=service, start=span.start, end=span.end)


def tenant_changes(tenant, span: Span) -> list[Section]:
    """What changed across the whole Trust between the span's two dates, section by section."""
    return _sections("tenant_changes", tenant=tenant, start=span.start, end=span.end)


def in_order(changes: list[dict], services: dict) -> list[dict]:
    """Changes about many services, grouped by service name (never ranked), keeping each one's order."""
    def key(item):
        sid = item.get("service_id")
        name = services.get(sid, "")
        return (name.lower(), sid or 0)

    return sorted(changes, key=key)
