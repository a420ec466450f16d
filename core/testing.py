"""Pytest fixtures for core and for plugin authors.

Use them from a plugin's tests with ``pytest_plugins = ["core.testing"]``.
Every test runs on SQLite and, when ``TEST_DATABASE_URL`` names a PostgreSQL
database, on PostgreSQL too (each run in its own schema, dropped afterwards).
Tests share one migrated database per engine and stay apart by making their
own tenants (``make_tenant``); ``fresh_app`` gives an empty database.

With ``TEST_DATABASE_ROLES=1`` the PostgreSQL databases are served as production
serves them (see core.rls): each schema belongs to a throwaway owner role that
migrates it, and the app connects as a throwaway role that owns nothing, so
row-level security and the grants hold in every test. The roles are named
uniquely per run and dropped with the schema.
"""
from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from . import commands, create_app, migrate
from .db import db
from . import events
from .events import acting_as
from .tenancy import tenant_context

PASSWORD = "correct horse battery"
ENGINES = ["sqlite", "postgresql"]


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# url -> its owner's url, for a database made with roles: make_app(url) migrates as the owner.
_OWNERS: dict[str, str] = {}


def serving_roles() -> bool:
    """Whether PostgreSQL tests serve as a role that owns nothing (TEST_DATABASE_ROLES=1)."""
    return os.environ.get("TEST_DATABASE_ROLES", "") not in ("", "0")


class Database:
    """A throwaway database: a SQLite file, or a schema in the PostgreSQL of TEST_DATABASE_URL.

    With ``roles`` (PostgreSQL), the schema belongs to a new owner role (``owner_url``, for
    migrating) and ``url`` connects as a new role that owns nothing, as in production.
    """

    def __init__(self, engine: str, tmp_path_factory, roles: bool | None = None):
        self.engine = engine
        self.owner_url = None
        self._roles: list[str] = []
        if engine == "sqlite":
            self.url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
            self._schema = None
            return
        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL to run these on PostgreSQL")
        self._base = base
        tag = uuid.uuid4().hex[:12]
        self._schema = "t_" + tag
        url = make_url(base)
        with _admin(base) as conn:
            if roles if roles is not None else serving_roles():
                owner, app_role = f"cl_owner_{tag}", f"cl_app_{tag}"
                for role in (owner, app_role):
                    conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE'))
                    self._roles.append(role)
                conn.execute(text(f'CREATE SCHEMA "{self._schema}" AUTHORIZATION "{owner}"'))
                self.owner_url = self._url(url.set(username=owner, password=None))
                url = url.set(username=app_role, password=None)
            else:
                conn.execute(text(f'CREATE SCHEMA "{self._schema}"'))
        self.url = self._url(url)
        if self.owner_url:
            _OWNERS[self.url] = self.owner_url

    def _url(self, url) -> str:
        return url.update_query_dict({"options": f"-csearch_path={self._schema}"}).render_as_string(
            hide_password=False)

    def drop(self) -> None:
        if self._schema:
            _OWNERS.pop(self.url, None)
            with _admin(self._base) as conn:
                conn.execute(text(f'DROP SCHEMA "{self._schema}" CASCADE'))
                for role in reversed(self._roles):
                    conn.execute(text(f'DROP OWNED BY "{role}"'))  # its grants elsewhere in the database
                    conn.execute(text(f'DROP ROLE "{role}"'))


