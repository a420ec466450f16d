"""The operators' commands: ``flask --app core <group> <command>``.

Every command is run through Flask's CLI runner, on both engines. Bad input
must exit non-zero with one plain line and change nothing.

This module is also a tiny plugin (registered as "clinotes" by ``notes_app``)
owning one event type that keeps personal words, so erasure can be tried.
"""
import json
import os
import re
import stat

import pytest
from marshmallow import Schema, fields
from sqlalchemy import func, select, text

from core import commands
from core.auth import check_password
from core.db import db
from core.events import ERASED, Event, EventPersonal, EventType, acting_as, record, verify_records, verify_tenant
from core.hookspecs import hookimpl
from core.models import ApiToken, Membership, Service, Tenant, TenantPlugin, User
from core.tenancy import ALL_TENANTS, tenant_context
from core.testing import PASSWORD, _unique, throwaway_app

HASH = re.compile(r"^OK: (\d+) events checked; head seq (\d+) hash ([0-9a-f]{64})$")


# --- the "clinotes" plugin -----------------------------------------------------------------

class NoteWords(Schema):
    words = fields.String(required=True)


def _leave_service_alone(service, event):
    """A note about a service changes nothing in the service's row."""


@hookimpl
def event_types():
    return [EventType("clinotes.noted", Service, _leave_service_alone, personal=NoteWords)]


# --- helpers ---------------------------------------------------------------------------------

def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def refused(result) -> str:
    """The one line a refused command printed."""
    assert result.exit_code != 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: "), result.output
    return lines[0]


def counts(app) -> dict:
    """How many rows each core table holds, across every tenant."""
    with app.app_context():
        return {model.__name__: db.session.scalar(
                    select(func.count()).select_from(model).execution_options(**ALL_TENANTS))
                for model in (Tenant, User, Membership, ApiToken, TenantPlugin, Service, Event, EventPersonal)}


def tenant_events(app, tenant_id) -> list[Event]:
    with app.app_context(), tenant_context(tenant_id):
        rows = db.session.scalars(select(Event).order_by(Event.seq)).all()
        db.session.expunge_all()
        return rows


def failure(slug: str, report) -> str:
    """The line `events verify` prints for a chain core found broken."""
    assert not report.ok
    return f"FAILED: tenant {slug}: event {report.first_bad_seq}: {report.reason}"


def sign_in_answer(app, email, password):
    return app.test_client().post("/sign-in", data={"email": email, "password": password})


# --- tenant ---------------------------------------------------------------------------------

def test_tenant_create_prints_where_the_trust_lives(app):
    slug = _unique("cli")
    result = run(app, "tenant", "create", slug, "--name", "North NHS Foundation Trust")
    assert result.exit_code == 0, result.output
    assert result.output == f"Created Trust North NHS Foundation Trust at /t/{slug}/\n"
    with app.app_context():
        tenant = commands.tenant_by_slug(slug)
        tenant_id = tenant.id
        assert tenant.name == "North NHS Foundation Trust"
    events = tenant_events(app, tenant_id)
    assert events[0].type == "tenant.created"
    assert {ev.actor for ev in events} == {"cli"}

    listing = run(app, "tenant", "list")
    assert listing.exit_code == 0
    assert f"{slug}\tNorth NHS Foundation Trust" in listing.output.splitlines()


def test_tenant_create_refuses_bad_input_and_changes_nothing(app, tenant):
    before = counts(app)
    assert "already exists" in refused(run(app, "tenant", "create", tenant.slug, "--name", "Again"))
    assert "short name" in refused(run(app, "tenant", "create", "Bad Slug!", "--name", "Bad"))
    assert "short name" in refused(run(app, "tenant", "create", "north-", "--name", "Bad"))
    assert "--name" in refused(run(app, "tenant", "create", _unique("cli")))
    assert "200 characters" in refused(run(app, "tenant", "create", _unique("cli"), "--name", "N" * 201))
    assert counts(app) == before


