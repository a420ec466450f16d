"""The event log, on both engines: the hash chain, the append-only table, tampering,
export, erasure, concurrent appends, time travel and replay."""
from __future__ import annotations

import json
import threading
import uuid
from contextlib import nullcontext
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import event as sa_event
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

import erasable_plugin
import exploding_plugin
from cl_example_plugin import events as example_events
from core import commands, events
from core.db import db, utcnow
from core.events import GENESIS, Event, EventError, event_hash
from core.models import Membership, Service, Tenant
from core.plugins import host
from core.tenancy import TenantScoped, tenant_context
from core.testing import throwaway_app
from section_seeds import seed_sections

HASHED_FIELDS = {"tenant_id", "seq", "type", "stream", "service_id", "actor", "occurred_at", "payload",
                 "personal_digest", "prev_hash"}


def at(*args):
    """Travel to a moment (UTC), frozen, so events are recorded then."""
    return time_machine.travel(datetime(*args, tzinfo=timezone.utc), tick=False)


def moment(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def plugin_app(database, tmp_path_factory):
    """Test plugins whose events keep personal words, or whose projector fails."""
    with throwaway_app(database.engine, tmp_path_factory,
                       {"erasable": "erasable_plugin", "exploding": "exploding_plugin"}) as app:
        yield app


def records_of(tenant) -> list[dict]:
    with tenant.context():
        return list(events.tenant_records(tenant.id))


def rows(session, model) -> list[dict]:
    """Every row of a model for the tenant in context, as sorted column dicts."""
    columns = [attr.key for attr in model.__mapper__.column_attrs]
    found = [{key: getattr(obj, key) for key in columns} for obj in session.scalars(select(model))]
    keys = [col.key for col in model.__mapper__.primary_key]
    return sorted(found, key=lambda row: tuple(str(row[key]) for key in keys))


def projections(tenant) -> dict[str, list[dict]]:
    with tenant.context() as session:
        return {model.__tablename__: rows(session, model) for model in events.projection_models()}


# --- the chain ---------------------------------------------------------------------------

def test_every_event_is_chained_to_the_one_before_from_genesis(tenant):
    records = records_of(tenant)
    assert len(records) > 5
    assert records[0]["seq"] == 1
    assert records[0]["prev_hash"] == GENESIS
    for before, after in zip(records, records[1:]):
        assert after["seq"] == before["seq"] + 1
        assert after["prev_hash"] == before["hash"]
    for rec in records:
        assert set(rec) == HASHED_FIELDS | {"hash"}
        assert rec["hash"] == event_hash(rec)
        assert len(rec["hash"]) == 64 and int(rec["hash"], 16) >= 0


def test_the_hash_covers_every_field(tenant):
    rec = records_of(tenant)[-1]
    for name in HASHED_FIELDS:
        changed = dict(rec, **{name: "something else"})
        assert event_hash(changed) != rec["hash"], name


def test_seq_is_gapless_per_tenant_while_tenants_interleave(make_tenant):
    first = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    second = make_tenant(roles=("admin",), services=("Elm Community Team",))
    for turn in range(3):
        for fixture in (first, second):
            with fixture.context():
                service = db.session.scalars(select(Service)).one()
                commands.update_service(service, name=f"Renamed {turn}")
    ids = []
    for fixture in (first, second):
        records = records_of(fixture)
        assert [rec["seq"] for rec in records] == list(range(1, len(records) + 1))
        with fixture.context() as session:
            ids.append(set(session.scalars(select(Event.id))))
        with fixture.context():
            assert events.verify_tenant(fixture.id).ok
    assert not ids[0] & ids[1]


def test_record_returns_the_appended_head(tenant):
    with tenant.context() as session:
        before_seq, before_hash = events.head(tenant.id)
        service = session.get(Service, tenant.services["Oak Day Centre"])
        ev = events.record("service.renamed", {"name": "Oak House"}, stream=f"service:{service.id}",
                           service_id=service.id)
        assert (ev.seq, ev.prev_hash) == (before_seq + 1, before_hash)
        assert ev.actor == "system"
        assert service.name == "Oak House"  # projected in the same transaction
        appended = (ev.seq, ev.hash)
    with tenant.context():
        assert events.head(tenant.id) == appended


# --- the database refuses to change the log --------------------------------------------------

def refusal(app, statement: str, params: dict):
    with app.app_context():
        try:
            with pytest.raises(DBAPIError) as caught:
                db.session.execute(text(statement), params)
                db.session.flush()
        finally:
            db.session.rollback()
    return str(caught.value)


@pytest.mark.parametrize("statement", [
    "UPDATE events SET actor = 'user:0' WHERE tenant_id = :tenant_id",
    "UPDATE events SET payload = '{}' WHERE tenant_id = :tenant_id AND seq = 1",
    "DELETE FROM events WHERE tenant_id = :tenant_id AND seq = (SELECT max(seq) FROM events WHERE tenant_id = :tenant_id)",
])
def test_the_database_refuses_update_and_delete(app, tenant, statement):
    before = records_of(tenant)
    assert "append-only" in refusal(app, statement, {"tenant_id": tenant.id})
    assert records_of(tenant) == before


def test_the_database_refuses_emptying_the_table(app, tenant, database):
    # PostgreSQL's TRUNCATE has a trigger of its own; SQLite has no TRUNCATE, and
    # its unqualified DELETE (the "truncate optimisation") still fires the trigger.
    statement = "TRUNCATE events CASCADE" if database.engine == "postgresql" else "DELETE FROM events"
    before = records_of(tenant)
    assert "append-only" in refusal(app, statement, {})
    assert records_of(tenant) == before


def test_the_orm_cannot_change_an_event_either(tenant):
    with tenant.app.app_context(), tenant_context(tenant.id):
        ev = db.session.scalars(select(Event).order_by(Event.seq)).first()
        ev.actor = "user:0"
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(select(Event).order_by(Event.seq)).first())
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.flush()
        db.session.rollback()
    with tenant.context():
        assert events.verify_tenant(tenant.id).ok


