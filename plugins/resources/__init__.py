"""Local and national resources: organisations a service can draw on, including a Trust's own packages."""
from pathlib import Path

from core.hookspecs import hookimpl

TITLE = "Resources"  # the section's short name; the docstring's first line describes it

from . import hookspecs

# The specs this plugin adds to the app's plugin manager (Trusts' packages implement them).
HOOKSPECS = hookspecs


@hookimpl
def event_types():
    from .events import EVENT_TYPES

    return EVENT_TYPES


@hookimpl
def migration_directory():
    return str(Path(__file__).resolve().parent / "migrations" / "versions")


@hookimpl
def plugin_enabled(tenant):
    """Seed the guide's national organisations and bring in the Trust's packages, once each."""
    from .commands import seed_national
    from .packages import refresh

    seed_national()
    refresh(tenant)


@hookimpl
def plugin_switched(tenant, plugin):
    """A Trust's local-resource package is live when switched on: its entries come in (or leave) at once."""
    from .packages import package_switched

    package_switched(tenant, plugin)


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

    return [NavItem("Resources", url_for("resources.index"))]


@hookimpl
def service_links(service, membership):
    from flask import url_for

    from core.plugins import NavItem

    return [NavItem("Resources for this service", url_for("resources.index", service=service.id)),
            NavItem("Printable list of resources for this service", url_for("resources.printable", service=service.id))]


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