# --- user -------------------------------------------------------------------------------------

def test_user_create_makes_an_account_and_a_membership(app, tenant):
    email = f"{_unique('new')}@example.nhs.uk"
    result = run(app, "user", "create", email.upper(), "--tenant", tenant.slug, "--role", "staff",
                 "--password", "a long enough password", "--name", "Sam Smith")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (f"Created the account {email} to {tenant.name} (/t/{tenant.slug}/) as Staff.")
    with tenant.context() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user.display_name == "Sam Smith"
        assert check_password(user.password_hash, "a long enough password")
        member = session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert (member.role, member.active) == ("staff", True)
        added = session.scalar(select(Event).where(Event.type == "member.added").order_by(Event.seq.desc()))
        assert added.actor == "cli"


def test_user_create_asks_for_the_password_when_not_given(app, tenant):
    email = f"{_unique('asked')}@example.nhs.uk"
    result = run(app, "user", "create", email, "--tenant", tenant.slug, "--role", "viewer",
                 input="typed in secret\ntyped in secret\n")
    assert result.exit_code == 0, result.output
    assert "typed in secret" not in result.output  # hidden while typed
    assert result.output.strip().splitlines()[-1].startswith(f"Created the account {email}")
    with app.app_context():
        user = commands.user_by_email(email)
        assert check_password(user.password_hash, "typed in secret")


def test_user_create_adds_an_existing_account_to_another_trust(app, tenant, other_tenant):
    person = tenant.people["staff"]
    result = run(app, "user", "create", person.email, "--tenant", other_tenant.slug, "--role", "facilitator",
                 "--password", "an ignored password")
    assert result.exit_code == 0, result.output
    note, done = result.output.strip().splitlines()
    assert note.startswith(f"Note: {person.email} already has an account")
    assert done == (f"Added the existing account {person.email} to {other_tenant.name} "
                    f"(/t/{other_tenant.slug}/) as User facilitator.")
    with other_tenant.context() as session:
        member = session.scalar(select(Membership).where(Membership.user_id == person.user_id))
        assert member.role == "facilitator"
        assert check_password(member.user.password_hash, PASSWORD)  # unchanged
    # Without --password nothing is asked for an existing account.
    result = run(app, "user", "create", person.email, "--tenant", other_tenant.slug, "--role", "viewer")
    assert "already a member" in refused(result)


def test_user_create_refuses_bad_input_and_changes_nothing(app, tenant):
    new = f"{_unique('new')}@example.nhs.uk"
    good = ["--tenant", tenant.slug, "--role", "staff", "--password", "a long enough password"]
    before = counts(app)
    assert "e-mail address" in refused(run(app, "user", "create", "not-an-email", *good))
    assert "no Trust" in refused(run(app, "user", "create", new, "--tenant", "no-such-trust", "--role", "staff",
                                     "--password", "a long enough password"))
    assert "Choose a role" in refused(run(app, "user", "create", new, "--tenant", tenant.slug, "--role", "boss",
                                          "--password", "a long enough password"))
    assert "already a member" in refused(run(app, "user", "create", tenant.people["admin"].email, *good))
    assert "at least 12 characters" in refused(run(app, "user", "create", new, "--tenant", tenant.slug,
                                                   "--role", "staff", "--password", "short"))
    prompted = run(app, "user", "create", new, "--tenant", tenant.slug, "--role", "staff", input="short\nshort\n")
    assert prompted.exit_code != 0
    assert prompted.output.strip().splitlines()[-1].startswith("Error: Enter a password of at least 12 characters.")
    assert counts(app) == before


