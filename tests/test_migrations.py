"""Migrations, on both engines: Alembic alone builds the schema the models describe.

Core keeps the branch "core"; each plugin keeps its own branch, labelled with
its name, in the directory its ``migration_directory`` hook returns.
"""
from pathlib import Path

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Integer, inspect

from core import create_app, migrate
from core.db import db
from core.events import projection_models
from core.plugins import CORE, host
from core.tenancy import TenantScoped
from core.testing import Database


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config())


def branches() -> dict[str, Path]:
    """Branch label -> versions directory, for core and every plugin with migrations."""
    return {name: Path(directory).resolve() for name, hook in host().impls("migration_directory")
            if (directory := hook())}


def schema(engine) -> dict:
    """Tables, columns and indexes as the database reports them."""
    inspector = inspect(engine)
    return {table: {"columns": sorted(c["name"] for c in inspector.get_columns(table)),
                    "indexes": sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table))}
            for table in sorted(inspector.get_table_names())}


def tenant_tables() -> list:
    return [mapper.local_table for mapper in db.Model.registry.mappers if issubclass(mapper.class_, TenantScoped)]


# --- an empty database, upgraded ------------------------------------------------------------

def test_an_upgraded_empty_database_has_every_table_and_no_difference(fresh_app):
    with fresh_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert tables - set(db.metadata.tables) == {"alembic_version"}
        assert migrate.pending_differences() == []


def test_the_database_is_at_every_head(fresh_app):
    with fresh_app.app_context():
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
        script = script_directory()
    # Alembic records only the heads nothing else depends on (core's is implied by the plugins').
    applied = {revision.revision for revision in script.revision_map.iterate_revisions(current, "base")}
    assert set(script.get_heads()) <= applied
    assert applied == {revision.revision for revision in script.walk_revisions()}


def test_upgrading_twice_changes_nothing(fresh_app):
    with fresh_app.app_context():
        before = schema(db.engine)
        with db.engine.connect() as connection:
            heads = set(MigrationContext.configure(connection).get_current_heads())
        migrate.upgrade()
        assert schema(db.engine) == before
        with db.engine.connect() as connection:
            assert set(MigrationContext.configure(connection).get_current_heads()) == heads
        assert migrate.pending_differences() == []


# --- branches ------------------------------------------------------------------------------

def test_core_and_every_plugin_with_migrations_has_one_head_of_its_own(app):
    with app.app_context():
        labels = branches()
        script = script_directory()
        heads = set(script.get_heads())
    assert CORE in labels and "example" in labels
    assert len(heads) == len(labels)  # no branch has two heads, none is missing
    for label in labels:
        head = script.get_revision(f"{label}@head")
        assert head.revision in heads, label
        assert label in head.branch_labels


def test_every_revision_lives_in_its_own_branchs_directory(app):
    with app.app_context():
        labels = branches()
        script = script_directory()
    owner = {directory: label for label, directory in labels.items()}
    for revision in script.walk_revisions():
        label = owner[Path(revision.path).resolve().parent]
        assert label in revision.branch_labels, revision.revision
        if revision.down_revision is None and label != CORE:
            # a plugin's first revision starts from nothing and waits for core's tables
            assert "0001_core" in ([revision.dependencies] if isinstance(revision.dependencies, str)
                                   else list(revision.dependencies or ())), revision.revision


# --- tenant-owned tables -------------------------------------------------------------------------

def test_every_index_on_a_tenant_owned_table_leads_with_tenant_id(app):
    """So every tenant's rows sit together; a single-column primary key is an event's id, unique anyway."""
    problems = []
    for table in tenant_tables():
        keys = [("index", index.name, [c.name for c in index.columns]) for index in table.indexes]
        keys += [("unique constraint", constraint.name, [c.name for c in constraint.columns])
                 for constraint in table.constraints if constraint.__class__.__name__ == "UniqueConstraint"]
        primary = [c.name for c in table.primary_key.columns]
        if len(primary) > 1:
            keys.append(("primary key", table.primary_key.name, primary))
        problems += [f"{table.name}: {kind} {name} on {columns}" for kind, name, columns in keys
                     if columns[0] != "tenant_id"]
    assert problems == []
    assert len(tenant_tables()) >= 6


