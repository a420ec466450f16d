"""The health check's JSON API: contracts, status codes and per-field messages."""
import pytest

from core import commands
from core.models import Tenant

from .helpers import at, complete, event_count

# core's fixtures (tenant, api_client...), also when these tests run on their own
pytest_plugins = ["core.testing"]

REVIEWS = "healthcheck/reviews"


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


def test_create_a_draft_and_read_it(tenant, api_client, oak):
    api = api_client("staff")
    response = api.post(REVIEWS, json={"service_id": oak, "held_on": "2025-01-15",
                                       "answers": {"q2": {"frequency": "monthly", "text": "Every first Monday"}}})
    assert response.status_code == 201, response.json
    review = response.json
    assert review["status"] == "draft"
    assert review["service_id"] == oak
    assert review["held_on"] == "2025-01-15"
    # unanswered parts are there as null: the shape never changes
    assert review["answers"]["q2"] == {"frequency": "monthly", "time_set_by": None, "text": "Every first Monday",
                                       "evidence": None}
    assert review["answers"]["q9"] == {"speaks_more": None, "text": None, "evidence": None}
    assert review["amendments"] == []

    again = api.get(f"{REVIEWS}/{review['id']}")
    assert again.status_code == 200
    assert again.json == review

    listed = api.get(f"{REVIEWS}?service_id={oak}").json["reviews"]
    assert [r["id"] for r in listed] == [review["id"]]
    assert api.get(f"{REVIEWS}?service_id={oak}&status=submitted").json["reviews"] == []


def test_patch_keeps_what_was_not_sent_and_null_clears(tenant, api_client, oak):
    api = api_client("service_user")
    review = api.post(REVIEWS, json={"service_id": oak, "staff_count": 2,
                                     "answers": {"q5": {"attendance": 4, "text": "Mostly older men"}}}).json
    patched = api.patch(f"{REVIEWS}/{review['id']}", json={
        "service_user_count": 6, "answers": {"q5": {"diversity": "partly", "text": None}}})
    assert patched.status_code == 200, patched.json
    body = patched.json
    assert body["staff_count"] == 2 and body["service_user_count"] == 6
    assert body["answers"]["q5"] == {"attendance": 4, "diversity": "partly", "text": None, "evidence": None}
    assert body["version"] == 2

    # nothing new: nothing recorded
    before = event_count(tenant)
    assert api.patch(f"{REVIEWS}/{review['id']}", json={"staff_count": 2}).status_code == 200
    assert event_count(tenant) == before


def test_submit_needs_the_essentials_then_409(tenant, api_client, oak):
    api = api_client("facilitator")
    review = api.post(REVIEWS, json={"service_id": oak, "held_on": "2025-01-15"}).json
    before = event_count(tenant)
    refused = api.post(f"{REVIEWS}/{review['id']}/submit")
    assert refused.status_code == 422
    fields = refused.json["error"]["fields"]
    assert fields["staff_count"] == ["Enter how many staff took part."]
    assert fields["has_user_group"] == ["Choose whether this service has a user group yet."]
    assert event_count(tenant) == before

    body = complete()
    body.pop("held_on")
    assert api.patch(f"{REVIEWS}/{review['id']}", json=body).status_code == 200
    # with a user group, the structured answers are needed too
    assert api.patch(f"{REVIEWS}/{review['id']}", json={"answers": {"q9": {"speaks_more": None}}}).status_code == 200
    refused = api.post(f"{REVIEWS}/{review['id']}/submit")
    assert refused.json["error"]["fields"] == {"answers": {"q9": {"speaks_more": ["Choose who speaks more."]}}}

    api.patch(f"{REVIEWS}/{review['id']}", json={"answers": {"q9": {"speaks_more": "about_equal"}}})
    submitted = api.post(f"{REVIEWS}/{review['id']}/submit")
    assert submitted.status_code == 200
    assert submitted.json["status"] == "submitted"
    assert submitted.json["submitted_by"].startswith("user:")

    before = event_count(tenant)
    assert api.post(f"{REVIEWS}/{review['id']}/submit").status_code == 409
    conflict = api.patch(f"{REVIEWS}/{review['id']}", json={"staff_count": 3})
    assert conflict.status_code == 409
    assert "amendment" in conflict.json["error"]["message"]
    assert event_count(tenant) == before


