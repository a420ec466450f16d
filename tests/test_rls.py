"""The second wall on PostgreSQL: row-level security on every tenant table, a serving role that owns nothing.

Each test here serves from a database of its own made as production makes it: an owner role
migrates (DATABASE_OWNER_URL), the app connects as a role that owns nothing. SQLite has
neither roles nor row-level security, so these run on PostgreSQL only.
"""
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from core import migrate
from core.db import db
from core.events import Event
from core.models import Membership, Service
from core.tenancy import ALL_TENANTS, tenant_context
from core.testing import new_tenant, throwaway_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def walled(database, tmp_path_factory):
    if database.engine != "postgresql":
        pytest.skip("row-level security and database roles are PostgreSQL's; SQLite needs neither")
    with throwaway_app("postgresql", tmp_path_factory, roles=True) as app:
        yield app


@pytest.fixture(scope="module")
def trusts(walled):
    """Two Trusts with members, services and events."""
    return new_tenant(walled, "North Trust"), new_tenant(walled, "South Trust", services=("Elm Ward",))


def _connect(url: str, **kwargs) -> psycopg.Connection:
    """A plain libpq connection for a SQLAlchemy URL: no part of the app between the test and the database."""
    parts = make_url(url)
    return psycopg.connect(host=parts.host, port=parts.port or 5432, user=parts.username, dbname=parts.database,
                           options=parts.query["options"], **kwargs)


def _serving_url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def _owner_url(app) -> str:
    return app.config["DATABASE_OWNER_URL"]


