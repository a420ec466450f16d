"""Every hook a Changing Lives plugin may implement.

A plugin is a module (or object) with functions marked ``@hookimpl`` whose names
match the specs below. Implementations may take fewer arguments than the spec
names, so hooks can grow without breaking plugins. Calls that depend on a tenant
only reach the plugins switched on for that tenant. docs/plugins.md describes
each hook with an example; a test keeps the two in step.
"""
import pluggy

hookspec = pluggy.HookspecMarker("changing_lives")
hookimpl = pluggy.HookimplMarker("changing_lives")


# --- state: events and projections ------------------------------------------------

@hookspec
def event_types():
    """Return a list of ``core.events.EventType``: every event the plugin owns.

    Each declares its payload schema (marshmallow), an optional schema for the
    erasable words kept apart from the hash, the projection model it updates,
    the projector ``apply(obj, event)`` and ``describe(event, actor, service)``
    giving the plain sentence shown on the audit page.
    """


@hookspec
def migration_directory():
    """Return the path of the plugin's Alembic versions directory, or None.

    The directory holds the plugin's own branch (``branch_labels = ("<plugin>",)``);
    ``flask --app core db upgrade`` applies every installed plugin's branch.
    """


@hookspec
def plugin_enabled(tenant):
    """Called once when the plugin is switched on for ``tenant``.

    Record any seed data here with ``core.events.record``; it joins the same
    transaction as the ``plugin.enabled`` event. Not called during replay.
    """


@hookspec
def plugin_switched(tenant, plugin, enabled):
    """Called on every plugin that is on for ``tenant`` when another plugin of it goes on or off.

    ``plugin`` is the other plugin's name and ``enabled`` whether it is now on
    (switched on or off by the Trust, or allowed or disallowed by the operator).
    Record what follows with ``core.events.record``; it joins the same transaction
    as the change, under the Trust's lock. Not called during replay.
    """


# --- pages and API ----------------------------------------------------------------

@hookspec
def page_blueprint():
    """Return a Flask Blueprint of pages, mounted at ``/t/<slug>/<plugin>/``.

    Views run with the tenant in context (``g.tenant``, ``g.membership``); the
    pages answer 404 for a tenant where the plugin is switched off.
    """


@hookspec
def api_blueprint():
    """Return a flask-smorest Blueprint, mounted at ``/api/v1/t/<slug>/<plugin>/``.

    Its routes join the OpenAPI document and take Bearer tokens like core's.
    """


@hookspec
def short_address(code):
    """Return the full address that the short address ``/i/<code>`` stands for, or None.

    ``code`` is already tidied (capitals, no dashes or spaces) and well formed
    (``core.short_address``). No Trust is in context: the plugin finds its row in
    any Trust through a narrow path (``core.tenancy.found_by_hash``) and answers
    with a URL inside that Trust. Wrong guesses are throttled by core.
    """


@hookspec
def navigation(tenant, membership):
    """Return a list of ``core.plugins.NavItem`` for the tenant's main navigation.

    The answer may depend on the Trust's records and on the membership only (it is kept per
    membership until the Trust records anything)."""


@hookspec
def service_links(service, membership):
    """Return a list of ``core.plugins.NavItem`` shown on a service's page."""


# --- reports --------------------------------------------------------------------

@hookspec
def service_report_fragment(service, when):
    """Return a ``core.reports.Fragment`` for one service's report, or None.

    ``when`` is a ``core.history.When``: ``when.as_of`` (where things stood at
    the end of that day, by the day things happened) and ``when.known_on``
    (only what had been recorded by the end of that day), either None.
    ``core.history.rows(Model, when, service_id=...)`` gives the plugin's rows
    as ``when`` sees them; the core renders the fragment's template.
    """


@hookspec
def tenant_report_fragment(tenant, when):
    """Return a ``core.reports.Fragment`` for the whole Trust's report, or None."""


# --- the demo Trust ----------------------------------------------------------------

@hookspec
def demo_history(history):
    """Return a list of ``core.demo_history.Step``: this section's part of the demo Trust's past.

    ``history`` (a ``core.demo_history.History``) names the demo services by their
    part in the story and turns the story's months into days and moments. Each
    step calls the plugin's own commands; the core runs every section's steps in
    the order of their moments, recording each at its moment, so a step may use
    what the plugin's earlier steps made. Date each exercise (``held_on`` and
    the like) on or before the moment it is recorded.
    """


# --- changes between two dates -----------------------------------------------------

@hookspec
def service_changes(service, start, end):
    """Return a ``core.changes.Section`` of what changed for one service from ``start`` to ``end``, or None.

    ``start`` and ``end`` are ``core.history.When`` with the same ``known_on``;
    compare the plugin's rows as each sees them (``core.history.rows``). Each
    change is a dict with ``"what"`` (a plain sentence) and the facts behind it
    (``core.changes.change(what, kind, **facts)``). An empty list says nothing
    changed; None leaves the section out.
    """


@hookspec
def tenant_changes(tenant, start, end):
    """Return a ``core.changes.Section`` of what changed across the whole Trust from ``start`` to ``end``, or None."""


# --- change over time and the dashboard ---------------------------------------------

@hookspec
def tenant_trends(tenant, timeline):
    """Return a ``core.trends.Trend`` (or a list of them, or None) for the Trust's trends page.

    ``timeline`` is a ``core.trends.Timeline``: ``points`` (quarter ends up to
    ``end``, at most 40), ``periods`` (half-years) and ``known_on``. Read each
    model once with ``timeline.standing(Model)`` (rows as they stood on every
    point) or ``timeline.at_period_ends(Model)``, never a query per point.
    Show distributions and counts, never a ranking of services.
    """


@hookspec
def dashboard_panel(tenant, membership, since):
    """Return a ``core.dashboard.Panel`` for the Trust dashboard, or None.

    Every service at a glance for the section, each figure linking to where it
    comes from; ``since`` (a date) is the day the reader chose for "what moved",
    listed in the panel's ``moved``. The core renders the panel's template.
    """


@hookspec
def reminders(tenant, today):
    """Return a list of ``core.reminders.Reminder``: what has a date coming up or passed on ``today``.

    Give each a ``key`` naming the thing and its stage (``core.reminders.stage``:
    14 and 2 days before, then overdue), so each stage is e-mailed once. The
    core sends them to active members whose role allows ``audience`` and who
    have not switched reminders off (``flask --app core reminders send``).
    """


@hookspec
def next_for(tenant, membership, today):
    """Return a list of ``core.home.Next``: what ``membership`` can do next in this section, for their home page.

    Each item has a ``title``, a plain ``sentence``, the ``href`` of the page that does
    the work, a ``due_on`` date (or None) and a ``kind`` (``core.home.KINDS``: "overdue",
    "due", "draft", "answer", "step", "action", "shared", "setup"). Give each role only
    what it can use (``core.auth.role_can``). Read each table once, whatever the number
    of services or rows, and reuse the section's reminder dates (``core.reminders.stage``)
    so the page and the e-mails agree. Do not name a submodule ``next_for``: importing it
    would replace this function on the plugin's package.
    """
