"""The Trust's resources as CSV: download, edit, upload; every row or none; plain words per row."""
import csv
import io

from .helpers import A_RESOURCE, by_name, event_count, hidden_value, main_text, resources_of

pytest_plugins = ["core.testing"]

HEADER = "id,name,scope,description,address,phone,email,website,tags,services,status\r\n"


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def upload_api(api, text, **query):
    params = "&".join(f"{k}={str(v).lower()}" for k, v in query.items())
    return api.post(f"resources/resources/import?{params}", data=text.encode("utf-8") if isinstance(text, str)
                    else text, headers={"Content-Type": "text/csv"})


def listed(tenant) -> dict:
    return {r.name: (r.scope, r.description, r.tags, r.service_ids, r.archived) for r in resources_of(tenant)}


def test_a_round_trip_keeps_every_entry_and_formula_cells_come_back_as_typed(tenant, signed_in, api_client):
    admin = signed_in("admin", target=tenant)
    oak = tenant.services["Oak Day Centre"]
    created = admin.post(f"/t/{tenant.slug}/resources/new", data={
        **A_RESOURCE, "name": "=HYPERLINK(\"x\")", "description": "+44 line\n-and more", "services": [oak]})
    assert created.status_code == 302
    before = listed(tenant)

    download = admin.get(f"/t/{tenant.slug}/resources/export.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    rows = rows_of(download.get_data(as_text=True))
    risky = [r for r in rows if "HYPERLINK" in r["name"]][0]
    assert risky["name"] == "'=HYPERLINK(\"x\")" and risky["description"].startswith("'+44")
    assert risky["services"] == "Oak Day Centre"
    assert upload_api(api_client("admin", target=tenant), download.get_data(as_text=True),
                      dry_run=False).get_json() == {"added": 0, "updated": 0, "retired": 0, "errors": []}
    assert listed(tenant) == before

    # edit: change one, retire one, add one
    rows[0]["description"] = "Changed in a spreadsheet"
    mind = [r for r in rows if r["name"] == "Mind"][0]
    mind["status"] = "archived"
    rows.append({**{k: "" for k in rows[0]}, "name": "Ash Peer Group", "scope": "local",
                 "email": "ash@example.org", "services": "oak day centre", "status": "active"})
    api = api_client("admin", target=tenant)
    count = event_count(tenant)
    dry = upload_api(api, as_csv(rows), dry_run=True)
    assert dry.status_code == 200 and dry.get_json() == {"added": 1, "updated": 1, "retired": 1, "errors": []}
    assert event_count(tenant) == count
    done = upload_api(api, as_csv(rows), dry_run=False)
    assert done.get_json() == {"added": 1, "updated": 1, "retired": 1, "errors": []}
    assert by_name(tenant, "Mind").archived
    assert by_name(tenant, "Ash Peer Group").service_ids == [oak]
    assert by_name(tenant, rows[0]["name"]).description == "Changed in a spreadsheet"
    again = api.get("resources/resources/export.csv").get_data(as_text=True)
    assert len(rows_of(again)) == len(rows)


def test_refused_rows_are_listed_and_nothing_is_half_recorded(tenant, api_client):
    api = api_client("admin", target=tenant)
    text = HEADER + "\r\n".join([
        ",Good Group,local,,,,good@example.org,,,,active",
        ",Good Group,local,,,,again@example.org,,,,active",
        ",No Contact,local,,,,,,,,active",
        ",Elsewhere,local,,,,e@example.org,,,Nowhere Ward,active",
        "999999,Ghost,local,,,,g@example.org,,,,active",
        ",Mind,national,,,,m@example.org,,,,active",
        ",Odd,regional,,,,o@example.org,,,,maybe",
    ]) + "\r\n"
    count = event_count(tenant)
    result = upload_api(api, text, dry_run=False)
    assert result.status_code == 422
    errors = {(e["row"], e["field"]): e["message"] for e in result.get_json()["errors"]}
    assert "in the file twice (row 2)" in errors[(3, "name")]
    assert "Give at least one way to reach" in errors[(4, "contact")]
    assert errors[(5, "services")].startswith("There is no service called or coded Nowhere Ward in this Trust.")
    assert "no resource numbered 999999" in errors[(6, "id")]
    assert errors[(7, "name")] == "There is already a resource called Mind."
    assert errors[(8, "status")] == "Write active or archived as the status."
    assert result.get_json()["added"] == 1  # what would have been done
    assert event_count(tenant) == count  # nothing recorded

    skipped = upload_api(api, text, dry_run=False, skip_refused=True)
    assert skipped.status_code == 200 and skipped.get_json()["added"] == 1
    assert by_name(tenant, "Good Group").email == "good@example.org"


def test_whole_file_problems_are_one_plain_message(tenant, api_client):
    api = api_client("admin", target=tenant)
    count = event_count(tenant)
    wrong = upload_api(api, "title,colour\r\nx,y\r\n", dry_run=True)
    assert wrong.status_code == 400 and "unknown columns: title, colour" in wrong.get_json()["error"]["message"]
    latin = upload_api(api, (HEADER + ",Café Group,local,,,,c@example.org,,,,\r\n").encode("latin-1"), dry_run=True)
    assert latin.status_code == 400 and "CSV UTF-8" in latin.get_json()["error"]["message"]
    many = HEADER + ",Group,local,,,,g@example.org,,,,\r\n" * 100_000
    huge = upload_api(api, many, dry_run=False)
    assert huge.status_code == 413 and huge.get_json()["error"]["message"]  # refused before it is read
    lots = HEADER + "".join(f",G{n},local,,,,g@x.org,,,,\r\n" for n in range(5001))
    refused = upload_api(api, lots, dry_run=False)
    assert refused.status_code == 400 and "more than 5,000 rows" in refused.get_json()["error"]["message"]
    assert upload_api(api, "", dry_run=True).status_code == 400
    assert api.post("resources/resources/import", json={"a": 1}).status_code == 415
    assert event_count(tenant) == count


def test_the_web_upload_previews_then_records(tenant, signed_in):
    admin = signed_in("admin", target=tenant)
    text = HEADER + ",Birch Forum,local,,,,birch@example.org,,,,active\r\n,,local,,,,,,,,active\r\n"
    count = event_count(tenant)
    preview = admin.post(f"/t/{tenant.slug}/resources/import",
                         data={"file": (io.BytesIO(text.encode()), "resources.csv")},
                         content_type="multipart/form-data")
    page = main_text(preview)
    assert preview.status_code == 200 and "Check your upload" in page
    assert "To be added 1" in page and "Enter the organisation's name." in page
    assert event_count(tenant) == count
    html = preview.get_data(as_text=True)
    refused = admin.post(f"/t/{tenant.slug}/resources/import/confirm", data={"text": hidden_value(html, "text")})
    assert refused.status_code == 409 and event_count(tenant) == count
    done = admin.post(f"/t/{tenant.slug}/resources/import/confirm",
                      data={"text": hidden_value(html, "text"), "skip_refused": "1"})
    assert done.status_code == 302
    assert by_name(tenant, "Birch Forum").email == "birch@example.org"
    none = admin.post(f"/t/{tenant.slug}/resources/import", data={}, content_type="multipart/form-data")
    assert none.status_code == 400 and "Choose a CSV file" in main_text(none)
    assert signed_in("staff", target=tenant).get(f"/t/{tenant.slug}/resources/export.csv").status_code == 403


def test_two_uploads_at_once_add_one_entry(tenant, api_client):
    from core.testing import at_once  # imported late: pytest loads core.testing as a plugin first

    text = HEADER + ",Twin Group,local,,,,twin@example.org,,,,active\r\n"
    clients = [api_client("admin", target=tenant) for _ in range(2)]
    results = at_once([lambda c=c: upload_api(c, text, dry_run=False) for c in clients])
    assert sorted(r.status_code for r in results) == [200, 422]
    assert [r.name for r in resources_of(tenant)].count("Twin Group") == 1


def test_people_consent_and_services_by_code_round_trip(tenant, signed_in, api_client):
    from core.models import Service
    from core import commands as core_commands

    oak, willow = tenant.services["Oak Day Centre"], tenant.services["Willow Ward"]
    with tenant.context() as session:
        core_commands.update_service(session.get(Service, oak), code="OAK")
    api = api_client("admin", target=tenant)
    made = api.post("resources/resources", json={
        "kind": "individual", "name": "Sam Lee", "scope": "local", "email": "sam@example.org",
        "consent_by": "Sam Lee, by e-mail", "consent_on": "2026-03-02", "service_ids": [oak]})
    assert made.status_code == 201, made.get_json()
    admin = signed_in("admin", target=tenant)
    text = admin.get(f"/t/{tenant.slug}/resources/export.csv").get_data(as_text=True)
    rows = rows_of(text)
    assert list(rows[0]) == ["id", "name", "kind", "scope", "description", "address", "phone", "email", "website",
                             "consent_by", "consent_on", "tags", "services", "status", "last_checked"]
    sam = [r for r in rows if r["name"] == "Sam Lee"][0]
    assert (sam["kind"], sam["consent_by"], sam["consent_on"], sam["services"]) == (
        "individual", "Sam Lee, by e-mail", "2026-03-02", "Oak Day Centre")
    assert sam["last_checked"] and all(r["kind"] == "organisation" for r in rows if r["name"] != "Sam Lee")
    before = listed(tenant), {r.name: (r.kind, r.consent_by, r.consent_on) for r in resources_of(tenant)}
    assert upload_api(api, text, dry_run=False).get_json() == {"added": 0, "updated": 0, "retired": 0, "errors": []}
    assert (listed(tenant), {r.name: (r.kind, r.consent_by, r.consent_on) for r in resources_of(tenant)}) == before

    # services by code or name; an individual without consent, and an unknown service, refused per row
    sam["services"] = "oak; Willow Ward"
    sam["last_checked"] = "1999-01-01"  # for reading only: ignored
    blank = {k: "" for k in rows[0]}
    rows += [{**blank, "name": "Jo Bloggs", "kind": "individual", "scope": "local", "phone": "0121 496 0003"},
             {**blank, "name": "Ash Group", "scope": "local", "website": "ash.example.org", "services": "NOPE"}]
    result = upload_api(api, as_csv(rows), dry_run=True).get_json()
    fields = {(e["row"], e["field"]): e["message"] for e in result["errors"]}
    assert "kept only with their consent" in fields[(len(rows), "consent_by")]
    assert fields[(len(rows) + 1, "services")].startswith("There is no service called or coded NOPE")
    done = upload_api(api, as_csv(rows[:-2]), dry_run=False).get_json()
    assert done == {"added": 0, "updated": 1, "retired": 0, "errors": []}
    assert by_name(tenant, "Sam Lee").service_ids == sorted([oak, willow])

    # a file from before people could be listed (no kind or consent columns) still works
    old = HEADER + ",Birch Group,local,,,,birch@example.org,,,,active\r\n"
    assert upload_api(api, old, dry_run=False).get_json()["added"] == 1
    assert by_name(tenant, "Birch Group").kind == "organisation"
