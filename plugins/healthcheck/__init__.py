"""A health check for your user group: the guide's 14 questions, reviewed over time."""
from pathlib import Path

from core.hookspecs import hookimpl

TITLE = "Health check"  # the section's short name; the docstring's first line describes it


@hookimpl
def event_types():
    from .events import EVENT_TYPES

    return EVENT_TYPES


@hookimpl
def migration_directory():
    return str(Path(__file__).resolve().parent / "migrations" / "versions")


@hookimpl
def page_blueprint():
    from .views import bp

    return bp


@hookimpl
def api_blueprint():
    from .api import blp

    return blp


@hookimpl
def navigation(tenant, membership):
    from flask import url_for

    from core.plugins import NavItem

    return [NavItem("Health check", url_for("healthcheck.index"))]


@hookimpl
def service_links(service, membership):
    from flask import url_for

    from core.plugins import NavItem

    return [NavItem("Health check of the user group", url_for("healthcheck.service_history", service_id=service.id))]


@hookimpl
def service_report_fragment(service, when):
    from .reports import service_fragment

    return service_fragment(service, when)


@hookimpl
def tenant_report_fragment(tenant, when):
    from .reports import tenant_fragment

    return tenant_fragment(tenant, when)


@hookimpl
def demo_history(history):
    from .demo import steps

    return steps(history)


@hookimpl
def service_changes(service, start, end):
    from .changes import service_section

    return service_section(service, start, end)


@hookimpl
def tenant_changes(tenant, start, end):
    from .changes import tenant_section

    return tenant_section(tenant, start, end)


@hookimpl
def dashboard_panel(tenant, membership, since):
    from .dashboard import panel

    return panel(since)


@hookimpl
def tenant_trends(tenant, timeline):
    from .trends import trend

    return trend(timeline)


@hookimpl
def next_for(membership, today):
    from .whats_next import items

    return items(membership, today)


@hookimpl
def reminders(today):
    # not a submodule named "reminders": importing it would replace this function on the package
    from .due_dates import due

    return due(today)