# --- tampering: every kind of change is found, at the first, a middle and the last event -------

@pytest.fixture(scope="module")
def tamper_app(database, tmp_path_factory):
    """A throwaway database whose append-only triggers are removed, so tests can tamper."""
    with throwaway_app(database.engine, tmp_path_factory) as app:
        with app.app_context():
            if database.engine == "postgresql":
                db.session.execute(text("ALTER TABLE events DISABLE TRIGGER USER"))
            else:
                db.session.execute(text("DROP TRIGGER events_no_update"))
                db.session.execute(text("DROP TRIGGER events_no_delete"))
            db.session.commit()
        yield app


def _sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def edit(tenant, seq: int) -> int:
    _sql(tenant.app, "UPDATE events SET actor = 'user:999999' WHERE tenant_id = :t AND seq = :seq",
         t=tenant.id, seq=seq)
    return seq


def delete(tenant, seq: int) -> int:
    _sql(tenant.app, "DELETE FROM event_personal WHERE event_id IN "
                     "(SELECT id FROM events WHERE tenant_id = :t AND seq = :seq)", t=tenant.id, seq=seq)
    _sql(tenant.app, "DELETE FROM events WHERE tenant_id = :t AND seq = :seq", t=tenant.id, seq=seq)
    return seq


def insert(tenant, seq: int) -> int:
    """A forger's event at ``seq``, correctly hashed after the event before it; later ones move up."""
    last = records_of(tenant)[-1]["seq"]
    for moving in range(last, seq - 1, -1):  # from the top, so (tenant, seq) stays unique
        _sql(tenant.app, "UPDATE events SET seq = seq + 1 WHERE tenant_id = :t AND seq = :seq",
             t=tenant.id, seq=moving)
    prev_hash = records_of(tenant)[seq - 2]["hash"] if seq > 1 else GENESIS
    with tenant.context() as session:
        service_id = session.scalars(select(Service.id)).first()
        forged = Event(id=events._next_event_id(session), tenant_id=tenant.id, seq=seq, type="service.renamed",
                       stream=f"service:{service_id}", service_id=service_id, actor="user:999999",
                       occurred_at=utcnow(), payload={"name": "Forged"}, prev_hash=prev_hash)
        forged.hash = event_hash(forged.as_record())
        session.add(forged)
    # The forged event itself is consistent; the event it pushed along no longer follows it.
    return seq + 1


def reorder(tenant, seq: int) -> int:
    """Swap events ``seq`` and ``seq + 1`` by their seq values (via a spare value)."""
    for old, new in ((seq, -1), (seq + 1, seq), (-1, seq + 1)):
        _sql(tenant.app, "UPDATE events SET seq = :new WHERE tenant_id = :t AND seq = :old",
             t=tenant.id, old=old, new=new)
    return seq


