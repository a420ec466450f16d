"""Example notes: a tiny section showing every part of a plugin.

Each function below implements one hook from ``core.hookspecs``. ``TITLE`` is the
section's short name on a Trust's "Sections" page; the docstring's first line, shown
below it, says what the section is.
"""
from pathlib import Path

from core.hookspecs import hookimpl

NAME = "example"
TITLE = "Example notes"


@hookimpl
def event_types():
    from .events import EVENT_TYPES

    return EVENT_TYPES


@hookimpl
def migration_directory():
    return str(Path(__file__).resolve().parent / "migrations" / "versions")


@hookimpl
def plugin_enabled(tenant):
    from .events import seed_welcome_note

    seed_welcome_note(tenant)


@hookimpl
def plugin_switched(plugin, enabled):
    # Takes fewer arguments than the spec names: the Trust is in context already.
    from .events import add_note

    add_note(f"The {plugin} section was switched {'on' if enabled else 'off'}.")


@hookimpl
def page_blueprint():
    from .views import make_page_blueprint

    return make_page_blueprint()


@hookimpl
def api_blueprint():
    from .views import make_api_blueprint

    return make_api_blueprint()


@hookimpl
def short_address(code):
    # The example makes no short addresses: a code it did not make is never its to answer.
    return None


@hookimpl
def navigation(tenant, membership):
    from flask import url_for

    from core.plugins import NavItem

    return [NavItem("Example notes", url_for("example.index"))]


@hookimpl
def service_links(service):
    # Takes fewer arguments than the spec names: pluggy allows it.
    from flask import url_for

    from core.plugins import NavItem

    return [NavItem("Example notes", url_for("example.index"))]


@hookimpl
def service_report_fragment(service, when):
    from .reports import notes_fragment

    return notes_fragment(when, title=f"Example notes (seen from {service.name})")


@hookimpl
def tenant_report_fragment(tenant, when):
    from .reports import notes_fragment

    return notes_fragment(when, title="Example notes")


@hookimpl
def demo_history(history):
    from .events import add_note

    return [history.step(history.day(2, 10), lambda: add_note("The user group met in the garden"))]


@hookimpl
def service_changes(start, end):
    # The notes belong to the Trust, not to one service: the same section for every service.
    from .reports import notes_changes

    return notes_changes(start, end, title="Example notes")


@hookimpl
def tenant_changes(tenant, start, end):
    from .reports import notes_changes

    return notes_changes(start, end, title="Example notes")


@hookimpl
def tenant_trends(tenant, timeline):
    from .reports import notes_trend

    return notes_trend(timeline)


@hookimpl
def dashboard_panel(tenant, membership, since):
    from .reports import notes_panel

    return notes_panel()


@hookimpl
def reminders(tenant, today):
    # Notes have no dates, so nothing in this section is ever due (see docs/plugins.md for one that is).
    return []


@hookimpl
def next_for(tenant, membership, today):
    # Notes have no dates and nobody is asked for one, so nothing here is next for anyone
    # (see docs/plugins.md for a section that lists what is due).
    return []
