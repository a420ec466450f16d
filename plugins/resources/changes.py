"""The resources' part of "what changed between two dates": resources added and retired.

A resource counts while it is in use (not archived); for a service, while it
is listed for that service or for every service, as on the report.
"""
from __future__ import annotations

from core.changes import Section, change
from core.history import When, rows

from .models import Resource
from .queries import by_name
from .rules import SCOPES

TITLE_SERVICE = "Resources for this service"
TITLE_TENANT = "Local and national resources"


def _in_use(when: When, service_id: int | None) -> dict[int, Resource]:
    return {r.id: r for r in rows(Resource, when)
            if not r.archived and (service_id is None or r.relevant_to(service_id))}


def compared(start: When, end: When, service_id: int | None = None) -> list[dict]:
    before, after = _in_use(start, service_id), _in_use(end, service_id)
    everything = {r.id: r for r in rows(Resource, end)}
    found = []
    for resource in sorted((r for rid, r in after.items() if rid not in before), key=by_name):
        scope = SCOPES.get(resource.scope, resource.scope).lower()
        found.append(change(f"Added: {resource.name} ({scope}).", "resource_added", resource_id=resource.id,
                            name=resource.name, scope=resource.scope, service_id=service_id))
    for resource in sorted((r for rid, r in before.items() if rid not in after), key=by_name):
        now = everything.get(resource.id)
        if now is not None and not now.archived:  # still in use, but no longer listed for this service
            what = f"No longer listed for this service: {resource.name}."
        else:
            what = f"Retired: {resource.name}."
        found.append(change(what, "resource_retired", resource_id=resource.id, name=resource.name,
                            scope=resource.scope, service_id=service_id))
    return found


def service_section(service, start: When, end: When) -> Section:
    return Section("resources", TITLE_SERVICE, compared(start, end, service.id))


def tenant_section(tenant, start: When, end: When) -> Section:
    return Section("resources", TITLE_TENANT, compared(start, end))
