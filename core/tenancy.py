"""The one tenant-isolation mechanism.

Every tenant-owned model inherits ``TenantScoped``. While a tenant is in context
(set from the URL, or by a CLI command), every ORM query is given
``WHERE tenant_id = <that tenant>`` for every tenant-owned entity it touches,
including joins and relationship loads. With no tenant in context a query of a
tenant-owned model raises: the mechanism fails closed. Core SQL (``text()``,
``Table`` statements) bypasses it, so request code uses the ORM only.

On PostgreSQL the same tenant is also handed to the database, for its
row-level security (``core.rls``): before every statement, the ``app.tenant_id``
setting it will see is made to match the tenant in context. Inside a transaction
the setting is the transaction's own (``set_config(..., true)``, or ``SET LOCAL``
in the message that begins it); a reader's statement outside any transaction
(core.db) sees the session's, which is set when it differs. Every statement is
checked, so a pooled connection's session never lends one Trust's setting to
another's statement.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from psycopg.pq import TransactionStatus
from sqlalchemy import ForeignKey, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql.util import find_tables

from .db import reading_by_statement

_current_tenant_id: ContextVar[int | None] = ContextVar("current_tenant_id", default=None)

# Execution option for the few core paths that look across tenants. It lifts the ORM's
# scoping only: on PostgreSQL row-level security still shows no tenant's rows without a
# tenant, except what a policy allows on its own (see own_memberships).
ALL_TENANTS = {"all_tenants": True}


def own_memberships(user_id: int) -> dict:
    """Execution options for reading one person's memberships in every Trust (choosing a Trust).

    Besides lifting the ORM's scoping, it hands the person's id to the database for the
    statement's transaction; memberships' own policy lets those rows, and only those, through.
    """
    return {**ALL_TENANTS, "member_user_id": int(user_id)}


def found_by_hash(value: str) -> dict:
    """Execution options for finding a row in any Trust by the hash of a code a person typed
    (a short address: ``/i/<code>`` names no Trust, so the code has to find it).

    Besides lifting the ORM's scoping, it hands the hash to the database as ``app.lookup_hash``;
    a table that is looked up this way has a read-only policy letting through the rows whose
    hash column equals it, and nothing else (see the indicators' invitations).
    """
    return {**ALL_TENANTS, "lookup_hash": str(value)}


class TenantScopeError(RuntimeError):
    """A tenant-owned table was queried or written with no tenant in context."""


class TenantScoped:
    """Mixin: the row belongs to one tenant. Indexes on such tables lead with tenant_id."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id"), nullable=False)


def current_tenant_id() -> int | None:
    return _current_tenant_id.get()


def set_tenant(tenant_id: int | None):
    """Set the tenant for the rest of this context (a request); returns a reset token."""
    return _current_tenant_id.set(tenant_id)


def reset_tenant(token) -> None:
    _current_tenant_id.reset(token)


@contextmanager
def tenant_context(tenant_id: int):
    token = _current_tenant_id.set(tenant_id)
    try:
        yield
    finally:
        _current_tenant_id.reset(token)


def _is_scoped(mapper) -> bool:
    return issubclass(mapper.class_, TenantScoped)


def _touches_tenant_tables(state) -> bool:
    if any(_is_scoped(m) for m in state.all_mappers):
        return True
    # select(func.count()).select_from(Model) names no entity; look at the tables themselves.
    tables = find_tables(state.statement, check_columns=True, include_aliases=True, include_joins=True,
                         include_selects=True, include_crud=True)
    return not _tenant_tables().isdisjoint(tables)


_tables_cache: dict = {"mappers": -1, "tables": frozenset()}


def _tenant_tables() -> frozenset:
    """Tables of tenant-owned models, recomputed only when a model is added (a plugin loads)."""
    from .db import db

    mappers = db.Model.registry.mappers
    if _tables_cache["mappers"] != len(mappers):
        _tables_cache["tables"] = frozenset(m.local_table for m in mappers if _is_scoped(m))
        _tables_cache["mappers"] = len(mappers)
    return _tables_cache["tables"]


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state):
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("all_tenants"):
        return
    tenant_id = _current_tenant_id.get()
    if tenant_id is None:
        if _touches_tenant_tables(state):
            raise TenantScopeError("a tenant-owned table was queried with no tenant in context")
        return
    if state.execution_options.get("built_once"):
        key = (id(state.statement), tenant_id)
        kept = _scoped_once.get(key)
        if kept is None or kept[0] is not state.statement:
            # the statement is held with its scoped form, so its id can never be another's
            kept = _scoped_once[key] = (state.statement, _scoped(state.statement, tenant_id))
        state.statement = kept[1]
        return
    state.statement = _scoped(state.statement, tenant_id)


def _scoped(statement, tenant_id: int):
    return statement.options(
        with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
        )
    )


