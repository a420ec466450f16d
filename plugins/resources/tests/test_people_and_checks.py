"""Individuals (with consent for their contact details), "last checked", the unchecked list, and the printable list."""
from core.testing import assert_replay_keeps_projections, at_once

from .helpers import A_RESOURCE, at, by_name, event_count, hidden_value, main_text, resources_of

pytest_plugins = ["core.testing"]

PERSON = {"kind": "individual", "name": "Sam Lee", "scope": "local",
          "description": "Expert by experience; trains staff in involving service users.",
          "email": "sam@example.org", "consent_by": "Sam Lee, by e-mail to the user facilitator",
          "consent_on": "2026-03-02"}


def base(tenant) -> str:
    return f"/t/{tenant.slug}/resources"


def test_an_individual_with_consent_shows_contact_details_and_who_consented(tenant, signed_in):
    staff = signed_in("staff")
    created = staff.post(f"{base(tenant)}/new", data=PERSON)
    assert created.status_code == 302, main_text(created)[:600]
    sam = by_name(tenant, "Sam Lee")
    assert (sam.kind, sam.email, sam.consent_by, sam.consent_on.isoformat()) == (
        "individual", "sam@example.org", PERSON["consent_by"], "2026-03-02")
    page = main_text(signed_in("service_user").get(f"{base(tenant)}/{sam.id}"))
    assert "Local individual" in page and "sam@example.org" in page
    assert "Shared with their consent, given by Sam Lee, by e-mail to the user facilitator on 2 March 2026" in page
    assert "(an individual)" in main_text(staff.get(f"{base(tenant)}/"))


def test_without_consent_a_persons_contact_details_are_refused_and_never_stored(tenant, signed_in, api_client):
    staff = signed_in("staff")
    count = event_count(tenant)
    refused = staff.post(f"{base(tenant)}/new", data={**PERSON, "consent_by": "", "consent_on": ""})
    assert refused.status_code == 200
    assert "kept only with their consent" in main_text(refused)
    assert event_count(tenant) == count and not [r for r in resources_of(tenant) if r.name == "Sam Lee"]

    # listed without contact details: allowed, and the page says why there are none
    listed = api_client("staff").post("resources/resources", json={
        "kind": "individual", "name": "Ana Ruiz", "scope": "national", "description": "Writes on peer support."})
    assert listed.status_code == 201, listed.get_json()
    assert listed.get_json()["kind"] == "individual" and listed.get_json()["email"] == ""
    page = main_text(signed_in("viewer").get(f"{base(tenant)}/{listed.get_json()['id']}"))
    assert "not given consent" in page

    # consent withdrawn: the change must take the contact details off too
    api = api_client("staff")
    sam = api.post("resources/resources", json=PERSON).get_json()
    still = api.patch(f"resources/resources/{sam['id']}", json={"consent_by": "", "consent_on": None})
    assert still.status_code == 422 and "consent_by" in still.get_json()["error"]["fields"]
    gone = api.patch(f"resources/resources/{sam['id']}", json={"consent_by": "", "consent_on": None, "email": ""})
    assert gone.status_code == 200 and gone.get_json()["email"] == "" and gone.get_json()["consent_by"] == ""


def test_an_organisation_keeps_no_consent_and_old_entries_are_organisations(tenant, api_client):
    made = api_client("staff").post("resources/resources", json={
        "name": "Oak Forum", "scope": "local", "website": "forum.example.org",
        "consent_by": "nobody needed", "consent_on": "2026-01-01"}).get_json()
    assert (made["kind"], made["consent_by"], made["consent_on"]) == ("organisation", "", None)
    assert {r.kind for r in resources_of(tenant)} == {"organisation"}
    assert_replay_keeps_projections(tenant)


def test_last_checked_moves_only_when_checked_and_the_year_old_list_offers_still_right_and_retire(
        make_tenant, signed_in, api_client):
    from plugins.resources import commands

    with at(2025, 1, 10):
        tenant = make_tenant(roles=("admin", "staff"))
        with tenant.context("user:1"):
            commands.add_resource({**A_RESOURCE, "name": "Old Forum"})
    old = by_name(tenant, "Old Forum")
    with at(2026, 1, 20):
        admin = signed_in("admin", target=tenant)
        page = main_text(admin.get(f"{base(tenant)}/unchecked"))
        assert "Old Forum" in page and "Last checked 10 January 2025" in page and "Mind" in page
        assert "Not checked for over a year" in main_text(admin.get(f"{base(tenant)}/{old.id}"))
        html = admin.get(f"{base(tenant)}/unchecked").get_data(as_text=True)
        seen = html.split(f'id="resource-{old.id}"', 1)[1]
        seen = hidden_value(seen, "checked")
        assert seen.startswith("2025-01-10")
        before = (old.version, old.updated_at, old.name, old.description)
        confirmed = admin.post(f"{base(tenant)}/{old.id}/check", data={"checked": seen, "back": "unchecked"})
        assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/resources/unchecked")
        again = admin.post(f"{base(tenant)}/{old.id}/check", data={"checked": seen})  # the same list, sent twice
        assert again.status_code == 409 and "confirmed Old Forum a moment ago" in main_text(again)
        now = by_name(tenant, "Old Forum")
        assert now.checked_at.date().isoformat() == "2026-01-20"
        assert (now.version, now.updated_at, now.name, now.description) == before  # nothing else changed
        listed = admin.get(f"{base(tenant)}/unchecked").get_data(as_text=True)
        assert f'id="resource-{old.id}"' not in listed and "Mind" in listed
        assert "Last checked 20 January 2026" in main_text(admin.get(f"{base(tenant)}/{old.id}"))
        assert signed_in("staff", target=tenant).get(f"{base(tenant)}/unchecked").status_code == 403
        assert signed_in("staff", target=tenant).post(f"{base(tenant)}/{old.id}/check").status_code == 403
    with at(2027, 6, 1):
        admin = signed_in("admin", target=tenant)
        assert "Old Forum" in main_text(admin.get(f"{base(tenant)}/unchecked"))
        retired = admin.post(f"{base(tenant)}/{old.id}/archive", data={"back": "unchecked"})
        assert retired.status_code == 302 and retired.headers["Location"].endswith("/resources/unchecked")
        assert f'id="resource-{old.id}"' not in admin.get(f"{base(tenant)}/unchecked").get_data(as_text=True)
        api = api_client("admin", target=tenant)
        names = [r["name"] for r in api.get("resources/resources?unchecked=true").get_json()["resources"]]
        assert "Old Forum" not in names and "Mind" in names
        mind = by_name(tenant, "Mind")
        checked = api.post(f"resources/resources/{mind.id}/check")
        assert checked.status_code == 200 and checked.get_json()["checked_at"].startswith("2027-06-01")
        assert api.post(f"resources/resources/{old.id}/check").status_code == 409  # archived
    assert_replay_keeps_projections(tenant)


