"""The database handle, the declarative base and the column types shared by every model."""
import select
from contextvars import ContextVar
from datetime import datetime, timezone
from time import monotonic

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event, literal, literal_column
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations are the same on every engine.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every engine (SQLite keeps no zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record):
    """Both engines: core opens each transaction itself (see ``_begin``).
    SQLite: enforce foreign keys and wait for locks."""
    module = type(dbapi_connection).__module__
    if module.startswith("psycopg"):
        dbapi_connection.autocommit = True  # the driver sends no BEGIN of its own; ours carries more
    elif module.startswith("sqlite3"):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Write-ahead logging: pages read while someone writes, instead of waiting for them.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


# A pooled connection idle longer than this is pinged before use, so one left dead by a database
# restart is replaced, not handed to a request. One in steady use is not: under load, a ping before
# every request would be a round trip to the database for each page. It is pinged only when the
# database has sent it something unasked, as a server ending the connection does.
PING_AFTER_IDLE_SECONDS = 1.0
_RETURNED_AT = "cl_returned_at"


@event.listens_for(Pool, "checkin")
def _note_return(dbapi_connection, connection_record):
    connection_record.info[_RETURNED_AT] = monotonic()


def _spoken_to(dbapi_connection) -> bool:
    """Whether an idle connection has something to read: with no query out, only a notice
    the server sent of its own accord, such as that it is ending the connection."""
    try:
        waiting = select.poll()  # not select.select, which fails past file number 1023
        waiting.register(dbapi_connection.fileno(), select.POLLIN)
        return bool(waiting.poll(0))
    except Exception:  # noqa: BLE001 (closed already: the ping says so)
        return True


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
    returned = connection_record.info.get(_RETURNED_AT)
    if returned is None or type(dbapi_connection).__module__.startswith("sqlite3"):
        return  # new, or a file, which never drops the connection
    if monotonic() - returned < PING_AFTER_IDLE_SECONDS and not _spoken_to(dbapi_connection):
        return  # in steady use, and the database has said nothing since
    _ping(dbapi_connection)


def _ping(dbapi_connection) -> None:
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        if dbapi_connection.info.transaction_status:  # a connection not in autocommit began one
            dbapi_connection.rollback()
    except Exception as err:  # whatever the driver says, this connection is no use: the pool takes another
        raise DisconnectionError(f"a pooled connection failed its ping: {err}") from err


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# True while the app answers a request that only reads (set around the WSGI app, so the request
# contexts that commands push to build addresses are not taken for one).
_only_reading: ContextVar[bool] = ContextVar("only_reading", default=False)


@event.listens_for(Engine, "begin")
def _begin(conn):
    """Each transaction begins here, on both engines.

    SQLite: take the write lock at the start of each transaction that may write.
    The event log reads the tenant's head and appends after it; a deferred
    transaction could read a stale head and fail on upgrade to a writer.
    PostgreSQL locks the tenant row instead (see core.events). A request that
    only reads (GET, HEAD) takes no lock, so readers never queue behind each
    other or behind a writer; should one write after all, SQLite refuses it
    rather than let it write over what it did not see.

    PostgreSQL: a request that only reads sends no BEGIN and no COMMIT. Each of its
    statements is a read-only transaction by itself, which under READ COMMITTED sees
    just what it would see inside one; core.tenancy gives the session the Trust and
    the read-only default before a statement that wants them. Anything else begins
    with one message that begins the transaction (``READ WRITE``, whatever the
    session's default) and hands over the Trust in context for row-level security.
    Behind a pooler in transaction mode (``DATABASE_TRANSACTION_POOLING``) a session
    is not the app's to keep, so readers begin ``READ ONLY`` transactions too.
    """
    name = conn.dialect.name
    if name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _only_reading.get() else "BEGIN IMMEDIATE")
    elif name == "postgresql":
        from .tenancy import forget_setting, setting_at_begin

        dbapi_connection = conn.connection.dbapi_connection
        options = conn.get_execution_options()
        conn.info.pop(_READ_ONLY, None)
        conn.info.pop(_READING_BY_STATEMENT, None)
        if "isolation_level" in options or dbapi_connection.info.transaction_status:
            forget_setting(conn)  # an isolation level was chosen: the driver begins; the setting follows
            if not dbapi_connection.autocommit and not dbapi_connection.info.transaction_status:
                dbapi_connection.read_only = False  # the driver's BEGIN says READ WRITE, whatever the default
            return
        if not dbapi_connection.autocommit:
            dbapi_connection.autocommit = True  # an isolation level chosen earlier was put back
        read_only = _only_reading.get() and not options.get("writes_apart")
        if read_only and not options.get(TRANSACTION_POOLING):
            conn.info[_READING_BY_STATEMENT] = True
            return
        statement = "BEGIN READ ONLY" if read_only else "BEGIN READ WRITE"
        setting = setting_at_begin(conn)
        if setting:
            statement += "; " + setting
        try:
            dbapi_connection.execute(statement).close()
        except dbapi_connection.Error:  # again through SQLAlchemy: it knows a dead connection for one
            conn.exec_driver_sql(statement).close()
        if read_only:
            conn.info[_READ_ONLY] = True


