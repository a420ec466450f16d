"""The levels JSON API: contracts, status codes and per-field messages."""
import pytest

from core import commands
from core.models import Tenant

from .helpers import ASSESSMENTS, at, complete, event_count

# core's fixtures (tenant, api_client...), also when these tests run on their own
pytest_plugins = ["core.testing"]


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


def test_create_a_draft_and_read_it(api_client, oak):
    api = api_client("staff")
    response = api.post(ASSESSMENTS, json={"service_id": oak, "assessed_on": "2025-01-15",
                                           "areas": {"policy": {"current": 1, "achieved": "  Nothing yet.  "}}})
    assert response.status_code == 201, response.json
    assessment = response.json
    assert assessment["status"] == "draft"
    assert assessment["service_id"] == oak
    assert assessment["assessed_on"] == "2025-01-15"
    assert assessment["participants"] is None
    # every area and part is there, unanswered ones as null: the shape never changes
    assert assessment["view"] == "staff"  # the staff team's unless said otherwise
    blank = {"practices": None, "how": None, "evidence": None}
    policy, individual = dict(assessment["areas"]["policy"]), dict(assessment["areas"]["individual"])
    assert policy.pop("claim")["supported"] == 1 and individual.pop("claim")["claimed"] is None
    assert policy == {"current": 1, "aim": None, "achieved": "Nothing yet.", "planned": None, **blank}
    assert individual == {"current": None, "aim": None, "achieved": None, "planned": None, **blank}
    assert assessment["amendments"] == []
    assert assessment["started_by"].startswith("user:")

    again = api.get(f"{ASSESSMENTS}/{assessment['id']}")
    assert again.status_code == 200
    assert again.json == assessment

    listed = api.get(f"{ASSESSMENTS}?service_id={oak}").json["assessments"]
    assert [a["id"] for a in listed] == [assessment["id"]]
    assert api.get(f"{ASSESSMENTS}?service_id={oak}&status=submitted").json["assessments"] == []


def test_patch_keeps_what_was_not_sent_and_null_clears(tenant, api_client, oak):
    api = api_client("facilitator")
    assessment = api.post(ASSESSMENTS, json={
        "service_id": oak, "participants": "Ward team",
        "areas": {"individual": {"current": 2, "achieved": "Care plans are sometimes shared."}}}).json
    patched = api.patch(f"{ASSESSMENTS}/{assessment['id']}", json={
        "areas": {"individual": {"aim": 4, "achieved": None}, "policy": {"current": 1}}})
    assert patched.status_code == 200, patched.json
    body = patched.json
    assert body["participants"] == "Ward team"
    assert {k: body["areas"]["individual"][k] for k in ("current", "aim", "achieved", "planned")} == {
        "current": 2, "aim": 4, "achieved": None, "planned": None}
    assert body["areas"]["policy"]["current"] == 1
    assert body["version"] == 2

    # nothing new: nothing recorded
    before = event_count(tenant)
    unchanged = api.patch(f"{ASSESSMENTS}/{assessment['id']}", json={"participants": "Ward team"})
    assert unchanged.status_code == 200
    assert event_count(tenant) == before


def test_submit_needs_the_essentials_then_409(tenant, api_client, oak):
    api = api_client("staff")
    assessment = api.post(ASSESSMENTS, json={"service_id": oak, "areas": {"individual": {"current": 2}}}).json
    before = event_count(tenant)
    refused = api.post(f"{ASSESSMENTS}/{assessment['id']}/submit")
    assert refused.status_code == 422
    error = refused.json["error"]
    assert error["message"] == "Some answers are needed before the assessment can be submitted."
    assert error["fields"]["assessed_on"] == ["Enter the date of the assessment."]
    assert error["fields"]["participants"] == ["Say who took part in the assessment."]
    assert error["fields"]["areas"]["individual"] == {"aim": ["Individual: choose the level you are aiming for."]}
    assert set(error["fields"]["areas"]["policy"]) == {"current", "aim"}
    assert event_count(tenant) == before

    body = complete()
    assert api.patch(f"{ASSESSMENTS}/{assessment['id']}", json=body).status_code == 200
    submitted = api.post(f"{ASSESSMENTS}/{assessment['id']}/submit")
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "submitted"
    assert submitted.json["submitted_by"].startswith("user:")

    before = event_count(tenant)
    assert api.post(f"{ASSESSMENTS}/{assessment['id']}/submit").status_code == 409
    conflict = api.patch(f"{ASSESSMENTS}/{assessment['id']}", json={"participants": "Someone else"})
    assert conflict.status_code == 409
    assert "amendment" in conflict.json["error"]["message"]
    assert event_count(tenant) == before
    assert api.get(f"{ASSESSMENTS}/{assessment['id']}").json["participants"] == body["participants"]


