"""The plugin host: loading, per-tenant enablement, and what a plugin contributes.

The example plugin (tests/example_plugin, installed with pip like any Trust's
own plugin) is found through its entry point and is off for every tenant until
switched on.
"""
import pytest
from flask import g
from sqlalchemy import func, inspect, select

from cl_example_plugin import events as example_events
from cl_example_plugin.models import ExampleNote
from core import commands, create_app, events
from core.history import When
from core.db import db
from core.events import Event
from core.models import Tenant, TenantPlugin
from core.plugins import BUILT_IN, CORE, PluginError, enabled_plugins, host, tenant_hooks
from core.tenancy import tenant_context

EXAMPLE = "example"
CONFIG = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test-secret", "TESTING": True}


def switch(tenant, on: bool, plugin: str = EXAMPLE) -> bool:
    with tenant.context("cli") as session:
        row = session.get(Tenant, tenant.id)
        if on:
            commands.allow_plugin(row, plugin)
        return (commands.enable_plugin if on else commands.disable_plugin)(row, plugin)


def example_page(client, tenant):
    return client.get(f"/t/{tenant.slug}/example/")


def fragment_plugins(api, path: str) -> list[str]:
    response = api.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [fragment["plugin"] for fragment in response.json["fragments"]]


def notes(tenant) -> list[str]:
    with tenant.context() as session:
        return [note.text for note in session.scalars(select(ExampleNote).order_by(ExampleNote.id))]


def count_events(tenant, type_name: str | None = None) -> int:
    with tenant.context() as session:
        query = select(func.count(Event.id))
        if type_name:
            query = query.where(Event.type == type_name)
        return session.scalar(query)


@pytest.fixture
def small_tenant(make_tenant):
    return make_tenant(name="Birch Trust", roles=("admin", "service_user"), services=("Oak Day Centre",))


# --- loading -------------------------------------------------------------------------

def test_the_example_plugin_is_loaded_through_its_entry_point(app):
    with app.app_context():
        assert EXAMPLE in host().installed
        assert host().pm.get_plugin(EXAMPLE).__name__ == "cl_example_plugin"
        assert "example.noted" in host().event_types
        assert CORE not in host().installed  # core cannot be switched off


def test_built_ins_are_registered_like_external_plugins(app):
    with app.app_context():
        names = [name for name, _ in host().pm.list_name_plugin()]
    assert names[0] == CORE
    assert set(BUILT_IN) <= set(names)


@pytest.mark.parametrize("name, module, words", [
    ("broken", "broken_plugin", "event_typez"),
    ("unimportable", "unimportable_plugin", "a_package_nobody_installed"),
    ("wrongargument", "wrong_argument_plugin", "colour"),
])
def test_a_faulty_plugin_stops_start_up_naming_it(name, module, words):
    with pytest.raises(PluginError) as caught:
        create_app(CONFIG, plugins={name: module})
    message = str(caught.value)
    assert f"plugin {name!r}" in message
    assert words in message


def test_a_plugin_installed_twice_stops_start_up():
    with pytest.raises(PluginError, match="'example' is installed twice"):
        create_app(CONFIG, plugins={EXAMPLE: "cl_example_plugin"})


def test_upgrade_created_the_plugins_table(app):
    with app.app_context():
        inspector = inspect(db.engine)
        assert "example_notes" in inspector.get_table_names()
        assert {c["name"] for c in inspector.get_columns("example_notes")} == {"id", "tenant_id", "text"}


# --- per-tenant enablement ---------------------------------------------------------------

def test_a_new_tenant_has_the_built_ins_on_and_the_example_off(small_tenant):
    with small_tenant.context():
        on = enabled_plugins()
        installed = set(host().installed)
    assert on == set(BUILT_IN) & installed
    assert EXAMPLE not in on