# An engine execution option (set from DATABASE_TRANSACTION_POOLING): readers begin transactions.
TRANSACTION_POOLING = "transaction_pooling"
_READING_BY_STATEMENT = "cl_reading_by_statement"  # in the connection's info: a reader with no transaction


def reading_by_statement(conn) -> bool:
    """Whether the connection serves a reader whose statements each stand alone (see ``_begin``)."""
    return conn.info.get(_READING_BY_STATEMENT, False)


_READ_ONLY = "cl_read_only"  # in the connection's info: the transaction core began is read only


@event.listens_for(Engine, "before_cursor_execute", insert=True)  # before core.tenancy's setting
def _begin_for_a_server_side_cursor(conn, cursor, statement, parameters, context, executemany):
    """A reader's statement that streams its rows (``yield_per``) reads through a server-side cursor,
    which lives only inside a transaction: it begins a read-only one, ended as any (below)."""
    if context is None or not context.execution_options.get("stream_results") or not reading_by_statement(conn):
        return
    dbapi_connection = cursor.connection
    if not dbapi_connection.info.transaction_status:
        dbapi_connection.execute("BEGIN READ ONLY").close()
        conn.info[_READ_ONLY] = True


@event.listens_for(Engine, "rollback")
def _end_reader_with_commit(conn):
    """PostgreSQL: a read-only transaction ends with COMMIT, which undoes nothing it could have done.

    The driver forgets every statement it has prepared on a ROLLBACK (one may have been prepared
    inside what is undone), so with every request ending that way none would ever be prepared,
    and the database would plan each page's query afresh. Ended with COMMIT, the rollback that
    follows finds no transaction and sends nothing. Should the COMMIT fail, that rollback meets
    the same trouble, and SQLAlchemy handles it there as it handles any (a dead connection)."""
    conn.info.pop(_READING_BY_STATEMENT, None)
    if not conn.info.pop(_READ_ONLY, False):
        return
    from psycopg.pq import TransactionStatus

    dbapi_connection = conn.connection.dbapi_connection
    try:
        if dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:  # not one that failed
            dbapi_connection.commit()
    except Exception:  # noqa: BLE001 (handled by the rollback that follows, as above)
        pass


@event.listens_for(Engine, "commit")
def _forget_read_only(conn):
    conn.info.pop(_READ_ONLY, None)
    conn.info.pop(_READING_BY_STATEMENT, None)


def written_in(rows: int):
    """A LIMIT written into the statement's text, not sent as a parameter: ``.limit(written_in(1))``.

    PostgreSQL plans a prepared statement once and reuses the plan only when that
    plan is as cheap as planning afresh. Not knowing how many rows are wanted, it
    prices a reusable plan as though all were, and so plans again on every run.
    Written when the statement is compiled (and so kept with it), not on every run."""
    return literal_column(str(int(rows)))


def written_in_each_run(rows: int):
    """As ``written_in``, for a LIMIT the caller chooses (``?limit=``): written into the text as the
    statement runs, so it stays one compiled statement however many are asked for. (Compiled in,
    each number would be a statement of its own, and a thousand of them would push every other
    statement out of SQLAlchemy's cache.)"""
    return literal(int(rows), literal_execute=True)


def only_reading() -> bool:
    """Whether the request being answered only reads (GET, HEAD)."""
    return _only_reading.get()


def readers_take_no_lock(app) -> None:
    """Mark each request that only reads, for ``_begin``."""
    wsgi_app = app.wsgi_app

    def marked(environ, start_response):
        token = _only_reading.set(environ.get("REQUEST_METHOD", "GET") in SAFE_METHODS)
        try:
            return wsgi_app(environ, start_response)
        finally:
            _only_reading.reset(token)

    app.wsgi_app = marked
