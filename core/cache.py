"""Answers derived from a Trust's log, kept per worker until that Trust records anything new.

A report (or any other answer folded from the projections) is a pure function of
the Trust's log, the sections switched on, the reader's role, the question asked
and, for "now", the day. So it is cached under a key made of those, with the log's head (the
last event's seq and hash) standing for "everything recorded so far": any new
event in the Trust, an erasure included, changes the head, so the next request
misses and computes afresh. The hash, not only the seq, is in the key, so an
answer computed inside a transaction that was rolled back can never be served
for a different event that later takes the same seq.

The store is a least-recently-used map capped in entries (``DERIVED_CACHE_SIZE``,
0 turns it off), one per worker process: each worker fills its own, and stale
entries are never served because the key moves on; they simply age out.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache
from flask import current_app

DEFAULT_SIZE = 512
_EXTENSION = "changing_lives_derived"


class _Store:
    def __init__(self, size: int):
        self.entries: LRUCache = LRUCache(maxsize=size)
        self.lock = threading.Lock()  # gthread workers share one store
        self.hits = self.misses = 0


def _store() -> _Store | None:
    app = current_app._get_current_object()
    store = app.extensions.get(_EXTENSION)
    if store is None:
        size = int(app.config.get("DERIVED_CACHE_SIZE", DEFAULT_SIZE))
        store = app.extensions[_EXTENSION] = _Store(size) if size > 0 else False
    return store or None


def log_head() -> tuple[int, str]:
    """(seq, hash) of the last event of the Trust in context: one indexed lookup, kept for the
    rest of the request (``record()`` forgets it, so a request that writes reads it again)."""
    from flask import g

    from .events import head
    from .tenancy import current_tenant_id

    tenant_id = current_tenant_id()
    kept_head = g.get("_log_head")
    if kept_head is not None and kept_head[0] == tenant_id:
        return kept_head[1]
    found = head(tenant_id)
    note_log_head(tenant_id, found)
    return found


def note_log_head(tenant_id: int, found: tuple[int, str]) -> None:
    """The head as read along with something else (the Trust itself, at the start of a request)."""
    from flask import g

    g._log_head = (tenant_id, found)


def forget_log_head() -> None:
    """Called by ``record()``: the head just moved."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("_log_head", None)


def kept(name: str, parts: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it gave for the same ``name`` and ``parts`` since the Trust in context
    last recorded anything. For answers that depend on the log alone (the sections switched on);
    a report, which depends on its reader and the day too, uses ``derived``."""
    from .tenancy import current_tenant_id

    store = _store()
    if store is None:
        return compute()
    key = (current_tenant_id(), log_head(), name, parts)
    with store.lock:
        found = store.entries.get(key, _MISSING)
        if found is not _MISSING:
            store.hits += 1
            return found
        store.misses += 1
    answer = compute()
    with store.lock:
        store.entries[key] = answer
    return answer


def derived(name: str, parts: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, or the answer it gave for the same question since the Trust last recorded anything.

    Whatever ``compute`` returns is shared between requests: callers must not change it.
    """
    from .plugins import enabled_plugins
    from .reports import london_today

    return kept(name, (enabled_plugins(), london_today(), _reader_role(), parts), compute)


def for_person(name: str, user, compute: Callable[[], tuple[Any, Any]]) -> Any:
    """An answer about a person across every Trust (do they belong to one only?), kept until their
    memberships or invitations change anywhere (the database moves ``users.trusts_changed`` whenever
    they do, however they are written) or until the moment ``compute`` says it holds to (an
    invitation running out). ``compute()`` returns ``(answer, good until or None)``."""
    from .db import utcnow

    store = _store()
    if store is None:
        return compute()[0]
    key = ("person", user.id, user.trusts_changed, name)
    with store.lock:
        found = store.entries.get(key, _MISSING)
        if found is not _MISSING and (found[1] is None or utcnow() < found[1]):
            store.hits += 1
            return found[0]
        store.misses += 1
    found = compute()
    with store.lock:
        store.entries[key] = found
    return found[0]


def _reader_role() -> str | None:
    """What a report shows depends on who reads it (what their role may do, whose answers they may
    read before the groups exchange views), so each role has answers of its own."""
    from flask import g

    membership = g.get("membership")
    return membership.role if membership is not None else None


def stats() -> dict:
    """Hits, misses and entries of this worker's store (for tests and the benchmarks)."""
    store = _store()
    if store is None:
        return {"hits": 0, "misses": 0, "entries": 0}
    return {"hits": store.hits, "misses": store.misses, "entries": len(store.entries)}


def clear() -> None:
    store = _store()
    if store is not None:
        with store.lock:
            store.entries.clear()


_MISSING = object()
