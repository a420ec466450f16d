"""The resources' part of reports: what a service or the Trust could draw on at a moment.

Rows as a ``core.history.When`` sees them come from the history tables (kept by
the same projectors that keep the live table), so a report for last March shows
the resources of last March.
"""
from __future__ import annotations

from core.history import When, rows
from core.models import Service
from core.reports import Fragment, service_as_of

from .models import Resource
from .queries import by_name
from .rules import SCOPES

NAME = "resources"
ORDER = 100  # as every section: the load order (the guide's order) decides


def _in_use(when: When) -> list[Resource]:
    return sorted((r for r in rows(Resource, when) if not r.archived), key=by_name)


def _service_names(when: When) -> dict:
    return {s.id: s.name for s in rows(Service, when)}


def _row(resource: Resource, service_names: dict) -> dict:
    return {"id": resource.id, "name": resource.name, "scope": resource.scope, "tags": list(resource.tags or []),
            "service_ids": list(resource.service_ids or []),
            "services": [service_names.get(sid, f"Service {sid}") for sid in resource.service_ids or []],
            "website": resource.website, "phone": resource.phone, "email": resource.email,
            "source": resource.source, "package": resource.package}


def _counts(rows: list[dict]) -> dict:
    return {scope: sum(1 for row in rows if row["scope"] == scope) for scope in SCOPES}


def service_fragment(service, when: When) -> Fragment | None:
    then = service_as_of(service.id, when)
    if then is None:
        return None
    names = _service_names(when)
    found = [_row(r, names) for r in _in_use(when) if r.relevant_to(service.id)]
    data = {"service_id": service.id, "counts": _counts(found), "resources": found}
    return Fragment(NAME, "Resources for this service", "resources/service_fragment.html", data,
                    context={"scopes": SCOPES, "service_name": then.name}, order=ORDER)


def tenant_fragment(tenant, when: When) -> Fragment:
    found = [_row(r, _service_names(when)) for r in _in_use(when)]
    data = {"counts": _counts(found), "resources": found}
    return Fragment(NAME, "Local and national resources", "resources/tenant_fragment.html", data,
                    context={"scopes": SCOPES}, order=ORDER)
