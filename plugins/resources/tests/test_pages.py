"""The resources pages: the list, a resource, adding, changing, archiving, filters and permissions."""
import re

import pytest

from core import commands
from core.models import Tenant
from plugins.resources import commands as resource_commands

from .helpers import A_RESOURCE, by_name, event_count, hidden_value, main_text, resources_of, text_of

# core's fixtures (tenant, signed_in...), also when these tests run on their own
pytest_plugins = ["core.testing"]


def base(tenant) -> str:
    return f"/t/{tenant.slug}/resources"


def add(tenant, **fields) -> int:
    """A resource recorded directly, as staff would add it; returns its id."""
    data = {"scope": "local", "website": "https://example.org", **fields}
    with tenant.context(f"user:{tenant.people['staff'].user_id}"):
        return resource_commands.add_resource(data).id


def sections(page: str) -> dict:
    """Visible words of the list's local and national sections."""
    local = page.split("Local organisations and people (", 1)[1].split("National organisations and people (", 1)
    return {"local": local[0], "national": local[1].split("Archived resources", 1)[0]}


# --- reading ------------------------------------------------------------------------------------

def test_the_list_shows_the_guides_national_organisations_to_service_users(tenant, signed_in):
    response = signed_in("service_user").get(f"{base(tenant)}/")
    assert response.status_code == 200
    page = main_text(response)
    assert "Local and national resources" in page
    national = sections(page)["national"]
    for name in ("Mind", "Rethink Mental Illness", "Centre for Mental Health"):
        assert name in national
    assert "No local organisations yet" in sections(page)["local"]
    # the guide's 2008 telephone numbers and dead sites are not shipped, nor the closed mhhe project
    assert "0845" not in response.get_data(as_text=True)
    assert "Higher Education" not in page and "scmh.org.uk" not in response.get_data(as_text=True)
    nav = response.get_data(as_text=True).split('aria-label="Main menu"', 1)[1].split("</nav>", 1)[0]
    assert re.search(rf'href="/t/{tenant.slug}/resources/" aria-current="page">(<[^>]+>)?Resources<', nav)
    # a service user reads, but is not offered to add
    assert "Add a resource" not in page and "Refresh local resources" not in page


def test_a_renamed_organisation_says_so(tenant, signed_in):
    cmh = by_name(tenant, "Centre for Mental Health")
    page = main_text(signed_in("viewer").get(f"{base(tenant)}/{cmh.id}"))
    assert "former name, the Sainsbury Centre for Mental Health" in page
    assert "https://www.centreformentalhealth.org.uk" in page
    assert "Named in the guide" in page
    rethink = by_name(tenant, "Rethink Mental Illness")
    assert "former name, Rethink" in main_text(signed_in("viewer").get(f"{base(tenant)}/{rethink.id}"))


# --- adding ----------------------------------------------------------------------------------------

def test_staff_add_a_resource_for_a_service_and_everyone_reads_it(tenant, signed_in):
    oak = tenant.services["Oak Day Centre"]
    response = signed_in("staff").post(f"{base(tenant)}/new", data={**A_RESOURCE, "services": [oak]})
    assert response.status_code == 302
    forum = by_name(tenant, "Oak User Forum")
    assert response.headers["Location"].endswith(f"/resources/{forum.id}")
    assert (forum.scope, forum.service_ids, forum.tags) == ("local", [oak], ["user-led", "advocacy"])
    assert forum.address == "1 High Street\nBirmingham"

    html = signed_in("service_user").get(f"{base(tenant)}/{forum.id}").get_data(as_text=True)
    page = text_of(signed_in("service_user").get(f"{base(tenant)}/{forum.id}"))
    assert "Service users meet monthly with staff." in page
    assert '<a href="https://forum.example.org" rel="noopener">' in html
    assert '<a href="mailto:forum@example.org">' in html and 'href="tel:01214960000"' in html
    assert f'href="/t/{tenant.slug}/services/{oak}">Oak Day Centre</a>' in html
    assert "Change the details" not in page and "Archive this resource" not in page
    assert "Oak User Forum" in sections(main_text(signed_in("viewer").get(f"{base(tenant)}/")))["local"]


def test_a_website_without_https_is_completed(tenant, signed_in):
    signed_in("facilitator").post(f"{base(tenant)}/new", data={"name": "Peer Group", "scope": "local",
                                                               "website": "www.peers.example.org.uk"})
    peers = by_name(tenant, "Peer Group")
    assert peers.website == "https://www.peers.example.org.uk" and peers.service_ids == []