def test_user_password_sets_a_new_password(app, tenant):
    person = tenant.add_person("viewer")
    result = run(app, "user", "password", person.email, input="a brand new password\na brand new password\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == f"Changed the password of {person.email}."
    with app.app_context():
        user = commands.user_by_email(person.email)
        assert check_password(user.password_hash, "a brand new password")
        assert not check_password(user.password_hash, person.password)

    result = run(app, "user", "password", person.email, "--password", "given on the line")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert check_password(commands.user_by_email(person.email).password_hash, "given on the line")

    before = counts(app)
    assert "no account" in refused(run(app, "user", "password", "nobody@example.nhs.uk", "--password", "x" * 12))
    assert "at least 12" in refused(run(app, "user", "password", person.email, "--password", "short"))
    assert "e-mail address" in refused(run(app, "user", "password", "nope", "--password", "x" * 12))
    with app.app_context():
        assert check_password(commands.user_by_email(person.email).password_hash, "given on the line")
    assert counts(app) == before


# --- token ------------------------------------------------------------------------------------

def test_token_create_prints_a_working_token_last(app, tenant):
    person = tenant.people["service_user"]
    result = run(app, "token", "create", person.email, "--tenant", tenant.slug, "--name", "reporting")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) >= 2
    token = lines[-1]
    assert token.startswith("cl_") and " " not in token
    response = app.test_client().get(f"/api/v1/t/{tenant.slug}/services",
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    with tenant.context() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.name == "reporting"))
        assert row.membership_id == person.membership_id


def test_token_create_refuses_strangers(app, tenant, other_tenant):
    before = counts(app)
    assert "no account" in refused(run(app, "token", "create", "nobody@example.nhs.uk", "--tenant", tenant.slug))
    outsider = other_tenant.people["admin"].email
    assert "not a member" in refused(run(app, "token", "create", outsider, "--tenant", tenant.slug))
    assert "no Trust" in refused(run(app, "token", "create", outsider, "--tenant", "no-such-trust"))
    assert "e-mail address" in refused(run(app, "token", "create", "nope", "--tenant", tenant.slug))
    assert "name" in refused(run(app, "token", "create", outsider, "--tenant", other_tenant.slug, "--name", ""))
    assert counts(app) == before


# --- plugins ----------------------------------------------------------------------------------

def test_plugins_list_enable_and_disable(app, tenant):
    listing = run(app, "plugins", "list")
    assert listing.exit_code == 0
    names = [line.split()[0] for line in listing.output.splitlines()]
    assert {"healthcheck", "levels", "indicators", "resources"} <= set(names)
    assert "core" not in names

    def states():
        result = run(app, "plugins", "list", "--tenant", tenant.slug)
        assert result.exit_code == 0
        return dict(line.split()[:2] for line in result.output.splitlines())

    assert states()["healthcheck"] == "on"
    result = run(app, "plugins", "disable", tenant.slug, "healthcheck")
    assert (result.exit_code, result.output) == (0, f"Switched healthcheck off for {tenant.name}.\n")
    assert states()["healthcheck"] == "off"
    before = counts(app)
    again = run(app, "plugins", "disable", tenant.slug, "healthcheck")
    assert again.exit_code == 0 and "already off" in again.output
    assert counts(app) == before
    result = run(app, "plugins", "enable", tenant.slug, "healthcheck")
    assert (result.exit_code, result.output) == (0, f"Switched healthcheck on for {tenant.name}.\n")
    assert states()["healthcheck"] == "on"
    with tenant.context() as session:
        last = session.scalar(select(Event).order_by(Event.seq.desc()))
        assert (last.type, last.stream, last.actor) == ("plugin.enabled", "plugin:healthcheck", "cli")

    before = counts(app)
    assert "no installed plugin" in refused(run(app, "plugins", "enable", tenant.slug, "no-such-plugin"))
    assert "no installed plugin" in refused(run(app, "plugins", "disable", tenant.slug, "no-such-plugin"))
    assert "no Trust" in refused(run(app, "plugins", "enable", "no-such-trust", "healthcheck"))
    assert "no Trust" in refused(run(app, "plugins", "list", "--tenant", "no-such-trust"))
    assert counts(app) == before


