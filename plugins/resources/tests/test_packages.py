"""Seeding the guide's national organisations, and Trusts' local-resource packages.

The packages here (``riverside_package``, ``failing_package``) are registered the way a
Trust's would be, through ``core.create_app(config, plugins={...})``.
"""
import pluggy
import pytest

from core import commands, create_app
from core.models import Tenant
from core.plugins import PluginError
from plugins.resources import commands as resource_commands
from plugins.resources.national import NATIONAL_RESOURCES

from . import riverside_package
from .helpers import app_with_packages, by_name, event_count, main_text, resources_of, text_of

# core's fixtures (make_tenant, signed_in...), also when these tests run on their own
pytest_plugins = ["core.testing"]

NATIONAL = {"Mind", "Rethink Mental Illness", "Centre for Mental Health"}


@pytest.fixture(scope="module")
def packages_app(database, tmp_path_factory):
    with app_with_packages(database.engine, tmp_path_factory) as app:
        yield app


@pytest.fixture
def trust(make_tenant, packages_app):
    return make_tenant(roles=("admin", "staff", "viewer"), services=("Oak Day Centre",), target_app=packages_app)


def switch(tenant, plugin: str, on: bool) -> None:
    with tenant.context(f"user:{tenant.people['admin'].user_id}") as session:
        row = session.get(Tenant, tenant.id)
        if on:
            commands.allow_plugin(row, plugin)
        (commands.enable_plugin if on else commands.disable_plugin)(row, plugin)


def refresh(tenant, client) -> str:
    response = client.post(f"/t/{tenant.slug}/resources/refresh")
    assert response.status_code == 302
    return text_of(client.get(response.headers["Location"]))


# --- the guide's national organisations ----------------------------------------------------------------

def test_a_new_trust_starts_with_the_guides_national_organisations(tenant):
    rows = resources_of(tenant)
    assert {r.name for r in rows} == NATIONAL
    assert {r.website for r in rows} == {"https://www.mind.org.uk", "https://www.rethink.org",
                                         "https://www.centreformentalhealth.org.uk"}
    assert all(r.scope == "national" and r.phone == "" and r.email == "" and r.source == "guide" for r in rows)
    assert {r.origin_key for r in rows} == {entry.origin_key for entry in NATIONAL_RESOURCES}
    mind = by_name(tenant, "Mind")
    assert mind.description.startswith("Leading mental health charity for England and Wales")


def test_switching_off_and_on_again_adds_nothing_twice(tenant):
    mind = by_name(tenant, "Mind")
    with tenant.context():
        resource_commands.archive_resource(resource_commands.resource_by_id(mind.id))
    before = event_count(tenant)
    switch(tenant, "resources", False)
    switch(tenant, "resources", True)
    assert event_count(tenant) == before + 2  # switched off, switched on: no resource events
    rows = resources_of(tenant)
    assert sorted(r.name for r in rows) == sorted(NATIONAL)
    assert by_name(tenant, "Mind").archived  # what the Trust archived stays archived


def test_each_trust_has_its_own_copy_of_the_national_organisations(tenant, other_tenant):
    # Each Trust has its own copy: seeding one never touches the other.
    assert {r.name for r in resources_of(other_tenant)} == NATIONAL
    ours = {r.id for r in resources_of(tenant)}
    theirs = {r.id for r in resources_of(other_tenant)}
    assert ours.isdisjoint(theirs)


# --- the hook ---------------------------------------------------------------------------------------------

def test_the_hook_is_known_to_the_app_and_checks_implementations(packages_app, tmp_path):
    hook = packages_app.extensions["changing_lives"].pm.hook.local_resources
    assert hook.has_spec() and hook.spec.argnames == ("tenant",)
    assert {"riverside", "failing"} <= {impl.plugin_name for impl in hook.get_hookimpls()}

    with pytest.raises((PluginError, pluggy.PluginValidationError), match="trust"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x",
                    "TESTING": True}, plugins={"wrongly": "plugins.resources.tests.wrong_argument_package"})


# --- a Trust's package ------------------------------------------------------------------------------------

