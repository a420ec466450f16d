"""Operators' commands: ``flask --app core <group> <command>``.

Each exits 0 on success, and non-zero with one plain line on bad input,
changing nothing: the work of a command is one transaction, committed only
when all of it succeeded. Events recorded here are attributed to "cli".
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections import OrderedDict
from datetime import date
from contextlib import contextmanager

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from . import commands, demo, imports
from .auth import ROLES, hash_password, password_problem
from .db import db
from .events import (DEFAULT_AUTHORITY, Event, EventError, acting_as, erase_personal, replay, tenant_records,
                     verify_records, verify_tenant)
from .exports.log import json_lines, records_with_words
from .history import Version
from .models import Membership, Tenant, TenantPlugin
from .plugins import BUILT_IN, host, plugin_states
from .reports import london_today, long_date
from .tenancy import tenant_context

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _one_line(err: EventError) -> str:
    """The error's message, with the fields it names when the message alone is vague."""
    if isinstance(err, commands.CommandError) or not err.fields:
        return err.message
    details = "; ".join(f"{name}: {' '.join(map(str, problems)) if isinstance(problems, list) else problems}"
                        for name, problems in err.fields.items())
    return f"{err.message.rstrip('.')}: {details}"


def _database_problem(err) -> click.ClickException:
    cause = str(err.orig).strip().splitlines()[0] if getattr(err, "orig", None) else type(err).__name__
    return click.ClickException(f"The database could not be used ({cause}). If it is new, "
                                "run `flask --app core db upgrade` first.")


class Commands(AppGroup):
    """A command group whose every command, reading or changing, fails with one plain line when the
    database cannot be reached or is not set up, instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as err:  # the app context has ended: nothing to roll back
            raise _database_problem(err) from None


@contextmanager
def _change():
    """One transaction, attributed to the CLI: committed if the block succeeds, else rolled back."""
    try:
        with acting_as("cli"):
            yield db.session
        db.session.commit()
    except EventError as err:
        db.session.rollback()
        raise click.ClickException(_one_line(err)) from None
    except (OperationalError, ProgrammingError) as err:
        db.session.rollback()
        raise _database_problem(err) from None
    except BaseException:
        db.session.rollback()
        raise


def _tenant(slug: str) -> Tenant:
    try:
        return commands.tenant_by_slug(slug)
    except EventError as err:
        raise click.ClickException(err.message) from None


def _email(email: str) -> str:
    try:
        return commands.normalise_email(email)
    except EventError as err:
        raise click.ClickException(err.message) from None


def _new_password(password: str | None) -> str:
    """The password given, or one typed twice at a hidden prompt; refused if too weak."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    return password


# --- db --------------------------------------------------------------------------------