@contextmanager
def _admin(url: str):
    """One transaction as the TEST_DATABASE_URL user, who may create schemas and roles."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def make_app(url: str, plugins: dict | None = None, owner_url: str | None = None, **overrides):
    """An app on ``url``, migrated (as ``owner_url`` when given), with ``plugins`` (name -> module)
    registered beside the built-in ones."""
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "DATABASE_OWNER_URL": owner_url or _OWNERS.get(url),
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests travel months ahead with one signed-in client; the idle timeout has its own tests.
        "SESSION_IDLE_MINUTES": 60 * 24 * 366 * 20,
        **overrides,
    }
    app = create_app(config, plugins=plugins)
    with app.app_context():
        migrate.upgrade()
    return app


def _dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


class Inbox:
    """What a local SMTP server (``mail_server``) received: the envelopes, their recipients and bodies."""

    def __init__(self):
        self.messages = []
        self.url = None  # smtp://127.0.0.1:<port> while the server runs

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    def to(self) -> list[str]:
        return sorted(address for m in self.messages for address in m.rcpt_tos)

    def bodies(self) -> list[str]:
        from email import message_from_bytes, policy

        return [message_from_bytes(m.content, policy=policy.default).get_content() for m in self.messages]


@contextmanager
def mail_server(box: Inbox | None = None) -> Iterator[Inbox]:
    """A real SMTP server on a free local port for the length of the block, delivering into ``box``."""
    from aiosmtpd.controller import Controller

    box = box or Inbox()
    server = Controller(box, hostname="127.0.0.1", port=free_port())
    server.start()
    box.url = f"smtp://127.0.0.1:{server.port}"
    try:
        yield box
    finally:
        server.stop()


@contextmanager
def throttling_app(url: str, **limits) -> Iterator:
    """An app that throttles (the shared test app does not), with the given limits.

    The limiter is one object for the whole process: its counts start empty, and
    its switch and counts are put back afterwards so other tests are not throttled.
    """
    from .web import limiter

    was_enabled = limiter.enabled
    app = make_app(url, RATELIMIT_ENABLED=True, **limits)
    limiter.reset()
    try:
        yield app
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        _dispose(app)


def client_at(app, address: str):
    """A test client whose requests come from ``address``, as throttling counts per address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@contextmanager
def throwaway_app(engine: str, tmp_path_factory, plugins: dict | None = None, roles: bool | None = None,
                  **overrides):
    """An app on its own freshly migrated database, with extra plugins registered; dropped afterwards.

    ``roles``: on PostgreSQL, serve as a role that owns nothing (default: TEST_DATABASE_ROLES)."""
    database = Database(engine, tmp_path_factory, roles=roles)
    try:
        app = make_app(database.url, plugins=plugins, owner_url=database.owner_url, **overrides)
        try:
            yield app
        finally:
            _dispose(app)
    finally:
        database.drop()


@pytest.fixture(scope="session", params=ENGINES)
def database(request, tmp_path_factory):
    database = Database(request.param, tmp_path_factory)
    yield database
    database.drop()


@pytest.fixture(scope="session")
def app(database):
    """One migrated app per engine, shared by the session's tests."""
    app = make_app(database.url, owner_url=database.owner_url)
    yield app
    _dispose(app)


@pytest.fixture
def fresh_app(request, tmp_path_factory, database):
    """An app on an empty, freshly migrated database of the same engine."""
    with throwaway_app(database.engine, tmp_path_factory) as app:
        yield app


@dataclass
class Person:
    email: str
    password: str
    role: str
    user_id: int
    membership_id: int


@dataclass
class TenantFixture:
    """A tenant made for one test, with a member of each role and a service or two."""

    app: object
    id: int
    slug: str
    name: str
    people: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)

    @contextmanager
    def context(self, actor: str = "system"):
        """App context with this tenant in scope; commits on success."""
        with self.app.app_context(), tenant_context(self.id), acting_as(actor):
            yield db.session
            db.session.commit()

    def add_person(self, role: str, name: str | None = None) -> Person:
        email = f"{_unique(role.replace('_', '-'))}@example.nhs.uk"
        with self.context() as session:
            user = commands.create_user(email, name or role.replace("_", " ").title(), PASSWORD)
            member = commands.add_member(user, role)
            person = Person(email, PASSWORD, role, user.id, member.id)
        self.people.setdefault(role, person)
        return person

    def add_service(self, name: str, kind: str = "day_centre", description: str = "") -> int:
        with self.context():
            service_id = commands.create_service(name, kind, description).id
        self.services[name] = service_id
        return service_id

    def token(self, role: str = "admin") -> str:
        person = self.people.get(role) or self.add_person(role)
        with self.context() as session:
            from .models import Membership

            _, token = commands.create_token(session.get(Membership, person.membership_id), "test")
        return token


ALL_ROLES = ("admin", "staff", "service_user", "facilitator", "viewer")