def test_plugins_allow_and_disallow_each_an_event_in_the_trusts_log(app, tenant, other_tenant):
    def listed(slug):
        result = run(app, "plugins", "list", "--tenant", slug)
        assert result.exit_code == 0
        return {line.split()[0]: line.split(None, 2)[1:] for line in result.output.splitlines()}

    assert listed(tenant.slug)["example"] == ["off", "not available"]
    assert listed(tenant.slug)["healthcheck"] == ["on", "available"]
    def example_line():
        return [line for line in run(app, "plugins", "list").output.splitlines() if line.startswith("example ")][0]

    assert tenant.slug not in example_line()
    assert "[available to: every Trust]" in [line for line in run(app, "plugins", "list").output.splitlines()
                                             if line.startswith("healthcheck ")][0]
    before = counts(app)
    assert "not available" in refused(run(app, "plugins", "enable", tenant.slug, "example"))
    assert counts(app) == before

    result = run(app, "plugins", "allow", tenant.slug, "example")
    assert (result.exit_code, result.output) == (0, f"{tenant.name} may now use example.\n")
    with tenant.context() as session:
        last = session.scalar(select(Event).order_by(Event.seq.desc()))
        assert (last.type, last.stream, last.actor) == ("plugin.allowed", "plugin:example", "cli")
    assert listed(tenant.slug)["example"] == ["off", "available"]
    assert listed(other_tenant.slug)["example"] == ["off", "not available"]  # one Trust at a time
    assert tenant.slug in example_line() and other_tenant.slug not in example_line()
    assert run(app, "plugins", "allow", tenant.slug, "example").output.endswith("nothing changed.\n")
    assert run(app, "plugins", "enable", tenant.slug, "example").exit_code == 0
    assert listed(tenant.slug)["example"] == ["on", "available"]

    result = run(app, "plugins", "disallow", tenant.slug, "example")
    assert result.exit_code == 0 and "may no longer use example" in result.output
    with tenant.context() as session:
        last = session.scalar(select(Event).order_by(Event.seq.desc()))
        assert (last.type, last.stream) == ("plugin.disallowed", "plugin:example")
    assert listed(tenant.slug)["example"] == ["off", "not available"]
    # allowed again, it comes back as the Trust left it: on
    assert run(app, "plugins", "allow", tenant.slug, "example").exit_code == 0
    assert listed(tenant.slug)["example"] == ["on", "available"]

    before = counts(app)
    assert "no installed plugin" in refused(run(app, "plugins", "allow", tenant.slug, "no-such-plugin"))
    assert "no installed plugin" in refused(run(app, "plugins", "disallow", tenant.slug, "no-such-plugin"))
    assert "no Trust" in refused(run(app, "plugins", "allow", "no-such-trust", "example"))
    assert "no Trust" in refused(run(app, "plugins", "disallow", "no-such-trust", "example"))
    assert "every Trust" in refused(run(app, "plugins", "disallow", tenant.slug, "healthcheck"))
    assert counts(app) == before


# --- events: export and verify -----------------------------------------------------------------

def test_export_then_verify_the_file(app, tenant, tmp_path):
    result = run(app, "events", "export", "--tenant", tenant.slug)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    assert {r["tenant_id"] for r in records} == {tenant.id}
    assert lines[0] == json.dumps(records[0], sort_keys=True, ensure_ascii=False)

    in_db = run(app, "events", "verify", "--tenant", tenant.slug)
    assert in_db.exit_code == 0
    assert len(in_db.output.splitlines()) == 1
    count, head_seq, head = HASH.match(in_db.output.strip()).groups()
    assert int(count) == int(head_seq) == len(records)
    assert head == records[-1]["hash"]

    export = tmp_path / "export.jsonl"
    export.write_text(result.output, encoding="utf-8")
    offline = run(app, "events", "verify", "--file", str(export))
    assert (offline.exit_code, offline.output) == (0, in_db.output)
    with_head = run(app, "events", "verify", "--file", str(export), "--expect-head", head)
    assert (with_head.exit_code, with_head.output) == (0, in_db.output)


