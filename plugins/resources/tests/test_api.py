"""The resources API: list and filters, create, read, change, archive; bad input, permissions, other Trusts."""
import pytest

from plugins.resources import commands as resource_commands

from .helpers import by_name, event_count, resources_of

# core's fixtures (tenant, api_client...), also when these tests run on their own
pytest_plugins = ["core.testing"]

GOOD = {"name": "Oak User Forum", "scope": "local", "description": "Service users meet monthly with staff.",
        "website": "forum.example.org", "phone": "0121 496 0000", "email": "Forum@Example.org",
        "tags": ["User led", "advocacy"]}


def add(tenant, **fields) -> int:
    with tenant.context():
        return resource_commands.add_resource({"scope": "local", "website": "https://example.org", **fields}).id


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [r["name"] for r in response.get_json()["resources"]]


def test_create_read_change_archive_and_restore(tenant, api_client):
    oak = tenant.services["Oak Day Centre"]
    staff = api_client("staff")
    created = staff.post("resources/resources", json={**GOOD, "service_ids": [oak]})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["website"] == "https://forum.example.org"
    assert body["email"] == "Forum@example.org"  # the domain of an address is not case-sensitive
    assert (body["tags"], body["service_ids"], body["source"], body["archived"]) == (
        ["user-led", "advocacy"], [oak], "people", False)

    read = api_client("viewer").get(f"resources/resources/{body['id']}")
    assert read.status_code == 200 and read.get_json() == body

    changed = staff.patch(f"resources/resources/{body['id']}", json={"phone": "", "tags": ["carers"]})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["phone"], changed.get_json()["tags"], changed.get_json()["version"]) == ("", ["carers"], 2)

    admin = api_client("admin")
    archived = admin.post(f"resources/resources/{body['id']}/archive")
    assert archived.status_code == 200 and archived.get_json()["archived"] is True
    assert "Oak User Forum" not in names(admin.get("resources/resources"))
    assert "Oak User Forum" in names(admin.get("resources/resources?archived=true"))

    before = event_count(tenant)
    again = admin.post(f"resources/resources/{body['id']}/archive")
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "This resource is archived already."
    assert event_count(tenant) == before

    restored = admin.post(f"resources/resources/{body['id']}/restore")
    assert restored.status_code == 200 and restored.get_json()["archived"] is False
    assert admin.post(f"resources/resources/{body['id']}/restore").status_code == 409


def test_list_filters_by_service_scope_tag_and_words(tenant, api_client):
    oak, willow = tenant.services["Oak Day Centre"], tenant.services["Willow Ward"]
    add(tenant, name="Oak Gardeners", service_ids=[oak], tags=["volunteering"])
    add(tenant, name="Willow Art Club", service_ids=[willow], tags=["creative"])
    add(tenant, name="Everyone's Choir", tags=["creative"], description="Sings on Fridays.")
    api = api_client("service_user")

    everything = names(api.get("resources/resources"))
    assert everything == sorted(everything, key=str.casefold)
    assert {"Mind", "Rethink Mental Illness", "Centre for Mental Health", "Oak Gardeners"} <= set(everything)
    assert names(api.get(f"resources/resources?service_id={oak}&scope=local")) == ["Everyone's Choir", "Oak Gardeners"]
    assert names(api.get("resources/resources?tag=creative")) == ["Everyone's Choir", "Willow Art Club"]
    assert names(api.get("resources/resources?scope=national&q=charity+wales")) == ["Mind"]
    assert names(api.get("resources/resources?q=fridays")) == ["Everyone's Choir"]

    bad = api.get("resources/resources?scope=regional")
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"] == {"scope": ["Choose local or national."]}
    assert api.get("resources/resources?service_id=999999").status_code == 404


