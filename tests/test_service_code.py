"""A service's optional short code: chosen by the Trust, recorded as an event, unique within the Trust."""
import re
from html import unescape

from sqlalchemy import select

from core.events import Event
from core.models import Service

pytest_plugins = ["core.testing"]


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def seen(client, tenant, service_id) -> str:
    html = client.get(f"/t/{tenant.slug}/services/{service_id}/edit").get_data(as_text=True)
    return re.search(r'name="seen"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="seen"', html).group(1)


def service(tenant, name):
    with tenant.context() as session:
        row = session.get(Service, tenant.services[name])
        session.expunge(row)
        return row


def test_an_admin_gives_a_service_a_code_on_the_form_and_it_is_shown(tenant, signed_in):
    admin = signed_in("admin")
    oak = tenant.services["Oak Day Centre"]
    form = admin.get(f"/t/{tenant.slug}/services/{oak}/edit")
    assert "Short code (optional)" in text(form)
    saved = admin.post(f"/t/{tenant.slug}/services/{oak}/edit", data={
        "name": "Oak Day Centre", "kind": "day_centre", "description": "", "code": "OAK",
        "seen": seen(admin, tenant, oak)})
    assert saved.status_code == 302
    assert service(tenant, "Oak Day Centre").code == "OAK"
    assert "Code: OAK" in text(admin.get(f"/t/{tenant.slug}/services/{oak}"))
    with tenant.context() as session:
        types = session.scalars(select(Event.type).where(Event.stream == f"service:{oak}")).all()
    assert types.count("service.coded") == 1
    added = admin.post(f"/t/{tenant.slug}/services/new", data={"name": "Ash Team", "kind": "community_team",
                                                              "code": "ASH-1"})
    assert added.status_code == 302
    with tenant.context() as session:
        assert session.scalar(select(Service.code).where(Service.name == "Ash Team")) == "ASH-1"


def test_a_code_is_checked_and_unique_in_the_trust(tenant, other_tenant, signed_in, api_client):
    api = api_client("admin")
    oak, willow = tenant.services["Oak Day Centre"], tenant.services["Willow Ward"]
    assert api.patch(f"services/{oak}", json={"code": "OAK"}).status_code == 200
    clash = api.patch(f"services/{willow}", json={"code": "oak"})
    assert clash.status_code == 409 and "Oak Day Centre already has the code OAK" in clash.get_json()["error"]["message"]
    bad = api.patch(f"services/{willow}", json={"code": "two words"})
    assert bad.status_code == 422 and "letters, numbers and hyphens" in str(bad.get_json())
    long = api.patch(f"services/{willow}", json={"code": "x" * 21})
    assert long.status_code == 422 and "20 characters or fewer" in str(long.get_json())
    assert service(tenant, "Willow Ward").code is None
    # another Trust may use the same code
    other = api_client("admin", target=other_tenant)
    elm = other_tenant.services["Elm Community Team"]
    assert other.patch(f"services/{elm}", json={"code": "OAK"}).get_json()["code"] == "OAK"
    # taken off again with an empty code
    read = api.get(f"services/{oak}").get_json()
    assert read["code"] == "OAK"
    assert api.patch(f"services/{oak}", json={"code": ""}).get_json()["code"] is None
    created = api.post("services", json={"name": "Beech Team", "kind": "community_team", "code": "BEECH"})
    assert created.status_code == 201 and created.get_json()["code"] == "BEECH"
    admin = signed_in("admin")
    page = text(admin.post(f"/t/{tenant.slug}/services/{willow}/edit", data={
        "name": "Willow Ward", "kind": "day_centre", "code": "beech", "seen": seen(admin, tenant, willow)}))
    assert "Beech Team already has the code BEECH" in page
