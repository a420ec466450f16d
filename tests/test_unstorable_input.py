"""Input no database can store is refused in plain words on every engine: never a server error."""
import json

import pytest

from core.inputs import LARGEST, TOO_DEEP, TOO_LARGE, UNREADABLE_TEXT

HUGE = LARGEST + 1


def test_an_id_too_large_for_any_row_is_not_found(tenant, signed_in, api_client):
    client, api = signed_in("admin"), api_client("admin")
    for path in (f"/t/{tenant.slug}/services/{HUGE}", f"/t/{tenant.slug}/services/{10**30}/report",
                 f"/t/{tenant.slug}/healthcheck/reviews/{HUGE}", f"/t/{tenant.slug}/levels/assessments/{HUGE}"):
        assert client.get(path).status_code == 404, path
    for path in (f"services/{HUGE}", f"services/{HUGE}/report", f"healthcheck/reviews/{HUGE}"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "not_found"


def test_a_number_too_large_in_the_query_or_body_is_named(tenant, api_client):
    api = api_client("admin")
    response = api.get(f"levels/grid?service_id={HUGE}")
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"service_id": [TOO_LARGE]}
    response = api.post("healthcheck/reviews", json={"service_id": -HUGE})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"service_id": [TOO_LARGE]}
    response = api.post("healthcheck/reviews", json={"service_id": tenant.services["Oak Day Centre"],
                                                     "answers": {"q5": {"attendance": 10**40}}})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"answers.q5.attendance": [TOO_LARGE]}


@pytest.mark.parametrize("text", ["Oak\x00Centre", "Oak \ud800 Centre"])
def test_text_with_a_nul_or_a_broken_character_is_refused(tenant, signed_in, api_client, text):
    api = api_client("admin")
    body = json.dumps({"name": text, "kind": "day_centre"})  # ensure_ascii keeps a lone surrogate as \ud800
    response = api.post("services", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"] == {"code": "bad_request", "message": UNREADABLE_TEXT, "fields": {}}
    if "\x00" in text:  # a browser cannot send a lone surrogate in a form, only broken bytes
        page = signed_in("admin").post(f"/t/{tenant.slug}/services/new", data={"name": text, "kind": "day_centre"})
        assert page.status_code == 400
        assert UNREADABLE_TEXT in page.get_data(as_text=True)
    with tenant.context() as session:
        from sqlalchemy import select

        from core.models import Service

        assert set(session.scalars(select(Service.name))) == set(tenant.services)


def test_a_nul_in_the_address_query_is_refused(tenant, signed_in, api_client):
    assert api_client("admin").get("report?as_of=2026%00-01-01").status_code == 400
    assert signed_in("admin").get(f"/t/{tenant.slug}/report?as_of=%00").status_code == 400


def test_json_nested_a_thousand_deep_is_refused(tenant, api_client):
    api = api_client("admin")
    for depth in (40, 1000, 100_000):
        body = "[" * depth + "]" * depth
        response = api.post("services", data=body, content_type="application/json")
        assert response.status_code == 400, depth
        assert response.json["error"]["message"] == TOO_DEEP


def test_a_trust_name_no_database_could_hold_answers_as_any_other(tenant, signed_in):
    client = signed_in("admin")
    for slug in ("a%00b", "x" * 300, "caf%C3%A9"):
        assert client.get(f"/t/{slug}/").status_code == 404
        assert client.get(f"/api/v1/t/{slug}/services").status_code == 401


def test_a_known_trust_and_an_unknown_one_answer_alike(tenant, other_tenant, client, signed_in, api_client):
    """Nobody outside a Trust can learn that its short name exists."""
    known, unknown = other_tenant.slug, "no-such-trust"
    for path in ("/t/{}/", "/t/{}/services/1", "/t/{}/report"):
        a, b = client.get(path.format(known)), client.get(path.format(unknown))
        assert (a.status_code, b.status_code) == (302, 302)
        assert a.headers["Location"].startswith("/sign-in") and b.headers["Location"].startswith("/sign-in")
        outsider = signed_in("admin")  # a member of another Trust
        assert outsider.get(path.format(known)).status_code == outsider.get(path.format(unknown)).status_code == 404
    for headers in ({}, {"Authorization": "Bearer not-a-token"},
                    {"Authorization": f"Bearer {tenant.token('admin')}"}):
        a = client.get(f"/api/v1/t/{known}/services", headers=headers)
        b = client.get(f"/api/v1/t/{unknown}/services", headers=headers)
        assert (a.status_code, a.json) == (b.status_code, b.json) and a.status_code == 401


def test_a_role_that_may_not_act_hears_that_before_anything_about_its_input(tenant, api_client):
    viewer = api_client("viewer")
    for body in ({}, {"name": ""}, {"name": "x" * 5000, "kind": 7}, {"service_id": HUGE}):
        response = viewer.post("services", json=body)
        assert response.status_code == 403, body
        assert response.json["error"]["code"] == "forbidden"
    assert viewer.post("healthcheck/reviews", json={"service_id": "not a number"}).status_code == 403
    response = viewer.patch(f"services/{tenant.services['Oak Day Centre']}", json={"name": ""})
    assert response.status_code == 403
