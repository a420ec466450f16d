"""The events API: reading the log in pages, filtering it, and checking the chain."""
import pytest

from core import commands, events
from core.db import db
from core.models import Service

FIELDS = {"seq", "type", "stream", "service_id", "actor", "occurred_at", "payload", "prev_hash", "hash",
          "personal_digest", "tenant_id"}


def all_pages(api, query: str, limit: int) -> tuple[list[dict], list]:
    """Follow next_after to the end; returns the events and each page's next_after."""
    got, cursors, after = [], [], 0
    while True:
        response = api.get(f"events?after={after}&limit={limit}{query}")
        assert response.status_code == 200, response.json
        body = response.json
        assert len(body["events"]) <= limit
        got += body["events"]
        cursors.append(body["next_after"])
        if body["next_after"] is None:
            return got, cursors
        after = body["next_after"]


def test_pages_follow_on_in_order(tenant, api_client):
    api = api_client("admin")
    with tenant.context():
        head_seq, head_hash = events.head(tenant.id)
    got, cursors = all_pages(api, "", limit=4)
    seqs = [e["seq"] for e in got]
    assert seqs == list(range(1, head_seq + 1))
    assert got[-1]["hash"] == head_hash
    # each full page that has more after it points at its last event; the last page says none remain
    assert cursors == [seqs[i] for i in range(3, len(seqs) - 1, 4)] + [None]
    assert set(got[0]) == FIELDS
    assert got[0]["type"] == "tenant.created"
    assert got[0]["actor"] == "cli"
    assert got[0]["prev_hash"] == "0" * 64
    assert all(e["tenant_id"] == tenant.id for e in got)


def test_defaults_and_the_exact_end(tenant, api_client):
    api = api_client("admin")
    everything = api.get("events").json
    total = len(everything["events"])
    assert everything["next_after"] is None  # fewer than the default 100
    exact = api.get(f"events?limit={total}").json
    assert len(exact["events"]) == total
    assert exact["next_after"] is None  # nothing remains, so no next page
    short = api.get(f"events?limit={total - 1}").json
    assert short["next_after"] == total - 1
    assert api.get(f"events?after={total}").json == {"events": [], "next_after": None}


def test_the_records_verify_offline(tenant, api_client):
    """Every hashed field is returned, so someone can recheck the chain away from the server."""
    got, _ = all_pages(api_client("viewer"), "", limit=1000)
    report = events.verify_records(got)
    assert report.ok, report.reason
    tampered = [dict(e) for e in got]
    tampered[2]["payload"] = {"slug": "changed"}
    assert events.verify_records(tampered).first_bad_seq == 3


def test_filter_by_type_and_service(tenant, api_client):
    oak = tenant.services["Oak Day Centre"]
    with tenant.context():
        commands.update_service(db.session.get(Service, oak), name="Oak Lodge", archived=True)
        commands.update_service(db.session.get(Service, tenant.services["Willow Ward"]), name="Willow House")
    api = api_client("admin")

    created = api.get("events?type=service.created").json["events"]
    assert [e["payload"]["name"] for e in created] == ["Oak Day Centre", "Willow Ward"]

    about_oak = api.get(f"events?service={oak}").json["events"]
    assert [e["type"] for e in about_oak] == ["service.created", "service.renamed", "service.archived"]
    assert all(e["stream"] == f"service:{oak}" for e in about_oak)

    both = api.get(f"events?service={oak}&type=service.renamed").json["events"]
    assert [e["payload"] for e in both] == [{"name": "Oak Lodge"}]

    assert api.get("events?type=no.such.type").json == {"events": [], "next_after": None}


def test_another_trusts_events_and_services_stay_hidden(tenant, other_tenant, api_client):
    elm = other_tenant.services["Elm Community Team"]
    api = api_client("admin")
    assert api.get(f"events?service={elm}").json == {"events": [], "next_after": None}
    assert all(e["tenant_id"] == tenant.id for e in api.get("events?limit=1000").json["events"])
    # a token of one Trust opens nothing in another
    response = api.get(f"/api/v1/t/{other_tenant.slug}/events")
    assert response.status_code == 401


@pytest.mark.parametrize("query, field, message", [
    ("limit=1001", "limit", "Ask for between 1 and 1000 events at a time."),
    ("limit=0", "limit", "Ask for between 1 and 1000 events at a time."),
    ("limit=lots", "limit", None),
    ("after=-1", "after", "Give an event number of 0 or more."),
    ("after=1.5", "after", None),
    ("service=abc", "service", None),
    ("service=0", "service", "Give a service id of 1 or more."),
    ("type=" + "x" * 101, "type", "Give an event type of 1 to 100 characters."),
])
def test_bad_parameters_are_422_with_fields(tenant, api_client, query, field, message):
    response = api_client("admin").get(f"events?{query}")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "Some answers need correcting."
    assert list(error["fields"]) == [field]
    if message:
        assert error["fields"][field] == [message]


def test_verify(tenant, api_client):
    api = api_client("admin")
    body = api.get("events/verify").json
    with tenant.context():
        expected = events.verify_tenant(tenant.id).as_dict()
    assert body == expected
    assert body["ok"] is True and body["first_bad_seq"] is None
    assert body["count"] == body["head_seq"] > 5

    same = api.get(f"events/verify?expect_head={body['head']}").json
    assert same["ok"] is True
    wrong = api.get(f"events/verify?expect_head={'a' * 64}").json
    assert wrong["ok"] is False
    assert wrong["first_bad_seq"] == body["head_seq"] + 1

    bad = api.get("events/verify?expect_head=not-a-hash")
    assert bad.status_code == 422
    assert bad.json["error"]["fields"] == {
        "expect_head": ["Give the 64-character fingerprint, in lower case."]}


@pytest.mark.parametrize("role", ["staff", "service_user", "facilitator"])
def test_only_admins_and_viewers(tenant, api_client, role):
    api = api_client(role)
    for path in ("events", "events/verify"):
        response = api.get(path)
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"


def test_needs_a_token(tenant, client):
    response = client.get(f"/api/v1/t/{tenant.slug}/events")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorised"


def test_openapi_documents_every_field(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    listing = paths["/api/v1/t/{slug}/events"]["get"]
    assert {p["name"] for p in listing["parameters"] if p["in"] == "query"} == {"after", "limit", "type", "service"}
    assert {p["name"] for p in paths["/api/v1/t/{slug}/events/verify"]["get"]["parameters"]
            if p["in"] == "query"} == {"expect_head"}
    schemas = spec["components"]["schemas"]
    assert set(schemas["Event"]["properties"]) == FIELDS
    assert set(schemas["EventPage"]["properties"]) == {"events", "next_after"}
    assert set(schemas["ChainReport"]["properties"]) == {"ok", "count", "head_seq", "head", "first_bad_seq"}
    assert all(prop.get("description") for prop in schemas["Event"]["properties"].values())
