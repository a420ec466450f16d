"""A Trust's event log as JSON Lines: one event a line, as ``events export`` writes and ``events verify --file`` reads."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sqlalchemy import select

from ..db import db, written_in
from ..events import PERSONAL, Event, EventPersonal
from ..tenancy import tenant_context


BATCH = 1000


def records_up_to(tenant_id: int, last_seq: int) -> Iterator[dict]:
    """The Trust's events from the first to ``last_seq``, read a batch at a time.

    Each batch is its own short read, so a slow download holds no transaction
    open (on SQLite every transaction locks out writers); events never change,
    so the batches join up into the same chain.
    """
    after = 0
    while after < last_seq:
        with tenant_context(tenant_id):
            batch = [ev.as_record() for ev in db.session.scalars(
                select(Event).where(Event.seq > after, Event.seq <= last_seq)
                .order_by(Event.seq).limit(written_in(BATCH)))]
        db.session.rollback()
        if not batch:
            return
        yield from batch
        after = batch[-1]["seq"]


def records_with_words(tenant_id: int) -> Iterator[dict]:
    """The Trust's records, each carrying the personal words kept with it (salt and words), so that
    ``events import`` can restore them; the words sit outside the hash, checked by their digest."""
    with tenant_context(tenant_id):
        query = (select(Event, EventPersonal.salt, EventPersonal.data)
                 .outerjoin(EventPersonal, EventPersonal.event_id == Event.id)
                 .order_by(Event.seq).execution_options(yield_per=BATCH))
        for ev, salt, data in db.session.execute(query):
            rec = ev.as_record()
            if salt is not None:
                rec[PERSONAL] = {"salt": salt, "data": data}
            yield rec


def json_lines(records: Iterable[dict]) -> Iterator[str]:
    for rec in records:
        yield json.dumps(rec, sort_keys=True, ensure_ascii=False) + "\n"