def test_still_right_pressed_at_once_is_recorded_once(tenant, signed_in):
    mind = by_name(tenant, "Mind")
    seen = mind.checked_at.isoformat()
    clients = [signed_in("admin") for _ in range(4)]
    count = event_count(tenant)
    results = at_once([lambda c=c: c.post(f"{base(tenant)}/{mind.id}/check", data={"checked": seen})
                       for c in clients])
    assert sorted(r.status_code for r in results) == [302, 409, 409, 409]
    assert event_count(tenant) == count + 1


def test_retire_pressed_at_once_archives_once(tenant, signed_in):
    mind = by_name(tenant, "Mind")
    clients = [signed_in("admin") for _ in range(3)]
    results = at_once([lambda c=c: c.post(f"{base(tenant)}/{mind.id}/archive", data={"back": "unchecked"})
                       for c in clients])
    assert sorted(r.status_code for r in results) == [302, 409, 409]


def test_the_printable_list_for_a_service_has_its_entries_and_no_others(tenant, other_tenant, signed_in, api_client):
    oak, willow = tenant.services["Oak Day Centre"], tenant.services["Willow Ward"]
    api = api_client("staff")
    assert api.post("resources/resources", json={"name": "Oak Gardeners", "scope": "local",
                                                  "phone": "0121 496 0001", "service_ids": [oak]}).status_code == 201
    assert api.post("resources/resources", json={"name": "Willow Art Club", "scope": "local",
                                                  "email": "art@example.org", "service_ids": [willow]}).status_code == 201
    assert api.post("resources/resources", json={**PERSON, "service_ids": [oak]}).status_code == 201
    assert api.post("resources/resources", json={"kind": "individual", "name": "Ana Ruiz", "scope": "local",
                                                  "service_ids": [oak]}).status_code == 201
    reader = signed_in("service_user")
    response = reader.get(f"{base(tenant)}/print?service={oak}")
    assert response.status_code == 200
    page = main_text(response)
    assert "Resources for Oak Day Centre" in page and "Oak Gardeners" in page and "Telephone: 0121 496 0001" in page
    assert "Willow Art Club" not in page and "Mind" in page  # the guide's are for every service
    assert "E-mail: sam@example.org" in page and "Ask your user facilitator how to reach them." in page
    assert 'class="app-printable"' in response.get_data(as_text=True)
    service_page = main_text(reader.get(f"/t/{tenant.slug}/services/{oak}"))
    assert "Printable list of resources for this service" in service_page
    assert reader.get(f"{base(tenant)}/print?service={other_tenant.services['Elm Community Team']}").status_code == 404
    assert reader.get(f"{base(tenant)}/print?service=abc").status_code == 404
    assert "Local and national resources" in main_text(reader.get(f"{base(tenant)}/print"))


def test_the_print_stylesheet_is_a4_and_drops_the_navigation(app):
    from pathlib import Path

    css = (Path(app.root_path) / "static" / "app.css").read_text()
    assert "@page{size:A4" in css.replace(" ", "")
    printed = css.split("@media print{", 1)[1]
    assert ".nhsuk-header" in printed and ".app-no-print" in printed


def test_who_checked_reads_as_part_of_the_sentence(tenant, signed_in):
    """An entry checked by the operator's command reads "by an operator", a person's name as written."""
    from core.views.audit import in_sentence
    from plugins.resources import commands

    with tenant.context("cli"):
        commands.add_resource({**A_RESOURCE, "name": "Elm Forum"})
    page = main_text(signed_in("staff").get(f"{base(tenant)}/{by_name(tenant, 'Elm Forum').id}"))
    assert "by an operator" in page and "by An operator" not in page
    assert in_sentence("Ann Smith (staff)") == "Ann Smith (staff)"
