"""Alembic, driven from the app: core's versions plus each plugin's own branch."""
import os
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import create_engine, text

from . import rls
from .db import db
from .plugins import host

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class MigrationError(RuntimeError):
    """A migration could not be generated; the message says why in plain words."""


def migration_directories() -> dict[str, str]:
    """Each branch label (core, or a plugin's name) -> its versions directory."""
    return {name: d for name, hook in host().impls("migration_directory") if (d := hook())}


def alembic_config() -> Config:
    dirs = migration_directories().values()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(dirs))
    return cfg


def upgrade(target: str = "heads") -> list[str]:
    """Migrate as the owner, then put the walls and the serving role's grants in place (core.rls).

    Returns plain warnings about the serving role (a superuser, or the tables' owner).
    """
    config = alembic_config()
    with _as_owner(config) as engine:
        command.upgrade(config, target)
        with engine.begin() as connection:
            return rls.apply(connection, serving_role())


@contextmanager
def _as_owner(config: Config):
    """Alembic works through the owner's engine: DATABASE_OWNER_URL when set, else the app's own."""
    owner_url = current_app.config.get("DATABASE_OWNER_URL")
    if not owner_url:
        config.attributes["engine"] = db.engine
        yield db.engine
        return
    options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    engine = create_engine(owner_url, hide_parameters=options.get("hide_parameters", True))
    config.attributes["engine"] = engine
    try:
        yield engine
    finally:
        engine.dispose()


def serving_role() -> str | None:
    """The database user the app serves as (the one in DATABASE_URL); None on SQLite."""
    if db.engine.dialect.name != "postgresql":
        return None
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT current_user"))


def pending_differences() -> list:
    """What autogenerate would change: empty when the models and the migrations agree."""
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)


def revision(message: str, branch: str = "core") -> None:
    """Autogenerate a revision on a branch; a plugin's first one starts its own branch."""
    directories = migration_directories()
    if branch not in directories:
        raise MigrationError(f"There is no installed plugin with migrations called {branch!r}.")
    config = alembic_config()
    with _as_owner(config):
        try:
            ScriptDirectory.from_config(config).get_revisions(f"{branch}@head")
        except CommandError:
            command.revision(config, message=message, autogenerate=True, head="base", branch_label=branch,
                             version_path=directories[branch], rev_id=f"0001_{branch}", depends_on="0001_core")
            return
        command.revision(config, message=message, autogenerate=True, head=f"{branch}@head")