def test_create_submitted_at_once(api_client, oak):
    response = api_client("admin").post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete()})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "submitted"
    assert {k: body["areas"]["care_setting"][k] for k in ("current", "aim", "achieved", "planned")} == {
        "current": 2, "aim": 4, "achieved": "What care_setting has achieved so far.",
        "planned": "What care_setting plans next."}


def test_submit_at_once_with_answers_missing_stores_nothing(tenant, api_client, oak):
    api = api_client("staff")
    before = event_count(tenant)
    body = complete()
    del body["areas"]["policy"]["aim"]
    refused = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **body})
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"areas": {"policy": {"aim": ["Policy: choose the level you are aiming for."]}}}
    assert event_count(tenant) == before


def test_an_aim_may_equal_or_exceed_the_current_level_but_not_fall_below_it(tenant, api_client, oak):
    api = api_client("staff")
    same = api.post(ASSESSMENTS, json={"service_id": oak, **complete(individual=(3, 3))})
    assert same.status_code == 201, same.json
    before = event_count(tenant)
    below = api.post(ASSESSMENTS, json={"service_id": oak, **complete(policy=(4, 2))})
    assert below.status_code == 422
    assert below.json["error"]["fields"] == {"areas": {"policy": {"aim": [
        "Policy: the level you aim for cannot be below where the service is now (Level 4: Collaboration). "
        "Choose level 4 or higher."]}}}
    # raising the current level above the aim of a draft: the message is on the level changed
    draft = same.json
    raised = api.patch(f"{ASSESSMENTS}/{draft['id']}", json={"areas": {"individual": {"current": 5}}})
    assert raised.status_code == 422
    assert raised.json["error"]["fields"]["areas"]["individual"]["current"][0].startswith(
        "Individual: the level now cannot be above the level you aim for (Level 3: Growing involvement).")
    assert event_count(tenant) == before


@pytest.mark.parametrize("areas, where, message", [
    ({"policy": {"current": 0}}, ("policy", "current"), "Choose a level from 1 (No involvement) to 5 (Partnership)."),
    ({"policy": {"aim": 6}}, ("policy", "aim"), "Choose a level from 1 (No involvement) to 5 (Partnership)."),
    ({"policy": {"current": "3"}}, ("policy", "current"), "Enter the level as a whole number from 1 to 5."),
    ({"policy": {"current": 2.5}}, ("policy", "current"), "Enter the level as a whole number from 1 to 5."),
    ({"policy": {"current": True}}, ("policy", "current"), "Enter the level as a whole number from 1 to 5."),
    ({"policy": {"achieved": 12}}, ("policy", "achieved"), "Enter words here, not a number or a list."),
    ({"policy": {"planned": "x" * 5001}}, ("policy", "planned"), "Use 5,000 characters or fewer."),
    ({"policy": {"colour": "red"}}, ("policy", "colour"), "This is not part of an assessment."),
    ({"finance": {"current": 2}}, ("finance",), "This is not part of an assessment."),
    ({"policy": None}, ("policy",), "Send this area's answers as an object, or leave the area out."),
])
def test_bad_levels_and_words_get_a_message_each_and_store_nothing(tenant, api_client, oak, areas, where, message):
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post(ASSESSMENTS, json={"service_id": oak, "areas": areas})
    assert response.status_code == 422, response.json
    fields = response.json["error"]["fields"]["areas"]
    for key in where:
        fields = fields[key]
    assert fields == [message]
    assert event_count(tenant) == before