def test_the_database_indexes_lead_with_tenant_id_too(fresh_app):
    """The migrations, not only the models, put tenant_id first."""
    with fresh_app.app_context():
        inspector = inspect(db.engine)
        for table in tenant_tables():
            for index in inspector.get_indexes(table.name) + inspector.get_unique_constraints(table.name):
                assert index["column_names"][0] == "tenant_id", (table.name, index["name"])


def test_projection_rows_take_their_ids_from_events(app):
    """No autoincrement surrogate keys: replay must reproduce every id exactly."""
    with app.app_context():
        for model in projection_models():
            for column in model.__table__.primary_key.columns:
                if isinstance(column.type, Integer) and column.name != "tenant_id":
                    assert column.autoincrement is False, f"{model.__tablename__}.{column.name}"


def test_a_plugins_tables_are_prefixed_with_its_name(app):
    with app.app_context():
        owners = {}
        for impl in host().pm.hook.event_types.get_hookimpls():
            for etype in impl.function() or []:
                owners.setdefault(impl.plugin_name, set()).add(etype.model.__tablename__)
    for plugin, tables in owners.items():
        if plugin == CORE:
            continue
        assert all(table.startswith(f"{plugin}_") for table in tables), (plugin, tables)


def test_installing_a_plugin_then_upgrading_adds_its_tables_and_touches_nothing_else(database, tmp_path_factory,
                                                                                       make_tenant):
    """A Trust's database before the example package's migrations, then after: only its tables appear."""
    throwaway = Database(database.engine, tmp_path_factory)
    app = create_app({"SQLALCHEMY_DATABASE_URI": throwaway.url, "SECRET_KEY": "x", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            config = migrate.alembic_config()
            for label in branches():
                if label != "example":
                    command.upgrade(config, f"{label}@head")
            before = schema(db.engine)
        tenant = make_tenant(target_app=app, roles=("admin",))
        rows_before = projection_counts(tenant)

        with app.app_context():
            migrate.upgrade()  # what an operator runs after installing the package
            after = schema(db.engine)
        added = sorted(set(after) - set(before))
        assert added and all(table.startswith("example_") for table in added)
        assert {table: after[table] for table in before} == before
        assert projection_counts(tenant) == rows_before
    finally:
        with app.app_context():
            db.engine.dispose()
        throwaway.drop()


def projection_counts(tenant) -> dict:
    with tenant.context() as session:
        return {m.__tablename__: session.query(m).count() for m in projection_models()
                if not m.__tablename__.startswith("example_")}


@pytest.mark.parametrize("back_to", ["core@-1", "core@0001_core"])
def test_core_goes_back_and_forward_again_with_people_in_the_database(fresh_app, back_to):
    """Every migration must work on a database in use, both ways: on SQLite, a migration that
    changes accounts copies the ``users`` table, and dropping the old copy would be refused by
    the foreign keys of everyone's memberships if they were enforced while migrating."""
    from sqlalchemy import func, select

    from core.models import Membership, User
    from core.tenancy import tenant_context
    from core.testing import new_tenant

    trust = new_tenant(fresh_app)
    with fresh_app.app_context():
        people = db.session.scalar(select(func.count()).select_from(User))
        db.session.remove()  # no transaction left open to hold the tables against the migration
        command.downgrade(migrate.alembic_config(), back_to)
        db.session.remove()
        migrate.upgrade()
        assert migrate.pending_differences() == []
        assert db.session.scalar(select(func.count()).select_from(User)) == people
        with tenant_context(trust.id):
            assert db.session.scalar(select(func.count()).select_from(Membership)) == len(trust.people)
