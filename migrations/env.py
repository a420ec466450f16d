"""Alembic environment: core's branch and one branch per installed plugin.

Run through the CLI (``flask --app core db upgrade``), which sets the version
locations from every plugin's ``migration_directory`` hook.
"""
from contextlib import contextmanager

from alembic import context
from flask import current_app

from core.db import UTCDateTime, db

config = context.config


def render_item(type_, obj, autogen_context):
    """Write core's column types as plain SQLAlchemy ones, so migrations import nothing of the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations() -> None:
    # The owner's engine when core.migrate was given one (DATABASE_OWNER_URL), else the app's.
    engine = config.attributes.get("engine") or db.engine
    with engine.connect() as connection, foreign_keys_checked_at_the_end(connection):
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            compare_type=True,
            render_item=render_item,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
            _refuse_broken_foreign_keys(connection)


@contextmanager
def foreign_keys_checked_at_the_end(connection):
    """SQLite changes a table by copying it ("batch" mode), and it refuses to drop the old copy while
    the foreign keys of other tables' rows (everyone's memberships point at ``users``) point at it.
    So they are not enforced while migrating, and are checked whole before the migration commits."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys=OFF")  # before the transaction begins: inside one, SQLite ignores it
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")  # the connection goes back to the pool as it came


def _refuse_broken_foreign_keys(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows whose foreign keys point at nothing: {broken[:5]}")


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run 'flask --app core db upgrade'.")
with current_app.app_context():
    run_migrations()
