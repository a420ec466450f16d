"""The event log's figures for ``make bench``: appending, verifying, replaying, and start-up.

Each is a ratio against a baseline measured in the same run:

- ``record()`` against a raw SQLAlchemy Core insert of the same row, each in its
  own transaction: one writer, then 8 writers in one Trust, then 8 across Trusts;
- ``events verify`` against plain SHA-256 over the same canonical bytes, and its
  peak memory on a log ten times longer against a short one (it streams);
- ``events replay`` against appending;
- start-up of the app against a bare Flask app.
"""
from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, select

ROOT = Path(__file__).resolve().parent.parent
WRITES = int(os.environ.get("BENCH_WRITES", "50"))  # events per writer per run
WRITERS = 8


def _describe(service_id: int, n: int) -> dict:
    return {"type_name": "service.described", "payload": {"kind": "day_centre", "description": f"Edit {n}"},
            "stream": f"service:{service_id}", "service_id": service_id}


def _new_trust(app, label: str) -> tuple[int, int]:
    """A Trust with one service, for writing into: (tenant id, service id)."""
    from core import commands
    from core.db import db
    from core.events import acting_as
    from core.tenancy import tenant_context

    with app.app_context(), acting_as("cli"):
        tenant = commands.create_tenant(f"{label}-{uuid.uuid4().hex[:6]}", f"Bench {label}")
        with tenant_context(tenant.id):
            ids = tenant.id, commands.create_service("Writes", "day_centre").id
            db.session.commit()
        return ids


def _record_loop(app, tenant_id: int, service_id: int, count: int) -> float:
    """Seconds to append ``count`` events through ``record()``, each in its own transaction."""
    from core.db import db
    from core.events import acting_as, record
    from core.tenancy import tenant_context

    with app.app_context(), acting_as("cli"), tenant_context(tenant_id):
        began = time.perf_counter()
        for n in range(count):
            for attempt in range(50):
                try:
                    record(**_describe(service_id, n))
                    db.session.commit()
                    break
                except Exception:  # another writer held the database (SQLite): try again, as a request would
                    db.session.rollback()
                    time.sleep(0.005 * (attempt + 1))
            else:
                raise RuntimeError("record() could not append after 50 tries")
        return time.perf_counter() - began


class _RawWriter:
    """The same row as ``record()`` appends, by a plain Core insert in its own transaction."""

    def __init__(self, url: str, tenant_id: int, service_id: int, first_seq: int):
        from core.db import utcnow
        from core.events import Event

        self.engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
        self.table = Event.__table__
        self.tenant_id, self.service_id, self.seq = tenant_id, service_id, first_seq
        self.now = utcnow

    def loop(self, count: int, seqs) -> float:
        began = time.perf_counter()
        for n in range(count):
            seq = next(seqs)
            row = {"tenant_id": self.tenant_id, "seq": seq, "type": "service.described",
                   "stream": f"service:{self.service_id}", "service_id": self.service_id, "actor": "cli",
                   "occurred_at": self.now(), "payload": {"kind": "day_centre", "description": f"Edit {n}"},
                   "personal_digest": None, "prev_hash": "0" * 64,
                   "hash": hashlib.sha256(str(seq).encode()).hexdigest()}
            for attempt in range(50):
                try:
                    with self.engine.begin() as conn:
                        conn.execute(insert(self.table).values(**row))
                    break
                except Exception:
                    time.sleep(0.005 * (attempt + 1))
            else:
                raise RuntimeError("a raw insert could not be made after 50 tries")
        return time.perf_counter() - began


def _counter(start: int):
    lock, value = threading.Lock(), [start]

    def take():
        with lock:
            value[0] += 1
            return value[0]

    while True:
        yield take()


def _threaded(jobs) -> float:
    """Wall seconds for callables run at once, one thread each."""
    errors = []

    def run(job):
        try:
            job()
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - began


def appending_figures(app, url: str, Figure, runs: int) -> tuple[list, float]:
    """record() against a raw insert: one writer, 8 in one Trust, 8 across Trusts. Also returns record()'s rate."""
    one = _new_trust(app, "append")
    raw_trust = _new_trust(app, "raw")
    many = [_new_trust(app, f"append{n}") for n in range(WRITERS)]
    raw = _RawWriter(url, raw_trust[0], raw_trust[1], 0)
    seqs = _counter(10**6)  # far above the Trust's own events: the raw rows stand apart
    single, one_trust, across = [], [], []
    for _ in range(runs):
        mine = WRITES / _record_loop(app, *one, WRITES)
        theirs = WRITES / raw.loop(WRITES, seqs)
        single.append((mine, theirs))
        mine = WRITERS * WRITES / _threaded([lambda: _record_loop(app, *one, WRITES)] * WRITERS)
        theirs = WRITERS * WRITES / _threaded([lambda: raw.loop(WRITES, seqs)] * WRITERS)
        one_trust.append((mine, theirs))
        mine = WRITERS * WRITES / _threaded([lambda t=t: _record_loop(app, *t, WRITES) for t in many])
        across.append((mine, theirs))
    raw.engine.dispose()
    figures = []
    for name, pairs, words in (("record_vs_raw_insert", single, "one writer"),
                               ("record_8_writers_one_trust_vs_raw_insert", one_trust, "8 writers in one Trust"),
                               ("record_8_writers_across_trusts_vs_raw_insert", across,
                                "8 writers, each in its own Trust")):
        figure = Figure(name, ">=", 0.5, statistics.median(m / t for m, t in pairs))
        figure.notes.append(f"record(), {words}: {statistics.median(m for m, _ in pairs):.0f} events/s; raw Core "
                            f"insert, {'1 writer' if pairs is single else '8 writers'}: "
                            f"{statistics.median(t for _, t in pairs):.0f} rows/s (each in its own transaction; "
                            f"medians of {runs} runs of {WRITES} per writer)")
        figures.append(figure)
    return figures, statistics.median(m for m, _ in single)


