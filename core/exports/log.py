"""A Trust's event log as JSON Lines: one event a line, as ``events export`` writes and ``events verify --file`` reads."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sqlalchemy import select

from ..db import db
from ..events import Event
from ..tenancy import tenant_context


def records_up_to(tenant_id: int, last_seq: int) -> Iterator[dict]:
    """The Trust's events from the first to ``last_seq``, so a download ends where it said it would."""
    with tenant_context(tenant_id):
        query = (select(Event).where(Event.seq <= last_seq).order_by(Event.seq)
                 .execution_options(yield_per=1000))
        for ev in db.session.scalars(query):
            yield ev.as_record()


def json_lines(records: Iterable[dict]) -> Iterator[str]:
    for rec in records:
        yield json.dumps(rec, sort_keys=True, ensure_ascii=False) + "\n"
