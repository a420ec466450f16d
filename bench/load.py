"""``make load``: many people writing to several Trusts at once, through the app as production serves it.

Builds a scratch installation (a SQLite file, or a schema of the PostgreSQL in
``LOAD_DATABASE_URL``, thrown away afterwards), starts Redis and ``LOAD_SERVERS``
gunicorn servers of 2 sync workers each on 127.0.0.1, and lets ``LOAD_USERS``
people, spread over ``LOAD_TRUSTS`` Trusts and over the servers, add and change
services through the API for ``LOAD_SECONDS`` (default 60). Then it checks:

- no answer was a server error (5xx);
- each Trust's log grew by exactly one event per change that was answered 2xx;
- every Trust's hash chain verifies;

and prints the median (p50) and p99 latency. Exit 0 when all hold, 1 otherwise.
Not part of ``make test``; ``tests/test_load.py`` runs a few seconds of it.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.testing import gunicorn, over_http, redis_server  # noqa: E402


@dataclass
class Trust:
    id: int
    slug: str
    token: str
    service_id: int
    events_before: int = 0


@dataclass
class Tally:
    """What the people saw, shared by their threads."""

    latencies: list = field(default_factory=list)
    written: dict = field(default_factory=dict)  # slug -> changes answered 2xx
    statuses: dict = field(default_factory=dict)  # status -> count
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, slug: str, status: int, seconds: float, wrote: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if wrote and 200 <= status < 300:
                self.written[slug] = self.written.get(slug, 0) + 1

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500 or status == 0)


def set_up(url: str, trusts: int) -> list[Trust]:
    """Migrate the scratch database and make the Trusts, each with an admin's token and a service."""
    from core import commands, create_app, migrate
    from core.db import db
    from core.events import acting_as, head
    from core.tenancy import tenant_context

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load-" + uuid.uuid4().hex,
                      "RATELIMIT_STORAGE_URI": "memory://", "TESTING": True})
    made = []
    with app.app_context():
        migrate.upgrade()
        for number in range(1, trusts + 1):
            with acting_as("cli"):
                tenant = commands.create_tenant(f"load-{number}", f"Load Trust {number}")
                with tenant_context(tenant.id):
                    user = commands.create_user(f"admin{number}-{uuid.uuid4().hex[:6]}@load.example",
                                                f"Admin {number}", "load test passphrase " + uuid.uuid4().hex)
                    member = commands.add_member(user, "admin")
                    _, token = commands.create_token(member, "load")
                    service = commands.create_service("Oak Day Centre", "day_centre", "")
                    made.append(Trust(tenant.id, tenant.slug, token, service.id))
            db.session.commit()
        for trust in made:
            trust.events_before = head(trust.id)[0]
        db.engine.dispose()
    return made


def person(number: int, ports: list[int], trusts: list[Trust], deadline: float, tally: Tally) -> None:
    """One person: changes to their Trust, each through the next server, until the deadline."""
    trust = trusts[number % len(trusts)]
    headers = {"Authorization": f"Bearer {trust.token}"}
    step = 0
    while time.monotonic() < deadline:
        port = ports[(number + step) % len(ports)]
        kind = step % 3
        began = time.monotonic()
        try:
            status = call(port, trust, headers, kind, f"{number}-{step}")
        except OSError:  # no answer at all: counted with the server errors
            status = 0
        tally.add(trust.slug, status, time.monotonic() - began, wrote=kind != 2)
        step += 1


def call(port: int, trust: Trust, headers: dict, kind: int, label: str) -> int:
    """A new service, a changed description, or the list of services: one request, its status."""
    services = f"/api/v1/t/{trust.slug}/services"
    if kind == 0:
        answer = over_http(port, "POST", services, headers=headers,
                           json_body={"name": f"Service {label}", "kind": "day_centre"})
    elif kind == 1:
        answer = over_http(port, "PATCH", f"{services}/{trust.service_id}", headers=headers,
                           json_body={"description": f"Changed by {label}"})
    else:
        answer = over_http(port, "GET", services, headers=headers)
    return answer[0]