def test_verify_an_export_of_several_trusts(app, tenant, other_tenant, tmp_path):
    export = tmp_path / "both.jsonl"
    export.write_text("".join(run(app, "events", "export", "--tenant", t.slug).output
                              for t in (tenant, other_tenant)), encoding="utf-8")
    result = run(app, "events", "verify", "--file", str(export))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"OK: tenant {tenant.slug}: ")
    assert lines[1].startswith(f"OK: tenant {other_tenant.slug}: ")
    assert lines[-1].startswith("OK: ")
    one = run(app, "events", "verify", "--file", str(export), "--tenant", other_tenant.slug)
    assert one.output == run(app, "events", "verify", "--tenant", other_tenant.slug).output
    one_head = run(app, "events", "verify", "--file", str(export), "--expect-head", "a" * 64)
    assert "give --tenant" in refused(one_head)


def test_verify_refuses_the_wrong_head(app, tenant):
    result = run(app, "events", "verify", "--tenant", tenant.slug, "--expect-head", "f" * 64)
    assert result.exit_code == 1
    with app.app_context():
        report = verify_tenant(tenant.id, "f" * 64)
    assert report.first_bad_seq is not None
    assert result.output == failure(tenant.slug, report) + "\n"
    assert "64-character" in refused(run(app, "events", "verify", "--tenant", tenant.slug, "--expect-head", "abc"))
    assert "no Trust" in refused(run(app, "events", "verify", "--tenant", "no-such-trust"))


def test_verify_a_damaged_export_offline(app, tenant, tmp_path):
    lines = run(app, "events", "export", "--tenant", tenant.slug).output.splitlines()

    def first_bad(changed) -> int:
        path = tmp_path / "changed.jsonl"
        path.write_text("\n".join(changed) + "\n", encoding="utf-8")
        result = run(app, "events", "verify", "--file", str(path))
        assert result.exit_code == 1, result.output
        report = verify_records([json.loads(line) for line in changed])
        assert result.output == failure(tenant.slug, report) + "\n"
        return report.first_bad_seq

    edited = json.loads(lines[3])
    edited["actor"] = "user:999"
    assert first_bad(lines[:3] + [json.dumps(edited)] + lines[4:]) == 4
    assert first_bad(lines[:4] + lines[5:]) == 5  # removed
    assert first_bad(lines[:4] + [lines[5], lines[4]] + lines[6:]) == 5  # reordered
    # An event slipped in after event 4 (a copy of event 5), the rest renumbered after it.
    renumbered = [json.dumps(dict(json.loads(line), seq=json.loads(line)["seq"] + 1)) for line in lines[4:]]
    assert first_bad(lines[:5] + renumbered) == 6

    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines[0] + "\n{not json\n", encoding="utf-8")
    assert "Line 2" in refused(run(app, "events", "verify", "--file", str(bad)))
    assert "Cannot read" in refused(run(app, "events", "verify", "--file", str(tmp_path / "missing.jsonl")))


def _disable_append_only(app):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ALTER TABLE events DISABLE TRIGGER USER"))
        else:
            db.session.execute(text("DROP TRIGGER events_no_update"))
            db.session.execute(text("DROP TRIGGER events_no_delete"))
        db.session.commit()