TAMPERING = {"edit": edit, "delete": delete, "insert": insert, "reorder": reorder}


def position(where: str, count: int, kind: str) -> int:
    last = count - 1 if kind == "reorder" else count  # a swap takes the last two
    return {"first": 1, "middle": count // 2, "last": last}[where]


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("kind", list(TAMPERING))
def test_tampering_is_found(tamper_app, make_tenant, kind, where):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre", "Willow Ward", "Ash Team"),
                         target_app=tamper_app)
    with tenant.context():
        intact = events.verify_tenant(tenant.id)
    assert intact.ok and intact.count >= 8
    seq = position(where, intact.count, kind)

    first_bad = TAMPERING[kind](tenant, seq)

    with tenant.context():
        report = events.verify_tenant(tenant.id)
        held = events.verify_tenant(tenant.id, expect_head=intact.head)
    if kind == "delete" and where == "last":
        # What is left is a perfect, shorter chain: only the head kept elsewhere shows the loss.
        assert report.ok
        report = held
    assert not report.ok
    assert report.first_bad_seq == first_bad, report.reason
    assert not held.ok


def test_a_forged_event_appended_after_the_head_is_found_with_the_expected_head(tamper_app, make_tenant):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=tamper_app)
    with tenant.context():
        intact = events.verify_tenant(tenant.id)
    insert(tenant, intact.count + 1)
    with tenant.context():
        assert events.verify_tenant(tenant.id).ok  # a well-forged append is a valid chain on its own
        held = events.verify_tenant(tenant.id, expect_head=intact.head)
    assert not held.ok
    # The first event that should not be there is the one after the expected head.
    assert held.first_bad_seq == intact.count + 1, held.reason


def test_the_expected_head_passes_when_nothing_changed(tenant):
    with tenant.context():
        seq, head_hash = events.head(tenant.id)
        report = events.verify_tenant(tenant.id, expect_head=head_hash)
    assert report.ok and report.head_seq == seq == report.count


@pytest.mark.parametrize("value", [1.5e-7, 0.1])
def test_verify_takes_each_hash_over_the_canonical_bytes(tamper_app, make_tenant, value):
    """A float json writes with an exponent (1.5e-07) is written otherwise by the quicker encoder:
    verify still checks the bytes the hash was made of, and still finds the event changed."""
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=tamper_app)
    with tenant.context() as session:
        seq, prev_hash = events.head(tenant.id)
        service_id = tenant.services["Oak Day Centre"]
        ev = Event(id=events._next_event_id(session), tenant_id=tenant.id, seq=seq + 1, type="service.renamed",
                   stream=f"service:{service_id}", service_id=service_id, actor="cli", occurred_at=utcnow(),
                   payload={"name": "Oak", "ratio": value}, prev_hash=prev_hash)
        ev.hash = event_hash(ev.as_record())
        session.add(ev)
    with tenant.context():
        assert events.verify_tenant(tenant.id).ok
    edit(tenant, seq + 1)
    with tenant.context():
        report = events.verify_tenant(tenant.id)
    assert not report.ok and report.first_bad_seq == seq + 1
    assert report.reason == "its contents do not match its hash"


# --- export: verifiable offline -------------------------------------------------------------

def test_an_export_verifies_offline_and_a_tampered_line_fails(tenant):
    with tenant.context():
        lines = [json.dumps(rec, sort_keys=True, ensure_ascii=False) for rec in events.tenant_records(tenant.id)]
        head_seq, head_hash = events.head(tenant.id)
    exported = [json.loads(line) for line in lines]

    report = events.verify_records(exported, expect_head=head_hash)
    assert report.ok and report.count == head_seq == len(lines)

    middle = len(exported) // 2
    for index, name, value in ((0, "actor", "user:0"), (middle, "payload", {"name": "Forged"}),
                               (len(exported) - 1, "occurred_at", "2020-01-01T00:00:00.000000Z")):
        tampered = [dict(rec) for rec in exported]
        tampered[index][name] = value
        report = events.verify_records(tampered)
        assert not report.ok and report.first_bad_seq == index + 1, name

    dropped = exported[:middle] + exported[middle + 1:]
    assert events.verify_records(dropped).first_bad_seq == middle + 1
    assert not events.verify_records(exported[:-1], expect_head=head_hash).ok


