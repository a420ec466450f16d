from core import events
from core.models import Service


def test_tenant_and_services_come_from_events(tenant):
    with tenant.context() as session:
        report = events.verify_tenant(tenant.id)
        assert report.ok, report.reason
        assert report.count > 5
        names = sorted(s.name for s in session.query(Service))
        assert names == ["Oak Day Centre", "Willow Ward"]
