"""How core opens transactions (core.db) and what a page costs the database.

A request that only reads cannot write. On PostgreSQL it sends no BEGIN and no COMMIT: each of
its statements stands alone, read only, with the Trust's row-security setting in the session;
a page kept whole is then one round trip to the database. A pooled connection that sat idle, or
that the database has hung up on, is pinged before use, so one left dead by a database restart
is replaced; one in steady use is not pinged at all.
"""
import re
from datetime import datetime, timedelta, timezone
from importlib import import_module

import pytest
import time_machine
from sqlalchemy import event, select, text

from core.db import db
from core.sessions import UserSession
from core.tenancy import tenant_context
from core.testing import sign_in

core_db = import_module("core.db")  # the module: ``core.db`` names the database handle too


def _statements(app):
    sent = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):  # SQLite's own BEGIN (core.db) goes through here too
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    return engine, note, sent


def test_a_kept_page_is_one_query_to_the_database(app, tenant):
    admin, service_user = app.test_client(), app.test_client()
    sign_in(admin, tenant.people["admin"])
    sign_in(service_user, tenant.people["service_user"])
    service = tenant.add_service("Kept page day centre")
    report = f"/t/{tenant.slug}/services/{service}/report"
    # (a service user's home also knows, kept, whether they belong to other Trusts)
    for client, path in ((admin, report), (admin, f"/t/{tenant.slug}/"), (service_user, f"/t/{tenant.slug}/")):
        assert client.get(path).status_code == 200  # made, and kept
        engine, note, sent = _statements(app)
        try:
            page = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert page.status_code == 200
        # the Trust, its log's head, the session, its person and their membership: one statement
        assert len(sent) == 1, sent
        assert "user_sessions" in sent[0] and "memberships" in sent[0]


def test_an_api_call_reads_its_token_with_the_trust(app, tenant, api_client):
    api = api_client("staff")
    assert api.get("services").status_code == 200
    engine, note, sent = _statements(app)
    try:
        answer = api.get("services")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert answer.status_code == 200
    assert "api_tokens" in sent[0] and "tenants" in sent[0]
    assert not any("api_tokens" in statement or "memberships" in statement for statement in sent[1:]), sent


def test_a_token_of_another_trust_is_refused_however_it_is_read(app, tenant, other_tenant, api_client):
    stranger = api_client("admin", target=other_tenant)
    for _ in range(2):  # the first request finds the Trust by name, the next by its id, with the token
        answer = stranger.client.get(f"/api/v1/t/{tenant.slug}/services", headers=stranger.headers)
        assert answer.status_code == 401


def test_the_first_statement_already_sees_the_trust_in_context(app, tenant, other_tenant):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the database's own tenant setting is PostgreSQL's (row-level security)")
    with app.app_context():
        for trust in (tenant, other_tenant):
            with tenant_context(trust.id):
                setting = db.session.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar()
                db.session.rollback()
            assert setting == str(trust.id)
        # a pooled connection carries no Trust into its next use
        assert db.session.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar() in ("", None)
        db.session.rollback()


def test_a_request_that_only_reads_neither_blocks_a_writer_nor_writes(app, tenant):
    """It takes no write lock, so a writer goes ahead at once; should it try to write, it is
    refused: on PostgreSQL each of its statements is read only, and SQLite will not let a reader
    write over what it did not see."""
    from sqlalchemy.exc import DBAPIError

    rename = text("UPDATE tenants SET name = 'Renamed by a reader' WHERE id = :id")
    with app.app_context(), tenant_context(tenant.id):
        marker = core_db._only_reading.set(True)
        try:
            db.session.execute(text("SELECT name FROM tenants WHERE id = :id"), {"id": tenant.id}).scalar()
        finally:
            core_db._only_reading.reset(marker)
        with db.engine.connect() as writer:  # another request, one that writes
            raw = writer.connection.dbapi_connection
            if writer.dialect.name == "sqlite":
                raw.execute("PRAGMA busy_timeout=200")  # fail at once rather than wait for a lock
            with writer.begin():  # a real change: one that changes nothing moves no snapshot
                writer.execute(text("UPDATE tenants SET name = 'Renamed meanwhile' WHERE id = :id"), {"id": tenant.id})
            if writer.dialect.name == "sqlite":
                raw.execute("PRAGMA busy_timeout=30000")
        with pytest.raises(DBAPIError):
            db.session.execute(rename, {"id": tenant.id})
        db.session.rollback()


