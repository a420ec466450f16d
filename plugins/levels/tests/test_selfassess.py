"""Honest self-assessment in the levels: whose view, the practices behind a level, and evidence."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.testing import at_once

from .helpers import ASSESSMENTS, base, complete, event_count, form_data, text_of

# core's fixtures (tenant, api_client...), also when these tests run on their own
pytest_plugins = ["core.testing"]

PRACTICES = "levels/practices"
LEVEL_4_AND_BELOW = ["occasional_consultation", "regular_consultation", "care_plan_meetings", "values_statement",
                     "payment", "meeting_together", "training_support", "recruitment_and_planning", "job_steps"]


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


def submit(api, oak, **body):
    response = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete(**body)})
    assert response.status_code == 201, response.json
    return response.json


def test_the_staff_and_service_user_views_side_by_side_say_where_they_differ(tenant, api_client, signed_in, oak):
    api = api_client("facilitator")
    submit(api, oak, assessed_on="2025-01-10", individual=(3, 4), care_setting=(2, 4), policy=(1, 2))
    users = submit(api, oak, assessed_on="2025-02-10", view="service_users",
                   individual=(3, 4), care_setting=(1, 3), policy=(3, 3))
    assert users["view"] == "service_users"

    views = api.get(f"levels/services/{oak}/views")
    assert views.status_code == 200, views.json
    by_view = {v["view"]: v for v in views.json["views"]}
    assert by_view["service_users"]["assessment"]["id"] == users["id"]
    assert by_view["agreed"]["assessment"] is None
    gaps = {(d["area"], d["part"]): d["gap"] for d in views.json["differences"]}
    # individual agrees; care setting and policy differ (now and aim)
    assert gaps == {("care_setting", "current"): -1, ("care_setting", "aim"): -1,
                    ("policy", "current"): 2, ("policy", "aim"): 1}
    assert "Care setting, Policy" in views.json["summary"]

    page = signed_in("service_user").get(f"{base(tenant)}/services/{oak}")
    text = text_of(page)
    assert page.status_code == 200
    assert "Where the views differ" in text
    assert ("Policy, the level now: the staff team say Level 1: No involvement, service users say "
            "Level 3: Growing involvement. They differ by 2 levels; service users put it higher.") in text
    # the grid stays the staff team's unless another view is asked for
    assert "(the staff team's view)" in text
    users_grid = text_of(signed_in("staff").get(f"{base(tenant)}/services/{oak}?view=service_users"))
    assert "(service users' view)" in users_grid


def test_an_unknown_view_is_refused_and_nothing_is_stored(tenant, api_client, oak):
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post(ASSESSMENTS, json={"service_id": oak, "view": "managers"})
    assert response.status_code == 422
    assert response.json["error"]["fields"]["view"] == ["Choose whose view this is: staff, service_users or agreed."]
    assert event_count(tenant) == before


def test_a_claim_above_what_the_practices_support_is_shown_to_everyone(tenant, api_client, signed_in, oak):
    api = api_client("staff")
    body = submit(api, oak, policy=(5, 5), individual=(4, 5),
                  areas={"individual": {"practices": LEVEL_4_AND_BELOW,
                                        "how": {"payment": "Vouchers at the same rate as staff overtime"}}})
    policy, individual = body["areas"]["policy"]["claim"], body["areas"]["individual"]["claim"]
    assert policy == {**policy, "claimed": 5, "supported": 1, "above_supported": True}
    assert individual == {**individual, "claimed": 4, "supported": 4, "above_supported": False}
    assert "Service users are fully involved" in individual["supported_wording"]

    for role in ("service_user", "viewer"):
        text = text_of(signed_in(role).get(f"{base(tenant)}/assessments/{body['id']}"))
        assert ("The level claimed, Level 5: Partnership, is above what the practices ticked support: "
                "Level 1: No involvement.") in text
        assert "How we do it: Vouchers at the same rate as staff overtime" in text
    service_page = text_of(signed_in("service_user").get(f"{base(tenant)}/services/{oak}"))
    assert "A level claimed is above what the practices support" in service_page


@pytest.mark.parametrize("area, problem", [
    ({"practices": ["payment", "tea_and_biscuits"]}, "practices"),
    ({"practices": ["payment"], "how": {"evaluation": "We ask them"}}, "how"),
    ({"practices": "payment"}, "practices"),
    ({"evidence": [{"url": "javascript:alert(1)"}]}, "evidence"),
    ({"evidence": [{"url": "ftp://files.example/minutes"}]}, "evidence"),
    ({"evidence": [{}]}, "evidence"),
    ({"evidence": [{"url": "https://example.nhs.uk", "note": "x" * 501}]}, "evidence"),
])
def test_bad_practices_and_evidence_are_refused_per_field(tenant, api_client, oak, area, problem):
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post(ASSESSMENTS, json={"service_id": oak, "areas": {"policy": area}})
    assert response.status_code == 422, response.json
    assert problem in response.json["error"]["fields"]["areas"]["policy"]
    assert event_count(tenant) == before


def test_evidence_links_and_notes_are_kept_and_shown_as_links(tenant, api_client, signed_in, oak):
    body = submit(api_client("staff"), oak, areas={"care_setting": {"evidence": [
        {"url": "https://intranet.example.nhs.uk/minutes/2025-01", "note": "  User group minutes, January "},
        {"note": "The decoration survey"}]}})
    assert body["areas"]["care_setting"]["evidence"] == [
        {"url": "https://intranet.example.nhs.uk/minutes/2025-01", "note": "User group minutes, January"},
        {"url": None, "note": "The decoration survey"}]
    html = signed_in("viewer").get(f"{base(tenant)}/assessments/{body['id']}").get_data(as_text=True)
    assert '<a href="https://intranet.example.nhs.uk/minutes/2025-01" rel="noopener noreferrer">' in html


def test_a_trust_adds_a_practice_and_it_raises_the_bar(tenant, api_client, signed_in, oak):
    added = api_client("admin").post(PRACTICES, json={"level": 2, "wording": "A suggestions box is read out"})
    assert added.status_code == 201, added.json
    key = added.json["key"]
    assert added.json["source"] == "trust"
    assert any(p["key"] == key for p in api_client("service_user").get(PRACTICES).json["practices"])
    # staff may not extend the checklist
    assert api_client("staff").post(PRACTICES, json={"level": 3, "wording": "Anything"}).status_code == 403
    duplicate = api_client("admin").post(PRACTICES, json={"level": 2, "wording": "a suggestions box is read out"})
    assert duplicate.status_code == 422 and "wording" in duplicate.json["error"]["fields"]
    bad = api_client("admin").post(PRACTICES, json={"level": 9, "wording": ""})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"level", "wording"}

    # the guide's level-2 practice alone no longer backs level 2: the Trust's is needed too
    body = submit(api_client("staff"), oak, individual=(2, 3),
                  areas={"individual": {"practices": ["occasional_consultation"]}})
    assert body["areas"]["individual"]["claim"]["supported"] == 1
    body = submit(api_client("staff"), oak, individual=(2, 3),
                  areas={"individual": {"practices": ["occasional_consultation", key]}})
    assert body["areas"]["individual"]["claim"]["supported"] == 2
    assert "A suggestions box is read out" in text_of(signed_in("staff").get(f"{base(tenant)}/practices"))


def test_the_page_form_keeps_view_practices_and_evidence(tenant, signed_in, oak):
    staff = signed_in("staff")
    data = form_data(complete(), action="submit", view="agreed", policy_practices=["payment", "values_statement"],
                     policy_how_payment="Expenses paid on the day", policy_evidence_url_0="https://example.nhs.uk/pay",
                     policy_evidence_note_0="Payment policy")
    response = staff.post(f"{base(tenant)}/services/{oak}/new", data=data)
    assert response.status_code == 302, text_of(response)
    page = text_of(staff.get(response.headers["Location"]))
    assert "Agreed by staff and service users together" in page
    assert "How we do it: Expenses paid on the day" in page
    assert "Payment policy" in page

    bad = form_data(complete(), action="draft", policy_evidence_url_0="javascript:alert(1)")
    refused = staff.post(f"{base(tenant)}/services/{oak}/new", data=bad)
    assert refused.status_code == 422
    assert "Enter a link that starts with http:// or https://" in text_of(refused)


def test_old_assessments_count_as_the_staff_teams_after_replay(tenant, api_client, oak):
    from core.events import Event
    from core.testing import assert_replay_keeps_projections

    submit(api_client("staff"), oak)
    with tenant.context() as session:
        started = session.scalars(select(Event).where(Event.type == "levels.assessment_started")).all()
        assert all(ev.payload["set"].get("view") in (None, "staff") for ev in started)
    assert_replay_keeps_projections(tenant)


def test_two_admins_adding_the_same_practice_at_once_store_one(tenant, api_client):
    calls = [lambda c=api_client("admin"): c.post(PRACTICES, json={"level": 3, "wording": "Peer support worker"})
             for _ in range(4)]
    results = at_once(calls)
    assert sorted(r.status_code for r in results) == [201, 422, 422, 422]
    listed = [p for p in api_client("admin").get(PRACTICES).json["practices"] if p["source"] == "trust"]
    assert len(listed) == 1


def test_empty_lists_of_practices_and_evidence_are_none(tenant, api_client, oak):
    made = api_client("staff").post(ASSESSMENTS, json={"service_id": oak, "areas": {
        "individual": {"current": 2, "practices": [], "evidence": []}}})
    assert made.status_code == 201, made.json
    assert made.json["areas"]["individual"]["practices"] is None
    assert made.json["areas"]["individual"]["evidence"] is None