def test_verify_finds_an_edited_or_removed_event(fresh_app, make_tenant):
    intact = make_tenant(name="Intact Trust", roles=("admin",), target_app=fresh_app)
    edited = make_tenant(name="Edited Trust", roles=("admin", "staff"), target_app=fresh_app)
    all_ok = run(fresh_app, "events", "verify")
    assert all_ok.exit_code == 0, all_ok.output
    assert all_ok.output.splitlines()[-1].startswith("OK: ")

    _disable_append_only(fresh_app)
    with fresh_app.app_context():
        db.session.execute(text("UPDATE events SET payload = '{\"sneaky\": true}' "
                                "WHERE tenant_id = :tenant AND seq = 3"), {"tenant": edited.id})
        db.session.commit()

    with fresh_app.app_context():
        report = verify_tenant(edited.id)
    assert report.first_bad_seq == 3
    result = run(fresh_app, "events", "verify")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert failure(edited.slug, report) in lines
    assert any(line.startswith(f"OK: tenant {intact.slug}: ") for line in lines)
    one = run(fresh_app, "events", "verify", "--tenant", edited.slug)
    assert (one.exit_code, one.output) == (1, failure(edited.slug, report) + "\n")

    with fresh_app.app_context():
        db.session.execute(text("DELETE FROM event_personal WHERE tenant_id = :tenant"), {"tenant": intact.id})
        db.session.execute(text("DELETE FROM events WHERE tenant_id = :tenant AND seq = 2"), {"tenant": intact.id})
        db.session.commit()
    with fresh_app.app_context():
        report = verify_tenant(intact.id)
    assert report.first_bad_seq == 2
    removed = run(fresh_app, "events", "verify", "--tenant", intact.slug)
    assert (removed.exit_code, removed.output) == (1, failure(intact.slug, report) + "\n")


# --- events: replay and erase ----------------------------------------------------------------------

def _projections(app, tenant_id) -> dict:
    with app.app_context(), tenant_context(tenant_id):
        session = db.session
        return {
            "services": [(s.id, s.name, s.kind, s.description, s.archived, s.created_at)
                         for s in session.scalars(select(Service).order_by(Service.id))],
            "memberships": [(m.id, m.user_id, m.role, m.active)
                            for m in session.scalars(select(Membership).order_by(Membership.id))],
            "tokens": [(t.id, t.membership_id, t.name, t.token_hash, t.revoked)
                       for t in session.scalars(select(ApiToken).order_by(ApiToken.id))],
            "plugins": [(p.plugin, p.enabled)
                        for p in session.scalars(select(TenantPlugin).order_by(TenantPlugin.plugin))],
            "name": session.get(Tenant, tenant_id).name,
        }


def test_replay_rebuilds_the_same_rows(app, tenant):
    tenant.token("staff")
    with tenant.context("cli"):
        service = db.session.get(Service, tenant.services["Willow Ward"])
        commands.update_service(service, name="Willow Ward North", archived=True)
        member = db.session.get(Membership, tenant.people["viewer"].membership_id)
        commands.remove_member(member)
    before = _projections(app, tenant.id)
    result = run(app, "events", "replay", "--tenant", tenant.slug)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Replayed {len(tenant_events(app, tenant.id))} events for {tenant.slug}.\n"
    assert _projections(app, tenant.id) == before
    assert "no Trust" in refused(run(app, "events", "replay", "--tenant", "no-such-trust"))


def test_replay_every_trust(fresh_app, make_tenant):
    trusts = [make_tenant(name=name, target_app=fresh_app) for name in ("East Trust", "West Trust")]
    before = [_projections(fresh_app, t.id) for t in trusts]
    result = run(fresh_app, "events", "replay")
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == sorted(
        f"Replayed {len(tenant_events(fresh_app, t.id))} events for {t.slug}." for t in trusts)
    assert [_projections(fresh_app, t.id) for t in trusts] == before
    assert run(fresh_app, "events", "verify").exit_code == 0


@pytest.fixture(scope="module")
def notes_app(database, tmp_path_factory):
    """An app with this module installed as the "clinotes" plugin, on its own database."""
    with throwaway_app(database.engine, tmp_path_factory, {"clinotes": __name__}) as app:
        yield app