def test_another_tenants_export_does_not_pass_for_this_one(tenant, other_tenant):
    with tenant.context():
        _, head_hash = events.head(tenant.id)
    report = events.verify_records(records_of(other_tenant), expect_head=head_hash)
    assert not report.ok


# --- erasure: the words go, the chain stays ------------------------------------------------

def tables_containing(app, needle: str) -> set[str]:
    """Every table with the words anywhere in any row (a test may read raw rows)."""
    found = set()
    with app.app_context():
        for table in inspect(db.engine).get_table_names():
            for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
                if needle in repr(tuple(row)):
                    found.add(table)
                    break
        db.session.rollback()
    return found


@pytest.fixture
def said(plugin_app, make_tenant):
    """A tenant with one event keeping a person's words about its service."""
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=plugin_app)
    oak = tenant.services["Oak Day Centre"]
    secret = f"Sam Example said {uuid.uuid4().hex}"
    with tenant.context(f"user:{tenant.people['admin'].user_id}"):
        ev = events.record(erasable_plugin.SAID, {"topic": "the garden"}, stream=f"service:{oak}",
                           service_id=oak, personal={"words": secret})
        assert ev.personal == {"words": secret}
        tenant.event_id, tenant.secret, tenant.oak = ev.id, secret, oak
    return tenant


def description(tenant) -> str:
    with tenant.context() as session:
        return session.get(Service, tenant.oak).description


def test_personal_words_are_kept_apart_from_the_hashed_payload(plugin_app, said):
    assert description(said) == said.secret
    assert tables_containing(plugin_app, said.secret) == {"event_personal", "services", "history"}
    rec = [r for r in records_of(said) if r["type"] == erasable_plugin.SAID][0]
    assert rec["payload"] == {"topic": "the garden"}
    assert len(rec["personal_digest"]) == 64


def test_erasure_keeps_the_chain_and_replay_shows_erased(plugin_app, said):
    with said.context():
        before = events.verify_tenant(said.id)
        erased_seq = db.session.get(Event, said.event_id).seq
        assert events.erase_personal(said.event_id, "Data protection officer, request 14") is True
    with said.context():
        after = events.verify_tenant(said.id)
        assert events.erase_personal(said.event_id) is False  # nothing left to erase
        ev = db.session.get(Event, said.event_id)
        assert ev.erased and ev.personal.get("words") == events.ERASED
        # the erasure is itself an event, naming what was erased and on whose authority
        last = db.session.scalar(select(Event).order_by(Event.seq.desc()).limit(1))
        assert (last.type, last.payload) == ("personal.erased", {"event_seq": erased_seq,
                                                                  "authority": "Data protection officer, request 14"})
        last_hash = last.hash
    assert after.ok and after.count == before.count + 1 and after.head == last_hash
    assert "event_personal" not in tables_containing(plugin_app, said.secret)
    assert "events" not in tables_containing(plugin_app, said.secret)

    with said.context():
        events.replay(said.id)
    assert description(said) == events.ERASED
    with said.context():
        assert events.fold(Service, stream=f"service:{said.oak}")[said.oak].description == events.ERASED
    assert tables_containing(plugin_app, said.secret) == set()


def test_personal_words_cannot_be_edited_or_deleted_without_a_recorded_erasure(plugin_app, said):
    """The database refuses it, and a forged edit slipped past the triggers is caught by verify."""
    with plugin_app.app_context():
        for statement in ("UPDATE event_personal SET data = :forged WHERE event_id = :id",
                          "DELETE FROM event_personal WHERE event_id = :id"):
            with pytest.raises(DBAPIError, match="recorded erasure"):
                with db.engine.begin() as connection:
                    connection.execute(text(statement), {"id": said.event_id, "forged": '{"words": "forged"}'})
    with said.context():
        assert events.verify_tenant(said.id).ok


