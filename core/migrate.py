"""Alembic, driven from the app: core's versions plus each plugin's own branch."""
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata

from .db import db
from .plugins import host

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    dirs = [d for _, hook in host().impls("migration_directory") if (d := hook())]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(dirs))
    return cfg


def upgrade(target: str = "heads") -> None:
    command.upgrade(alembic_config(), target)


def pending_differences() -> list:
    """What autogenerate would change: empty when the models and the migrations agree."""
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