def warm(ports: list[int], rounds: int = 4) -> None:
    """Wait until every server answers (gunicorn binds its port before its workers have loaded the app)."""
    for port in ports:
        for _ in range(rounds):
            status, _, _ = over_http(port, "GET", "/sign-in")
            if status != 200:
                raise RuntimeError(f"the server on port {port} answered {status} to /sign-in")


def drive(ports: list[int], trusts: list[Trust], *, users: int, seconds: float, show_progress: bool = True) -> Tally:
    """``users`` people at once for ``seconds``, with a progress bar of the time gone."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=person, args=(n, ports, trusts, deadline, tally)) for n in range(users)]
    for thread in threads:
        thread.start()
    with click.progressbar(length=int(seconds), label=f"{users} people writing to {len(trusts)} Trusts",
                           file=sys.stderr if show_progress else open(os.devnull, "w")) as bar:
        done = 0
        while any(thread.is_alive() for thread in threads):
            time.sleep(0.5)
            now = min(int(seconds), int(seconds - (deadline - time.monotonic())))
            if now > done:
                bar.update(now - done)
                done = now
    for thread in threads:
        thread.join()
    return tally


def check(url: str, trusts: list[Trust], tally: Tally) -> list[str]:
    """Problems found in the log after the run (none: every count exact and every chain whole)."""
    from core import create_app
    from core.events import head, verify_tenant

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "check", "TESTING": True,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    problems = []
    if tally.server_errors:
        problems.append(f"{tally.server_errors} answers were server errors (5xx)")
    with app.app_context():
        for trust in trusts:
            expected = trust.events_before + tally.written.get(trust.slug, 0)
            found = head(trust.id)[0]
            if found != expected:
                problems.append(f"{trust.slug}: {found} events in the log, expected {expected}")
            report = verify_tenant(trust.id)
            if not report.ok:
                problems.append(f"{trust.slug}: the chain breaks at event {report.first_bad_seq}: {report.reason}")
        from core.db import db

        db.engine.dispose()
    return problems


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(share) - 1]


def summary(tally: Tally, seconds: float, servers: int) -> list[str]:
    total = len(tally.latencies)
    writes = sum(tally.written.values())
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(tally.statuses.items()))
    return [
        f"{total} requests in {seconds:.0f} s through {servers} servers ({total / max(seconds, 1):.1f} a second); "
        f"{writes} changes recorded",
        f"answers: {statuses}",
        f"latency: p50 {percentile(tally.latencies, 50) * 1000:.0f} ms, p99 {percentile(tally.latencies, 99) * 1000:.0f} ms",
    ]


@click.command()
def main() -> None:
    """Run the load test; settings come from LOAD_* environment variables."""
    from bench.run import scratch_database

    seconds = float(os.environ.get("LOAD_SECONDS", "60"))
    users = int(os.environ.get("LOAD_USERS", "16"))
    trust_count = int(os.environ.get("LOAD_TRUSTS", "4"))
    servers = int(os.environ.get("LOAD_SERVERS", "2"))
    with ExitStack() as stack:
        url, engine = stack.enter_context(scratch_database(os.environ.get("LOAD_DATABASE_URL")))
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-")))
        click.echo(f"Setting up {trust_count} Trusts on {engine}...", err=True)
        trusts = set_up(url, trust_count)
        redis_url = stack.enter_context(redis_server(work))
        secret = uuid.uuid4().hex * 2
        ports = [stack.enter_context(gunicorn(url, work / "servers.log", workers=2, SECRET_KEY=secret,
                                              RATELIMIT_STORAGE_URI=redis_url)) for _ in range(servers)]
        warm(ports)
        tally = drive(ports, trusts, users=users, seconds=seconds)
        problems = check(url, trusts, tally)
        for line in summary(tally, seconds, servers):
            click.echo(line)
        if problems:
            for problem in problems:
                click.echo(f"FAILED: {problem}")
            log = (work / "servers.log").read_text(errors="replace")[-3000:]
            if log.strip():
                click.echo("Last lines the servers logged:\n" + log)
            sys.exit(1)
        click.echo(f"OK: no server errors, every Trust's event count exact, all {len(trusts)} chains valid "
                   f"({engine}).")


if __name__ == "__main__":
    main()
