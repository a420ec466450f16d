"""The second wall on PostgreSQL: row-level security, and a serving role that owns nothing.

``flask --app core db upgrade`` migrates as the owner (``DATABASE_OWNER_URL``) and then
calls ``apply``, which walks the database's own catalogue, so every table a migration
made (core's or any plugin's) is covered without its author writing any of this:

- every table with a ``tenant_id`` column gets row-level security, forced (so it holds
  for the owner too, superusers aside), and the policy ``tenant_wall``: a row is seen,
  written or kept only when its ``tenant_id`` is the transaction's ``app.tenant_id``,
  which ``core.tenancy`` sets before each statement. No tenant set: no rows.
- the role that serves (the one in ``DATABASE_URL``) is granted exactly what serving
  needs on each of the app's tables: by default SELECT, INSERT, UPDATE and DELETE; a
  table narrows that with ``info={"serving_privileges": (...)}`` (the event log only
  appends; its personal words are appended and erased). Tables no model names get
  nothing; sequences get USAGE (``nextval``). Being no owner, the role can neither
  alter a table nor disable its triggers nor switch the policies off.

What runs without a Trust, and why it still works:

- accounts (``users``), sessions (``user_sessions``) and the Trusts themselves
  (``tenants``) are identity, not a Trust's records: they have no ``tenant_id`` and no
  policy, so signing in by e-mail and finding a Trust by its slug need no tenant;
- listing a person's own Trusts reads ``memberships`` across Trusts: that table's
  ``info`` adds a read-only policy for rows of the user the statement names
  (``core.tenancy.own_memberships``), and nothing else;
- a short address (``/i/<code>``, core.short_address) names no Trust: the plugin that made
  it finds its row with ``core.tenancy.found_by_hash``, which hands only the typed code's
  hash to the database; the table's read-only policy lets through the rows with exactly
  that hash, and nothing else (one person's code finds one invitation, never a list);
- commands that walk every Trust (``events verify``, ``replay``, ``export``, history
  written on upgrade, the demo, ``bench/generate.py``) enter each Trust in turn with
  ``tenant_context``; the setting follows them statement by statement, so no
  "every Trust" switch exists for anyone to misuse;
- a migration's backfill runs as the owner, whom the forced policies hold too: it walks
  the Trusts one at a time with ``each_tenant``.

SQLite, the embedded default, has neither roles nor policies: nothing here runs there.
"""
from __future__ import annotations

from sqlalchemy import text

from .db import db
from .tenancy import tenant_context

POLICY = "tenant_wall"
TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::integer"
DEFAULT_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
PRIVILEGES = frozenset(DEFAULT_PRIVILEGES)


def _tables(connection) -> list[tuple[str, bool, bool]]:
    """(name, has a tenant_id column, security already on and forced) for every table in the schema."""
    return [tuple(row) for row in connection.execute(text(
        "SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid "
        "AND a.attname = 'tenant_id' AND a.attnum > 0 AND NOT a.attisdropped), "
        "c.relrowsecurity AND c.relforcerowsecurity "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"))]


def _policies(connection) -> set[tuple[str, str]]:
    return {tuple(row) for row in connection.execute(text(
        "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"))}


def _wall(connection, table: str, forced: bool, existing: set, quote) -> None:
    name = quote(table)
    if not forced:  # ALTER TABLE locks out readers for a moment: only when something changes
        connection.execute(text(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
        connection.execute(text(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY"))
    wanted = {POLICY: f"USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})"}
    model_table = db.metadata.tables.get(table)
    if model_table is not None:
        wanted.update(model_table.info.get("row_policies", {}))
    # Made once; a policy's meaning changes only through a migration of its own.
    for policy, definition in wanted.items():
        if (table, policy) not in existing:
            connection.execute(text(f"CREATE POLICY {quote(policy)} ON {name} {definition}"))


def serving_privileges(table: str) -> tuple[str, ...]:
    """What the serving role may do to ``table``: nothing unless a model of the app names it."""
    model_table = db.metadata.tables.get(table)
    if model_table is None:
        return ()
    privileges = tuple(model_table.info.get("serving_privileges", DEFAULT_PRIVILEGES))
    unknown = set(privileges) - PRIVILEGES
    if unknown:
        raise ValueError(f"{table}: serving_privileges may name only {sorted(PRIVILEGES)}, not {sorted(unknown)}")
    return privileges


def _grant(connection, tables: list[str], role: str, quote) -> None:
    schema = quote(connection.scalar(text("SELECT current_schema()")))
    grantee = quote(role)
    if not connection.scalar(text("SELECT has_schema_privilege(:role, current_schema(), 'USAGE')"), {"role": role}):
        connection.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {grantee}"))
    for table in tables:
        name = quote(table)
        connection.execute(text(f"REVOKE ALL ON {name} FROM {grantee}"))
        privileges = serving_privileges(table)
        if privileges:
            connection.execute(text(f"GRANT {', '.join(privileges)} ON {name} TO {grantee}"))
    connection.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {grantee}"))
    connection.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}"))


def role_problems(connection, role: str) -> list[str]:
    """Plain sentences for what makes ``role`` unfit to serve behind the wall (empty when fit)."""
    found = connection.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"),
                               {"role": role}).first()
    problems = []
    if found is not None and found.rolsuper:
        problems.append(f"The app's database user {role!r} is a superuser, so row-level security does not "
                        "hold it back. Serve with a user that owns nothing (see README, 'Two database users').")
    elif found is not None and found.rolbypassrls:
        problems.append(f"The app's database user {role!r} may bypass row-level security (BYPASSRLS).")
    owned = connection.scalar(text(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) = :role"),
        {"role": role})
    if owned:
        problems.append(f"The app's database user {role!r} owns the tables, so it could alter them or switch off "
                        "their triggers. Set DATABASE_OWNER_URL to the owner and DATABASE_URL to a user that owns "
                        "nothing (see README, 'Two database users').")
    return problems


def apply(connection, serving_role: str | None) -> list[str]:
    """Walls on every tenant table and the serving role's grants; returns problems worth telling the operator."""
    if connection.dialect.name != "postgresql":
        return []
    quote = connection.dialect.identifier_preparer.quote
    tables = _tables(connection)
    existing = _policies(connection)
    for table, tenant_owned, forced in tables:
        if tenant_owned:
            _wall(connection, table, forced, existing, quote)
    owner = connection.scalar(text("SELECT current_user"))
    if serving_role is None or serving_role == owner:
        return role_problems(connection, owner)
    _grant(connection, [table for table, *_ in tables], serving_role, quote)
    return role_problems(connection, serving_role)


def each_tenant(connection):
    """For a migration that reads or changes Trusts' rows (a backfill): each Trust's id in turn, with
    the transaction's tenant set to it, so the owner, held by the forced policies too, sees that Trust's rows.

    ``for tenant_id in rls.each_tenant(op.get_bind()): op.execute(...)``: the same tenant context
    as everywhere else (core.tenancy), so the setting follows each statement.
    """
    for tenant_id in connection.scalars(text("SELECT id FROM tenants ORDER BY id")).all():
        with tenant_context(tenant_id):
            yield tenant_id
