"""The plugin host: one pluggy PluginManager per app, per-tenant availability and enablement.

Every installed plugin is loaded once at start-up. Which Trusts may use a
plugin (available) is the operator's choice, kept apart from whether a Trust
has switched it on (enabled): the guide's sections are available to every
Trust; any other plugin to the Trusts its package declares (a ``TRUSTS``
attribute of its module) and those the operator allows, minus those the
operator disallows. Both flags live in ``tenant_plugins``, projected from
events, and tenant-facing hook calls only reach the plugins that are both.
Built-in plugins are registered exactly like external ones.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points

import pluggy
from flask import g
from sqlalchemy import select

from . import hookspecs

ENTRY_POINT_GROUP = "changing_lives.plugins"
CORE = "core"
# The core's own hooks come first; then the guide's sections.
DEFAULT_PLUGINS = {
    CORE: "core.builtin",
    "healthcheck": "plugins.healthcheck",
    "levels": "plugins.levels",
    "indicators": "plugins.indicators",
    "resources": "plugins.resources",
}
BUILT_IN = tuple(name for name in DEFAULT_PLUGINS if name != CORE)


class PluginError(RuntimeError):
    """A plugin could not be loaded; the message names it."""


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str


class PluginHost:
    def __init__(self, extra: dict | None = None, entry_point_group: str | None = ENTRY_POINT_GROUP):
        self.pm = pluggy.PluginManager("changing_lives")
        self.pm.add_hookspecs(hookspecs)
        for name, module_name in {**DEFAULT_PLUGINS, **(extra or {})}.items():
            self._register(name, lambda m=module_name: importlib.import_module(m))
        if entry_point_group:
            for ep in entry_points(group=entry_point_group):
                self._register(ep.name, ep.load)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as err:
            raise PluginError(f"plugin {self.pm.get_name(err.plugin)!r} is invalid: {err}") from None
        self.event_types = self._collect_event_types()
        self.declared = {name: self._declared_trusts(name) for name in self.installed}
        self._subsets: dict = {}

    def _declared_trusts(self, name: str) -> frozenset[str]:
        """The Trusts (short names) a package says it was made for: its module's ``TRUSTS``."""
        trusts = getattr(self.pm.get_plugin(name), "TRUSTS", None)
        if trusts is None:
            return frozenset()
        if isinstance(trusts, str) or not all(isinstance(t, str) for t in trusts):
            raise PluginError(f"plugin {name!r} is invalid: TRUSTS must be a list of Trusts' short names")
        return frozenset(trusts)

    def available(self, name: str, slug: str, allowed: bool | None) -> bool:
        """May the Trust ``slug`` use plugin ``name``, given the operator's word (None: not given)?"""
        if name in BUILT_IN:
            return True
        if allowed is not None:
            return allowed
        return slug in self.declared.get(name, ())

    def _register(self, name: str, load) -> None:
        if self.pm.has_plugin(name):
            raise PluginError(f"plugin {name!r} is installed twice")
        try:
            plugin = load()
            extra_specs = getattr(plugin, "HOOKSPECS", None)
            if extra_specs is not None:  # a plugin may bring hooks of its own for others to implement
                self.pm.add_hookspecs(extra_specs)
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as err:
            raise PluginError(f"plugin {name!r} is invalid: {err}") from None
        except Exception as err:  # noqa: BLE001 - any import failure must name the plugin
            raise PluginError(f"plugin {name!r} failed to load: {type(err).__name__}: {err}") from None

    def _collect_event_types(self) -> dict:
        types: dict = {}
        for impl in self.pm.hook.event_types.get_hookimpls():
            for etype in impl.function() or []:
                if etype.name in types:
                    raise PluginError(f"plugin {impl.plugin_name!r} redefines event type {etype.name!r}")
                types[etype.name] = etype
        return types

    @property
    def installed(self) -> list[str]:
        """Names of the plugins a tenant can switch on or off, in load order."""
        return [name for name, _ in self.pm.list_name_plugin() if name != CORE]

    def impls(self, hook_name: str):
        """(plugin name, function) for each plugin implementing a hook."""
        return [(i.plugin_name, i.function) for i in getattr(self.pm.hook, hook_name).get_hookimpls()]

    def hooks_for(self, enabled: frozenset[str]):
        """Hook callers that reach core and the given plugins only."""
        return _Subset(self, frozenset(enabled) | {CORE})

    def plugin_description(self, name: str) -> str:
        doc = (self.pm.get_plugin(name).__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    def plugin_title(self, name: str) -> str:
        """The section's short name (the plugin's ``TITLE``, like "Health check"); else its description."""
        title = getattr(self.pm.get_plugin(name), "TITLE", None)
        return title if isinstance(title, str) and title.strip() else (self.plugin_description(name) or name).rstrip(".")


class _Subset:
    def __init__(self, host: PluginHost, keep: frozenset[str]):
        self._host, self._keep = host, keep

    def __getattr__(self, hook_name: str):
        key = (hook_name, self._keep)
        cache = self._host._subsets
        if key not in cache:
            pm = self._host.pm
            remove = [p for n, p in pm.list_name_plugin() if n not in self._keep]
            cache[key] = pm.subset_hook_caller(hook_name, remove_plugins=remove)
        return cache[key]


def host():
    from flask import current_app

    return current_app.extensions["changing_lives"]


@dataclass(frozen=True)
class PluginStates:
    available: frozenset[str]
    enabled: frozenset[str]  # switched on and available


def plugin_states() -> PluginStates:
    """Which plugins the tenant in context may use and has on, read afresh from the database."""
    from .db import db
    from .models import Tenant, TenantPlugin
    from .tenancy import current_tenant_id

    tenant = db.session.get(Tenant, current_tenant_id())
    rows = {row.plugin: row for row in db.session.scalars(select(TenantPlugin))}
    available = frozenset(
        name for name in host().installed
        if host().available(name, tenant.slug, rows[name].allowed if name in rows else None))
    enabled = frozenset(name for name, row in rows.items() if row.enabled) & available
    return PluginStates(available, enabled)


def forget_plugin_states() -> None:
    """Drop the request's cached states after a plugin is switched, allowed or disallowed."""
    g.pop("_plugin_states", None)


def _states() -> PluginStates:
    """Kept for the request, and by the worker until the Trust records anything: the sections are
    switched and allowed by events, so a new head is the only thing that can change them."""
    cached = g.get("_plugin_states")
    if cached is None:
        from .cache import kept

        cached = g._plugin_states = kept("plugin_states", (), plugin_states)
    return cached


def available_plugins() -> frozenset[str]:
    """Plugins the tenant in context may use (cached for the request)."""
    return _states().available


def enabled_plugins() -> frozenset[str]:
    """Plugins switched on for, and available to, the tenant in context (cached for the request)."""
    return _states().enabled


def tenant_hooks():
    """Hook callers for the tenant in context."""
    return host().hooks_for(enabled_plugins())


def tenant_results(hook_name: str, **kwargs) -> list[tuple[str, object]]:
    """``(plugin, answer)`` from core and the tenant's enabled plugins, in load order.

    pluggy calls the last registered plugin first; pages list navigation,
    links and report fragments in load order instead: core, the guide's
    sections in the guide's order, then installed packages. None is skipped.
    """
    keep = enabled_plugins() | {CORE}
    order = [name for name, _ in host().pm.list_name_plugin()]
    impls = [i for i in getattr(host().pm.hook, hook_name).get_hookimpls()
             if i.plugin_name in keep and not (i.hookwrapper or i.wrapper)]
    results = []
    for impl in sorted(impls, key=lambda i: order.index(i.plugin_name)):
        # an implementation may take fewer arguments than the spec names
        answer = impl.function(**{name: kwargs[name] for name in impl.argnames})
        if answer is not None:
            results.append((impl.plugin_name, answer))
    return results


def tenant_items(hook_name: str, **kwargs) -> list:
    """The lists answered by a list-returning hook, joined in load order."""
    return [item for _, items in tenant_results(hook_name, **kwargs) for item in items]
