"""Trusts' local-resource packages: asking them, and bringing what they offer into the log.

A package is an ordinary plugin implementing ``local_resources(tenant)`` (see
``plugins.resources.hookspecs``). Its resources are not read live: a refresh
records what changed as events (added, changed, withdrawn, offered again), so
the list, reports and audit all read the one log. Only packages switched on
for the Trust are asked; a package that fails is reported and left alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from core.commands import CommandError
from core.db import db
from core.events import locked
from core.plugins import host, plugin_states

from . import hookspecs, queries, rules
from .commands import add_resource, archive_resource, current_fields, restore_resource, update_from_package
from .models import PACKAGE, Resource

PLUGIN = "resources"  # the name this section is installed under
HOOK = "local_resources"
PACKAGE_FIELDS = ("key", "name", "kind", "description", "address", "phone", "email", "website", "consent_by",
                  "consent_on", "tags", "services")
KEY_LENGTH = 100


def ensure_hookspecs(pm) -> None:
    """Teach the plugin manager the ``local_resources`` hook (once; later calls do nothing).

    pluggy accepts specs after plugins are registered and checks the
    implementations already there against them, as pytest's ``pytest_addhooks`` does.
    """
    caller = getattr(pm.hook, HOOK, None)
    if caller is None or not caller.has_spec():
        pm.add_hookspecs(hookspecs)


def origin_key(plugin: str, key: str) -> str:
    return f"{PACKAGE}:{plugin}:{key}"


@dataclass
class Offer:
    plugin: str
    key: str
    values: dict  # every field of a resource, checked by rules.clean

    @property
    def origin_key(self) -> str:
        return origin_key(self.plugin, self.key)


@dataclass
class Plan:
    """What a refresh does (or did): the work, and what could not be brought in."""

    add: list[Offer] = field(default_factory=list)
    change: list[tuple[Resource, Offer]] = field(default_factory=list)
    withdraw: list[Resource] = field(default_factory=list)
    restore: list[Resource] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return len(self.add) + len(self.change) + len(self.withdraw) + len(self.restore)

    def summary(self) -> str:
        parts = [f"{count} {what}" for count, what in (
            (len(self.add), "added"), (len(self.change), "updated"), (len(self.restore), "brought back"),
            (len(self.withdraw), "archived because their package no longer offers them")) if count]
        return ", ".join(parts)


def _switched_on() -> set[str]:
    """Plugins on for, and available to, the Trust in context (read afresh: one may have just changed)."""
    return set(plugin_states().enabled)


def is_package(plugin: str) -> bool:
    """Does the plugin offer local resources?"""
    pm = host().pm
    ensure_hookspecs(pm)
    return any(impl.plugin_name == plugin for impl in getattr(pm.hook, HOOK).get_hookimpls())


def _ask(tenant, switched_on: set[str], loud: bool, only: str | None = None
         ) -> tuple[dict[str, list], set[str], list[str]]:
    """Each switched-on package's answer; packages that failed; problems in plain words."""
    pm = host().pm
    ensure_hookspecs(pm)
    answers, failed, problems = {}, set(), []
    for impl in getattr(pm.hook, HOOK).get_hookimpls():
        plugin = impl.plugin_name
        if plugin not in switched_on or impl.hookwrapper or impl.wrapper or only not in (None, plugin):
            continue
        try:
            # pluggy lets an implementation take fewer arguments than the spec names
            answer = impl.function(**{name: tenant for name in impl.argnames if name == "tenant"})
        except Exception as err:  # noqa: BLE001 - one broken package must not stop the others
            if loud:  # the whole story once, when an admin refreshes; a line each time the list is seen
                current_app.logger.exception("local_resources failed in plugin %s", plugin)
            else:
                current_app.logger.warning("local_resources failed in plugin %s: %r", plugin, err)
            failed.add(plugin)
            problems.append(f"The {plugin} package could not be read, so its resources were left as they were.")
            continue
        if answer is None:
            answer = []
        if not isinstance(answer, (list, tuple)):
            failed.add(plugin)
            problems.append(f"The {plugin} package did not give a list of resources, so its resources "
                            "were left as they were.")
            continue
        answers[plugin] = list(answer)
    return answers, failed, problems


