"""Finding resources for the Trust in context: lists, filters and the names around them.

A Trust has tens of resources, not thousands, so filters on the JSON lists
(services, tags) and the search run over the scoped rows in Python, the same
way for pages, the API and reports.
"""
from __future__ import annotations

from sqlalchemy import select

from core.db import db, utcnow
from core.models import Service

from .models import Resource


def by_name(resource) -> tuple:
    return resource.name.casefold(), resource.id


def resources(*, archived: bool = False) -> list[Resource]:
    rows = db.session.scalars(select(Resource).where(Resource.archived.is_(archived))).all()
    return sorted(rows, key=by_name)


def matching(rows, *, service_id: int | None = None, scope: str | None = None, tag: str | None = None,
             text: str | None = None) -> list:
    """The rows that pass every filter given (None: no filter)."""
    words = (text or "").casefold().split()

    def passes(resource) -> bool:
        if service_id is not None and not resource.relevant_to(service_id):
            return False
        if scope and resource.scope != scope:
            return False
        if tag and tag not in (resource.tags or []):
            return False
        haystack = " ".join([resource.name, resource.description, *(resource.tags or [])]).casefold()
        return all(word in haystack for word in words)

    return [r for r in rows if passes(r)]


def unchecked(rows) -> list:
    """Those nobody has checked for a year, longest unchecked first."""
    now = utcnow()
    old = [r for r in rows if r.unchecked_since(now)]
    return sorted(old, key=lambda r: (r.checked_at is not None, r.checked_at or now, by_name(r)))


def tags_in_use(rows) -> list[str]:
    return sorted({tag for resource in rows for tag in resource.tags or []})


def services() -> list[Service]:
    return db.session.scalars(select(Service).order_by(Service.name, Service.id)).all()


def services_named(words) -> tuple[list[int], list[str]]:
    """Services named by their code or their name (codes first, any case): their ids, and the unknown words."""
    found = services()
    by_code = {s.code.casefold(): s.id for s in found if s.code}
    by_name = {s.name.casefold(): s.id for s in found}
    ids, unknown = [], []
    for word in (w.strip() for w in words if isinstance(w, str) and w.strip()):
        service_id = by_code.get(word.casefold(), by_name.get(word.casefold()))
        if service_id is None:
            unknown.append(word)
        elif service_id not in ids:
            ids.append(service_id)
    return ids, unknown


def unknown_services(words: list[str]) -> str:
    return (f"There is no service called or coded {', '.join(words[:3])} in this Trust. Use a service's name "
            "or its code, separated by semicolons.")


def service_names() -> dict[int, str]:
    return {service.id: service.name for service in services()}