def test_a_get_still_keeps_the_session_alive(app, tenant):
    """The one write a reading request makes, "last seen", has a transaction of its own that may write."""
    start = datetime.now(timezone.utc)
    client = app.test_client()
    with time_machine.travel(start, tick=False):
        sign_in(client, tenant.people["staff"])
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert client.get(f"/t/{tenant.slug}/").status_code == 200
    with app.app_context():
        seen = db.session.execute(select(UserSession.last_seen_at).where(
            UserSession.user_id == tenant.people["staff"].user_id).order_by(UserSession.started_at.desc())).scalar()
        db.session.rollback()
    assert seen == start + timedelta(minutes=2)


def _backend_pid(app) -> int:
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.rollback()
        db.session.close()
    return pid


def _end_backend(app, pid: int) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with other.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()  # gone
        conn.rollback()
    other.dispose()


@pytest.fixture
def fresh_pool(app):
    with app.app_context():
        db.engine.dispose()  # a pool of fresh connections, for this test alone
    yield
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def one_connection(app, fresh_pool):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("a SQLite file never drops its connection, so it is never pinged")


@pytest.fixture
def prepared_statements(app, fresh_pool):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("statements prepared by the driver, and kept by the database, are PostgreSQL's")


def test_a_connection_left_dead_while_idle_is_replaced_before_use(app, one_connection, monkeypatch):
    dead = _backend_pid(app)
    _end_backend(app, dead)  # as a database restart would
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has sat idle long enough
    assert _backend_pid(app) != dead  # pinged, found dead, replaced: the statement never saw it


def test_a_connection_the_database_ended_is_replaced_before_use_even_in_steady_use(app, one_connection, monkeypatch):
    """Ending a connection, the database says so (as on a restart): the connection has something to
    read while no query is out, so it is pinged, found dead and replaced."""
    dead = _backend_pid(app)
    _end_backend(app, dead)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    assert _backend_pid(app) != dead


def test_a_connection_in_steady_use_is_not_pinged(app, one_connection, monkeypatch):
    """A ping before every request would be a round trip for each page: one in steady use, which the
    database has said nothing to, is used as it is."""
    pings = []
    ping = core_db._ping
    monkeypatch.setattr(core_db, "_ping", lambda dbapi_connection: pings.append(1) or ping(dbapi_connection))
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = _backend_pid(app)
    for _ in range(5):
        assert _backend_pid(app) == first
    assert pings == []
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as though it had sat idle
    assert _backend_pid(app) == first and pings == [1]


def _prepared_on_the_pooled_connection(app) -> list:
    """(statement, plans made afresh, plans reused) of each statement prepared on the pool's connection."""
    with app.app_context():
        prepared = db.session.execute(text(
            "SELECT statement, custom_plans, generic_plans FROM pg_prepared_statements")).all()
        db.session.rollback()
    return prepared


# The driver prepares a statement on its 6th use; the database plans its first 5 runs afresh, and
# from the 6th reuses one plan if that plan is as cheap. So a page asked for this often has had
# every chance to be planned once.
OFTEN = 5 + 5 + 4


def test_a_page_asked_for_again_and_again_is_planned_once(app, tenant, prepared_statements):
    """A reading request rolls nothing back (the driver forgets what it prepared on a ROLLBACK),
    so the page's query is prepared after a few uses and the database no longer plans it on every
    request."""
    client = app.test_client()
    sign_in(client, tenant.people["admin"])
    service = tenant.add_service("Prepared day centre")
    report = f"/t/{tenant.slug}/services/{service}/report"
    for _ in range(OFTEN):
        assert client.get(report).status_code == 200
    prepared = _prepared_on_the_pooled_connection(app)
    page = [p for p in prepared if "user_sessions" in p.statement and "memberships" in p.statement]
    assert page, prepared
    assert page[0].generic_plans > 0, page  # planned once and reused, not planned on every request


def _main_pages_again_and_again(app, tenant, api_client, times: int) -> None:
    client = app.test_client()
    sign_in(client, tenant.people["admin"])
    service = tenant.add_service("Planned day centre")
    api = api_client("admin")
    pages = [f"/t/{tenant.slug}/", f"/t/{tenant.slug}/report", f"/t/{tenant.slug}/services/{service}/report",
             f"/t/{tenant.slug}/audit/"]
    for _ in range(times):
        for page in pages:
            assert client.get(page).status_code == 200, page
        assert api.get("services").status_code == 200
        assert api.get("events").status_code == 200


