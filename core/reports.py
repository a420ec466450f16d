"""Reports: fragments from core and each enabled plugin, assembled for one moment.

A report is a list of ``Fragment``s. Core and every plugin switched on for the
tenant may contribute one through the hooks ``service_report_fragment`` and
``tenant_report_fragment``; each builds its state "as of" the chosen moment
with ``core.events.fold``, so a report for last March shows last March.

Dates people type are days in Europe/London; the log keeps UTC. A report "as
of" a day includes everything recorded up to the end of that day in London.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import or_

from .events import Event, fold
from .models import Service
from .plugins import host, tenant_results

LONDON = ZoneInfo("Europe/London")


@dataclass
class Fragment:
    """One plugin's part of a report.

    ``html`` is rendered from the plugin's own template with
    ``render_fragment`` (a ``Markup``); a plain string is escaped on the page. ``data`` holds the same facts as
    JSON-able values for the API. Fragments are shown by ``order``, then by
    plugin name; core's come first (order 0). A plugin may leave ``plugin``
    empty: the report fills in the name it was registered under.
    """

    plugin: str
    title: str
    html: Markup | str
    data: dict
    order: int = 100


def render_fragment(template_name: str, **context) -> Markup:
    """A fragment's HTML from a template, marked safe (the template escapes what it shows).

    ``render_template`` returns a plain string, which the report page would escape.
    """
    from flask import render_template

    return Markup(render_template(template_name, **context))


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
    day = parse_day(text)
    if day > london_today():
        raise ValueError("Enter today's date or a date in the past.")
    return day_ends(day)


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


def service_as_of(service_id: int, as_of: datetime | None) -> Service | None:
    """The service as it stood at ``as_of`` (a transient object), or None if it did not exist yet."""
    return fold(Service, as_of=as_of, stream=f"service:{service_id}").get(service_id)


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


def service_report(service: Service, as_of: datetime | None) -> list[Fragment]:
    """Fragments for one service's report, as of a moment (None: now)."""
    return _fragments("service_report_fragment", service=service, as_of=as_of)


def tenant_report(tenant, as_of: datetime | None) -> list[Fragment]:
    """Fragments for the whole Trust's report, as of a moment (None: now)."""
    return _fragments("tenant_report_fragment", tenant=tenant, as_of=as_of)
