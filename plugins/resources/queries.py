"""Finding resources for the Trust in context: lists, filters and the names around them.

A Trust has tens of resources, not thousands, so filters on the JSON lists
(services, tags) and the search run over the scoped rows in Python, the same
way for pages, the API and reports.
"""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
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


def tags_in_use(rows) -> list[str]:
    return sorted({tag for resource in rows for tag in resource.tags or []})


def services() -> list[Service]:
    return db.session.scalars(select(Service).order_by(Service.name, Service.id)).all()


def service_names() -> dict[int, str]:
    return {service.id: service.name for service in services()}
