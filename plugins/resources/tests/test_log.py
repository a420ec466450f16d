"""Resources in the log: replay, reports as of a date, the audit page and erasure."""
from datetime import date

from sqlalchemy import select

from core import events, reports
from core.history import When
from core.models import Service
from plugins.resources import commands as resource_commands
from plugins.resources.models import Resource

from .helpers import at, by_name, main_text, text_of

# core's fixtures (tenant, signed_in...), also when these tests run on their own
pytest_plugins = ["core.testing"]

COLUMNS = [c.name for c in Resource.__table__.columns]


def dump(tenant) -> list[dict]:
    with tenant.context() as session:
        rows = session.scalars(select(Resource).order_by(Resource.id)).all()
        return [{name: getattr(row, name) for name in COLUMNS} for row in rows]


def add(tenant, actor="system", **fields) -> int:
    with tenant.context(actor):
        return resource_commands.add_resource({"scope": "local", "website": "https://example.org", **fields}).id


def change(tenant, resource_id, **changes) -> None:
    with tenant.context():
        resource_commands.change_resource(resource_commands.resource_by_id(resource_id), changes)


def archive(tenant, resource_id) -> None:
    with tenant.context():
        resource_commands.archive_resource(resource_commands.resource_by_id(resource_id))


def test_replay_rebuilds_the_table_exactly(tenant):
    oak = tenant.services["Oak Day Centre"]
    first = add(tenant, name="Oak Gardeners", service_ids=[oak], tags=["volunteering"], email="g@example.org")
    change(tenant, first, description="Growing food together.", tags=["volunteering", "outdoors"], email="")
    second = add(tenant, name="Closed Cafe", phone="0121 496 0003")
    archive(tenant, second)
    with tenant.context():
        resource_commands.restore_resource(resource_commands.resource_by_id(second))
        resource_commands.archive_resource(resource_commands.resource_by_id(second))
    before = dump(tenant)
    assert len(before) == 5

    with tenant.context():
        events.replay(tenant.id)
    assert dump(tenant) == before


def test_reports_show_the_resources_as_they_stood(make_tenant, signed_in):
    with at(2025, 1, 10):
        tenant = make_tenant(roles=("viewer",), services=("Birch House", "Cedar Ward"))
    oak, willow = tenant.services["Birch House"], tenant.services["Cedar Ward"]
    with at(2025, 3, 1):
        gardeners = add(tenant, name="Birch Gardeners", service_ids=[oak], tags=["volunteering"])
        add(tenant, name="Cedar Art Club", service_ids=[willow])
    with at(2025, 6, 1):
        archive(tenant, gardeners)
        add(tenant, name="Hearing Voices Group", scope="national")

    march = When(as_of=date(2025, 3, 31))
    with tenant.app.test_request_context(), tenant.context() as session:
        service = session.get(Service, oak)
        then = next(f for f in reports.service_report(service, march) if f.plugin == "resources")
        now = next(f for f in reports.service_report(service, When()) if f.plugin == "resources")
        trust_then = next(f for f in reports.tenant_report(None, march) if f.plugin == "resources")
        then_html = reports.render(then)

    assert then.title == "Resources for this service"
    assert [r["name"] for r in then.data["resources"]] == [
        "Birch Gardeners", "Centre for Mental Health", "Mind", "Rethink Mental Illness"]
    assert then.data["counts"] == {"local": 1, "national": 3}
    assert "Birch Gardeners" in then_html and "Cedar Art Club" not in then_html
    assert [r["name"] for r in now.data["resources"]] == [
        "Centre for Mental Health", "Hearing Voices Group", "Mind", "Rethink Mental Illness"]
    assert trust_then.data["counts"] == {"local": 2, "national": 3}
    art = next(r for r in trust_then.data["resources"] if r["name"] == "Cedar Art Club")
    assert art["services"] == ["Cedar Ward"]

    # nothing of the guide's had been seeded before the Trust was set up
    with tenant.app.test_request_context(), tenant.context() as session:
        january = When(as_of=date(2025, 1, 9))
        assert next(f for f in reports.tenant_report(None, january) if f.plugin == "resources").data == {
            "counts": {"local": 0, "national": 0}, "resources": []}

    viewer = signed_in("viewer", target=tenant)
    page = main_text(viewer.get(f"/t/{tenant.slug}/services/{oak}/report?as_of=2025-03-31"))
    assert "Resources for this service" in page and "Birch Gardeners" in page
    assert "Birch House could draw on 1 local and 3 national organisations." in page
    page = main_text(viewer.get(f"/t/{tenant.slug}/report?as_of=2025-03-31"))
    assert "Local organisations: 2. National organisations: 3." in page


def test_a_report_before_the_service_existed_has_no_resources_part(tenant):
    with at(2025, 1, 1):
        later = tenant.add_service("Later Team")
    with tenant.app.test_request_context(), tenant.context() as session:
        service = session.get(Service, later)
        earlier = When(as_of=date(2024, 12, 31))
        assert [f for f in reports.service_report(service, earlier) if f.plugin == "resources"] == []


def test_the_audit_page_says_what_happened(tenant, signed_in):
    staff = tenant.people["staff"]
    resource_id = add(tenant, actor=f"user:{staff.user_id}", name="Oak Gardeners", phone="0121 496 0004")
    change(tenant, resource_id, phone="", email="g@example.org", tags=["outdoors"])
    archive(tenant, resource_id)
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/"))
    assert "added the local resource Oak Gardeners" in page
    assert "changed the telephone number, e-mail address and tags of Oak Gardeners" in page
    assert "archived the resource Oak Gardeners" in page
    assert "added the national resource Mind named in the guide" in page


def test_erased_words_read_erased_after_replay(tenant, signed_in):
    resource_id = add(tenant, name="Jo's Support Group", email="jo@example.org", address="Jo's house")
    with tenant.context() as session:
        added = session.scalars(select(events.Event).where(events.Event.stream == f"resource:{resource_id}")).one()
        assert "jo@example.org" not in str(added.payload)  # the words are kept apart from the hashed payload
        events.erase_personal(added.id)
        events.replay(tenant.id)
        assert events.verify_tenant(tenant.id).ok
    row = by_name(tenant, events.ERASED)
    assert (row.email, row.address, row.website) == (events.ERASED, events.ERASED, events.ERASED)
    html = signed_in("viewer").get(f"/t/{tenant.slug}/resources/{resource_id}").get_data(as_text=True)
    assert "mailto:[erased]" not in html and 'href="[erased]"' not in html
