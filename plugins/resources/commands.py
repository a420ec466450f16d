"""What people (and the section itself) do to resources, each as one event.

Pages, the API and the seeding on switch-on all call these. Each raises
``CommandError`` with plain words and records nothing on bad input; the caller
commits. Each runs under the Trust's lock (``core.events.locked``), so "already
archived" and version checks see the current state.
"""
from __future__ import annotations

from sqlalchemy import select

from core.commands import CommandError
from core.db import db
from core import events
from core.events import locked, record

from . import rules
from .events import ADDED, ARCHIVED, CHANGED, CHECKED, RESTORED, SEEDED
from .models import Resource
from .national import NATIONAL_RESOURCES


class Conflict(CommandError, events.Conflict):
    """The resource is not in a state that allows this (already archived, changed meanwhile...)."""


class Stale(Conflict, events.Stale):
    """Someone saved the resource after the form was opened (``expected``, ``current``: the versions)."""


def resource_by_id(resource_id: int) -> Resource | None:
    """A resource of the Trust in context; another Trust's is simply not found."""
    return db.session.scalar(select(Resource).where(Resource.id == resource_id))


def resource_by_origin(origin_key: str) -> Resource | None:
    return db.session.scalar(select(Resource).where(Resource.origin_key == origin_key))


def current_fields(resource: Resource) -> dict:
    return {**resource.words(), "kind": resource.kind,
            "consent_on": resource.consent_on.isoformat() if resource.consent_on else "",
            "scope": resource.scope, "tags": list(resource.tags or []),
            "service_ids": list(resource.service_ids or [])}


def _about_service(service_ids: list[int]) -> int | None:
    """The service an event is about, when the resource is for exactly one."""
    return service_ids[0] if len(service_ids) == 1 else None


def _choices(values: dict) -> dict:
    return {"scope": values["scope"], "service_ids": values["service_ids"], "tags": values["tags"],
            "kind": values["kind"], "consent_on": values["consent_on"] or None}


@locked()
def add_resource(data: dict, *, origin_key: str | None = None, package: str | None = None,
                 shipped: bool = False) -> Resource:
    """Add a resource. ``shipped``: the words are the platform's own (the guide's), not anyone's."""
    values = rules.clean(data)
    if origin_key is not None and resource_by_origin(origin_key) is not None:
        raise Conflict("This resource has been added already.")
    words = {key: values[key] for key in rules.WORD_FIELDS if values[key]}
    about = _about_service(values["service_ids"])
    if shipped:
        ev = record(SEEDED, {**_choices(values), "words": [], "given": words, "origin_key": origin_key},
                    service_id=about)
    else:
        ev = record(ADDED, {**_choices(values), "words": sorted(words), "origin_key": origin_key,
                            "package": package}, personal=words, service_id=about)
    return db.session.get(Resource, int(ev.entity_id))


def _record_changes(resource: Resource, values: dict) -> list[str]:
    before = current_fields(resource)
    changed = [key for key in rules.FIELDS if values[key] != before[key]]
    if not changed:
        return []
    words = {key: values[key] for key in changed if key in rules.WORD_FIELDS and values[key]}
    # The event type declares its words, so it always carries them (empty when only choices changed).
    record(CHANGED, {**_choices(values), "changed": changed, "words": sorted(words)},
           personal=words, stream=f"resource:{resource.id}",
           service_id=_about_service(values["service_ids"]))
    return changed


@locked()
def change_resource(resource: Resource, changes: dict, *, expected_version: int | None = None) -> list[str]:
    """Change some details; returns the names of the fields that changed (none: nothing recorded)."""
    if resource.package:
        raise Conflict(f"This resource comes from the {resource.package} package, so it is changed there. "
                       "An admin can archive it here.")
    if expected_version is not None and expected_version != resource.version:
        raise Stale("Someone else changed this resource since you opened it. Your changes are below and "
                    "are not saved yet: check them, then save again.",
                    expected=expected_version, current=resource.version)
    return _record_changes(resource, rules.clean({**current_fields(resource), **changes}))


@locked()
def update_from_package(resource: Resource, offered: dict) -> list[str]:
    """A package's newer words for one of its resources (already checked by ``rules.clean``)."""
    return _record_changes(resource, offered)


@locked()
def archive_resource(resource: Resource, *, withdrawn: bool = False) -> None:
    if resource.archived:
        raise Conflict("This resource is archived already.")
    record(ARCHIVED, {"withdrawn": withdrawn}, stream=f"resource:{resource.id}",
           service_id=_about_service(resource.service_ids or []))


@locked()
def check_resource(resource: Resource, *, seen: str | None = None) -> None:
    """Note that someone checked the details and they are still right (nothing else changes).

    ``seen``: when the page showed it as last checked (ISO text, "" for never); if someone
    checked it since, this check is not recorded again (409).
    """
    if resource.archived:
        raise Conflict(f"{resource.name} is archived: bring it back first if it is still right.")
    if seen is not None and seen != checked_text(resource):
        raise Conflict(f"Someone else confirmed {resource.name} a moment ago, so it is checked already.")
    record(CHECKED, stream=f"resource:{resource.id}", service_id=_about_service(resource.service_ids or []))


def checked_text(resource: Resource) -> str:
    """When it was last checked, as a form carries it."""
    return resource.checked_at.isoformat() if resource.checked_at else ""


@locked()
def restore_resource(resource: Resource) -> None:
    if not resource.archived:
        raise Conflict("This resource is not archived.")
    record(RESTORED, stream=f"resource:{resource.id}", service_id=_about_service(resource.service_ids or []))


@locked()
def seed_national() -> int:
    """Add the guide's national organisations that this Trust has never had; returns how many.

    An entry archived by the Trust counts as had: switching the section off
    and on again adds nothing twice and brings back nothing archived.
    """
    had = set(db.session.scalars(select(Resource.origin_key).where(Resource.origin_key.like("guide:%"))))
    added = 0
    for entry in NATIONAL_RESOURCES:
        if entry.origin_key in had:
            continue
        add_resource({"name": entry.name, "description": entry.description, "website": entry.website,
                      "scope": "national", "tags": list(entry.tags), "kind": "organisation"}, origin_key=entry.origin_key, shipped=True)
        added += 1
    return added