def test_erase_forgets_the_words_and_the_chain_still_verifies(notes_app, make_tenant):
    trust = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=notes_app)
    oak = trust.services["Oak Day Centre"]
    with trust.context() as session, acting_as("cli"):
        noted = record("clinotes.noted", stream=f"service:{oak}", service_id=oak,
                       personal={"words": "I felt listened to"})
        seq = noted.seq
    plain = len(tenant_events(notes_app, trust.id)) - 1  # an event with no personal words
    before = counts(notes_app)
    assert "no event 999" in refused(run(notes_app, "events", "erase", "--tenant", trust.slug, "--event", "999"))
    assert "no personal words" in refused(run(notes_app, "events", "erase", "--tenant", trust.slug,
                                              "--event", str(plain)))
    assert "no Trust" in refused(run(notes_app, "events", "erase", "--tenant", "no-such", "--event", str(seq)))
    assert counts(notes_app) == before

    result = run(notes_app, "events", "erase", "--tenant", trust.slug, "--event", str(seq))
    assert (result.exit_code, result.output) == (
        0, f"Erased the personal words kept with event {seq} of {trust.slug}.\n")
    with trust.context() as session:
        event = session.scalar(select(Event).where(Event.seq == seq))
        assert event.erased and event.personal.get("words") == ERASED
        assert session.get(EventPersonal, event.id) is None
    again = run(notes_app, "events", "erase", "--tenant", trust.slug, "--event", str(seq))
    assert again.exit_code == 0 and "erased already" in again.output
    assert run(notes_app, "events", "verify", "--tenant", trust.slug).exit_code == 0


# --- demo --------------------------------------------------------------------------------------

def _demo_password(output: str) -> str:
    match = re.search(r"^  password: (\S+)$", output, re.MULTILINE)
    assert match, output
    return match.group(1)


def test_demo_loads_once_and_its_password_signs_in(fresh_app, tmp_path, monkeypatch):
    monkeypatch.setenv("PORT", "5123")
    kept = tmp_path / "private" / "demo-password.txt"
    fresh_app.config["DEMO_PASSWORD_FILE"] = str(kept)

    first = run(fresh_app, "demo")
    assert first.exit_code == 0, first.output
    assert "http://127.0.0.1:5123/" in first.output
    assert "admin@demo.example" in first.output
    password = _demo_password(first.output)
    assert len(password) >= 16
    assert kept.read_text().strip() == password
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600

    with fresh_app.app_context():
        tenant = commands.tenant_by_slug("demo")
        assert tenant.name == "Demo NHS Foundation Trust"
        with tenant_context(tenant.id):
            services = {(s.name, s.kind) for s in db.session.scalars(select(Service))}
            roles = {m.user.email: m.role for m in db.session.scalars(select(Membership))}
        admin = commands.user_by_email("admin@demo.example")
        assert check_password(admin.password_hash, password)
    assert services == {("Oak Day Centre", "day_centre"), ("Willow Ward", "inpatient_ward"),
                        ("Riverside Assertive Outreach Team", "assertive_outreach")}
    assert roles["admin@demo.example"] == "admin"
    assert run(fresh_app, "events", "verify", "--tenant", "demo").exit_code == 0

    before = counts(fresh_app)
    second = run(fresh_app, "demo")
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    assert _demo_password(second.output) == password
    assert counts(fresh_app) == before

    signed_in = sign_in_answer(fresh_app, "admin@demo.example", password)
    assert signed_in.status_code in (302, 303)
    assert sign_in_answer(fresh_app, "admin@demo.example", "not the password").status_code == 200

    # Once the password is reset, the kept one no longer signs in and is not shown.
    reset = run(fresh_app, "user", "password", "admin@demo.example", "--password", "my own new password")
    assert reset.exit_code == 0
    third = run(fresh_app, "demo")
    assert third.exit_code == 0
    assert password not in third.output
    assert "flask --app core user password admin@demo.example" in third.output
    assert counts(fresh_app) == before