def verify_figures(app, url: str, big_slug: str, small_slug: str, Figure, runs: int) -> list:
    """``events verify`` against SHA-256 over the same bytes; its peak memory on a 10x longer log."""
    from core.db import db
    from core.events import canonical, tenant_records, verify_tenant
    from core.models import Tenant

    with app.app_context():
        big = db.session.scalar(select(Tenant).where(Tenant.slug == big_slug))
        records = list(tenant_records(big.id))
        blobs = [canonical({k: v for k, v in rec.items() if k != "hash"}) for rec in records]
        db.session.rollback()
        pairs = []
        for _ in range(runs):
            began = time.perf_counter()
            report = verify_tenant(big.id)
            verify_rate = report.count / (time.perf_counter() - began)
            db.session.rollback()
            began = time.perf_counter()
            for blob in blobs:
                hashlib.sha256(blob).hexdigest()
            pairs.append((verify_rate, len(blobs) / (time.perf_counter() - began)))
    speed = Figure("verify_vs_sha256", ">=", 0.3, statistics.median(m / t for m, t in pairs))
    speed.notes.append(f"events verify: {statistics.median(m for m, _ in pairs):,.0f} events/s; SHA-256 over the same "
                       f"canonical bytes: {statistics.median(t for _, t in pairs):,.0f} events/s "
                       f"({len(blobs):,} events, medians of {runs} runs)")
    memory = Figure("verify_peak_memory_10x_log", "<=", 1.3)
    try:
        small_kib, small_count = _verify_peak(url, small_slug)
        big_kib, big_count = _verify_peak(url, big_slug)
        memory.ratio = big_kib / small_kib
        memory.notes.append(f"peak memory of `events verify`: {big_kib / 1024:.0f} MiB for {big_count:,} events; "
                            f"{small_kib / 1024:.0f} MiB for {small_count:,} events "
                            f"({big_count / max(small_count, 1):.1f}x the log)")
    except RuntimeError as err:
        memory.notes.append(str(err))
    return [speed, memory]


def _verify_peak(url: str, slug: str) -> tuple[int, int]:
    """(peak resident KiB, events checked) of ``flask --app core events verify --tenant slug``."""
    flask = str(Path(sys.executable).parent / "flask")
    process = subprocess.Popen([flask, "--app", "core", "events", "verify", "--tenant", slug], cwd=ROOT,
                               env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + uuid.uuid4().hex},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or not output.startswith("OK"):
        raise RuntimeError(f"events verify --tenant {slug} failed: {output.strip()[:300]}")
    return usage.ru_maxrss, int(output.split()[1])


def replay_figure(app, slug: str, append_rate: float, Figure, runs: int):
    """``events replay`` of a Trust against appending through record()."""
    from core.db import db
    from core.events import replay
    from core.models import Tenant

    rates = []
    with app.app_context():
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        for _ in range(runs):
            began = time.perf_counter()
            count = replay(tenant_id)
            db.session.commit()
            rates.append(count / (time.perf_counter() - began))
    figure = Figure("replay_vs_append", ">=", 1, statistics.median(rates) / append_rate)
    figure.notes.append(f"events replay: {statistics.median(rates):,.0f} events/s ({count:,} events); appending "
                        f"through record(): {append_rate:,.0f} events/s (medians of {runs} runs)")
    return figure


STARTUP_APP = """
import time; began = time.perf_counter()
from core import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": %r, "SECRET_KEY": "x" * 40, "RATELIMIT_STORAGE_URI": "memory://"})
assert app.test_client().get("/sign-in").status_code == 200
print(time.perf_counter() - began)
"""
STARTUP_BARE = """
import time; began = time.perf_counter()
from flask import Flask
app = Flask("bare")
app.get("/")(lambda: "Hello, World!")
assert app.test_client().get("/").status_code == 200
print(time.perf_counter() - began)
"""


def startup_figure(url: str, Figure, runs: int):
    """Seconds from a fresh interpreter to the first page answered: the app's sign-in page against a bare Flask app."""
    def seconds(script: str) -> float:
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
        whole = time.perf_counter() - began
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip()[-300:])
        return whole

    pairs = [(seconds(STARTUP_APP % url), seconds(STARTUP_BARE)) for _ in range(runs)]
    figure = Figure("startup_vs_bare_flask", "<=", 10, statistics.median(m / b for m, b in pairs))
    figure.notes.append(f"start-up to the first page: {statistics.median(m for m, _ in pairs):.2f} s; a bare Flask app: "
                        f"{statistics.median(b for _, b in pairs):.2f} s (a new interpreter each, medians of {runs} runs)")
    return figure