def test_a_package_is_live_the_moment_it_is_switched_on_and_hidden_when_switched_off(trust, signed_in):
    switch(trust, "riverside", True)
    assert {r.name for r in resources_of(trust) if not r.archived} == NATIONAL | {
        "Riverside User Voice", "Riverside Research Network"}
    switch(trust, "riverside", False)
    assert all(r.archived and r.withdrawn for r in resources_of(trust, package="riverside"))
    viewer = signed_in("viewer", target=trust)
    assert "Riverside User Voice" not in main_text(viewer.get(f"/t/{trust.slug}/resources/"))
    switch(trust, "riverside", True)
    assert not any(r.archived for r in resources_of(trust, package="riverside"))
    voice = by_name(trust, "Riverside User Voice")
    assert (voice.package, voice.origin_key, voice.scope, voice.tags) == (
        "riverside", "package:riverside:user-voice", "local", ["user-led", "advocacy"])
    assert by_name(trust, "Riverside Research Network").website == "https://www.research.example.org"

    page = main_text(signed_in("viewer", target=trust).get(f"/t/{trust.slug}/resources/"))
    local = page.split("Local organisations", 1)[1].split("National organisations", 1)[0]
    assert "Riverside User Voice" in local and "From the riverside package" in local


def test_an_admin_refreshes_what_the_packages_offer(trust, signed_in, monkeypatch):
    admin = signed_in("admin", target=trust)
    switch(trust, "riverside", True)
    assert {r.package_key for r in resources_of(trust, package="riverside")} == {"user-voice", "research-network"}
    before = event_count(trust)
    assert "The local resources were already up to date." in refresh(trust, admin)
    assert event_count(trust) == before
    assert "Your Trust's packages have changes" not in main_text(admin.get(f"/t/{trust.slug}/resources/"))

    # a new release: one entry changed, one gone, one new, one broken
    release = [
        {**riverside_package.ORIGINAL[0], "description": "Now also runs training for staff.",
         "tags": ["user-led", "training"]},
        {"key": "hearing-voices", "name": "Riverside Hearing Voices", "email": "voices@example.org"},
        {"key": "broken", "name": "Broken Entry", "website": "not a web address"},
        {"key": "odd", "name": "Odd Entry", "website": "https://odd.example.org", "colour": "blue"},
    ]
    monkeypatch.setattr(riverside_package, "ENTRIES", release)
    page = main_text(admin.get(f"/t/{trust.slug}/resources/"))
    assert "Your Trust's packages have changes" in page
    before = event_count(trust)
    preview = main_text(admin.get(f"/t/{trust.slug}/resources/update"))
    assert event_count(trust) == before  # a preview records nothing
    added = preview.split("To be added", 1)[1].split("To be changed", 1)[0]
    changed = preview.split("To be changed", 1)[1].split("To be retired", 1)[0]
    retired = preview.split("To be retired", 1)[1]
    assert "Riverside Hearing Voices" in added and "Broken Entry" not in added
    assert "Riverside User Voice" in changed and "description" in changed and "tags" in changed
    assert "Riverside Research Network" in retired
    words = refresh(trust, admin)
    assert ("Local resources refreshed: 1 added, 1 updated, 1 archived because their package no longer "
            "offers them.") in words
    assert ("The riverside package: 'broken' was left out. Enter a web address in the right format, "
            "like https://www.example.org.uk.") in words
    assert "The riverside package: 'odd' has details a resource does not have (colour), so it was left out." in words
    voice = by_name(trust, "Riverside User Voice")
    assert (voice.description, voice.tags) == ("Now also runs training for staff.", ["user-led", "training"])
    network = by_name(trust, "Riverside Research Network")
    assert network.archived and network.withdrawn
    assert "Broken Entry" not in {r.name for r in resources_of(trust)}

    # back to the first release: the withdrawn entry returns
    monkeypatch.setattr(riverside_package, "ENTRIES", [dict(e) for e in riverside_package.ORIGINAL])
    assert "1 updated, 1 brought back, 1 archived" in refresh(trust, admin)
    assert not by_name(trust, "Riverside Research Network").archived
    assert by_name(trust, "Riverside Hearing Voices").archived


def test_what_an_admin_archived_stays_archived_and_package_entries_are_changed_in_the_package(
        trust, signed_in, api_client):
    switch(trust, "riverside", True)
    admin = signed_in("admin", target=trust)
    refresh(trust, admin)
    voice = by_name(trust, "Riverside User Voice")
    admin.post(f"/t/{trust.slug}/resources/{voice.id}/archive")
    assert "already up to date" in refresh(trust, admin)
    assert by_name(trust, "Riverside User Voice").archived

    staff = signed_in("staff", target=trust)
    edit = staff.get(f"/t/{trust.slug}/resources/{voice.id}/edit")
    assert edit.status_code == 302
    assert "comes from the riverside package, so it is changed there" in text_of(staff.get(edit.headers["Location"]))
    api = api_client("staff", target=trust)
    before = event_count(trust)
    refused = api.patch(f"resources/resources/{voice.id}", json={"name": "Renamed"})
    assert refused.status_code == 409 and "changed there" in refused.get_json()["error"]["message"]
    assert event_count(trust) == before