def test_create_submitted_at_once(api_client, oak):
    response = api_client("staff").post(REVIEWS, json={"service_id": oak, "submit": True, **complete()})
    assert response.status_code == 201, response.json
    review = response.json
    assert review["status"] == "submitted"
    assert review["answers"]["q14"] == {"changes": ["New chairs in the lounge"], "count": 1, "text": None, "evidence": None}
    assert review["answers"]["q3"]["find_out"] == ["posters", "staff_tell_them"]
    assert review["agreed_changes"] == ["Service users take turns to chair"]


def test_create_submitted_needs_the_essentials_and_stores_nothing_without_them(tenant, api_client, oak):
    api = api_client("staff")
    before = event_count(tenant)
    body = complete()
    del body["answers"]["q7"]
    response = api.post(REVIEWS, json={"service_id": oak, "submit": True, **body})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"answers": {"q7": {
        "chair": ["Choose who chairs the group."], "chair_chosen_by": ["Choose who decides who chairs."]}}}
    assert event_count(tenant) == before


def test_no_user_group_yet_is_a_valid_review(api_client, oak):
    api = api_client("staff")
    response = api.post(REVIEWS, json={"service_id": oak, "submit": True, "held_on": "2025-02-01",
                                       "staff_count": 3, "service_user_count": 2, "has_user_group": False,
                                       "agreed_changes": ["Start a user group with a first meeting in March"]})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "submitted"
    assert response.json["has_user_group"] is False
    assert response.json["first_step"] == "Setting up a user group is the first step"


def test_amendments_are_listed_with_who_and_when(tenant, api_client, oak):
    api = api_client("staff")
    with at(2025, 1, 20):
        review = api.post(REVIEWS, json={"service_id": oak, "submit": True, **complete()}).json
    with at(2025, 1, 22, 9):
        response = api.post(f"{REVIEWS}/{review['id']}/amendments", json={
            "changes": {"answers": {"q5": {"attendance": 6}}}, "reason": "Typed 4 instead of 6"})
    assert response.status_code == 201, response.json
    amended = response.json
    assert amended["answers"]["q5"]["attendance"] == 6
    assert amended["status"] == "submitted"
    [entry] = amended["amendments"]
    assert entry["field"] == "q5_attendance"
    assert (entry["from"], entry["to"]) == (4, 6)
    assert entry["at"] == "2025-01-22T09:00:00.000000Z"
    assert entry["by"] == f"user:{tenant.people['staff'].user_id}"
    assert entry["reason"] == "Typed 4 instead of 6"

    before = event_count(tenant)
    same = api.post(f"{REVIEWS}/{review['id']}/amendments", json={"changes": {"answers": {"q5": {"attendance": 6}}}})
    assert same.status_code == 422
    assert "changes" in same.json["error"]["fields"]
    removing = api.post(f"{REVIEWS}/{review['id']}/amendments", json={"changes": {"answers": {"q7": {"chair": None}}}})
    assert removing.status_code == 422
    assert removing.json["error"]["fields"] == {
        "changes": {"answers": {"q7": {"chair": ["Choose who chairs the group."]}}}}
    future = api.post(f"{REVIEWS}/{review['id']}/amendments", json={"changes": {"held_on": "2999-01-01"}})
    assert future.status_code == 422
    assert "held_on" in future.json["error"]["fields"]["changes"]
    assert event_count(tenant) == before


def test_amending_a_draft_is_409(tenant, api_client, oak):
    api = api_client("staff")
    review = api.post(REVIEWS, json={"service_id": oak}).json
    before = event_count(tenant)
    response = api.post(f"{REVIEWS}/{review['id']}/amendments", json={"changes": {"staff_count": 1}})
    assert response.status_code == 409
    assert event_count(tenant) == before


def test_sharing_step(tenant, api_client, oak):
    api = api_client("staff")
    with at(2025, 2, 1):
        review = api.post(REVIEWS, json={"service_id": oak, "submit": True, **complete("2025-01-15")}).json
        early = api.post(f"{REVIEWS}/{review['id']}/sharing", json={"shared_on": "2025-01-10"})
        assert early.status_code == 422
        assert early.json["error"]["fields"]["shared_on"] == [
            "The user meeting where you shared the review must be on or after the day of the health check."]
        later = api.post(f"{REVIEWS}/{review['id']}/sharing", json={"shared_on": "2025-03-01"})
        assert later.status_code == 422
        assert later.json["error"]["fields"]["shared_on"] == [
            "The date of the user meeting must be today or in the past."]
        shared = api.post(f"{REVIEWS}/{review['id']}/sharing", json={
            "shared_on": "2025-01-29", "service_user_views": "They want a say in the agenda."})
        assert shared.status_code == 200, shared.json
        assert shared.json["shared_on"] == "2025-01-29"
        assert shared.json["service_user_views"] == "They want a say in the agenda."
        again = api.post(f"{REVIEWS}/{review['id']}/sharing", json={"shared_on": "2025-01-30"})
        assert again.status_code == 409