def _tenant_tables(conn) -> set[str]:
    return {name for (name,) in conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'tenant_id'")}


def _walled_tables(conn) -> set[str]:
    """Tables whose row-level security is on and forced, with a policy keyed on the transaction's tenant."""
    return {name for (name,) in conn.execute(
        "SELECT p.tablename FROM pg_policies p JOIN pg_class c ON c.relname = p.tablename "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = p.schemaname "
        "WHERE p.schemaname = current_schema() AND p.policyname = 'tenant_wall' AND p.cmd = 'ALL' "
        "AND c.relrowsecurity AND c.relforcerowsecurity "
        "AND p.qual LIKE '%current_setting(''app.tenant_id''%' "
        "AND p.with_check LIKE '%current_setting(''app.tenant_id''%'")}


def test_every_tenant_table_has_a_policy(walled):
    with _connect(_owner_url(walled)) as conn:
        tenant_tables = _tenant_tables(conn)
        assert {"events", "event_personal", "history", "erasures", "memberships", "services", "api_tokens",
                "tenant_plugins", "healthcheck_reviews", "levels_assessments", "indicators_rounds",
                "indicators_drafts", "resources_resources"} <= tenant_tables
        assert _walled_tables(conn) == tenant_tables
        # A table with no tenant_id has no wall: each must be one reviewed here, with its reason.
        others = {name for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")} - tenant_tables
        assert others == set(WITHOUT_A_TRUST)


WITHOUT_A_TRUST = {
    "tenants": "the Trusts themselves, found by slug before one is in context",
    "users": "accounts: one person may belong to several Trusts; signing in comes before any Trust",
    "user_sessions": "a person's signed-in sessions, looked up by the cookie before any Trust",
    "alembic_version": "the migrations' own bookkeeping; the serving role has no right to it",
}


def test_a_new_tenant_table_gets_its_wall_and_grants_at_the_next_upgrade(walled):
    """A plugin's migration writes no policy or grant of its own: the upgrade that runs it adds them."""
    with _connect(_owner_url(walled), autocommit=True) as conn:
        conn.execute("CREATE TABLE late_notes (tenant_id integer NOT NULL REFERENCES tenants (id), body text)")
        try:
            assert "late_notes" not in _walled_tables(conn)  # the check above would fail on it
            with walled.app_context():
                migrate.upgrade()
            assert "late_notes" in _walled_tables(conn)
            assert _walled_tables(conn) == _tenant_tables(conn)
            # No model names it, so the serving role is given nothing on it.
            with _connect(_serving_url(walled), autocommit=True) as app_conn:
                with pytest.raises(errors.InsufficientPrivilege):
                    app_conn.execute("SELECT count(*) FROM late_notes")
        finally:
            conn.execute("DROP TABLE late_notes")


def test_raw_sql_with_no_tenant_set_sees_no_rows(walled, trusts):
    with _connect(_owner_url(walled)) as conn:
        tables = sorted(_tenant_tables(conn))
    with _connect(_serving_url(walled)) as conn:
        seen = {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
        assert set(seen.values()) == {0}, seen
        # The same with the setting present but empty, as a transaction that left a Trust leaves it.
        conn.execute("SELECT set_config('app.tenant_id', '', true)")
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
        north = trusts[0]
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(north.id),))
        assert {row[0] for row in conn.execute("SELECT DISTINCT tenant_id FROM events")} == {north.id}
        conn.rollback()
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_a_migrations_backfill_walks_the_trusts_as_the_owner(walled, trusts):
    """The owner is held by the forced policies too; a backfill sees each Trust's rows in turn."""
    from core import rls

    north, south = trusts
    engine = create_engine(_owner_url(walled))
    try:
        with engine.begin() as conn:
            assert conn.scalar(text("SELECT count(*) FROM events")) == 0
            seen = {tenant_id: set(conn.scalars(text("SELECT DISTINCT tenant_id FROM events")))
                    for tenant_id in rls.each_tenant(conn)}
            assert seen[north.id] == {north.id} and seen[south.id] == {south.id}
            assert conn.scalar(text("SELECT count(*) FROM events")) == 0  # and after the walk, nothing
    finally:
        engine.dispose()


def test_the_orms_all_tenants_option_does_not_lift_the_wall(walled, trusts):
    with walled.app_context():
        assert db.session.scalars(select(Event).execution_options(**ALL_TENANTS)).all() == []
        assert db.session.scalars(select(Service).execution_options(**ALL_TENANTS)).all() == []
        db.session.rollback()


def test_a_person_sees_only_their_own_memberships_across_trusts(walled, trusts):
    from core.tenancy import own_memberships

    north, south = trusts
    person = north.people["staff"]
    with walled.app_context():
        with tenant_context(south.id):
            from core import commands
            from core.models import User

            user = db.session.get(User, person.user_id)
            commands.add_member(user, "viewer")
            db.session.commit()
        mine = db.session.scalars(select(Membership).execution_options(**own_memberships(person.user_id))).all()
        assert sorted(m.tenant_id for m in mine) == sorted([north.id, south.id])
        assert {m.user_id for m in mine} == {person.user_id}
        db.session.rollback()


def test_a_pooled_connection_reused_for_another_trust_never_sees_the_first(walled, trusts):
    north, south = trusts
    engine = create_engine(_serving_url(walled), pool_size=1, max_overflow=0)
    try:
        def look(tenant_id, finish="commit"):
            with walled.app_context(), engine.connect() as conn:
                context = tenant_context(tenant_id) if tenant_id else _no_tenant()
                with context:
                    pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
                    tenants = {row[0] for row in conn.execute(text("SELECT DISTINCT tenant_id FROM events"))}
                    setting = conn.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar()
                    getattr(conn, finish)()
            return pid, tenants, setting

        first, tenants, setting = look(north.id)
        assert tenants == {north.id} and setting == str(north.id)
        # Left open and handed back to the pool by the connection's own reset.
        pid, tenants, _ = look(north.id, finish="close")
        assert pid == first and tenants == {north.id}
        pid, tenants, setting = look(south.id)
        assert pid == first and tenants == {south.id} and setting == str(south.id)
        pid, tenants, setting = look(None)
        assert pid == first and tenants == set() and setting in ("", None)
    finally:
        engine.dispose()


def _look_as(app, engine, tenant_id, how: str, **options):
    """One use of a pooled connection: ``how`` is "reading" (a GET: no transaction, core.db), "writing"
    (core's own BEGIN) or "autocommit" (each statement alone, as a writer asked for it)."""
    from importlib import import_module

    core_db = import_module("core.db")
    marker = core_db._only_reading.set(how == "reading")
    try:
        with app.app_context(), engine.connect() as conn:
            if how == "autocommit":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            with tenant_context(tenant_id) if tenant_id else _no_tenant():
                tenants = {row[0] for row in conn.execute(text("SELECT DISTINCT tenant_id FROM events"))}
                people = {row[0] for row in conn.execute(
                    text("SELECT DISTINCT user_id FROM memberships").execution_options(**options))}
                setting, read_only = conn.execute(text(
                    "SELECT current_setting('app.tenant_id', true), current_setting('transaction_read_only')")).one()
                conn.rollback()
    finally:
        core_db._only_reading.reset(marker)
    return tenants, people, setting or "", read_only


def test_a_connection_shared_by_readers_and_writers_never_lends_a_trust_or_a_person(walled, trusts):
    """A reader's statements see the session's settings (core.db): whatever one use left in the
    session, the next statement, a reader's or a writer's, sees only what it asked for."""
    from core.tenancy import own_memberships

    north, south = trusts
    person = north.people["staff"].user_id
    engine = create_engine(_serving_url(walled), pool_size=1, max_overflow=0)
    try:
        pid = None
        for tenant, how, options in (
                (north, "reading", {}), (south, "writing", {}), (None, "reading", own_memberships(person)),
                (None, "writing", {}), (north, "reading", {}), (south, "reading", {}), (None, "reading", {}),
                (north, "reading", {}), (None, "autocommit", {}), (south, "autocommit", {}), (north, "writing", {})):
            tenants, people, setting, read_only = _look_as(walled, engine, tenant.id if tenant else None, how,
                                                           **options)
            asked = f"{tenant.name if tenant else 'no Trust'}, {how}, {options}"
            assert tenants == ({tenant.id} if tenant else set()), asked
            assert setting == (str(tenant.id) if tenant else ""), asked
            assert read_only == ("on" if how == "reading" else "off"), asked
            if options:
                assert people == {person}, asked
            elif tenant is None:
                assert people == set(), asked
            with engine.connect() as conn:  # one connection throughout
                now = conn.connection.dbapi_connection.info.backend_pid
                assert pid in (None, now)
                pid = now
                conn.rollback()
    finally:
        engine.dispose()


def test_a_setting_whose_answer_was_lost_is_sent_again(walled, trusts, monkeypatch):
    """Should the database take a new setting but the app never hear back, the connection's
    session is unsure, and the next statement sets what it wants again rather than trust it."""
    north, south = trusts
    engine = create_engine(_serving_url(walled), pool_size=1, max_overflow=0)
    try:
        assert _look_as(walled, engine, north.id, "reading")[0] == {north.id}
        execute = psycopg.Cursor.execute

        def lost(self, query, *args, **kwargs):
            answer = execute(self, query, *args, **kwargs)
            if "set_config('default_transaction_read_only'" in str(query):
                raise RuntimeError("the answer was lost")
            return answer
        monkeypatch.setattr(psycopg.Cursor, "execute", lost)
        with pytest.raises(RuntimeError):
            _look_as(walled, engine, south.id, "reading")  # the database holds the South now
        monkeypatch.setattr(psycopg.Cursor, "execute", execute)
        tenants, _, setting, _ = _look_as(walled, engine, north.id, "reading")
        assert tenants == {north.id} and setting == str(north.id)
    finally:
        engine.dispose()


def test_behind_a_transaction_pooler_a_reader_keeps_nothing_in_the_session(walled, trusts):
    """With DATABASE_TRANSACTION_POOLING the session is not the app's to keep: a reader begins a
    read-only transaction whose settings end with it."""
    from core.db import TRANSACTION_POOLING

    north, _ = trusts
    engine = create_engine(_serving_url(walled), pool_size=1, max_overflow=0,
                           execution_options={TRANSACTION_POOLING: True})
    try:
        tenants, _, setting, read_only = _look_as(walled, engine, north.id, "reading")
        assert tenants == {north.id} and setting == str(north.id) and read_only == "on"
        with engine.connect() as conn:  # the driver's own connection, past the app's checks
            raw = conn.connection.dbapi_connection
            held = raw.execute("SELECT current_setting('app.tenant_id', true), "
                               "current_setting('default_transaction_read_only')").fetchone()
            assert (held[0] or "", held[1]) == ("", "off")
            conn.rollback()
    finally:
        engine.dispose()


def test_the_setting_for_a_transaction_pooler_reaches_the_engine(walled):
    from core import create_app
    from core.db import TRANSACTION_POOLING

    app = create_app({"SQLALCHEMY_DATABASE_URI": _serving_url(walled), "SECRET_KEY": "x" * 40,
                      "DATABASE_TRANSACTION_POOLING": True})
    with app.app_context():
        assert db.engine.get_execution_options().get(TRANSACTION_POOLING) is True
        db.engine.dispose()


def test_a_savepoint_rolled_back_does_not_leave_the_tenant_behind(walled, trusts):
    """Rolling back a savepoint puts back the setting from before it: the next statement must set it again."""
    north, south = trusts
    tenants_seen = text("SELECT DISTINCT tenant_id FROM services")
    with walled.app_context(), db.engine.connect() as conn:
        with tenant_context(north.id):
            assert set(conn.scalars(tenants_seen)) == {north.id}
            savepoint = conn.begin_nested()
        with tenant_context(south.id):
            assert set(conn.scalars(tenants_seen)) == {south.id}  # set inside the savepoint
            savepoint.rollback()  # the database is back at the North's setting here
            assert set(conn.scalars(tenants_seen)) == {south.id}
        assert set(conn.scalars(tenants_seen)) == set()
        conn.rollback()


class _no_tenant:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("statement", [
    "UPDATE events SET actor = 'user:0'",
    "DELETE FROM events",
    "TRUNCATE events CASCADE",
    "UPDATE event_personal SET data = '{}'",
    "TRUNCATE event_personal",
    "ALTER TABLE events DISABLE TRIGGER USER",
    "ALTER TABLE events DISABLE TRIGGER ALL",
    "ALTER TABLE event_personal DISABLE TRIGGER event_personal_no_update_delete",
    "ALTER TABLE events NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE services DISABLE ROW LEVEL SECURITY",
    "ALTER TABLE services ADD COLUMN note text",
    "DROP POLICY tenant_wall ON services",
    "DROP TRIGGER events_no_update_delete ON events",
    "SET session_replication_role = replica",
    "SET row_security = off; SELECT count(*) FROM events",
    "CREATE TABLE intruder (id integer)",
])
def test_the_app_role_cannot_change_the_log_or_the_tables(walled, trusts, statement):
    north = trusts[0]
    with _connect(_serving_url(walled)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(north.id),))
        before = conn.execute("SELECT count(*), max(seq) FROM events").fetchone()
        conn.commit()
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(north.id),))
        with pytest.raises((errors.InsufficientPrivilege, errors.RaiseException)) as caught:
            conn.execute(statement)
        assert "append-only" not in str(caught.value)  # refused for want of the right, not by a trigger
        conn.rollback()
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(north.id),))
        assert conn.execute("SELECT count(*), max(seq) FROM events").fetchone() == before


