"""Core's own section of "what changed": services added, renamed, re-described, archived or brought back."""
from __future__ import annotations

from .changes import Section, change, in_order
from .history import When, rows
from .models import Service

TITLE_SERVICE = "The service"
TITLE_TENANT = "Services"


def _kind(kind: str) -> str:
    from .builtin import SERVICE_KINDS

    return SERVICE_KINDS.get(kind, kind)


def _compared(before: Service | None, after: Service) -> list[dict]:
    """How one service moved from ``before`` (None: not added yet) to ``after``."""
    sid, name = after.id, after.name
    if before is None:
        return [change(f"{name} was added.", "service_added", service_id=sid, to=name)]
    found = []
    if before.name != after.name:
        found.append(change(f"{before.name} was renamed {after.name}.", "service_renamed", service_id=sid,
                            **{"from": before.name, "to": after.name}))
    if before.kind != after.kind:
        found.append(change(f"{name}'s kind of service changed from {_kind(before.kind)} to {_kind(after.kind)}.",
                            "service_kind", service_id=sid, **{"from": before.kind, "to": after.kind}))
    if before.archived != after.archived:
        if after.archived:
            found.append(change(f"{name} was archived.", "service_archived", service_id=sid))
        else:
            found.append(change(f"{name} was brought back from the archive.", "service_restored", service_id=sid))
    return found


def service_section(service, start: When, end: When) -> Section | None:
    after = rows(Service, end, service_id=service.id)
    if not after:
        return None  # not added yet at the second date: nothing to say
    before = rows(Service, start, service_id=service.id)
    return Section("core", TITLE_SERVICE, _compared(before[0] if before else None, after[0]), order=0)


def tenant_section(tenant, start: When, end: When) -> Section:
    before = {s.id: s for s in rows(Service, start)}
    after = {s.id: s for s in rows(Service, end)}
    found = [{**item, "service": service.name}
             for sid, service in after.items() for item in _compared(before.get(sid), service)]
    return Section("core", TITLE_TENANT, in_order(found, {sid: s.name for sid, s in after.items()}), order=0)
