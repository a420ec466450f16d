"""The resources' part of reports: what a service or the Trust could draw on at a moment.

Rows are rebuilt from the log as they stood at ``as_of`` by the same
projectors that keep the live table, so a report for last March shows the
resources of last March.
"""
from __future__ import annotations

from core.events import fold
from core.models import Service
from core.reports import Fragment, render_fragment, service_as_of

from .models import Resource
from .queries import by_name
from .rules import SCOPES

NAME = "resources"
ORDER = 100  # as every section: the load order (the guide's order) decides


def _in_use(as_of) -> list[Resource]:
    return sorted((r for r in fold(Resource, as_of=as_of).values() if not r.archived), key=by_name)


def _row(resource: Resource, service_names: dict) -> dict:
    return {"id": resource.id, "name": resource.name, "scope": resource.scope, "tags": list(resource.tags or []),
            "service_ids": list(resource.service_ids or []),
            "services": [service_names.get(sid, f"Service {sid}") for sid in resource.service_ids or []],
            "website": resource.website, "phone": resource.phone, "email": resource.email,
            "source": resource.source, "package": resource.package}


def _counts(rows: list[dict]) -> dict:
    return {scope: sum(1 for row in rows if row["scope"] == scope) for scope in SCOPES}


def service_fragment(service, as_of) -> Fragment | None:
    then = service_as_of(service.id, as_of)
    if then is None:
        return None
    names = {sid: s.name for sid, s in fold(Service, as_of=as_of).items()}
    rows = [_row(r, names) for r in _in_use(as_of) if r.relevant_to(service.id)]
    data = {"service_id": service.id, "counts": _counts(rows), "resources": rows}
    html = render_fragment("resources/service_fragment.html", data=data, scopes=SCOPES, service_name=then.name)
    return Fragment(NAME, "Resources for this service", html, data, order=ORDER)


def tenant_fragment(tenant, as_of) -> Fragment:
    names = {sid: s.name for sid, s in fold(Service, as_of=as_of).items()}
    rows = [_row(r, names) for r in _in_use(as_of)]
    data = {"counts": _counts(rows), "resources": rows}
    html = render_fragment("resources/tenant_fragment.html", data=data, scopes=SCOPES)
    return Fragment(NAME, "Local and national resources", html, data, order=ORDER)