@pytest.mark.parametrize("body, field, message", [
    ({"assessed_on": "2025-02-30"}, "assessed_on", "Enter a real date in the format YYYY-MM-DD, like 2026-03-15."),
    ({"assessed_on": 20250101}, "assessed_on", "Enter a real date in the format YYYY-MM-DD, like 2026-03-15."),
    ({"assessed_on": "2025-06-02"}, "assessed_on",
     "The date of the assessment cannot be in the future. Enter today's date or an earlier one."),
    ({"participants": ["Ann", "Bob"]}, "participants", "Enter words here, not a number or a list."),
    ({"colour": "blue"}, "colour", "This is not part of an assessment."),
    ({"areas": []}, "areas", "Send the answers per area as an object with the keys individual, care_setting and policy."),
    ({"service_id": "one"}, "service_id", "Give the service's id as a whole number."),
    ({"service_id": 999999999}, "service_id", "Choose one of this Trust's services."),
    ({"submit": "perhaps"}, "submit", "Use true or false."),
])
def test_bad_input_gets_a_message_per_field_and_stores_nothing(tenant, api_client, oak, body, field, message):
    api = api_client("staff")
    before = event_count(tenant)
    with at(2025, 6, 1):
        response = api.post(ASSESSMENTS, json={"service_id": oak, **body})
    assert response.status_code == 422, response.json
    assert response.json["error"]["fields"][field] == [message]
    assert event_count(tenant) == before


def test_missing_service_malformed_json_and_a_list_are_refused(tenant, api_client):
    api = api_client("staff")
    before = event_count(tenant)
    missing = api.post(ASSESSMENTS, json={"participants": "Ward team"})
    assert missing.status_code == 422
    assert missing.json["error"]["fields"]["service_id"] == ["Choose the service to assess."]
    broken = api.post(ASSESSMENTS, data="{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code in (400, 422)
    assert "error" in broken.json
    listed = api.post(ASSESSMENTS, json=[1, 2])
    assert listed.status_code == 422
    assert event_count(tenant) == before


def test_another_trusts_service_is_refused_and_its_assessments_not_found(tenant, other_tenant, api_client):
    elm = other_tenant.services["Elm Community Team"]
    theirs = api_client("staff", target=other_tenant).post(
        ASSESSMENTS, json={"service_id": elm, "submit": True, **complete()}).json
    api = api_client("admin")
    before = event_count(tenant)
    refused = api.post(ASSESSMENTS, json={"service_id": elm, **complete()})
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"service_id": ["Choose one of this Trust's services."]}
    assert api.get(f"{ASSESSMENTS}/{theirs['id']}").status_code == 404
    assert api.patch(f"{ASSESSMENTS}/{theirs['id']}", json={"participants": "x"}).status_code == 404
    assert api.post(f"{ASSESSMENTS}/{theirs['id']}/submit").status_code == 404
    assert api.post(f"{ASSESSMENTS}/{theirs['id']}/amendments",
                    json={"changes": {"participants": "x"}}).status_code == 404
    assert api.get(f"{ASSESSMENTS}?service_id={elm}").status_code == 404
    assert api.get(f"levels/grid?service_id={elm}").status_code == 404
    assert api.get(f"levels/compare?a={theirs['id']}&b={theirs['id']}").status_code == 404
    assert api.get(ASSESSMENTS).json["assessments"] == []
    assert event_count(tenant) == before


def test_an_archived_service_takes_no_new_assessment(tenant, api_client, oak):
    with tenant.context() as session:
        from core.models import Service

        commands.update_service(session.get(Service, oak), archived=True)
    api = api_client("staff")
    before = event_count(tenant)
    refused = api.post(ASSESSMENTS, json={"service_id": oak})
    assert refused.status_code == 422
    assert "archived" in refused.json["error"]["fields"]["service_id"][0]
    assert event_count(tenant) == before


def test_amendments_are_listed_with_what_when_and_who(tenant, api_client, oak):
    api = api_client("staff")
    with at(2025, 1, 20):
        assessment = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete()}).json
    with at(2025, 1, 22, 9):
        response = api.post(f"{ASSESSMENTS}/{assessment['id']}/amendments", json={
            "changes": {"areas": {"policy": {"current": 2, "aim": 3}}},
            "reason": "We chose policy levels one too low."})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "submitted"
    assert body["areas"]["policy"]["current"] == 2 and body["areas"]["policy"]["aim"] == 3
    staff_id = tenant.people["staff"].user_id
    assert body["amendments"] == [
        {"field": "policy_current", "label": "Policy: level now", "from": 1, "to": 2,
         "at": "2025-01-22T09:00:00.000000Z", "by": f"user:{staff_id}", "event_id": body["amendments"][0]["event_id"],
         "reason": "We chose policy levels one too low."},
        {"field": "policy_aim", "label": "Policy: level aimed for", "from": 2, "to": 3,
         "at": "2025-01-22T09:00:00.000000Z", "by": f"user:{staff_id}", "event_id": body["amendments"][0]["event_id"],
         "reason": "We chose policy levels one too low."},
    ]
    # an amendment is its own event: the original submission is still in the log as it was
    assert body["submitted_at"].startswith("2025-01-20")