def test_off_for_a_new_tenant_everywhere(small_tenant, signed_in, api_client):
    client = signed_in("admin", target=small_tenant)
    assert example_page(client, small_tenant).status_code == 404
    home = client.get(f"/t/{small_tenant.slug}/").get_data(as_text=True)
    assert f'href="/t/{small_tenant.slug}/example/"' not in home
    api = api_client("admin", target=small_tenant)
    assert api.get("example/notes").status_code == 404
    assert api.post("example/notes", json={"text": "hello"}).status_code == 404
    oak = small_tenant.services["Oak Day Centre"]
    assert EXAMPLE not in fragment_plugins(api, "report")
    assert EXAMPLE not in fragment_plugins(api, f"services/{oak}/report")
    assert count_events(small_tenant, "example.noted") == 0


def test_switched_on_for_one_tenant_only(make_tenant, signed_in, api_client):
    on = make_tenant(name="Ash Trust", roles=("admin", "service_user"), services=("Oak Day Centre",))
    off = make_tenant(name="Beech Trust", roles=("admin",), services=())
    assert switch(on, True) is True
    assert switch(on, True) is False  # already on: nothing recorded

    client = signed_in("admin", target=on)
    page = example_page(client, on)
    assert page.status_code == 200
    assert "Example plugin for Ash Trust" in page.get_data(as_text=True)
    assert example_events.WELCOME in page.get_data(as_text=True)
    home = client.get(f"/t/{on.slug}/").get_data(as_text=True)
    assert f'href="/t/{on.slug}/example/"' in home
    oak = on.services["Oak Day Centre"]
    service_page = client.get(f"/t/{on.slug}/services/{oak}").get_data(as_text=True)
    assert f'href="/t/{on.slug}/example/"' in service_page

    api = api_client("admin", target=on)
    assert EXAMPLE in fragment_plugins(api, "report")
    assert EXAMPLE in fragment_plugins(api, f"services/{oak}/report")
    report_page = client.get(f"/t/{on.slug}/report").get_data(as_text=True)
    assert example_events.WELCOME in report_page

    created = api_client("service_user", target=on).post("example/notes", json={"text": "Tea at three"})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert notes(on) == [example_events.WELCOME, "Tea at three"]
    with on.context() as session:
        event = session.scalars(select(Event).where(Event.type == "example.noted").order_by(Event.seq.desc())).first()
        assert event.payload == {"text": "Tea at three"}
        assert event.stream == f"example-note:{created.json['id']}"
        assert event.actor == f"user:{on.people['service_user'].user_id}"

    # The other tenant sees none of it.
    assert example_page(signed_in("admin", target=off), off).status_code == 404
    assert notes(off) == []


def test_bad_input_to_the_plugin_api_changes_nothing(small_tenant, api_client):
    switch(small_tenant, True)
    api = api_client("admin", target=small_tenant)
    before = count_events(small_tenant)
    for body in ({}, {"text": ""}, {"text": "x" * 201}, {"text": 7}):
        response = api.post("example/notes", json=body)
        assert response.status_code == 422, body
        assert "text" in response.json["error"]["fields"]
    assert count_events(small_tenant) == before


def test_switching_off_keeps_the_data_and_on_brings_it_back(small_tenant, signed_in, api_client):
    switch(small_tenant, True)
    api_client("admin", target=small_tenant).post("example/notes", json={"text": "Keep me"})
    kept = notes(small_tenant)
    assert switch(small_tenant, False) is True
    assert switch(small_tenant, False) is False
    client = signed_in("admin", target=small_tenant)
    assert example_page(client, small_tenant).status_code == 404
    assert notes(small_tenant) == kept  # off is not deleted
    switch(small_tenant, True)
    page = example_page(client, small_tenant).get_data(as_text=True)
    assert "Keep me" in page
    assert notes(small_tenant) == kept  # no second welcome note


def test_plugin_enabled_runs_once_per_switch_on_and_never_in_replay(small_tenant, monkeypatch):
    calls = []
    seed = example_events.seed_welcome_note
    monkeypatch.setattr(example_events, "seed_welcome_note", lambda tenant: (calls.append(tenant.id), seed(tenant)))

    switch(small_tenant, True)
    assert calls == [small_tenant.id]
    assert count_events(small_tenant, "example.noted") == 1  # the seed is an event, like every change

    with small_tenant.context():
        head_before = events.head(small_tenant.id)
        events.replay(small_tenant.id)
    assert calls == [small_tenant.id]
    with small_tenant.context():
        assert events.head(small_tenant.id) == head_before
    assert notes(small_tenant) == [example_events.WELCOME]

    switch(small_tenant, True)  # already on
    assert calls == [small_tenant.id]
    switch(small_tenant, False)
    switch(small_tenant, True)
    assert calls == [small_tenant.id, small_tenant.id]