def q(number, part, messages):
    """Field messages for one part of one question, as the API nests them."""
    return {"answers": {f"q{number}": {part: messages} if part else messages}}


BAD_INPUT = [
    ({"answers": {"q15": {"text": "?"}}}, q(15, None, ["There is no such question. The questions are q1 to q14."])),
    ({"answers": {"q2": {"colour": "red"}}}, {"answers": {"q2": {"colour": ["This question has no such answer."]}}}),
    ({"answers": {"q2": {"frequency": "daily"}}},
     q(2, "frequency", ["Must be one of: weekly, fortnightly, monthly, less_often, no_regular_meetings."])),
    ({"answers": {"q5": {"attendance": -1}}}, q(5, "attendance", ["Enter a number from 0 to 500."])),
    ({"answers": {"q5": {"attendance": 100000}}}, q(5, "attendance", ["Enter a number from 0 to 500."])),
    ({"answers": {"q5": {"attendance": "lots"}}}, q(5, "attendance", ["Enter a whole number, like 6."])),
    ({"answers": {"q5": {"attendance": True}}}, q(5, "attendance", ["Enter a whole number, like 6."])),
    ({"has_user_group": "maybe"}, {"has_user_group": ["Choose yes or no."]}),
    ({"staff_count": -2}, {"staff_count": ["Enter a number from 0 to 100."]}),
    ({"answers": {"q13": {"told_by": ["minutes", "not_told"]}}},
     {"answers": {"q13": {"told_by": ["You cannot choose 'People are not told' together with another answer."]}}}),
    ({"answers": {"q3": {"find_out": ["posters", "carrier pigeon"]}}},
     {"answers": {"q3": {"find_out": {"1": ["Must be one of: posters, word_of_mouth, letters_or_texts, "
                                            "staff_tell_them, newsletter, other."]}}}}),
    ({"held_on": "2999-01-01"}, {"held_on": ["The date the health check was held must be today or in the past."]}),
    ({"held_on": "15/01/2025"}, {"held_on": ["Enter a real date in the format YYYY-MM-DD, like 2026-03-15."]}),
    ({"answers": {"q1": {"text": "x" * 5001}}}, {"answers": {"q1": {"text": ["Use 5000 characters or fewer."]}}}),
    ({"colour": "red"}, {"colour": ["This is not part of a health check."]}),
]


@pytest.mark.parametrize("body, fields", BAD_INPUT)
def test_bad_input_gets_a_message_per_field_and_stores_nothing(tenant, api_client, oak, body, fields):
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post(REVIEWS, json={"service_id": oak, **body})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == fields
    assert response.json["error"]["message"]
    assert event_count(tenant) == before

    # the same rules hold for a draft's PATCH
    review = api.post(REVIEWS, json={"service_id": oak}).json
    before = event_count(tenant)
    response = api.patch(f"{REVIEWS}/{review['id']}", json=body)
    assert response.status_code == 422
    assert response.json["error"]["fields"] == fields
    assert event_count(tenant) == before


def test_another_trusts_service_or_review(tenant, other_tenant, api_client, oak):
    elm = other_tenant.services["Elm Community Team"]
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post(REVIEWS, json={"service_id": elm, **complete()})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"service_id": ["Choose one of this Trust's services."]}
    assert event_count(tenant) == before

    theirs = api_client("staff", target=other_tenant).post(REVIEWS, json={"service_id": elm}).json
    assert api.get(f"{REVIEWS}/{theirs['id']}").status_code == 404
    assert api.patch(f"{REVIEWS}/{theirs['id']}", json={"staff_count": 1}).status_code == 404
    assert api.post(f"{REVIEWS}/{theirs['id']}/submit").status_code == 404
    assert api.get(f"{REVIEWS}?service_id={elm}").status_code == 404
    assert api.get(f"healthcheck/services/{elm}").status_code == 404
    mine = api.post(REVIEWS, json={"service_id": oak}).json
    assert api.get(f"healthcheck/compare?a={mine['id']}&b={theirs['id']}").status_code == 404


def test_missing_service_id_and_malformed_json(tenant, api_client):
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post(REVIEWS, json={"held_on": "2025-01-01"})
    assert response.status_code == 422
    assert "service_id" in response.json["error"]["fields"]
    response = api.post(REVIEWS, data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422)
    assert "error" in response.json
    assert event_count(tenant) == before