db_cli = Commands("db", help="The database schema.")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply every migration of core and of each installed plugin."""
    from . import migrate  # alembic: imported by the commands that use it, not at every start

    try:
        problems = migrate.upgrade()
    except ProgrammingError as err:
        if "permission denied" not in str(err.orig):
            raise
        raise click.ClickException(
            "Migrating needs the user that owns the tables, and DATABASE_URL is not it: set DATABASE_OWNER_URL "
            "to the owner (see README, 'Two database users').") from None
    for problem in problems:
        click.echo(f"Warning: {problem}", err=True)
    _write_missing_history()
    click.echo("Database is up to date.")


def _progress_file():
    """Progress bars go to standard error, so what a command prints for scripts stays clean."""
    return sys.stderr


def _write_missing_history() -> None:
    """A Trust whose log predates the history table gets its history from a replay of its log."""
    with _change():
        tenants = db.session.execute(select(Tenant.id, Tenant.slug).order_by(Tenant.slug)).all()
        missing = []
        for tenant_id, slug in tenants:
            with tenant_context(tenant_id):
                logged = db.session.scalar(select(Event.seq).limit(1))
                kept = db.session.scalar(select(Version.seq).limit(1))
            if logged is not None and kept is None:
                missing.append((tenant_id, slug))
        if not missing:
            return
        total = 0
        with click.progressbar(missing, label="Writing each Trust's history from its log", file=_progress_file(),
                               item_show_func=lambda t: t[1] if t else "") as bar:
            for tenant_id, _slug in bar:
                total += replay(tenant_id)
    click.echo(f"Wrote the history of {len(missing)} Trust(s) from {total} events.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--branch", default="core", show_default=True, help="core, or a plugin's branch label.")
def db_revision(message, branch):
    """Autogenerate a migration on core's or a plugin's branch (a plugin's first one too)."""
    from . import migrate

    try:
        migrate.revision(message, branch)
    except migrate.MigrationError as err:
        raise click.ClickException(str(err)) from None


# --- tenants ---------------------------------------------------------------------------

tenant_cli = Commands("tenant", help="Trusts (tenants).")


@tenant_cli.command("create")
@click.argument("slug")
@click.option("--name", default="", help='The Trust\'s full name, like "North NHS Foundation Trust".')
def tenant_create(slug, name):
    """Create a Trust with the short name SLUG (used in its addresses: /t/SLUG/)."""
    if not name.strip():
        raise click.ClickException("Give the Trust's full name with --name, "
                                   'like --name "North NHS Foundation Trust".')
    with _change():
        tenant = commands.create_tenant(slug, name)
        created = f"Created Trust {tenant.name} at /t/{tenant.slug}/"
    click.echo(created)


@tenant_cli.command("list")
def tenant_list():
    """List every Trust: short name, then full name."""
    tenants = db.session.execute(select(Tenant.slug, Tenant.name).order_by(Tenant.slug)).all()
    if not tenants:
        click.echo("There are no Trusts yet. Create one with `flask --app core tenant create SLUG --name NAME`.")
    for slug, name in tenants:
        click.echo(f"{slug}\t{name}")


# --- accounts ---------------------------------------------------------------------------

user_cli = Commands("user", help="Accounts and their memberships of Trusts.")


@user_cli.command("create")
@click.argument("email")
@click.option("--tenant", "slug", required=True, help="The Trust's short name.")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}.")
@click.option("--password", default=None, help="Asked for (hidden) when not given.")
@click.option("--name", default="", help="The person's name as others will see it.")
def user_create(email, slug, role, password, name):
    """Create an account for EMAIL (unless it exists) and add it to a Trust with a role."""
    email = _email(email)
    if role not in ROLES:
        raise click.ClickException(f"Choose a role: {', '.join(ROLES)}.")
    # Check everything before asking for a password, then end the read so no lock
    # is held while someone types.
    with _change():
        tenant = _tenant(slug)
        user = commands.user_by_email(email)
        if user is not None:
            with tenant_context(tenant.id):
                member = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
                if member is not None and member.active:
                    raise click.ClickException(f"{email} is already a member of {tenant.name}.")
        exists = user is not None
    if exists:
        if password is not None or name:
            click.echo(f"Note: {email} already has an account, so its name and password are unchanged "
                       f"(reset the password with `flask --app core user password {email}`).")
    else:
        password = _new_password(password)

    with _change():
        tenant = _tenant(slug)
        user = commands.user_by_email(email)
        created = user is None
        if created:
            user = commands.create_user(email, name, password)
        with tenant_context(tenant.id):
            commands.add_member(user, role)
        line = (f"{'Created the account' if created else 'Added the existing account'} {email} "
                f"to {tenant.name} (/t/{tenant.slug}/) as {ROLES[role]}.")
    click.echo(line)


@user_cli.command("password")
@click.argument("email")
@click.option("--password", default=None, help="Asked for (hidden) when not given.")
def user_password(email, password):
    """Set a new password for the account EMAIL."""
    email = _email(email)
    with _change():
        exists = commands.user_by_email(email) is not None
    if not exists:
        raise click.ClickException(f"There is no account for {email}.")
    password = _new_password(password)
    with _change():
        user = commands.user_by_email(email)
        user.password_hash = hash_password(password)
        user.must_change_password, user.password_expires_at = False, None  # the operator set it with them
    click.echo(f"Changed the password of {email}.")