def test_the_app_role_cannot_write_a_row_for_another_trust(walled, trusts):
    north, south = trusts
    with _connect(_serving_url(walled)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(north.id),))
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO services (id, tenant_id, name, kind, description, archived, created_at) "
                         "VALUES (999999, %s, 'Planted', 'ward', '', false, now())", (south.id,))
        conn.rollback()
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(north.id),))
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE services SET tenant_id = %s", (south.id,))
        conn.rollback()
        # And another Trust's rows are simply not there to change.
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(north.id),))
        assert conn.execute("UPDATE services SET name = 'Renamed' WHERE tenant_id = %s", (south.id,)).rowcount == 0
        conn.rollback()


def test_the_serving_role_is_fit_and_db_upgrade_says_so(walled):
    from core import rls

    with walled.app_context():
        role = migrate.serving_role()
        assert role.startswith("cl_app_")
        with db.engine.connect() as conn:
            assert rls.role_problems(conn, role) == []
            attributes = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                                      {"r": role}).one()
            assert tuple(attributes) == (False, False)
        runner = walled.test_cli_runner()
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0 and "Warning" not in result.output, result.output
    with walled.app_context():
        privileges = _privileges(walled, role)
    assert privileges["events"] == {"SELECT", "INSERT"}
    assert privileges["event_personal"] == {"SELECT", "INSERT", "DELETE"}
    assert privileges["services"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert privileges["tenants"] == privileges["users"] == privileges["user_sessions"] == {"SELECT", "INSERT", "UPDATE"}
    assert "alembic_version" not in privileges


def _privileges(app, role) -> dict[str, set[str]]:
    with _connect(_owner_url(app)) as conn:
        found: dict[str, set[str]] = {}
        for table, privilege in conn.execute(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                "WHERE table_schema = current_schema() AND grantee = %s", (role,)):
            found.setdefault(table, set()).add(privilege)
    return found


def test_db_upgrade_warns_when_the_app_serves_as_the_owner(walled):
    """One user for both (DATABASE_URL the owner, no DATABASE_OWNER_URL): it works, and the operator is told."""
    from core import create_app

    owner_app = create_app({"SQLALCHEMY_DATABASE_URI": _owner_url(walled), "SECRET_KEY": "test-secret",
                            "TESTING": True})
    try:
        result = owner_app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "owns the tables" in result.output
    finally:
        with owner_app.app_context():
            db.engine.dispose()


def test_db_upgrade_as_the_serving_role_alone_says_what_is_missing(walled):
    from core import create_app

    app_only = create_app({"SQLALCHEMY_DATABASE_URI": _serving_url(walled), "SECRET_KEY": "test-secret",
                           "TESTING": True})
    try:
        result = app_only.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 1
        assert result.output.strip().splitlines() == [
            "Error: Migrating needs the user that owns the tables, and DATABASE_URL is not it: set "
            "DATABASE_OWNER_URL to the owner (see README, 'Two database users')."]
    finally:
        with app_only.app_context():
            db.engine.dispose()


def test_the_owner_url_comes_from_the_environment(monkeypatch, tmp_path):
    from core import config

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://cl_app@db/changing_lives")
    monkeypatch.setenv("DATABASE_OWNER_URL", "postgresql+psycopg://cl_owner@db/changing_lives")
    settings = config.from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://cl_app@db/changing_lives"
    assert settings["DATABASE_OWNER_URL"] == "postgresql+psycopg://cl_owner@db/changing_lives"
    monkeypatch.delenv("DATABASE_OWNER_URL")
    assert config.from_environment(str(tmp_path))["DATABASE_OWNER_URL"] is None


# The whole app, served by the app role: a representative set of the suite's own tests, run again
# with TEST_DATABASE_ROLES=1 (core.testing serves every PostgreSQL database from a role that owns nothing).
SERVED_BY_THE_APP_ROLE = [
    "tests/test_tenant_isolation.py",  # the cross-Trust matrix, pages and API
    "tests/test_sessions.py",  # signing in, choosing a Trust, sessions ending
    "tests/test_home.py",  # home pages; the database moving a person's number as memberships change
    "tests/test_rules_under_lock.py",  # the Trust's lock, requests released together
    "tests/test_audit.py",  # the log read, filtered and exported
    "tests/test_cli.py",  # commands that walk every Trust: verify, replay, export, erase
    "tests/test_demo.py",  # years of history recorded through the commands
    "plugins/healthcheck/tests/test_pages.py",
    "plugins/indicators/tests/test_invite.py",  # service users without an account
]
NOT_FOR_THE_APP_ROLE = [  # needs the owner's rights on purpose: it removes the log's triggers to tamper
    "tests/test_cli.py::test_verify_finds_an_edited_or_removed_event",
]


def test_the_app_works_served_by_the_app_role(database):
    if database.engine != "postgresql":
        pytest.skip("PostgreSQL only")
    if os.environ.get("TEST_DATABASE_ROLES"):
        pytest.skip("already serving as the app role: this would run itself")
    environment = {**os.environ, "TEST_DATABASE_ROLES": "1"}
    deselect = [arg for test in NOT_FOR_THE_APP_ROLE for arg in ("--deselect", test)]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *SERVED_BY_THE_APP_ROLE, "-q", "-p", "no:cacheprovider", "-k", "postgresql",
         "-W", "ignore::DeprecationWarning", *deselect],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=1800)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary


def test_a_short_address_finds_one_invitation_across_trusts_and_nothing_else(walled, trusts):
    """/i/<code> names no Trust: the code's hash, and only it, lets one invitation through."""
    from core.auth import token_hash
    from core.tenancy import found_by_hash
    from plugins.indicators import commands as indicators
    from plugins.indicators.models import Invitation, Round

    north, south = trusts
    with walled.test_request_context():
        from core.events import acting_as

        with tenant_context(south.id), acting_as("system"):
            round_ = indicators.start_round(south.services["Elm Ward"], "Spring")
            invitation, token = indicators.create_invitation(round_, "service_users")
            db.session.commit()
        code = token.split(".", 1)[0]
        found = indicators.invitation_by_short_code(code)
        assert found is not None and found.tenant_id == south.id
        # Without the hash, or with another, the wall shows nothing of any Trust.
        everything = select(Invitation).execution_options(**ALL_TENANTS)
        assert db.session.scalars(everything).all() == []
        assert db.session.scalars(select(Invitation).execution_options(**found_by_hash(token_hash("ZZZZ2222")))).all() == []
        assert db.session.scalars(select(Round).execution_options(**found_by_hash(found.short_hash))).all() == []
        db.session.rollback()