def test_archived_service_takes_no_new_review(tenant, api_client):
    willow = tenant.services["Willow Ward"]
    with tenant.context() as session:
        from core.models import Service

        commands.update_service(session.get(Service, willow), archived=True)
    response = api_client("staff").post(REVIEWS, json={"service_id": willow})
    assert response.status_code == 422
    assert "archived" in response.json["error"]["fields"]["service_id"][0]


def test_viewer_reads_but_cannot_write(tenant, api_client, oak):
    review = api_client("staff").post(REVIEWS, json={"service_id": oak, "submit": True, **complete()}).json
    viewer = api_client("viewer")
    before = event_count(tenant)
    assert viewer.get(f"{REVIEWS}/{review['id']}").status_code == 200
    assert viewer.get(f"healthcheck/compare?a={review['id']}&b={review['id']}").status_code == 200
    assert viewer.post(REVIEWS, json={"service_id": oak}).status_code == 403
    assert viewer.post(f"{REVIEWS}/{review['id']}/amendments", json={"changes": {"staff_count": 9}}).status_code == 403
    assert viewer.post(f"{REVIEWS}/{review['id']}/sharing", json={"shared_on": "2025-01-20"}).status_code == 403
    assert event_count(tenant) == before
    # service users take part: they may write
    assert api_client("service_user").post(REVIEWS, json={"service_id": oak}).status_code == 201


def test_compare_of_two_services_is_refused(tenant, api_client, oak):
    api = api_client("staff")
    willow = tenant.services["Willow Ward"]
    first = api.post(REVIEWS, json={"service_id": oak}).json
    second = api.post(REVIEWS, json={"service_id": willow}).json
    response = api.get(f"healthcheck/compare?a={first['id']}&b={second['id']}")
    assert response.status_code == 422
    assert "b" in response.json["error"]["fields"]


def test_switched_off_the_api_answers_404(tenant, api_client, oak):
    api = api_client("staff")
    review = api.post(REVIEWS, json={"service_id": oak}).json
    with tenant.context() as session:
        commands.disable_plugin(session.get(Tenant, tenant.id), "healthcheck")
    assert api.get(f"{REVIEWS}/{review['id']}").status_code == 404
    assert api.post(REVIEWS, json={"service_id": oak}).status_code == 404
    assert api.get("healthcheck/overview").status_code == 404


def test_openapi_documents_every_field(client):
    spec = client.get("/api/v1/openapi.json").json
    base = "/api/v1/t/{slug}/healthcheck"
    for path, methods in {
        "/reviews": {"get", "post"}, "/reviews/{review_id}": {"get", "patch"},
        "/reviews/{review_id}/submit": {"post"}, "/reviews/{review_id}/amendments": {"post"},
        "/reviews/{review_id}/sharing": {"post"}, "/compare": {"get"},
    }.items():
        assert methods <= set(spec["paths"][base + path]), path
    submit = spec["paths"][base + "/reviews/{review_id}/submit"]["post"]["responses"]
    assert {"200", "404", "409", "422"} <= set(submit)
    schemas = spec["components"]["schemas"]
    review = schemas["HealthCheckReview"]["properties"]
    assert {"id", "service_id", "status", "held_on", "staff_count", "service_user_count", "participant_roles",
            "has_user_group", "answers", "agreed_changes", "shared_on", "service_user_views",
            "submitted_at", "submitted_by", "amendments"} <= set(review)
    q2 = schemas["HealthCheckQuestion2Answers"]["properties"]
    assert [v for v in q2["frequency"]["enum"] if v is not None] == [
        "weekly", "fortnightly", "monthly", "less_often", "no_regular_meetings"]
    assert set(q2) == {"frequency", "time_set_by", "text", "evidence"}
    assert set(schemas["HealthCheckAnswers"]["properties"]) == {f"q{n}" for n in range(1, 15)}
    assert set(schemas["HealthCheckAmendment"]["properties"]) >= {"field", "from", "to", "at", "by", "reason"}
    assert "service_id" in schemas["HealthCheckReviewCreate"]["required"]


def test_the_overview_lists_each_service_with_its_last_review(tenant, api_client, oak):
    api = api_client("staff")
    review = api.post(REVIEWS, json={"service_id": oak, "submit": True, **complete()}).json
    response = api_client("viewer").get("healthcheck/overview")
    assert response.status_code == 200, response.json
    rows = {row["service_id"]: row for row in response.json["services"]}
    assert rows[oak]["last_review_id"] == review["id"]
    assert rows[oak]["last_held_on"] == "2025-01-15"
    assert rows[oak]["due"]["due"] is True  # more than six months ago
    assert response.json["overdue"] >= 1


