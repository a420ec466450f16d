"""Reports are kept per worker until the Trust records anything: a repeat view is served from memory,
any new event in that Trust (an erasure included) changes the next one, and another Trust's events
neither invalidate nor leak in."""
from sqlalchemy import select

from core import cache, commands, events
from core.db import db
from core.models import Service
from core.tenancy import tenant_context
from plugins.resources import commands as resource_commands

pytest_plugins = ["core.testing"]


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def stats(app) -> dict:
    with app.app_context():
        return cache.stats()


def service_url(tenant, name="Oak Day Centre") -> str:
    return f"/t/{tenant.slug}/services/{tenant.services[name]}/report"


def test_a_repeat_view_is_served_from_the_cache(app, tenant, signed_in):
    client = signed_in("admin")
    first = page(client, service_url(tenant))
    before = stats(app)
    second = page(client, service_url(tenant))
    after = stats(app)
    assert after["hits"] > before["hits"] and after["misses"] == before["misses"]
    assert second.count("Oak Day Centre") == first.count("Oak Day Centre")


def test_a_new_event_changes_the_next_report(app, tenant, signed_in):
    client = signed_in("admin")
    assert "Oak Day Centre" in page(client, service_url(tenant))
    assert "Oak Day Centre" in page(client, f"/t/{tenant.slug}/report")
    with tenant.context() as session:
        commands.update_service(session.get(Service, tenant.services["Oak Day Centre"]), name="Oak Resource Centre")
    misses = stats(app)["misses"]
    service_page = page(client, service_url(tenant))
    assert "Report for Oak Resource Centre" in service_page
    assert "Oak Resource Centre" in page(client, f"/t/{tenant.slug}/report")
    assert stats(app)["misses"] > misses
    # the API answers from the same store and sees the change too
    api = app.test_client()
    answer = api.get(f"/api/v1/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}/report",
                     headers={"Authorization": f"Bearer {tenant.token('admin')}"})
    assert answer.status_code == 200
    assert "Oak Resource Centre" in answer.get_data(as_text=True)


def test_another_trusts_event_neither_invalidates_nor_leaks_in(app, make_tenant, signed_in):
    north = make_tenant(name="North Trust", services=("Oak Day Centre",))
    south = make_tenant(name="South Trust", services=("Birch House",))
    north_client, south_client = signed_in("admin", target=north), signed_in("admin", target=south)
    north_report = page(north_client, f"/t/{north.slug}/report")
    assert "Birch House" not in north_report
    with south.context() as session:
        commands.create_service("Elm Crisis Team", "crisis_team")
    before = stats(app)
    again = page(north_client, f"/t/{north.slug}/report")
    after = stats(app)
    assert after["hits"] > before["hits"]  # South's event left North's cached report standing
    assert "Elm Crisis Team" not in again and "Birch House" not in again
    south_report = page(south_client, f"/t/{south.slug}/report")
    assert "Elm Crisis Team" in south_report and "Oak Day Centre" not in south_report


def test_an_erasure_changes_the_next_report(app, tenant, signed_in):
    with tenant.context("system"):
        resource_id = resource_commands.add_resource({"scope": "local", "website": "https://example.org",
                                                      "name": "Jo's Support Group"}).id
    client = signed_in("admin")
    assert "Jo&#39;s Support Group" in page(client, f"/t/{tenant.slug}/report")
    with tenant.context() as session:
        added = session.scalars(select(events.Event).where(events.Event.stream == f"resource:{resource_id}")).one()
        assert events.erase_personal(added.id)
    after = page(client, f"/t/{tenant.slug}/report")
    assert "Jo&#39;s Support Group" not in after and "Support Group" not in after


def test_the_store_is_bounded(app, tenant):
    with app.app_context():
        store = cache._store()
        assert store.entries.maxsize == app.config.get("DERIVED_CACHE_SIZE", cache.DEFAULT_SIZE)


def test_the_csrf_token_of_the_sign_out_form_stays_per_session(make_tenant, signed_in):
    """The header is rendered once and kept; the token in its sign-out form is each session's own."""
    tenant = make_tenant(name="Token Trust")
    one, two = signed_in("admin", target=tenant), signed_in("staff", target=tenant)
    first, second = page(one, f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}"), \
        page(two, f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}")
    assert "app-csrf-token-goes-here" not in first + second
    token = 'name="csrf_token" value="'
    mine = first.split(token)[1].split('"')[0]
    theirs = second.split(token)[1].split('"')[0]
    assert mine and theirs and mine != theirs
    # the token works: signing out with it succeeds
    assert one.post("/sign-out", data={"csrf_token": mine}).status_code in (302, 303)


def _main(html: str) -> str:
    """The page's own content, without the per-request tokens."""
    import re

    content = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'(nonce|value)="[^"]*"', "", content)


def test_each_role_is_answered_from_its_own_cache(app, tenant, api_client, signed_in):
    """Before the groups exchange views, a service user reads only service users' answers: a report
    made for staff must never be handed to a service user from the cache, nor the other way round."""
    from plugins.indicators.tests.helpers import answered_round

    answered_round(tenant, api_client, service_users=3)
    url = service_url(tenant)
    staff, service_user = signed_in("staff"), signed_in("service_user")
    after_staff = _main(page(service_user, url)) if page(staff, url) else None
    with app.app_context():
        cache.clear()
    on_its_own = _main(page(service_user, url))
    assert after_staff == on_its_own
    assert _main(page(staff, url)) != on_its_own  # the two roles really are shown different things


def test_the_api_list_of_services_is_kept_and_follows_every_change(app, tenant, api_client, monkeypatch):
    """``GET services`` is kept like a report: a repeat is answered from memory, as JSON already
    made (its schema is not run again), and a service added, renamed or archived (through the API
    or not) shows in the very next answer."""
    from core.api import services

    api = api_client("staff")
    admin = api_client("admin")
    made = []
    dump = services.ServiceListSchema.dump

    def counted_dump(schema, obj, **kwargs):
        made.append(1)
        return dump(schema, obj, **kwargs)

    monkeypatch.setattr(services.ServiceListSchema, "dump", counted_dump)

    def names(archived=False):
        answer = api.get("services" + ("?archived=true" if archived else ""))
        assert answer.status_code == 200
        return {service["name"]: service for service in answer.get_json()["services"]}

    first = names()
    before = stats(app)
    assert names() == first
    assert stats(app)["hits"] > before["hits"]
    assert len(made) == 1, made
    added = admin.post("services", json={"name": "Kept list team", "kind": "community_team"}).get_json()
    assert "Kept list team" in names()
    version = admin.get(f"services/{added['id']}").get_json()["version"]
    assert admin.patch(f"services/{added['id']}", json={"archived": True, "version": version}).status_code == 200
    assert "Kept list team" not in names() and names(archived=True)["Kept list team"]["archived"] is True
    with app.app_context(), events.acting_as("cli"), tenant_context(tenant.id):  # outside the API, by a command
        commands.create_service("Made by a command", "inpatient_ward", "")
        db.session.commit()
    assert "Made by a command" in names()