def test_verify_recomputes_each_personal_digest(plugin_app, said):
    """Words changed behind the triggers' back (say, by a superuser) no longer match their digest."""
    with plugin_app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE event_personal DISABLE TRIGGER event_personal_no_update_delete"))
            connection.execute(text("UPDATE event_personal SET data = :forged WHERE event_id = :id"),
                               {"id": said.event_id, "forged": '{"words": "forged"}'})
            connection.execute(text("ALTER TABLE event_personal ENABLE TRIGGER event_personal_no_update_delete"))
        else:
            connection.execute(text("DROP TRIGGER event_personal_no_update"))
            connection.execute(text("UPDATE event_personal SET data = :forged WHERE event_id = :id"),
                               {"id": said.event_id, "forged": '{"words": "forged"}'})
            connection.execute(text(
                "CREATE TRIGGER event_personal_no_update BEFORE UPDATE ON event_personal BEGIN SELECT RAISE(ABORT, "
                "'personal words are changed only by a recorded erasure: UPDATE refused'); END"))
    with said.context():
        seq = db.session.get(Event, said.event_id).seq
        report = events.verify_tenant(said.id)
    assert not report.ok and report.first_bad_seq == seq
    assert report.reason == "the personal words kept with it do not match their fingerprint"


def test_erasure_removes_the_words_from_the_live_projection(plugin_app, said):
    """Erasing must not leave the words in a projection until someone replays."""
    with said.context():
        events.erase_personal(said.event_id)
    assert tables_containing(plugin_app, said.secret) == set()
    assert description(said) == events.ERASED


# --- concurrency (PostgreSQL) --------------------------------------------------------------