def test_the_main_pages_write_their_limits_into_the_statement(app, tenant, api_client):
    """A LIMIT sent as a parameter leaves PostgreSQL pricing a reusable plan as though every row
    were wanted: once a Trust's log is long, it plans such a statement afresh on every run."""
    engine, note, sent = _statements(app)
    try:
        _main_pages_again_and_again(app, tenant, api_client, times=1)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    limited = [statement for statement in sent if "LIMIT" in statement]
    assert limited  # the log's head, the audit page, the events API
    assert not [statement for statement in limited if re.search(r"LIMIT\s+(%\(|\?)", statement)], limited


def test_a_limit_the_caller_chooses_is_one_compiled_statement_however_many_are_asked_for(app, tenant, api_client):
    """``?limit=`` of the events API is written in as the statement runs: a compiled statement for
    each number would let one token push every other statement out of SQLAlchemy's cache."""
    api = api_client("admin")
    assert api.get("events?limit=1").status_code == 200
    with app.app_context():
        cache = db.engine._compiled_cache
    before = len(cache)
    engine, note, sent = _statements(app)
    try:
        for limit in range(2, 42):
            answer = api.get(f"events?limit={limit}")
            assert answer.status_code == 200 and len(answer.get_json()["events"]) <= limit
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(cache) - before <= 2, len(cache) - before
    assert any(re.search(r"LIMIT 41\b", statement) for statement in sent)  # still written into the text


def test_no_statement_of_the_main_pages_is_planned_on_every_request(app, tenant, api_client, prepared_statements):
    _main_pages_again_and_again(app, tenant, api_client, times=OFTEN)
    replanned = [p for p in _prepared_on_the_pooled_connection(app) if p.custom_plans > 5 and not p.generic_plans]
    assert not replanned, replanned


def test_a_reader_whose_statement_failed_ends_cleanly(app, tenant, fresh_pool):
    """A failed read-only transaction cannot commit: it is rolled back, and the connection serves on."""
    from sqlalchemy.exc import DBAPIError

    with app.app_context(), tenant_context(tenant.id):
        marker = core_db._only_reading.set(True)
        try:
            with pytest.raises(DBAPIError):
                db.session.execute(text("SELECT * FROM no_such_table"))
            db.session.rollback()
            assert db.session.execute(text("SELECT 2")).scalar() == 2
            db.session.rollback()
        finally:
            core_db._only_reading.reset(marker)
    with app.app_context():
        assert db.session.execute(text("SELECT name FROM tenants WHERE id = :id"), {"id": tenant.id}).scalar()
        db.session.rollback()


def test_a_reader_whose_connection_died_leaves_the_pool_working(app, tenant, one_connection):
    """A reader ends with nothing to send; the next use of its connection finds the database hung up
    on it and takes another, so no request sees the dead one."""
    client = app.test_client()
    sign_in(client, tenant.people["staff"])
    page = f"/t/{tenant.slug}/"
    assert client.get(page).status_code == 200
    with app.app_context(), tenant_context(tenant.id):
        marker = core_db._only_reading.set(True)
        try:
            dead = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
            _end_backend(app, dead)
            db.session.rollback()
        finally:
            core_db._only_reading.reset(marker)
    assert client.get(page).status_code == 200
    assert _backend_pid(app) != dead


def test_a_kept_page_is_one_round_trip_on_postgresql(app, tenant, prepared_statements, monkeypatch):
    """No BEGIN, no COMMIT: the page's one query is all a reading request sends."""
    import psycopg

    client = app.test_client()
    sign_in(client, tenant.people["admin"])
    report = f"/t/{tenant.slug}/services/{tenant.add_service('One round trip day centre')}/report"
    assert client.get(report).status_code == 200
    sent = []  # what the connection itself sends (a rollback with no transaction open sends nothing)
    for name in ("execute", "commit", "rollback"):
        original = getattr(psycopg.Connection, name)

        def noted(self, *args, _name=name, _original=original, **kw):
            if _name != "rollback" or self.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                sent.append((_name, args[:1]))
            return _original(self, *args, **kw)
        monkeypatch.setattr(psycopg.Connection, name, noted)
    engine, note, statements = _statements(app)
    try:
        assert client.get(report).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert sent == [] and len(statements) == 1, (sent, statements)