# --- API tokens ----------------------------------------------------------------------------

token_cli = Commands("token", help="API tokens.")


@token_cli.command("create")
@click.argument("email")
@click.option("--tenant", "slug", required=True, help="The Trust's short name.")
@click.option("--name", default="Command-line token", show_default=True, help="What the token is for.")
def token_create(email, slug, name):
    """Create an API token for EMAIL in a Trust. The token is the last line printed."""
    email = _email(email)
    with _change():
        tenant = _tenant(slug)
        user = commands.user_by_email(email)
        if user is None:
            raise click.ClickException(f"There is no account for {email}.")
        with tenant_context(tenant.id):
            member = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
            if member is None or not member.active:
                raise click.ClickException(f"{email} is not a member of {tenant.name}.")
            _, token = commands.create_token(member, name)
        heading = (f"API token for {email} in {tenant.name} ({ROLES[member.role]}). "
                   "It is shown only this once; keep it somewhere safe:")
    click.echo(heading)
    click.echo(token)


# --- plugins -----------------------------------------------------------------------------

plugins_cli = Commands("plugins", help="Installed plugins: which Trusts may use them, and switching them on or off.")


def _available_to(name: str, access: dict) -> str:
    """Who may use a plugin, in a few words: every Trust, or the short names of those that may."""
    if name in BUILT_IN:
        return "every Trust"
    slugs = sorted(slug for slug, allowed in access.items()
                   if host().available(name, slug, allowed.get(name)))
    return ", ".join(slugs) if slugs else "no Trust"


@plugins_cli.command("list")
@click.option("--tenant", "slug", default=None, help="Show whether each is available to and on for this Trust.")
def plugins_list(slug):
    """List installed plugins and which Trusts may use them."""
    installed = host().installed
    if slug is None:
        access = {}
        for tenant in db.session.scalars(select(Tenant).order_by(Tenant.slug)):
            with tenant_context(tenant.id):
                access[tenant.slug] = {row.plugin: row.allowed for row in db.session.scalars(select(TenantPlugin))}
        for name in installed:
            click.echo(f"{name:<16} {host().plugin_description(name)} [available to: {_available_to(name, access)}]")
        return
    tenant = _tenant(slug)
    with tenant_context(tenant.id):
        states = plugin_states()
    for name in installed:
        available = "available" if name in states.available else "not available"
        click.echo(f"{name:<16} {'on' if name in states.enabled else 'off':<4} {available}")


def _switch(slug: str, plugin: str, command, done: str, already: str) -> None:
    with _change():
        tenant = _tenant(slug)
        with tenant_context(tenant.id):
            changed = command(tenant, plugin)
        line = (done if changed else already).format(plugin=plugin, trust=tenant.name)
    click.echo(line)


@plugins_cli.command("enable")
@click.argument("slug")
@click.argument("plugin")
def plugins_enable(slug, plugin):
    """Switch PLUGIN on for the Trust SLUG (it must be available to the Trust)."""
    _switch(slug, plugin, commands.enable_plugin, "Switched {plugin} on for {trust}.",
            "{plugin} was already on for {trust}; nothing changed.")


@plugins_cli.command("disable")
@click.argument("slug")
@click.argument("plugin")
def plugins_disable(slug, plugin):
    """Switch PLUGIN off for the Trust SLUG (its records are kept)."""
    _switch(slug, plugin, commands.disable_plugin, "Switched {plugin} off for {trust}.",
            "{plugin} was already off for {trust}; nothing changed.")


@plugins_cli.command("allow")
@click.argument("slug")
@click.argument("plugin")
def plugins_allow(slug, plugin):
    """Let the Trust SLUG use PLUGIN: it appears on the Trust's Sections page, switched off."""
    _switch(slug, plugin, commands.allow_plugin, "{trust} may now use {plugin}.",
            "{trust} could already use {plugin}; nothing changed.")


