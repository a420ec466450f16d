"""Operators' commands: ``flask --app core <group> <command>``.

Each exits 0 on success, and non-zero with one plain line on bad input,
changing nothing.
"""
import click
from alembic import command
from flask.cli import AppGroup

from . import migrate

db_cli = AppGroup("db", help="The database schema.")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply every migration of core and of each installed plugin."""
    migrate.upgrade()
    click.echo("Database is up to date.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--branch", default="core", show_default=True, help="core, or a plugin's branch label.")
def db_revision(message, branch):
    """Autogenerate a migration on core's or a plugin's branch."""
    command.revision(migrate.alembic_config(), message=message, autogenerate=True, head=f"{branch}@head")


def init_app(app):
    app.cli.add_command(db_cli)