def _follow_up_pair(api, oak):
    first = api.post("healthcheck/reviews", json={
        "service_id": oak, "submit": True,
        **complete("2025-01-15", agreed_changes=["Service users take turns to chair", "A tea break halfway"])})
    assert first.status_code == 201, first.json
    second = api.post("healthcheck/reviews", json={"service_id": oak, "submit": True, **complete("2025-07-15")})
    return first.json, second.json


def test_did_the_changes_agreed_last_time_happen_through_the_api(tenant, api_client, oak):
    api = api_client("staff")
    first, second = _follow_up_pair(api, oak)
    url = f"healthcheck/reviews/{second['id']}/follow-up"
    read = api.get(url)
    assert read.status_code == 200 and read.headers["ETag"] == f'"{second["version"]}"'
    assert read.json == {
        "review_id": second["id"], "version": second["version"], "earlier_id": first["id"],
        "earlier_held_on": "2025-01-15",
        "changes": [{"index": 0, "change": "Service users take turns to chair", "happened": None, "happened_words": None},
                    {"index": 1, "change": "A tea break halfway", "happened": None, "happened_words": None}]}
    saved = api.put(url, json={"changes": [{"index": 0, "happened": "partly"}, {"index": 1, "happened": "not_yet"}]},
                    headers={"If-Match": read.headers["ETag"]})
    assert saved.status_code == 200, saved.json
    assert [(c["happened"], c["happened_words"]) for c in saved.json["changes"]] == [("partly", "Partly"),
                                                                                     ("not_yet", "Not yet")]
    assert saved.json["version"] == second["version"] + 1
    assert api.get(url).json["changes"][0]["happened"] == "partly"
    # The earlier check has nothing before it to follow up: nothing listed, and a 409 to record.
    assert api.get(f"healthcheck/reviews/{first['id']}/follow-up").json["changes"] == []
    nothing = api.put(f"healthcheck/reviews/{first['id']}/follow-up", json={"changes": []})
    assert nothing.status_code == 409 and nothing.json["error"]["code"] == "conflict"


@pytest.mark.parametrize("body, status, where", [
    ({"changes": [{"index": 0, "happened": "maybe"}, {"index": 1, "happened": "no"}]}, 422, "changes"),
    ({"changes": [{"index": 0, "happened": "yes"}]}, 422, "changes"),  # every change needs an answer
    ({"changes": [{"index": 0, "happened": "yes"}, {"index": 1, "happened": "no"},
                  {"index": 7, "happened": "no"}]}, 422, "changes"),  # no such earlier change
    ({"changes": [{"index": 0, "happened": "yes"}, {"index": 0, "happened": "no"}]}, 422, "changes"),
    ({"changes": [{"index": "0", "happened": "yes"}]}, 422, "changes"),
    ({"changes": "yes"}, 422, "changes"),
    ({}, 422, "changes"),
    ({"changes": [{"index": 0, "happened": "yes"}, {"index": 1, "happened": "no"}], "version": 0}, 409, "version"),
])
def test_bad_follow_up_answers_store_nothing(tenant, api_client, oak, body, status, where):
    api = api_client("staff")
    _, second = _follow_up_pair(api, oak)
    before = event_count(tenant)
    response = api.put(f"healthcheck/reviews/{second['id']}/follow-up", json=body)
    assert response.status_code == status, response.json
    assert set(response.json["error"]) >= {"code", "message", "fields"}
    assert where in response.json["error"]["fields"]
    assert event_count(tenant) == before


def test_follow_up_roles_stale_copies_and_other_trusts(tenant, other_tenant, api_client, oak):
    api = api_client("staff")
    _, second = _follow_up_pair(api, oak)
    url = f"healthcheck/reviews/{second['id']}/follow-up"
    answers = {"changes": [{"index": 0, "happened": "yes"}, {"index": 1, "happened": "no"}]}
    assert api_client("viewer").get(url).status_code == 200
    assert api_client("viewer").put(url, json=answers).status_code == 403
    assert api_client("service_user").put(url, json=answers).status_code == 200
    stale = api.put(url, json=answers, headers={"If-Match": f'"{second["version"]}"'})
    assert stale.status_code == 412 and "version" in stale.json["error"]["fields"]
    assert api.put("healthcheck/reviews/999999/follow-up", json=answers).status_code == 404
    assert api_client("admin", target=other_tenant).get(url).status_code == 404
    bad_json = api.put(url, data="{not json", headers={"Content-Type": "application/json"})
    assert bad_json.status_code in (400, 422) and "error" in bad_json.json