def new_tenant(app, name: str = "Test Trust", roles=ALL_ROLES,
               services=("Oak Day Centre", "Willow Ward")) -> TenantFixture:
    """A Trust of its own in ``app``, with a member of each role in ``roles`` and the ``services``."""
    slug = _unique("trust")
    with app.app_context(), acting_as("cli"):
        tenant = commands.create_tenant(slug, name)
        db.session.commit()
        fixture = TenantFixture(app, tenant.id, slug, name)
    for role in roles:
        fixture.add_person(role)
    for service in services:
        fixture.add_service(service)
    return fixture


@pytest.fixture
def make_tenant(app):
    """Factory: make_tenant(name=..., roles=("admin", ...), services=(...))."""

    def make(name: str = "Test Trust", roles=ALL_ROLES, services=("Oak Day Centre", "Willow Ward"),
             target_app=None) -> TenantFixture:
        return new_tenant(target_app or app, name, roles, services)

    return make


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


@pytest.fixture
def other_tenant(make_tenant):
    return make_tenant(name="Other Trust", services=("Elm Community Team",))


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, person: Person, tenant: TenantFixture | None = None):
    response = client.post("/sign-in", data={"email": person.email, "password": person.password})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def signed_in(app, tenant):
    """signed_in(role) -> a test client signed in as that role of ``tenant``."""

    def make(role: str = "admin", target=None):
        target = target or tenant
        person = target.people.get(role) or target.add_person(role)
        client = target.app.test_client()
        sign_in(client, person)
        return client

    return make


class ApiClient:
    def __init__(self, client, token: str, slug: str):
        self.client, self.slug = client, slug
        self.headers = {"Authorization": f"Bearer {token}"}

    def url(self, path: str) -> str:
        return f"/api/v1/t/{self.slug}/{path.lstrip('/')}" if not path.startswith("/api/") else path

    def __getattr__(self, method):
        if method not in ("get", "post", "patch", "put", "delete"):
            raise AttributeError(method)

        def call(path, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(self.url(path), headers=headers, **kwargs)

        return call


@pytest.fixture
def api_client(app, tenant):
    """api_client(role) -> calls the tenant's API with a fresh Bearer token of that role."""

    def make(role: str = "admin", target=None):
        target = target or tenant
        return ApiClient(target.app.test_client(), target.token(role), target.slug)

    return make



# --- history: the tables against the log ------------------------------------------------------

def history_matches_log(tenant_id: int, pairs) -> int:
    """Assert that, for each ``(as_of, known_on)`` pair of days, the history tables answer what folding the log answers.

    Checks every projection model; returns how many rows were compared (so a test
    can insist it looked at something). For plugin authors: call it after
    building a history of your own events.
    """
    from .events import projection_models
    from .history import When, fold_versions, rows, snapshot

    compared = 0
    with tenant_context(tenant_id):
        for as_of, known_on in pairs:
            when = When(as_of=as_of, known_on=known_on)
            for model in projection_models():
                from_tables = {_row_key(model, row): snapshot(row) for row in rows(model, when)}
                from_log = fold_versions(model, when)
                assert from_tables == from_log, (model.__tablename__, as_of, known_on)
                compared += len(from_log)
    return compared


def _row_key(model, row) -> str:
    return str(getattr(row, getattr(model, "__stream_key__", "id")))


def random_day_pairs(first, last, count: int, seed: int = 7):
    """``count`` random ``(as_of, known_on)`` pairs between two days, some with no ``known_on``."""
    import random
    from datetime import timedelta

    chance = random.Random(seed)
    span = (last - first).days

    def day():
        return first + timedelta(days=chance.randint(0, span))

    return [(day(), None if chance.random() < 0.3 else day()) for _ in range(count)]


# --- concurrency ------------------------------------------------------------------------------

def at_once(calls: list[Callable]) -> list:
    """Run each call in its own thread, all released together by a barrier; their results in order.

    For rules that must hold when many people act at the same moment: give each
    call its own test client (``signed_in``, ``api_client``), then count what was stored.
    An exception a call raises is returned in its place.
    """
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(number: int, call: Callable) -> None:
        try:
            start.wait()
            results[number] = call()
        except Exception as err:  # noqa: BLE001 - handed back to the test
            results[number] = err

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def projection_rows(tenant: TenantFixture) -> dict[str, list[dict]]:
    """Every live row the projectors keep for the Trust, table by table, in key order."""
    with tenant.context() as session:
        tables = {}
        for model in events.projection_models():
            columns = [attr.key for attr in model.__mapper__.column_attrs]
            keys = [col.key for col in model.__mapper__.primary_key]
            found = [{key: getattr(obj, key) for key in columns} for obj in session.scalars(select(model))]
            tables[model.__tablename__] = sorted(found, key=lambda row: tuple(str(row[key]) for key in keys))
        return tables


def assert_replay_keeps_projections(tenant: TenantFixture) -> None:
    """Rebuilding the Trust's tables from its log changes nothing: the live rows agreed with the log."""
    before = projection_rows(tenant)
    with tenant.context():
        events.replay(tenant.id)
    assert projection_rows(tenant) == before


# --- served over HTTP: Redis, gunicorn -------------------------------------------------------------

REDIS_SERVER = "/usr/bin/redis-server"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process, what: str, seconds: float = 60) -> None:
    import socket
    import time

    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped before it answered on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer on port {port} within {seconds:.0f} s") from None
            time.sleep(0.1)