def test_a_failing_package_is_reported_and_the_others_still_come_in(trust, signed_in):
    switch(trust, "riverside", True)
    switch(trust, "failing", True)
    words = refresh(trust, signed_in("admin", target=trust))
    assert "The failing package could not be read, so its resources were left as they were." in words
    assert len([r for r in resources_of(trust, package="riverside") if not r.archived]) == 2


def test_only_packages_switched_on_for_the_trust_are_asked(trust, make_tenant, packages_app, api_client,
                                                         monkeypatch):
    other = make_tenant(roles=("admin",), services=(), target_app=packages_app)
    switch(trust, "riverside", True)
    result = api_client("admin", target=other).post("resources/refresh")
    assert result.status_code == 200
    assert result.get_json() == {"added": 0, "updated": 0, "restored": 0, "archived": 0, "problems": []}
    assert {r.name for r in resources_of(other)} == NATIONAL

    # a package serving several Trusts answers each as it chooses
    monkeypatch.setattr(riverside_package, "SERVED", {other.slug})
    switch(other, "riverside", True)
    assert len(resources_of(other, package="riverside")) == 2
    assert api_client("admin", target=other).post("resources/refresh").get_json()["added"] == 0
    assert api_client("admin", target=trust).post("resources/refresh").get_json()["archived"] == 2

    # switching the package off withdraws what it had given, at once
    switch(other, "riverside", False)
    assert api_client("admin", target=other).post("resources/refresh").get_json()["archived"] == 0
    assert all(r.archived and r.withdrawn for r in resources_of(other, package="riverside"))


def test_package_entries_name_services_by_code_or_name_and_unknown_ones_are_reported(trust, signed_in,
                                                                                     monkeypatch):
    oak = trust.services["Oak Day Centre"]
    with trust.context() as session:
        from core.models import Service

        commands.update_service(session.get(Service, oak), code="OAK")
    release = [
        {**riverside_package.ORIGINAL[0], "services": ["oak"]},  # a code, in any case
        {**riverside_package.ORIGINAL[1], "services": ["Oak Day Centre"]},  # a name
        {"key": "peer-worker", "name": "Jo Bloggs", "kind": "individual", "phone": "0121 496 0002",
         "consent_by": "Jo Bloggs, in person", "consent_on": "2026-02-01", "services": "OAK"},
        {"key": "elsewhere", "name": "Elsewhere Group", "website": "https://x.example.org", "services": ["Nowhere"]},
    ]
    monkeypatch.setattr(riverside_package, "ENTRIES", release)
    switch(trust, "riverside", True)
    assert by_name(trust, "Riverside User Voice").service_ids == [oak]
    assert by_name(trust, "Riverside Research Network").service_ids == [oak]
    jo = by_name(trust, "Jo Bloggs")
    assert (jo.kind, jo.phone, jo.consent_by, jo.service_ids) == ("individual", "0121 496 0002",
                                                                 "Jo Bloggs, in person", [oak])
    assert "Elsewhere Group" not in {r.name for r in resources_of(trust)}
    admin = signed_in("admin", target=trust)
    page = main_text(admin.get(f"/t/{trust.slug}/resources/"))
    assert ("The riverside package: 'elsewhere' was left out. There is no service called or coded Nowhere "
            "in this Trust.") in page
    # renaming the service keeps entries that name it by its code
    with trust.context() as session:
        commands.update_service(session.get(Service, oak), name="Oak Centre")
    # ...while one naming it by its old name is left out (and left as it was), never withdrawn
    before = event_count(trust)
    words = refresh(trust, admin)
    assert "The local resources were already up to date." in words
    assert "'research-network' was left out. There is no service called or coded Oak Day Centre" in words
    assert event_count(trust) == before
    assert not by_name(trust, "Riverside User Voice").archived and by_name(trust, "Riverside User Voice").service_ids == [oak]
    assert not by_name(trust, "Riverside Research Network").archived
