"""The database handle, the declarative base and the column types shared by every model."""
from contextvars import ContextVar
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
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
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, wait for locks, and let core open transactions itself."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Write-ahead logging: pages read while someone writes, instead of waiting for them.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# True while the app answers a request that only reads (set around the WSGI app, so the request
# contexts that commands push to build addresses are not taken for one).
_only_reading: ContextVar[bool] = ContextVar("only_reading", default=False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: take the write lock at the start of each transaction that may write.

    The event log reads the tenant's head and appends after it; a deferred
    transaction could read a stale head and fail on upgrade to a writer.
    PostgreSQL locks the tenant row instead (see core.events). A request that
    only reads (GET, HEAD) takes no lock, so readers never queue behind each
    other or behind a writer; should one write after all, SQLite refuses it
    rather than let it write over what it did not see.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _only_reading.get() else "BEGIN IMMEDIATE")


def only_reading() -> bool:
    """Whether the request being answered only reads (GET, HEAD)."""
    return _only_reading.get()


def readers_take_no_lock(app) -> None:
    """Mark each request that only reads, for ``_sqlite_begin``."""
    wsgi_app = app.wsgi_app

    def marked(environ, start_response):
        token = _only_reading.set(environ.get("REQUEST_METHOD", "GET") in SAFE_METHODS)
        try:
            return wsgi_app(environ, start_response)
        finally:
            _only_reading.reset(token)

    app.wsgi_app = marked
