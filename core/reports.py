"""Reports: fragments from core and each enabled plugin, assembled for one moment.

A report is a list of ``Fragment``s. Core and every plugin switched on for the
tenant may contribute one through the hooks ``service_report_fragment`` and
``tenant_report_fragment``, each answering the question a ``core.history.When``
asks (``as_of``: where things stood on a day; ``known_on``: using only what had
been recorded by a day) from the history tables, so a report for last March
shows last March.

Dates people type are days in Europe/London; the log keeps UTC.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import or_

from .events import Event
from .history import When, rows
from .models import Service
from .plugins import host, tenant_results

LONDON = ZoneInfo("Europe/London")


@dataclass
class Fragment:
    """One plugin's part of a report: the template that shows it and the facts behind it.

    The core renders ``template`` with ``data`` (and ``context``, helpers the
    template needs); a plugin never hands over markup of its own, so nothing
    it shows can be escaped into visible tags by mistake. ``data`` holds the
    facts as JSON-able values for the API and exports. Fragments are shown by
    ``order``, then in load order; core's come first (order 0). A plugin may
    leave ``plugin`` empty: the report fills in the name it was registered under.
    """

    plugin: str
    title: str
    template: str
    data: dict
    context: dict = field(default_factory=dict)
    order: int = 100


def render(fragment: Fragment, when=None) -> Markup:
    """A fragment as markup: its template rendered with its data (the template escapes what it shows).

    A fragment is a pure function of its data, so its markup is kept on it: a
    report served from ``core.cache`` is rendered once per worker, not per request.
    """
    from flask import render_template

    done = fragment.__dict__.get("_markup")
    if done is not None and done[0] == when:
        return done[1]
    markup = Markup(render_template(fragment.template, data=fragment.data, when=when, **fragment.context))
    fragment.__dict__["_markup"] = (when, markup)
    return markup


# --- days in London ------------------------------------------------------------

def london_today() -> date:
    return datetime.now(LONDON).date()


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` -> a date, or ValueError with a plain message."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValueError("Enter a real date in the format YYYY-MM-DD, like 2026-01-31.") from None


def day_starts(day: date) -> datetime:
    """The first moment of a London day, in UTC (midnight may be GMT or BST)."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(timezone.utc)


def day_ends(day: date) -> datetime:
    """The last moment (to the microsecond) of a London day, in UTC."""
    return day_starts(day + timedelta(days=1)) - timedelta(microseconds=1)


def parse_as_of(text: str) -> datetime:
    """``YYYY-MM-DD`` -> the end of that London day as an aware UTC datetime.

    Raises ValueError with a plain message for a malformed date or one in
    the future (the log cannot say what has not happened yet).
    """
    return day_ends(parse_past_day(text))


def parse_past_day(text: str, what: str = "date") -> date:
    """``YYYY-MM-DD`` -> a date no later than today (London), or ValueError with a plain message."""
    day = parse_day(text)
    if day > london_today():
        raise ValueError(f"Enter today's {what} or a {what} in the past.")
    return day


def trust_started_on() -> date | None:
    """The day the Trust in context began its record (its first event), or None."""
    from sqlalchemy import select

    from .cache import derived
    from .db import db, written_in

    def first_day():
        first = db.session.scalar(select(Event.occurred_at).order_by(Event.seq).limit(written_in(1)))
        return london_day(first) if first is not None else None

    return derived("trust_started_on", (), first_day)


def parse_when(as_of: str | None, known_on: str | None) -> When:
    """The two report dates from text (either may be empty), or ValueError naming what is wrong.

    Each must be a real day, not in the future, and not before the Trust's
    record began; the error's ``field`` attribute names the date at fault.
    """
    days = {}
    started = trust_started_on()
    for name, text, what in (("as_of", as_of, "date"), ("known_on", known_on, "date")):
        if not (text or "").strip():
            days[name] = None
            continue
        try:
            day = parse_past_day(text, what)
            if started is not None and day < started:
                raise ValueError(f"Enter a date on or after {long_date(started)}, when this Trust's "
                                 f"record begins.")
        except ValueError as err:
            raise DateError(name, str(err)) from None
        days[name] = day
    return When(**days)


class DateError(ValueError):
    """A report date that cannot be used; ``field`` names it (``as_of``, ``known_on``, ``from``, ``to``)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def long_date(day: date) -> str:
    """``10 January 2026``, the style of NHS.UK pages."""
    return f"{day.day} {day:%B %Y}"


def long_time(moment: datetime) -> str:
    """``10 January 2026 at 12:05pm``, in London time."""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{long_date(local.date())} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


# --- the log, as reports and the audit page read it ------------------------------

def about_service(service_id: int):
    """Events about one service: those naming it, and those of its own stream."""
    return or_(Event.service_id == service_id, Event.stream == f"service:{service_id}")


# Core's event types in plain words; any other type reads from its name.
EVENT_TYPE_LABELS = {
    "tenant.created": "Trust set up",
    "member.role_changed": "Member's role changed",
    "token.created": "API token created",
    "token.revoked": "API token revoked",
    "plugin.enabled": "Section switched on",
    "plugin.disabled": "Section switched off",
    "service.described": "Service details changed",
    "service.restored": "Service brought back from the archive",
}


def event_type_label(type_name: str) -> str:
    """``service.renamed`` -> ``Service renamed``: a plain name for an event type."""
    if type_name in EVENT_TYPE_LABELS:
        return EVENT_TYPE_LABELS[type_name]
    declared = host().event_types.get(type_name)
    if declared is not None and declared.label:
        return declared.label
    words = type_name.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def service_as_of(service_id: int, when: When) -> Service | None:
    """The service as ``when`` sees it, or None if it had not been added by then."""
    from .cache import derived

    def find():
        found = rows(Service, when, service_id=service_id)
        return found[0] if found else None

    return derived("service_as_of", (service_id, when), find)


# --- assembling ------------------------------------------------------------------

def _fragments(hook_name: str, **kwargs) -> list[Fragment]:
    """Call the hook on core and the tenant's enabled plugins, naming each answer."""
    fragments = []
    for plugin, result in tenant_results(hook_name, **kwargs):
        if not isinstance(result, Fragment):
            raise TypeError(f"plugin {plugin!r} returned {type(result).__name__} from "
                            f"{hook_name}; it must return core.reports.Fragment or None")
        if not result.plugin:
            result.plugin = plugin
        fragments.append(result)
    return sorted(fragments, key=lambda f: f.order)  # stable: equal orders keep load order


def service_report(service: Service, when: When) -> list[Fragment]:
    """Fragments for one service's report, as ``when`` sees it (cached until the Trust records anything)."""
    from .cache import derived

    return list(derived("service_report", (service.id, when),
                        lambda: _fragments("service_report_fragment", service=service, when=when)))


def tenant_report(tenant, when: When) -> list[Fragment]:
    """Fragments for the whole Trust's report, as ``when`` sees it (cached until the Trust records anything)."""
    from .cache import derived

    return list(derived("tenant_report", (when,),
                        lambda: _fragments("tenant_report_fragment", tenant=tenant, when=when)))