def _services(plugin: str, key: str, named, problems: list[str]) -> list[int] | None:
    """The services an entry names (by code or name); None, with the problem said, when any is unknown.

    An entry naming a service the Trust does not have is left out (and left as it was, if it
    came in before), rather than shown for every service.
    """
    if named is None:
        return []
    if isinstance(named, str):
        named = [named]
    if not isinstance(named, (list, tuple)) or not all(isinstance(n, str) for n in named):
        problems.append(f"The {plugin} package: {key!r} was left out. Give its services as a list of "
                        "services' names or codes.")
        return None
    ids, unknown = queries.services_named(named)
    if unknown:
        problems.append(f"The {plugin} package: {key!r} was left out. {queries.unknown_services(unknown)}")
        return None
    return ids


def _offers(plugin: str, entries: list, problems: list[str]) -> tuple[list[Offer], set[str]]:
    """Checked offers of one package, and every key it named (checked or not)."""
    offers, keys = [], set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"The {plugin} package: entry {number} is not a resource, so it was left out.")
            continue
        key = entry.get("key")
        if not isinstance(key, str) or not key.strip() or len(key.strip()) > KEY_LENGTH:
            problems.append(f"The {plugin} package: entry {number} has no key (a short name of up to "
                            f"{KEY_LENGTH} characters that never changes), so it was left out.")
            continue
        key = key.strip()
        if key in keys:
            problems.append(f"The {plugin} package names the key {key!r} twice; the first was used.")
            continue
        keys.add(key)
        unknown = sorted(set(entry) - set(PACKAGE_FIELDS))
        if unknown:
            problems.append(f"The {plugin} package: {key!r} has details a resource does not have "
                            f"({', '.join(map(str, unknown))}), so it was left out.")
            continue
        service_ids = _services(plugin, key, entry.get("services"), problems)
        if service_ids is None:
            continue
        details = {name: entry.get(name) for name in PACKAGE_FIELDS if name not in ("key", "services")}
        try:
            values = rules.clean({**details, "scope": "local", "service_ids": service_ids})
        except CommandError as err:
            said = " ".join(m for messages in err.fields.values() for m in messages)
            problems.append(f"The {plugin} package: {key!r} was left out. {said}")
            continue
        offers.append(Offer(plugin, key, values))
    return offers, keys


def plan(tenant, *, loud: bool = False, only: str | None = None) -> Plan:
    """What a refresh would record for the Trust in context, without recording it.

    ``only``: one package's entries alone (the one just switched on or off).
    """
    result = Plan()
    switched_on = _switched_on()
    if PLUGIN not in switched_on:
        return result
    answers, failed, result.problems = _ask(tenant, switched_on, loud, only)
    query = select(Resource).where(Resource.package.is_not(None))
    if only is not None:
        query = query.where(Resource.package == only)
    have = {r.origin_key: r for r in db.session.scalars(query)}
    offered_keys = set()
    for plugin, entries in answers.items():
        offers, keys = _offers(plugin, entries, result.problems)
        offered_keys |= {origin_key(plugin, key) for key in keys}
        for offer in offers:
            resource = have.get(offer.origin_key)
            if resource is None:
                result.add.append(offer)
                continue
            if resource.archived and resource.withdrawn:
                result.restore.append(resource)
            if offer.values != current_fields(resource):
                result.change.append((resource, offer))
    for key, resource in have.items():
        if resource.package in failed or key in offered_keys or resource.archived:
            continue
        result.withdraw.append(resource)
    return result


@locked()
def refresh(tenant, *, only: str | None = None) -> Plan:
    """Record what the Trust's packages offer now; returns what was done. The caller commits.

    A package switched off (or no longer available) offers nothing: its entries are
    archived as withdrawn, and brought back when it is on again.
    """
    work = plan(tenant, loud=True, only=only)
    for offer in work.add:
        add_resource(offer.values, origin_key=offer.origin_key, package=offer.plugin)
    for resource in work.restore:
        restore_resource(resource)
    for resource, offer in work.change:
        update_from_package(resource, offer.values)
    for resource in work.withdraw:
        archive_resource(resource, withdrawn=True)
    return work


def package_switched(tenant, plugin: str) -> Plan | None:
    """A package goes live the moment it is switched on, and its entries leave when it is switched off."""
    if not is_package(plugin):
        return None
    return refresh(tenant, only=plugin)