@plugins_cli.command("disallow")
@click.argument("slug")
@click.argument("plugin")
def plugins_disallow(slug, plugin):
    """Stop the Trust SLUG using PLUGIN: its pages and API answer 404 there (its records are kept)."""
    _switch(slug, plugin, commands.disallow_plugin, "{trust} may no longer use {plugin}; its records are kept.",
            "{trust} could not use {plugin} already; nothing changed.")


# --- the event log -----------------------------------------------------------------------

events_cli = Commands("events", help="The event log: verify, export, import, replay, erase.")


def _read_export(path: str) -> OrderedDict[int, list[dict]]:
    """An export's records grouped by tenant id, each group in file order."""
    groups: OrderedDict[int, list[dict]] = OrderedDict()
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    raise click.ClickException(f"Line {number} of {path} is not valid JSON.") from None
                if not isinstance(rec, dict) or not isinstance(rec.get("tenant_id"), int):
                    raise click.ClickException(f"Line {number} of {path} is not an exported event.")
                groups.setdefault(rec["tenant_id"], []).append(rec)
    except OSError as err:
        raise click.ClickException(f"Cannot read {path}: {err.strerror}.") from None
    return groups


def _exported_slug(tenant_id: int, records: list[dict]) -> str:
    """The Trust's short name as its first event recorded it, so an export names itself offline."""
    first = records[0] if records else {}
    payload = first.get("payload")
    if first.get("type") == "tenant.created" and isinstance(payload, dict) and payload.get("slug"):
        return str(payload["slug"])
    return f"id {tenant_id}"


def _chains(slug: str | None, path: str | None) -> list:
    """(label, check(expect_head) -> ChainReport) for each chain to verify."""
    if path is not None:
        chains = [(_exported_slug(tenant_id, recs), lambda head, recs=recs: verify_records(recs, head))
                  for tenant_id, recs in _read_export(path).items()]
        if slug is not None:
            chains = [chain for chain in chains if chain[0] == slug]
            if not chains:
                raise click.ClickException(f"{path} holds no events of a Trust called {slug!r}.")
        return chains
    if slug is not None:
        tenants = [_tenant(slug)]
    else:
        tenants = db.session.scalars(select(Tenant).order_by(Tenant.slug)).all()
    return [(t.slug, lambda head, tenant_id=t.id: verify_tenant(tenant_id, head)) for t in tenants]


@events_cli.command("verify")
@click.option("--tenant", "slug", default=None, help="Check only this Trust's chain.")
@click.option("--expect-head", default=None, help="The head hash recorded earlier, outside the database.")
@click.option("--file", "path", default=None, type=click.Path(dir_okay=False),
              help="Check an export (JSON Lines) instead of the database.")
def events_verify(slug, expect_head, path):
    """Recompute every hash chain; exit 1 naming the first bad event."""
    if expect_head is not None:
        expect_head = expect_head.strip().lower()
        if not HEX64.match(expect_head):
            raise click.ClickException("--expect-head takes the 64-character hash printed by an earlier verify.")
    chains = _chains(slug, path)
    if not chains and path is not None:
        click.echo(f"FAILED: {path} holds no events. An export always holds at least its Trust's first event: "
                   "check that this is the right file and that it was written completely.")
        click.get_current_context().exit(1)
    if not chains:
        if expect_head is not None:
            click.echo("FAILED: there are no events, so none can be the expected head.")
            click.get_current_context().exit(1)
        click.echo("OK: 0 events checked; there are no events yet.")
        return
    if expect_head is not None and len(chains) != 1:
        raise click.ClickException("Each Trust has its own head: give --tenant with --expect-head.")

    reports = [(label, check(expect_head)) for label, check in chains]
    if len(reports) == 1 and reports[0][1].ok:
        report = reports[0][1]
        click.echo(f"OK: {report.count} events checked; head seq {report.head_seq} hash {report.head}")
        return
    failed = 0
    for label, report in reports:
        if report.ok:
            click.echo(f"OK: tenant {label}: {report.count} events checked; "
                       f"head seq {report.head_seq} hash {report.head}")
        else:
            failed += 1
            click.echo(f"FAILED: tenant {label}: event {report.first_bad_seq}: {report.reason}")
    total = sum(report.count for _, report in reports)
    if failed and len(reports) == 1:
        click.get_current_context().exit(1)
    if failed:
        click.echo(f"FAILED: {failed} of {len(reports)} Trusts' event logs do not verify.")
        click.get_current_context().exit(1)
    click.echo(f"OK: {total} events checked in {len(reports)} Trusts; every chain is intact.")