@pytest.mark.parametrize("fields, messages", [
    ({"name": ""}, {"name": "Enter the organisation's name."}),
    ({"name": "x" * 201}, {"name": "Keep the name to 200 characters or fewer (this one has 201)."}),
    ({"email": "not an address"}, {"email": "Enter an e-mail address in the right format"}),
    ({"website": "javascript:alert(1)"}, {"website": "Enter a web address in the right format"}),
    ({"website": "https://nowhere"}, {"website": "Enter a web address in the right format"}),
    ({"phone": "call us"}, {"phone": "Enter a telephone number using numbers and spaces"}),
    ({"description": "y" * 4001}, {"description": "Keep the description to 4000 characters or fewer (this one has 4001)."}),
    ({"tags": "fine, not ok!"}, {"tags": "Tags may use letters, numbers and hyphens"}),
    ({"scope": "regional"}, {"scope": "Choose whether the organisation is local or national."}),
    ({"website": "", "phone": "", "email": "", "address": ""},
     {"website": "Give at least one way to reach the organisation"}),
    ({"services": ["999999"]}, {"services": "There is no service numbered 999999 in this Trust."}),
    ({"services": ["oak"]}, {"services": "Choose services from the list."}),
    ({"name": "", "email": "nope", "website": "not a web address"},
     {"name": "Enter the organisation's name.", "email": "Enter an e-mail address",
      "website": "Enter a web address in the right format"}),
])
def test_bad_input_is_shown_at_its_field_and_nothing_is_stored(tenant, signed_in, fields, messages):
    before = event_count(tenant), len(resources_of(tenant))
    data = {**A_RESOURCE, **fields}
    response = signed_in("staff").post(f"{base(tenant)}/new", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Error: Add a resource" in html
    summary = text_of(response).split("There is a problem", 1)[1]
    for field, message in messages.items():
        assert message in summary
        assert f'href="#{field}"' in html
    # what was typed is still there
    if data["name"]:
        assert f'value="{data["name"]}"' in html
    assert (event_count(tenant), len(resources_of(tenant))) == before


def test_another_trusts_service_cannot_be_chosen(tenant, other_tenant, signed_in):
    elm = other_tenant.services["Elm Community Team"]
    before = event_count(tenant)
    response = signed_in("staff").post(f"{base(tenant)}/new", data={**A_RESOURCE, "services": [str(elm)]})
    assert f"There is no service numbered {elm} in this Trust." in text_of(response)
    assert event_count(tenant) == before


# --- changing ----------------------------------------------------------------------------------------

def test_staff_change_a_resource_and_only_changes_are_recorded(tenant, signed_in):
    resource_id = add(tenant, name="Carers Circle", tags=["carers"])
    client = signed_in("staff")
    form = client.get(f"{base(tenant)}/{resource_id}/edit").get_data(as_text=True)
    assert 'value="Carers Circle"' in form and hidden_value(form, "version") == "1"

    data = {"name": "Carers Circle", "scope": "local", "website": "https://example.org", "tags": "carers",
            "version": "1"}
    before = event_count(tenant)
    response = client.post(f"{base(tenant)}/{resource_id}/edit", data=data)
    assert response.status_code == 302 and event_count(tenant) == before
    assert "Nothing was changed." in text_of(client.get(response.headers["Location"]))

    response = client.post(f"{base(tenant)}/{resource_id}/edit",
                           data={**data, "phone": "0121 496 0001", "tags": "carers, peer support"})
    assert response.status_code == 302 and event_count(tenant) == before + 1
    circle = by_name(tenant, "Carers Circle")
    assert (circle.phone, circle.tags, circle.version) == ("0121 496 0001", ["carers", "peer-support"], 2)


def test_a_stale_form_keeps_what_was_typed_and_saves_on_the_second_go(tenant, signed_in):
    resource_id = add(tenant, name="Walking Group")
    with tenant.context():  # someone else saves first
        resource_commands.change_resource(resource_commands.resource_by_id(resource_id), {"phone": "0121 496 0002"})
    client = signed_in("facilitator")
    typed = {"name": "Walking Group", "scope": "local", "website": "https://example.org",
             "description": "Walks every Tuesday from the day centre.", "version": "1"}
    before = event_count(tenant)
    response = client.post(f"{base(tenant)}/{resource_id}/edit", data=typed)
    assert response.status_code == 409 and event_count(tenant) == before
    page = text_of(response)
    assert "Someone else changed this resource since you opened it." in page
    assert "Walks every Tuesday from the day centre." in page
    assert hidden_value(response.get_data(as_text=True), "version") == "2"

    response = client.post(f"{base(tenant)}/{resource_id}/edit", data={**typed, "version": "2"})
    assert response.status_code == 302
    walking = by_name(tenant, "Walking Group")
    assert walking.description == "Walks every Tuesday from the day centre." and walking.phone == ""


# --- archiving ---------------------------------------------------------------------------------------

def test_admins_archive_and_bring_back(tenant, signed_in):
    resource_id = add(tenant, name="Old Drop-in")
    admin = signed_in("admin")
    response = admin.post(f"{base(tenant)}/{resource_id}/archive")
    assert response.status_code == 302
    assert "Old Drop-in has been archived." in text_of(admin.get(response.headers["Location"]))
    assert "Old Drop-in" not in main_text(admin.get(f"{base(tenant)}/"))
    assert "Old Drop-in" in main_text(admin.get(f"{base(tenant)}/archived"))
    page = main_text(signed_in("viewer").get(f"{base(tenant)}/{resource_id}"))
    assert "This resource is archived" in page

    before = event_count(tenant)
    again = admin.post(f"{base(tenant)}/{resource_id}/archive")
    assert again.status_code == 409
    assert "This resource is archived already." in text_of(again)
    assert event_count(tenant) == before

    admin.post(f"{base(tenant)}/{resource_id}/restore")
    assert "Old Drop-in" in main_text(admin.get(f"{base(tenant)}/"))


@pytest.mark.parametrize("role, method, path, status", [
    ("viewer", "get", "new", 403),
    ("viewer", "post", "new", 403),
    ("service_user", "post", "new", 403),
    ("service_user", "post", "{id}/edit", 403),
    ("staff", "post", "{id}/archive", 403),
    ("facilitator", "post", "{id}/restore", 403),
    ("staff", "get", "archived", 403),
    ("staff", "post", "refresh", 403),
    ("viewer", "get", "{id}", 200),
    ("service_user", "get", "", 200),
])
def test_who_may_do_what(tenant, signed_in, role, method, path, status):
    resource_id = add(tenant, name="Allotment Project")
    before = event_count(tenant)
    url = f"{base(tenant)}/{path.format(id=resource_id)}"
    response = getattr(signed_in(role), method)(url, data=A_RESOURCE if method == "post" else None)
    assert response.status_code == status
    assert event_count(tenant) == before


# --- filters and the service page ----------------------------------------------------------------------

def test_filters_by_service_tag_and_words(tenant, signed_in):
    oak, willow = tenant.services["Oak Day Centre"], tenant.services["Willow Ward"]
    add(tenant, name="Oak Gardeners", service_ids=[oak], tags=["volunteering"], description="Growing food together.")
    add(tenant, name="Willow Art Club", service_ids=[willow], tags=["creative"])
    add(tenant, name="Hearing Voices Group", tags=["peer-support"], description="Meets at the library.")
    client = signed_in("service_user")

    page = main_text(client.get(f"{base(tenant)}/?service={oak}"))
    assert page.startswith("Resources for Oak Day Centre")
    assert "Oak Gardeners" in page and "Hearing Voices Group" in page and "Mind" in page
    assert "Willow Art Club" not in page

    page = main_text(client.get(f"{base(tenant)}/?tag=peer-support"))
    assert "Hearing Voices Group" in page and "Oak Gardeners" not in page and "Mind" not in page

    page = main_text(client.get(f"{base(tenant)}/?q=LIBRARY"))
    assert "Hearing Voices Group" in page and "Willow Art Club" not in page
    assert "None of the national organisations and people match." in page

    response = client.get(f"{base(tenant)}/?service=999999&tag=nonsense")
    page = main_text(response)
    assert response.status_code == 200
    assert "Choose a service from the list." in page and "Choose a tag from the list." in page
    assert "Willow Art Club" in page and "Oak Gardeners" in page  # an unknown filter filters nothing


def test_a_service_page_links_to_its_resources(tenant, signed_in):
    oak = tenant.services["Oak Day Centre"]
    html = signed_in("service_user").get(f"/t/{tenant.slug}/services/{oak}").get_data(as_text=True)
    assert f'<a href="/t/{tenant.slug}/resources/?service={oak}">Resources for this service</a>' in html


# --- other Trusts, and the section switched off ----------------------------------------------------

def test_another_trusts_resource_is_not_found(tenant, other_tenant, signed_in):
    theirs = add(other_tenant, name="Elm Peer Support")
    before = event_count(other_tenant)
    admin = signed_in("admin")
    for method, path in (("get", ""), ("get", "/edit"), ("post", "/edit"), ("post", "/archive"),
                         ("post", "/restore")):
        response = getattr(admin, method)(f"{base(tenant)}/{theirs}{path}", data=A_RESOURCE)
        assert response.status_code == 404, (method, path)
    assert "Elm Peer Support" not in main_text(admin.get(f"{base(tenant)}/"))
    assert event_count(other_tenant) == before


def test_switched_off_the_pages_and_api_are_not_found(tenant, signed_in, api_client):
    resource_id = add(tenant, name="Soon Hidden")
    api = api_client("admin")
    with tenant.context() as session:
        commands.disable_plugin(session.get(Tenant, tenant.id), "resources")
    client = signed_in("admin")
    assert client.get(f"{base(tenant)}/").status_code == 404
    assert client.get(f"{base(tenant)}/{resource_id}").status_code == 404
    assert client.post(f"{base(tenant)}/new", data=A_RESOURCE).status_code == 404
    assert api.get("resources/resources").status_code == 404
    assert api.post("resources/resources", json={"name": "X", "scope": "local",
                                                 "website": "https://x.example.org"}).status_code == 404
    oak = tenant.services["Oak Day Centre"]
    assert "Resources for this service" not in text_of(client.get(f"/t/{tenant.slug}/services/{oak}"))
