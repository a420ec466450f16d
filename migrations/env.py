"""Alembic environment: core's branch and one branch per installed plugin.

Run through the CLI (``flask --app core db upgrade``), which sets the version
locations from every plugin's ``migration_directory`` hook.
"""
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
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            compare_type=True,
            render_item=render_item,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run 'flask --app core db upgrade'.")
with current_app.app_context():
    run_migrations()