@events_cli.command("export")
@click.option("--tenant", "slug", required=True, help="The Trust's short name.")
@click.option("--with-personal", is_flag=True, default=False,
              help="Add the personal words kept with each event (names, free text), so that `events import` "
                   "restores them. Keep such a file as safely as the database.")
def events_export(slug, with_personal):
    """Write a Trust's events to standard output as JSON Lines, one event a line."""
    tenant = _tenant(slug)
    records = records_with_words(tenant.id) if with_personal else tenant_records(tenant.id)
    for line in json_lines(records):
        click.echo(line, nl=False)


@events_cli.command("import")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
def events_import(path):
    """Load an export (one Trust or several) into this database and rebuild its tables from it.

    The Trusts must not exist here yet; every chain is checked before anything is written."""
    groups = _read_export(path)
    with _change():
        try:
            reserved = imports.check(groups, path)
            next_id = imports.new_ids(reserved)
            done = []
            total = sum(len(records) for records in groups.values())
            with click.progressbar(length=total, label="Importing events", show_pos=True,
                                   file=_progress_file()) as bar:
                for tenant_id, records in groups.items():
                    done.append(imports.load(tenant_id, records, reserved, next_id, _counting(records, bar)))
            imports.advance_sequences()
        except imports.ImportRefused as err:
            raise click.ClickException(str(err)) from None
    for trust in done:
        words = ""
        if trust.without_words:
            words = (f"; the personal words of {trust.without_words} events were not in the file and read "
                     "[erased] (export with --with-personal to keep them)")
        click.echo(f"Imported {trust.slug}: {trust.events} events, chain verified, head {trust.head}{words}.")
    made = sum(trust.placeholders for trust in done)
    if made:
        click.echo(f"Made {made} placeholder accounts (member-ID@{imports.PLACEHOLDER_DOMAIN}, no password) for the "
                   "members the log names: accounts are not part of an export.")
    click.echo(f"OK: {sum(t.events for t in done)} events imported into {len(done)} Trusts.")


def _counting(records, bar):
    for rec in records:
        yield rec
        bar.update(1)


@events_cli.command("replay")
@click.option("--tenant", "slug", default=None, help="Rebuild only this Trust's tables.")
def events_replay(slug):
    """Rebuild every projection table from the event log."""
    with _change():
        if slug is not None:
            tenants = [(t.id, t.slug) for t in [_tenant(slug)]]
        else:
            tenants = db.session.execute(select(Tenant.id, Tenant.slug).order_by(Tenant.slug)).all()
        lines = []
        with click.progressbar(tenants, label="Replaying each Trust's log", file=_progress_file(),
                               item_show_func=lambda t: t[1] if t else "") as bar:
            for tenant_id, tenant_slug in bar:
                lines.append(f"Replayed {replay(tenant_id)} events for {tenant_slug}.")
    for line in lines or ["There are no Trusts to replay."]:
        click.echo(line)


@events_cli.command("erase")
@click.option("--tenant", "slug", required=True, help="The Trust's short name.")
@click.option("--event", "seq", required=True, type=int, help="The event's number (seq) in that Trust.")
@click.option("--authority", default=DEFAULT_AUTHORITY, show_default=True,
              help="On whose authority, e.g. \"Data protection officer, request 2026-14\"; kept in the log.")