@pytest.mark.parametrize("body, fields", [
    ({**GOOD, "name": ""}, {"name": ["Enter the organisation's name."]}),
    ({**GOOD, "name": "   "}, {"name": ["Enter the organisation's name."]}),
    ({k: v for k, v in GOOD.items() if k != "name"}, {"name": ["Enter the organisation's or person's name."]}),
    ({**GOOD, "name": 12}, {"name": ["Enter the organisation's or person's name as text."]}),
    ({**GOOD, "name": "n" * 201}, {"name": ["Keep the organisation's or person's name to 200 characters or fewer."]}),
    ({**GOOD, "address": "a" * 1001}, {"address": ["Keep the address to 1000 characters or fewer."]}),
    ({**GOOD, "email": "forum at example"},
     {"email": ["Enter an e-mail address in the right format, like info@example.org.uk."]}),
    ({**GOOD, "website": "ftp://files.example.org"},
     {"website": ["Enter a web address in the right format, like https://www.example.org.uk."]}),
    ({**GOOD, "website": "https://user:secret@example.org"},
     {"website": ["Enter a web address in the right format, like https://www.example.org.uk."]}),
    ({**GOOD, "website": "https://example.org:port"},
     {"website": ["Enter a web address in the right format, like https://www.example.org.uk."]}),
    ({**GOOD, "phone": "12"}, {"phone": ["Enter a telephone number using numbers and spaces, like 0121 496 0000."]}),
    ({"name": "Quiet Group", "scope": "local"},
     {"contact": ["Give at least one way to reach the organisation: a website, a telephone number, "
                  "an e-mail address or an address."]}),
    ({**GOOD, "scope": "regional"},
     {"scope": ["Choose whether the organisation is local or national: local or national."]}),
    ({**GOOD, "tags": ["ok", "not/ok"]},
     {"tags": ["Tags may use letters, numbers and hyphens, up to 40 characters each, like user-led. Check: not/ok."]}),
    ({**GOOD, "tags": "user-led"}, {"tags": ["Give the tags as a list of words."]}),
    ({**GOOD, "service_ids": [999999]}, {"service_ids": ["There is no service numbered 999999 in this Trust."]}),
    ({**GOOD, "service_ids": ["one"]}, {"service_ids": {"0": ["Give each service as its number."]}}),
    ({**GOOD, "colour": "green"}, {"colour": ["This is not a detail a resource has."]}),
    ({**GOOD, "scope": None}, {"scope": ["Choose whether the organisation is local or national."]}),
    ({**GOOD, "tags": None}, {"tags": ["Give the tags as a list of words."]}),
    (["a", "list"], {"_schema": ['Send the details as a JSON object, like {"name": "Mind"}.']}),
    ({**GOOD, "kind": "group"},
     {"kind": ["Choose whether it is an organisation or an individual: organisation or individual."]}),
    ({**GOOD, "kind": "individual"},
     {"consent_by": ["A person's contact details are kept only with their consent: say who gave consent and on "
                     "what day, or leave the website, telephone number, e-mail address and address empty."]}),
    ({**GOOD, "kind": "individual", "consent_by": "Sam Lee, by e-mail"},
     {"consent_on": ["Enter the day consent was given."]}),
    ({**GOOD, "kind": "individual", "consent_by": "Sam Lee", "consent_on": "2999-01-01"},
     {"consent_on": ["The day consent was given must be today or earlier."]}),
    ({**GOOD, "kind": "individual", "consent_by": "Sam Lee", "consent_on": "27/03/2026"},
     {"consent_on": ["Enter the day consent was given as year-month-day, like 2026-03-27."]}),
])
def test_bad_input_gets_a_message_per_field_and_stores_nothing(tenant, api_client, body, fields):
    api = api_client("staff")
    before = event_count(tenant), len(resources_of(tenant))
    response = api.post("resources/resources", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"] == fields
    assert (event_count(tenant), len(resources_of(tenant))) == before


def test_several_wrong_details_are_all_named(tenant, api_client):
    response = api_client("staff").post("resources/resources", json={
        "name": "", "scope": "local", "email": "nope", "website": "not a web address"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"name", "email", "website"}


def test_another_trusts_service_is_not_found(tenant, other_tenant, api_client):
    elm = other_tenant.services["Elm Community Team"]
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post("resources/resources", json={**GOOD, "service_ids": [elm]})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "service_ids": [f"There is no service numbered {elm} in this Trust."]}
    assert event_count(tenant) == before
    assert api.get(f"resources/resources?service_id={elm}").status_code == 404


def test_malformed_and_empty_bodies_change_nothing(tenant, api_client):
    api = api_client("staff")
    before = event_count(tenant)
    broken = api.post("resources/resources", data="{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code in (400, 422) and "error" in broken.get_json()
    resource_id = add(tenant, name="Patch Me")
    before = event_count(tenant)
    assert api.patch(f"resources/resources/{resource_id}", json={"name": ""}).status_code == 422
    assert api.patch(f"resources/resources/{resource_id}", json={"website": ""}).status_code == 422  # no contact left
    nothing = api.patch(f"resources/resources/{resource_id}", json={})
    assert nothing.status_code == 200 and nothing.get_json()["version"] == 1
    assert event_count(tenant) == before
    cleared = api.patch(f"resources/resources/{resource_id}", json={"description": None, "phone": "0121 496 0000",
                                                                    "website": None})
    assert cleared.status_code == 200
    assert (cleared.get_json()["website"], cleared.get_json()["phone"]) == ("", "0121 496 0000")


@pytest.mark.parametrize("role, method, path, status", [
    ("viewer", "post", "resources", 403),
    ("service_user", "post", "resources", 403),
    ("viewer", "patch", "resources/{id}", 403),
    ("staff", "post", "resources/{id}/archive", 403),
    ("facilitator", "post", "resources/{id}/restore", 403),
    ("staff", "post", "refresh", 403),
    ("viewer", "get", "resources/{id}", 200),
    ("service_user", "get", "resources", 200),
])
def test_who_may_do_what(tenant, api_client, role, method, path, status):
    resource_id = add(tenant, name="Permission Check")
    api = api_client(role)
    before = event_count(tenant)
    response = getattr(api, method)(f"resources/{path.format(id=resource_id)}",
                                                  json=GOOD if method in ("post", "patch") else None)
    assert response.status_code == status
    assert event_count(tenant) == before


def test_another_trusts_resource_is_not_found(tenant, other_tenant, api_client):
    theirs = add(other_tenant, name="Elm Peer Support")
    admin = api_client("admin")
    before = event_count(other_tenant)
    assert admin.get(f"resources/resources/{theirs}").status_code == 404
    assert admin.patch(f"resources/resources/{theirs}", json={"name": "Mine now"}).status_code == 404
    assert admin.post(f"resources/resources/{theirs}/archive").status_code == 404
    assert "Elm Peer Support" not in names(admin.get("resources/resources"))
    assert event_count(other_tenant) == before
    assert by_name(other_tenant, "Elm Peer Support").archived is False


def test_the_openapi_document_describes_every_route_and_field(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    prefix = "/api/v1/t/{slug}/resources"
    for path, methods in {"/resources": {"get", "post"}, "/resources/{resource_id}": {"get", "patch"},
                          "/resources/{resource_id}/archive": {"post"}, "/resources/{resource_id}/restore": {"post"},
                          "/resources/{resource_id}/check": {"post"}, "/refresh": {"post"}}.items():
        assert methods <= set(spec["paths"][prefix + path]), path
    schemas = spec["components"]["schemas"]
    created = schemas["ResourceIn"]["properties"]
    assert set(created) == {"name", "kind", "scope", "description", "address", "phone", "email", "website",
                            "consent_by", "consent_on", "tags", "service_ids"}
    assert created["name"]["maxLength"] == 200 and "name" in schemas["ResourceIn"]["required"]
    assert {"source", "kind", "consent_by", "consent_on", "checked_at"} <= set(schemas["ResourceOut"]["properties"])