# A statement built once and run on every request, scoped once per Trust: the scoped statement
# and its cache key are made the first time, not on every run (see ``built_once``).
_scoped_once: dict = {}


def built_once(statement):
    """Mark a statement kept at module level and run again and again (``bindparam`` for its values):
    its scoped form is kept per Trust. Never for a statement built per call."""
    return statement.execution_options(built_once=True)


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session, flush_context, instances):
    """New rows take the context's tenant; a row for another tenant is refused."""
    tenant_id = _current_tenant_id.get()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeError(f"{type(obj).__name__} has no tenant")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"{type(obj).__name__} belongs to another tenant")


# --- the database's half: the Trust's setting (PostgreSQL) ---------------------------------------

# In the connection's info: what the session holds outside any transaction, (read only by default?,
# Trust, person, hash); and what the open transaction holds, when it has settings of its own.
_SESSION = "cl_session_settings"
_LOCAL = "cl_rls_setting"
_UNKNOWN = (None, None, None, None)  # a new connection's session: set whatever a statement wants
_NAMES = ("app.tenant_id", "app.user_id", "app.lookup_hash")
_IDLE = TransactionStatus.IDLE  # no transaction open


def _wanted(context) -> tuple[str, str, str]:
    tenant_id = _current_tenant_id.get()
    options = context.execution_options if context is not None else {}
    user_id = options.get("member_user_id")
    lookup = options.get("lookup_hash")
    return ("" if tenant_id is None else str(int(tenant_id)), "" if user_id is None else str(int(user_id)),
            "" if lookup is None else str(lookup)[:64])


def _in_effect(conn):
    """What the next statement would see: the transaction's own settings, else the session's."""
    if _LOCAL in conn.info:
        return conn.info[_LOCAL]
    return conn.info.get(_SESSION, _UNKNOWN)[1:]


# Statements that take no setting: a savepoint's, or the BEGIN that carries it (core.db)
_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")


@event.listens_for(Engine, "before_cursor_execute")
def _hand_tenant_to_database(conn, cursor, statement, parameters, context, executemany):
    """Before every statement, the database holds exactly the Trust (and person, and hash) it wants.

    Inside a transaction they are the transaction's own (``set_config(..., true)``). A statement
    outside one (a reader's, core.db) is a transaction by itself, so they are the session's, with
    the session's read-only default as the reader needs it. No statement goes by unchecked, so
    whatever an earlier use of a pooled connection left in its session is never seen."""
    if conn.dialect.name != "postgresql" or statement.startswith(_SAVEPOINTS):
        return
    wanted = _wanted(context)
    raw = cursor.connection  # setters get cursors of their own: the statement's may be server-side (yield_per)
    if raw.autocommit and raw.info.transaction_status == _IDLE:
        session = (reading_by_statement(conn), *wanted)
        if conn.info.get(_SESSION, _UNKNOWN) != session:
            conn.info[_SESSION] = _UNKNOWN  # until the database has answered: a failure leaves it unsure
            with raw.cursor() as setter:
                setter.execute("SELECT set_config('default_transaction_read_only', %s, false), "
                               "set_config('app.tenant_id', %s, false), set_config('app.user_id', %s, false), "
                               "set_config('app.lookup_hash', %s, false)", ("on" if session[0] else "off", *wanted))
            conn.info[_SESSION] = session
        return
    if _in_effect(conn) == wanted:
        return
    conn.info[_LOCAL] = _UNKNOWN[1:]
    with raw.cursor() as setter:
        setter.execute("SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true), "
                       "set_config('app.lookup_hash', %s, true)", wanted)
    conn.info[_LOCAL] = wanted


def setting_at_begin(conn) -> str | None:
    """What hands the Trust in context to a transaction that core begins itself (core.db), sent in
    the same message as its BEGIN: whatever differs from what the session holds; None when nothing does."""
    wanted = _wanted(None)  # a Trust's id, and no person or hash: digits or nothing, safe to write in
    held = _in_effect(conn)
    conn.info[_LOCAL] = wanted
    return "; ".join(f"SET LOCAL {name} = '{value}'" for name, value, had in zip(_NAMES, wanted, held)
                     if value != had) or None


def forget_setting(conn, *args) -> None:
    """The transaction ended, and the database dropped its own settings with it."""
    conn.info.pop(_LOCAL, None)


for _name in ("commit", "rollback"):
    event.listen(Engine, _name, forget_setting)


@event.listens_for(Engine, "after_cursor_execute")
def _unsure_after_savepoint_rollback(conn, cursor, statement, parameters, context, executemany):
    """A savepoint rolled back puts back whatever was set before it: set it again before the next statement."""
    if statement.startswith("ROLLBACK TO SAVEPOINT"):
        conn.info[_LOCAL] = _UNKNOWN[1:]


@event.listens_for(Pool, "reset")
def _forget_on_return(dbapi_connection, connection_record, reset_state):
    connection_record.info.pop(_LOCAL, None)