def run_appenders(app, jobs: list[tuple[int, int, int]], *, lock_first: bool = False) -> list[Exception]:
    """Each job (tenant id, service id, count) appends in its own thread and app context;
    ``lock_first``: each append under ``locked()``, as a command with a rule does."""
    errors: list[Exception] = []
    start = threading.Barrier(len(jobs))

    def append(number: int, tenant_id: int, service_id: int, count: int) -> None:
        try:
            start.wait()
            with app.app_context(), tenant_context(tenant_id), events.acting_as(f"cli:{number}"):
                for i in range(count):
                    with events.locked() if lock_first else nullcontext():
                        events.record("service.renamed", {"name": f"Thread {number} name {i}"},
                                      stream=f"service:{service_id}", service_id=service_id)
                    db.session.commit()
        except Exception as err:  # noqa: BLE001 - reported by the test
            errors.append(err)

    threads = [threading.Thread(target=append, args=(n, *job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_appended(tenant, before: int, expected: int) -> None:
    records = records_of(tenant)
    assert len(records) == before + expected
    assert [rec["seq"] for rec in records] == list(range(1, len(records) + 1))
    with tenant.context():
        assert events.verify_tenant(tenant.id).ok
    # each thread's own appends keep their order
    by_thread: dict[str, list[int]] = {}
    for rec in records[before:]:
        by_thread.setdefault(rec["actor"], []).append(int(rec["payload"]["name"].rsplit(" ", 1)[1]))
    assert all(numbers == sorted(numbers) for numbers in by_thread.values())


def test_eight_threads_append_to_one_tenant(app, make_tenant):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    oak = tenant.services["Oak Day Centre"]
    before = len(records_of(tenant))
    assert run_appenders(app, [(tenant.id, oak, 50)] * 8) == []
    assert_appended(tenant, before, 400)


def test_eight_threads_append_to_one_tenant_under_a_lock_taken_first(app, make_tenant):
    """Under ``locked()`` an append reads the next id and the head in one statement (PostgreSQL):
    the chain still holds with eight writers at once."""
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    oak = tenant.services["Oak Day Centre"]
    before = len(records_of(tenant))
    assert run_appenders(app, [(tenant.id, oak, 25)] * 8, lock_first=True) == []
    assert_appended(tenant, before, 200)


def test_an_append_under_a_lock_taken_first_takes_it_once(app, tenant):
    oak = tenant.services["Oak Day Centre"]
    sent = []
    with app.app_context():
        engine = db.engine
    listener = lambda conn, cursor, statement, *args: sent.append(statement)  # noqa: E731
    with app.app_context(), tenant_context(tenant.id), events.acting_as("cli"):
        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            with events.locked():
                events.record("service.renamed", {"name": "Locked once"}, stream=f"service:{oak}", service_id=oak)
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        db.session.commit()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert len([statement for statement in sent if "FOR UPDATE" in statement]) == 1, sent
    assert sum("FROM events" in statement for statement in sent) == 1, sent  # the head, read once


def test_two_tenants_append_at_once(app, make_tenant):
    first = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    second = make_tenant(roles=("admin",), services=("Elm Community Team",))
    counts = {fixture.id: len(records_of(fixture)) for fixture in (first, second)}
    jobs = [(first.id, first.services["Oak Day Centre"], 50)] * 4
    jobs += [(second.id, second.services["Elm Community Team"], 50)] * 4
    assert run_appenders(app, jobs) == []
    for fixture in (first, second):
        assert_appended(fixture, counts[fixture.id], 200)


# --- time travel --------------------------------------------------------------------------

def test_fold_shows_a_service_as_it_stood(make_tenant):
    with at(2024, 1, 1, 12):
        tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    oak = tenant.services["Oak Day Centre"]
    with at(2024, 2, 1, 12), tenant.context() as session:
        commands.update_service(session.get(Service, oak), name="Oak House")
    with at(2024, 3, 1, 12), tenant.context() as session:
        commands.update_service(session.get(Service, oak), archived=True)

    with tenant.context():
        def state(as_of):
            folded = events.fold(Service, as_of=as_of).get(oak)
            single = events.fold(Service, as_of=as_of, stream=f"service:{oak}").get(oak)
            assert (folded is None) == (single is None)
            if folded is None:
                return None
            assert (single.name, single.archived) == (folded.name, folded.archived)
            return folded.name, folded.archived

        assert state(moment(2023, 12, 31)) is None
        assert state(moment(2024, 1, 15)) == ("Oak Day Centre", False)
        assert state(moment(2024, 2, 1, 11, 59, 59, 999999)) == ("Oak Day Centre", False)
        assert state(moment(2024, 2, 1, 12)) == ("Oak House", False)  # the moment itself counts
        assert state(moment(2024, 2, 15)) == ("Oak House", False)
        assert state(moment(2024, 3, 2)) == ("Oak House", True)
        assert state(None) == ("Oak House", True)


# --- a rich history across every installed plugin ---------------------------------------------

@pytest.fixture
def rich(make_tenant):
    """A tenant whose log uses every kind of core event, the example plugin and each section."""
    with at(2024, 5, 1, 9):
        tenant = make_tenant(name="Rowan Trust", roles=("admin", "staff", "viewer"),
                             services=("Oak Day Centre", "Willow Ward"))
    admin = f"user:{tenant.people['admin'].user_id}"
    with at(2024, 5, 2, 9), tenant.context(admin) as session:
        oak = session.get(Service, tenant.services["Oak Day Centre"])
        commands.update_service(oak, name="Oak House", description="Open on weekdays", archived=True)
        commands.update_service(oak, archived=False)
        commands.update_service(session.get(Service, tenant.services["Willow Ward"]), kind="inpatient_ward")
        commands.change_role(session.get(Membership, tenant.people["staff"].membership_id), "facilitator")
        commands.remove_member(session.get(Membership, tenant.people["viewer"].membership_id))
        admin_member = session.get(Membership, tenant.people["admin"].membership_id)
        kept, _ = commands.create_token(admin_member, "Kept")
        dropped, _ = commands.create_token(admin_member, "Dropped")
        commands.revoke_token(dropped)
        row = session.get(Tenant, tenant.id)
        commands.allow_plugin(row, "example")
        commands.enable_plugin(row, "example")
        example_events.add_note("Second note")
        commands.disable_plugin(row, "example")
        commands.enable_plugin(row, "example")
        seed_sections(oak.id, "Rowan")
    return tenant


def test_live_rows_are_what_the_projectors_fold(rich):
    """Live tables and fold() come from the same projector functions."""
    with rich.context() as session:
        for model in events.projection_models():
            live = rows(session, model)
            folded = sorted(
                ({attr.key: getattr(obj, attr.key) for attr in model.__mapper__.column_attrs}
                 for obj in events.fold(model).values()),
                key=lambda row: tuple(str(row[col.key]) for col in model.__mapper__.primary_key))
            assert folded == live, model.__tablename__
            assert all(row["tenant_id"] == rich.id for row in live)


def test_replay_rebuilds_every_projection_exactly(rich):
    before = projections(rich)
    assert before["services"] and before["memberships"] and before["api_tokens"] and before["tenant_plugins"]
    assert before["example_notes"]
    seeded = {"healthcheck": "healthcheck_reviews", "levels": "levels_assessments", "indicators": "indicators_rounds"}
    with rich.context():
        installed = host().installed
    assert all(before[table] for plugin, table in seeded.items() if plugin in installed)
    with rich.context():
        seq, head_hash = events.head(rich.id)
        applied = events.replay(rich.id)
    assert applied == seq
    assert projections(rich) == before
    with rich.context():
        assert events.head(rich.id) == (seq, head_hash)  # replay appends nothing


def test_replay_touches_only_its_own_tenant(rich, other_tenant):
    others = projections(other_tenant)
    with rich.context():
        events.replay(rich.id)
    assert projections(other_tenant) == others


def test_projection_models_are_the_tenant_owned_tables_written_by_projectors(app):
    with app.app_context():
        models = events.projection_models()
        owners = {etype.model for etype in host().event_types.values()}
    names = [model.__tablename__ for model in models]
    assert {"services", "memberships", "api_tokens", "tenant_plugins", "example_notes"} <= set(names)
    assert all(issubclass(model, TenantScoped) and model in owners for model in models)
    assert names.index("memberships") < names.index("api_tokens")  # parents first


# --- nothing half-written -------------------------------------------------------------------

def count_events(session) -> int:
    return session.scalar(select(func.count(Event.id)))


def test_a_failing_projector_leaves_no_event_and_no_row(plugin_app, make_tenant):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=plugin_app)
    with tenant.context() as session:
        count, services = count_events(session), rows(session, Service)
        with pytest.raises(exploding_plugin.ProjectorFailed):
            events.record(exploding_plugin.BOOM, {"name": "Half made"})
        assert count_events(session) == count
        assert rows(session, Service) == services
    with tenant.context() as session:
        assert count_events(session) == count
        assert rows(session, Service) == services
        assert events.verify_tenant(tenant.id).ok
        # the session is still good for the next event
        events.record("service.renamed", {"name": "Oak House"}, stream=f"service:{tenant.services['Oak Day Centre']}")
    with tenant.context() as session:
        assert count_events(session) == count + 1
        assert events.verify_tenant(tenant.id).ok


@pytest.mark.parametrize("payload, personal, field", [
    ({"name": ""}, None, "name"),
    ({"name": "x" * 201}, None, "name"),
    ({}, None, "name"),
    ({"name": 12}, None, "name"),
    ({"name": "Oak", "colour": "red"}, None, "colour"),
])
def test_an_invalid_payload_is_refused_field_by_field(tenant, payload, personal, field):
    oak = tenant.services["Oak Day Centre"]
    with tenant.context() as session:
        count = count_events(session)
        with pytest.raises(EventError) as caught:
            events.record("service.renamed", payload, stream=f"service:{oak}", personal=personal)
        assert field in caught.value.fields
        assert all(isinstance(message, str) for message in caught.value.fields[field])
        assert count_events(session) == count
        assert session.get(Service, oak).name == "Oak Day Centre"


@pytest.mark.parametrize("call, message", [
    (lambda oak: events.record("service.renamed", ["Oak"], stream=f"service:{oak}"), "JSON object"),
    (lambda oak: events.record("service.renamed", {"name": "Oak"}, stream=f"service:{oak}",
                               personal={"words": "Jo"}), "no personal details"),
    (lambda oak: events.record("service.renamed", {"name": "Oak"}), "needs a stream"),
    (lambda oak: events.record("no.such.type", {}), "Unknown event type"),
])
def test_malformed_calls_are_refused_with_a_plain_message(tenant, call, message):
    with tenant.context() as session:
        count = count_events(session)
        with pytest.raises(EventError, match=message):
            call(tenant.services["Oak Day Centre"])
        assert count_events(session) == count


def test_record_refuses_without_a_tenant_in_context(app, tenant):
    with app.app_context():
        with pytest.raises(EventError, match="No tenant in context"):
            events.record("service.created", {"name": "Nowhere", "kind": "other"})
        db.session.rollback()
    with tenant.context() as session:
        assert "Nowhere" not in [row["name"] for row in rows(session, Service)]


def test_an_event_cannot_reach_another_tenants_row(tenant, other_tenant):
    elm = other_tenant.services["Elm Community Team"]
    before_other, before_mine = records_of(other_tenant), records_of(tenant)
    with tenant.app.app_context(), tenant_context(tenant.id):
        with pytest.raises((EventError, DBAPIError)):
            events.record("service.renamed", {"name": "Taken over"}, stream=f"service:{elm}", service_id=elm)
            db.session.flush()
        db.session.rollback()
    assert records_of(other_tenant) == before_other
    assert records_of(tenant) == before_mine
    with other_tenant.context() as session:
        assert session.get(Service, elm).name == "Elm Community Team"