def test_bad_amendments_store_nothing(tenant, api_client, oak):
    api = api_client("staff")
    draft = api.post(ASSESSMENTS, json={"service_id": oak, **complete()}).json
    done = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete()}).json
    before = event_count(tenant)
    assert api.post(f"{ASSESSMENTS}/{draft['id']}/amendments",
                    json={"changes": {"participants": "x"}}).status_code == 409
    same = api.post(f"{ASSESSMENTS}/{done['id']}/amendments", json={"changes": {"participants": done["participants"]}})
    assert same.status_code == 422
    assert same.json["error"]["fields"] == {"changes": ["Change at least one answer."]}
    lower = api.post(f"{ASSESSMENTS}/{done['id']}/amendments",
                     json={"changes": {"areas": {"care_setting": {"aim": 1}}}})
    assert lower.status_code == 422
    assert list(lower.json["error"]["fields"]["changes"]["areas"]["care_setting"]) == ["aim"]
    cleared = api.post(f"{ASSESSMENTS}/{done['id']}/amendments", json={"changes": {"participants": None}})
    assert cleared.status_code == 422
    assert cleared.json["error"]["fields"]["changes"] == {"participants": ["Say who took part in the assessment."]}
    unknown = api.post(f"{ASSESSMENTS}/{done['id']}/amendments", json={"changes": {}, "why": "x"})
    assert unknown.status_code == 422
    assert unknown.json["error"]["fields"]["why"] == ["This is not part of an assessment."]
    no_changes = api.post(f"{ASSESSMENTS}/{done['id']}/amendments", json={"reason": "x"})
    assert no_changes.status_code == 422
    assert no_changes.json["error"]["fields"]["changes"] == ["Send the answers to correct under 'changes'."]
    assert event_count(tenant) == before


def test_the_grid_is_the_latest_submitted_assessment(api_client, oak):
    api = api_client("staff")
    empty = api.get(f"levels/grid?service_id={oak}")
    assert empty.status_code == 200
    assert empty.json["assessment"] is None
    assert not any(cell["here"] or cell["aiming"] for row in empty.json["rows"] for cell in row["cells"])

    with at(2025, 1, 10):
        api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete("2025-01-10")})
    with at(2025, 3, 10):
        latest = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete(
            "2025-03-10", individual=(3, 3), care_setting=(2, 5),
            areas={"care_setting": {"achieved": "Users " * 60}})}).json
        # a later draft is not the grid
        api.post(ASSESSMENTS, json={"service_id": oak, **complete("2025-03-10", individual=(5, 5))})
    grid = api.get(f"levels/grid?service_id={oak}").json
    assert grid["assessment"]["id"] == latest["id"]
    assert [row["level"] for row in grid["rows"]] == [1, 2, 3, 4, 5]
    assert [row["name"] for row in grid["rows"]] == [
        "No involvement", "Limited involvement", "Growing involvement", "Collaboration", "Partnership"]
    assert [a["key"] for a in grid["areas"]] == ["individual", "care_setting", "policy"]

    def cell(level, area):
        index = ["individual", "care_setting", "policy"].index(area)
        return grid["rows"][level - 1]["cells"][index]

    assert cell(3, "individual") == {"area": "individual", "here": True, "aiming": True,
                                     "achieved": "What individual has achieved so far.",
                                     "planned": "What individual plans next."}
    assert cell(2, "care_setting")["here"] and not cell(2, "care_setting")["aiming"]
    assert cell(2, "care_setting")["achieved"].endswith("…") and len(cell(2, "care_setting")["achieved"]) <= 201
    assert cell(5, "care_setting") == {"area": "care_setting", "here": False, "aiming": True, "achieved": None,
                                       "planned": "What care_setting plans next."}
    assert cell(4, "care_setting") == {"area": "care_setting", "here": False, "aiming": False, "achieved": None,
                                       "planned": None}

    earlier = api.get(f"levels/grid?service_id={oak}&as_of=2025-02-01").json
    assert earlier["assessment"]["assessed_on"] == "2025-01-10"
    assert earlier["assessment"]["levels"]["individual"] == {"current": 2, "aim": 3}