def _stop(process) -> None:
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def redis_server(workdir) -> Iterator[str]:
    """Debian's redis-server on a free port of 127.0.0.1, keeping nothing on disk; yields its URL."""
    import subprocess

    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}"
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A Redis of the test session's own (Debian's redis-server; CI installs it)."""
    if not os.path.exists(REDIS_SERVER):
        pytest.skip(f"{REDIS_SERVER} is missing: apt-get install redis-server to run the tests of shared throttling")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@contextmanager
def served(app_spec: str, chdir, env: dict, log_path, *, workers: int = 2) -> Iterator[int]:
    """``app_spec`` under gunicorn (sync workers) on a free port of 127.0.0.1; yields the port, stops it after."""
    import subprocess
    import sys
    from pathlib import Path

    port = free_port()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir), "--log-level", "warning", app_spec],
            env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        _wait_for_port(port, process, f"gunicorn {app_spec} (see {log_path})")
        yield port
    finally:
        _stop(process)


@contextmanager
def gunicorn(database_url: str, log_path, *, workers: int = 2, **env) -> Iterator[int]:
    """The app under gunicorn, as production serves it. ``env`` adds settings (``RATELIMIT_STORAGE_URI``...)."""
    from pathlib import Path

    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "served-" + uuid.uuid4().hex * 2,
                "RATELIMIT_STORAGE_URI": "memory://", **env}
    with served("core:create_app()", Path(__file__).resolve().parent.parent, settings, log_path,
                workers=workers) as port:
        yield port


def over_http(port: int, method: str, path: str, *, json_body=None, form: dict | None = None,
         headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request to 127.0.0.1:``port`` on a connection of its own: (status, headers, body)."""
    import http.client as client
    import json as jsonlib
    from urllib.parse import urlencode

    headers = dict(headers or {})
    body = None
    if json_body is not None:
        body = jsonlib.dumps(json_body)
        headers["Content-Type"] = "application/json"
    elif form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        found: dict = {"set-cookie": []}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                found["set-cookie"].append(value.split(";", 1)[0])
            else:
                found[name.lower()] = value
        return response.status, found, response.read()
    finally:
        conn.close()


def sign_in_over_http(port: int, email: str, password: str) -> int:
    """Sign in through the real form (CSRF token and all) on a served app; the POST's status."""
    import re

    status, headers, body = over_http(port, "GET", "/sign-in")
    if status != 200:
        return status
    cookies = "; ".join(headers["set-cookie"])
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body.decode()).group(1)
    status, _, _ = over_http(port, "POST", "/sign-in", form={"email": email, "password": password,
                                                              "csrf_token": token}, headers={"Cookie": cookies})
    return status


def box_value(html: str, box_id: str) -> str | None:
    """The value shown in a page's text box (``held_on-day``), or None when there is no such box."""
    import re

    for tag in re.findall(r"<input\b[^>]*>", html):
        if re.search(rf'\bid="{re.escape(box_id)}"', tag):
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return found.group(1) if found else ""
    return None


def date_boxes(html: str, field_id: str) -> tuple:
    """A date field's three boxes as shown: (day, month, year)."""
    return tuple(box_value(html, f"{field_id}-{part}") for part in ("day", "month", "year"))