def events_erase(slug, seq, authority):
    """Erase the personal words kept with one event; its chain still verifies."""
    with _change():
        tenant = _tenant(slug)
        with tenant_context(tenant.id):
            event = db.session.scalar(select(Event).where(Event.seq == seq))
            if event is None:
                raise click.ClickException(f"{tenant.slug} has no event {seq}.")
            if event.personal_digest is None:
                raise click.ClickException(f"Event {seq} of {tenant.slug} keeps no personal words.")
            if erase_personal(event.id, authority):
                line = f"Erased the personal words kept with event {seq} of {tenant.slug}."
            else:
                line = f"The personal words of event {seq} of {tenant.slug} were erased already."
    click.echo(line)


# --- the demo Trust ---------------------------------------------------------------------------

def _span(months: int) -> str:
    """``41`` -> ``3 years and 5 months``."""
    years, months = divmod(months, 12)
    parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((years, "year"), (months, "month")) if n]
    return " and ".join(parts) or "less than a month"


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo Trust (once), and print how to sign in."""
    with _change():
        trust = demo.load(progress=lambda steps: click.progressbar(
            steps, label="Recording the demo Trust's history", show_pos=True))
    if trust.created:
        click.echo(f"Loaded the demo Trust, {trust.tenant_name}, with {trust.services} services.")
    else:
        click.echo(f"The demo Trust, {trust.tenant_name}, is already loaded; nothing was changed.")
    if trust.first_day is not None:
        click.echo(f"Its event log holds {trust.events} events over {_span(trust.months)}, "
                   f"from {long_date(trust.first_day)} to {long_date(trust.last_day)}.")
    click.echo(f"Open http://127.0.0.1:{os.environ.get('PORT') or 5000}/ and sign in with")
    click.echo(f"  e-mail:   {trust.email}")
    if trust.password:
        click.echo(f"  password: {trust.password}")
        others = [(email, ROLES[role]) for email, _, role in demo.ACCOUNTS if email != trust.email]
        if others:
            click.echo("The same password signs in to")
            width = max(len(email) for email, _ in others)
            for email, role in others:
                click.echo(f"  {email.ljust(width)}  {role}")
    else:
        click.echo("  password: use the password printed the first time, or reset it with "
                   f"`flask --app core user password {trust.email}`")


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


# --- reminders -------------------------------------------------------------------------

reminders_cli = Commands("reminders", help="E-mail reminders of what has a date.")


@reminders_cli.command("send")
@click.option("--today", "today_text", default=None, metavar="YYYY-MM-DD",
              help="Send what is due on this day instead of today (to catch up after a missed run).")
@click.option("--tenant", "slug", default=None, help="Only this Trust's reminders.")
def reminders_send(today_text, slug):
    """E-mail every reminder that is due and not yet sent; run it daily from cron or a systemd timer."""
    from flask import current_app

    from . import reminders
    from .mail import mailer

    try:
        today = date.fromisoformat(today_text) if today_text else london_today()
        send_with = mailer(current_app.config)
    except ValueError as err:
        raise click.ClickException(f"Could not start: {err}") from None
    if not send_with.sends:
        click.echo("MAIL_URL is not set, so nothing is sent: this is what would be sent.")
    trusts = [_tenant(slug).id] if slug else db.session.scalars(select(Tenant.id).order_by(Tenant.slug)).all()
    db.session.rollback()  # each Trust is read and written in a session of its own
    outcome = reminders.Outcome()
    with acting_as("system"), click.progressbar(length=len(trusts), label="Sending reminders", file=_progress_file()) as bar:
        reminders.send_due(send_with, today, trusts, outcome, progress=lambda: bar.update(1))
    if not send_with.sends:
        click.echo(f"{_count(outcome.shown, 'reminder')} would have been sent, in {_count(outcome.trusts, 'Trust')}.")
        return
    click.echo(f"Sent {_count(outcome.sent, 'reminder')} to {_count(len(outcome.people), 'person', 'people')} "
               f"in {_count(outcome.trusts, 'Trust')}.")
    if outcome.failed:
        click.echo(f"FAILED: {outcome.failed} could not be sent (the mail server refused them or could not be "
                   "reached; see the log). They will be tried again on the next run.")
        click.get_current_context().exit(1)


def init_app(app):
    for group in (db_cli, tenant_cli, user_cli, token_cli, plugins_cli, events_cli, reminders_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