def test_grid_query_mistakes(api_client, oak):
    api = api_client("viewer")
    assert api.get("levels/grid").json["error"]["fields"] == {"service_id": ["Choose the service whose grid to show."]}
    future = api.get(f"levels/grid?service_id={oak}&as_of=2999-01-01")
    assert future.status_code == 422
    assert future.json["error"]["fields"]["as_of"] == ["Enter today's date or a date in the past."]
    assert api.get("levels/grid?service_id=999999999").status_code == 404


def test_compare_two_assessments(api_client, oak, tenant):
    api = api_client("staff")
    first = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete("2025-01-10")}).json
    second = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete(
        "2025-04-10", individual=(3, 4), policy=(1, 2))}).json
    comparison = api.get(f"levels/compare?a={first['id']}&b={second['id']}")
    assert comparison.status_code == 200
    body = comparison.json
    assert body["moved"] == ["individual.current", "individual.aim"]
    individual_now = body["items"][0]
    assert individual_now["a"] == 2 and individual_now["b"] == 3 and individual_now["change"] == 1
    assert individual_now["note"] == "Up 1 level"
    other = tenant.add_service("Birch Ward")
    theirs = api.post(ASSESSMENTS, json={"service_id": other, **complete()}).json
    mixed = api.get(f"levels/compare?a={first['id']}&b={theirs['id']}")
    assert mixed.status_code == 422
    assert mixed.json["error"]["fields"] == {"b": ["Choose an assessment of the same service as a."]}


def test_who_may_write(tenant, api_client, oak):
    for role in ("staff", "admin", "facilitator"):
        assert api_client(role).post(ASSESSMENTS, json={"service_id": oak}).status_code == 201
    done = api_client("staff").post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete()}).json
    draft = api_client("staff").post(ASSESSMENTS, json={"service_id": oak}).json
    readers = [api_client(role) for role in ("viewer", "service_user")]
    before = event_count(tenant)
    for api in readers:
        assert api.get(f"{ASSESSMENTS}/{done['id']}").status_code == 200
        assert api.get(f"levels/grid?service_id={oak}").status_code == 200
        assert api.post(ASSESSMENTS, json={"service_id": oak}).status_code == 403
        assert api.patch(f"{ASSESSMENTS}/{draft['id']}", json={"participants": "x"}).status_code == 403
        assert api.post(f"{ASSESSMENTS}/{draft['id']}/submit").status_code == 403
        assert api.post(f"{ASSESSMENTS}/{done['id']}/amendments",
                        json={"changes": {"participants": "x"}}).status_code == 403
    assert event_count(tenant) == before


def test_switched_off_the_api_answers_404(tenant, api_client, oak):
    api = api_client("admin")
    assert api.get(ASSESSMENTS).status_code == 200
    with tenant.context() as session:
        commands.disable_plugin(session.get(Tenant, tenant.id), "levels")
    assert api.get(ASSESSMENTS).status_code == 404
    assert api.post(ASSESSMENTS, json={"service_id": oak}).status_code == 404
    assert api.get(f"levels/grid?service_id={oak}").status_code == 404


def test_the_openapi_document_describes_every_field(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = [p for p in spec["paths"] if "/levels/" in p]
    for path in ("/assessments", "/assessments/{assessment_id}", "/assessments/{assessment_id}/submit",
                 "/assessments/{assessment_id}/amendments", "/grid"):
        assert any(p.endswith("/levels" + path) for p in paths), path
    schemas = spec["components"]["schemas"]
    # named apart from other sections' schemas, so no plugin's document overwrites another's
    assert set(schemas["LevelsContent"]["properties"]) == {"assessed_on", "aim_by", "participants", "view", "areas"}
    assert set(schemas["LevelsPolicyArea"]["properties"]) == {"current", "aim", "achieved", "planned",
                                                             "practices", "how", "evidence"}
    assert {"here", "aiming", "achieved", "planned"} <= set(schemas["LevelsGridCell"]["properties"])
    create = next(spec["paths"][p]["post"] for p in paths if p.endswith("/levels/assessments"))
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LevelsAssessmentCreate"}
    assert "service_id" in schemas["LevelsAssessmentCreate"]["properties"]