def test_enablement_is_projected_and_survives_replay(small_tenant):
    switch(small_tenant, True)
    switch(small_tenant, False)
    switch(small_tenant, True)
    with small_tenant.context() as session:
        rows = {row.plugin: row.enabled for row in session.scalars(select(TenantPlugin))}
        events.replay(small_tenant.id)
    with small_tenant.context() as session:
        assert {row.plugin: row.enabled for row in session.scalars(select(TenantPlugin))} == rows
    assert rows[EXAMPLE] is True


def test_plugins_that_are_on_hear_when_another_goes_on_or_off(small_tenant):
    switch(small_tenant, True)
    switch(small_tenant, False, "healthcheck")
    switch(small_tenant, True, "healthcheck")
    assert notes(small_tenant)[-2:] == ["The healthcheck section was switched off.",
                                        "The healthcheck section was switched on."]
    with small_tenant.context("cli") as session:
        commands.disallow_plugin(session.get(Tenant, small_tenant.id), EXAMPLE)
        commands.disallow_plugin(session.get(Tenant, small_tenant.id), EXAMPLE)  # already: nothing happens
    switch(small_tenant, False, "healthcheck")  # the example is not available now, so it hears nothing
    assert notes(small_tenant)[-1] == "The healthcheck section was switched on."


def test_an_unknown_plugin_cannot_be_switched_on(small_tenant):
    with small_tenant.context() as session:
        with pytest.raises(commands.CommandError, match="no installed plugin called 'nosuch'"):
            commands.enable_plugin(session.get(Tenant, small_tenant.id), "nosuch")


def test_tenant_hooks_reach_only_enabled_plugins(app, make_tenant):
    on = make_tenant(roles=("admin",), services=())
    off = make_tenant(roles=("admin",), services=())
    switch(on, True)
    for tenant, expected in ((on, True), (off, False)):
        with app.test_request_context(f"/t/{tenant.slug}/"), tenant_context(tenant.id):
            g.tenant = db.session.get(Tenant, tenant.id)
            hooks = tenant_hooks()
            for hook_name in ("navigation", "service_links", "tenant_report_fragment", "event_types"):
                reached = {impl.plugin_name for impl in getattr(hooks, hook_name).get_hookimpls()}
                assert (EXAMPLE in reached) is expected, hook_name
                assert reached <= enabled_plugins() | {CORE}
            fragments = hooks.tenant_report_fragment(tenant=g.tenant, when=When())
            assert (EXAMPLE in {f.plugin for f in fragments if f}) is expected
            assert "core" in {f.plugin for f in fragments if f}


def test_plugin_blueprints_are_mounted_under_the_tenant(app):
    rules = {(rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()}
    assert ("/t/<slug>/example/", "example.index") in rules
    assert ("/api/v1/t/<slug>/example/notes", "example_api.list_notes") in rules
    assert ("/api/v1/t/<slug>/example/notes", "example_api.create_note") in rules
    spec = app.test_client().get("/api/v1/openapi.json").json
    assert "/api/v1/t/{slug}/example/notes" in spec["paths"]


def test_sections_are_listed_in_the_guides_order(tenant, signed_in):
    """Navigation and a service's links follow load order: core, then the guide's sections."""
    client = signed_in("admin")
    home = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    labels = ["Health check", "Levels of involvement", "Indicators", "Resources"]
    positions = [home.index(f">{label}<") for label in labels]
    assert positions == sorted(positions)
    assert home.index(">Services<") < positions[0]

    page = client.get(f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}").get_data(as_text=True)
    links = ["Health check of the user group", "Levels of involvement: where", "Evaluate this service", "Resources for this"]
    positions = [page.index(text) for text in links]
    assert positions == sorted(positions)
