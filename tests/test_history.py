"""History tables: versions written by the projectors, answering both time axes like the log does."""
from datetime import date, datetime, timezone

import time_machine
from sqlalchemy import select

from core import commands, events
from core.db import db
from core.history import Version, When, rows
from core.models import Membership, Service
from core.testing import history_matches_log, random_day_pairs


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=timezone.utc), tick=False)


def _build(make_tenant):
    """Services added, renamed, described and archived, and people joining, across 2024 and 2025."""
    with at(2024, 1, 10, 12):
        tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    oak = tenant.services["Oak Day Centre"]
    with at(2024, 3, 1, 9):
        willow = tenant.add_service("Willow Ward", kind="inpatient_ward")
    with at(2024, 6, 1, 9), tenant.context():
        commands.update_service(db.session.get(Service, oak), name="Oak Lodge")
    with at(2024, 9, 1, 9):
        tenant.add_person("staff")
    with at(2025, 2, 1, 9), tenant.context():
        commands.update_service(db.session.get(Service, willow), archived=True)
    with at(2025, 4, 1, 9), tenant.context():
        commands.update_service(db.session.get(Service, willow), archived=False, description="Reopened")
    return tenant, oak, willow


def versions_of(tenant) -> list[tuple]:
    with tenant.context() as session:
        found = session.scalars(select(Version).order_by(Version.seq)).all()
        return [(v.seq, v.model, v.row_key, v.service_id, v.recorded_at, v.effective_on, v.data) for v in found]


def test_every_projection_change_keeps_a_version(make_tenant):
    tenant, oak, willow = _build(make_tenant)
    with tenant.context() as session:
        logged = session.scalar(select(db.func.count(events.Event.id)))
        kept = session.scalar(select(db.func.count()).select_from(Version))
        oak_versions = session.scalars(select(Version).where(Version.model == "services", Version.row_key == str(oak))
                                       .order_by(Version.seq)).all()
        assert kept == logged  # one version per event: each event changes one row
        assert [v.data["name"] for v in oak_versions] == ["Oak Day Centre", "Oak Lodge"]
        assert [v.effective_on for v in oak_versions] == [date(2024, 1, 10), date(2024, 6, 1)]
        assert {v.service_id for v in oak_versions} == {oak}


def test_rows_answer_each_day(make_tenant):
    tenant, oak, willow = _build(make_tenant)
    with tenant.context():
        def names(**days):
            return sorted(s.name for s in rows(Service, When(**days)))

        assert names(as_of=date(2024, 1, 9)) == []
        assert names(as_of=date(2024, 2, 1)) == ["Oak Day Centre"]
        assert names(as_of=date(2024, 7, 1)) == ["Oak Lodge", "Willow Ward"]
        assert names() == ["Oak Lodge", "Willow Ward"]
        archived = {s.name: s.archived for s in rows(Service, When(as_of=date(2025, 3, 1)))}
        assert archived == {"Oak Lodge": False, "Willow Ward": True}
        assert [s.role for s in rows(Membership, When(known_on=date(2024, 8, 31)))] == ["admin"]


def test_the_tables_answer_what_the_log_answers_for_random_days(make_tenant):
    tenant, *_ = _build(make_tenant)
    pairs = random_day_pairs(date(2024, 1, 1), date(2025, 6, 30), 40)
    with tenant.app.app_context():
        assert history_matches_log(tenant.id, pairs) > 40


def test_replay_writes_the_same_history(make_tenant):
    tenant, *_ = _build(make_tenant)
    before = versions_of(tenant)
    with tenant.context():
        events.replay(tenant.id)
    assert versions_of(tenant) == before


def test_history_is_scoped_to_the_trust(make_tenant):
    tenant, oak, _ = _build(make_tenant)
    other = make_tenant(roles=("admin",), services=("Elm Team",))
    with other.context():
        assert [s.name for s in rows(Service)] == ["Elm Team"]
        assert all(v.tenant_id == other.id for v in db.session.scalars(select(Version)))
