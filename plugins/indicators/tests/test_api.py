"""The indicators' JSON API: the four steps, per-field messages, permissions and isolation."""
from datetime import timedelta

import pytest

from core.reports import london_today

from .helpers import (another_api, answered_round, answers, event_count, future, last_event, shared_round,
                      start_round, switch, target)

pytest_plugins = ["core.testing"]

ROUNDS = "indicators/rounds"


def test_a_round_goes_through_the_four_steps(tenant, api_client, time_machine):
    oak = tenant.services["Oak Day Centre"]
    staff = api_client("staff")
    created = start_round(staff, oak, "Spring 2027")
    round_id = created["id"]
    assert created["title"] == "Spring 2027"
    assert created["service_id"] == oak
    assert [s["status"] for s in created["steps"]] == ["not_started", "cannot_start", "cannot_start",
                                                       "cannot_start"]

    # Step 1: each group evaluates.
    mine = api_client("service_user").post(f"{ROUNDS}/{round_id}/responses", json={"answers": {
        "valuing": {"individual": "met", "service": "partly_met", "how": "They ask what I think."},
        "involving": {"individual": "not_met", "barriers": "Nobody asked me.", "change": "Invite us."}}})
    assert mine.status_code == 201, mine.json
    assert mine.json["group"] == "service_users"
    assert mine.json["answers"]["valuing"] == {"individual": "met", "service": "partly_met",
                                               "how": "They ask what I think.", "barriers": "", "change": ""}
    ours = staff.post(f"{ROUNDS}/{round_id}/responses", json={"answers": answers(individual="partly_met")})
    assert ours.status_code == 201 and ours.json["group"] == "staff"

    read = staff.get(f"{ROUNDS}/{round_id}").json
    assert read["responses"] == {"service_users": 1, "staff": 1}
    assert read["steps"][0] == {"key": "evaluate", "title": "Step 1: Evaluate the service",
                                "status": "in_progress", "current": True}
    assert read["steps"][1]["status"] == "not_started"

    # Step 2: the groups share their views.
    shared = api_client("facilitator").post(f"{ROUNDS}/{round_id}/sharing", json={
        "shared_on": london_today().isoformat(), "setting": "user_meeting",
        "chaired_by": "external_user_facilitator", "chair_name": "Sam", "notes": "Ten ideas."})
    assert shared.status_code == 201, shared.json
    assert shared.json["sharing"] == {"shared_on": london_today().isoformat(), "setting": "user_meeting",
                                      "chaired_by": "external_user_facilitator", "chair_name": "Sam",
                                      "notes": "Ten ideas.", "ideas": []}
    assert [s["status"] for s in shared.json["steps"]][:3] == ["completed", "completed", "not_started"]

    # Step 3: one or two targets.
    agreed = staff.post(f"{ROUNDS}/{round_id}/targets", json=target(review_on=future(14)))
    assert agreed.status_code == 201, agreed.json
    assert agreed.json["indicator"] == "valuing"
    assert agreed.json["review_state"] == "not_due"
    assert agreed.json["review"] is None
    target_id = agreed.json["id"]

    # Step 4: review on the date set.
    time_machine.move_to(london_today() + timedelta(days=15), tick=False)
    due = staff.get(f"{ROUNDS}/{round_id}").json
    assert due["targets"][0]["review_state"] == "overdue"
    assert due["steps"][3]["status"] == "review_due"
    reviewed = staff.post(f"{ROUNDS}/{round_id}/targets/{target_id}/review", json={
        "happened": "yes", "outcomes": "New people feel welcome.", "working_together": "We learnt a lot.",
        "build_on": "Buddies on the ward too."})
    assert reviewed.status_code == 201, reviewed.json
    assert reviewed.json["review_state"] == "reviewed"
    assert reviewed.json["review"]["happened"] == "yes"
    assert reviewed.json["review"]["outcomes"] == "New people feel welcome."
    final = staff.get(f"{ROUNDS}/{round_id}").json
    assert all(step["status"] == "completed" for step in final["steps"])

    listed = staff.get(f"{ROUNDS}?service_id={oak}").json["rounds"]
    assert [r["id"] for r in listed] == [round_id]
    other_service = tenant.services["Willow Ward"]
    assert staff.get(f"{ROUNDS}?service_id={other_service}").json["rounds"] == []


def test_the_comparison_counts_each_group_and_keeps_quotes(tenant, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    people = (api_client("service_user"), another_api(tenant, "service_user"), another_api(tenant, "service_user"),
              api_client("staff"))
    for person, (role, individual) in zip(people, (("service_user", "not_met"), ("service_user", "met"),
                                                   ("service_user", "met"), ("staff", "met"))):
        person.post(f"{ROUNDS}/{round_id}/responses", json={"answers": {
            "listening": {"individual": individual, "service": "dont_know", "barriers": f"{role} {individual}"}}})
    comparison = api_client("facilitator").get(f"{ROUNDS}/{round_id}/comparison").json
    assert comparison["groups_shown"] == ["service_users", "staff"]
    listening = next(i for i in comparison["indicators"] if i["key"] == "listening")
    assert listening["wording"].startswith("Listening to what service users say")
    users = listening["groups"]["service_users"]
    assert users["responses"] == 3 and users["withheld"] is False
    assert users["individual"] == {"met": 2, "partly_met": 0, "not_met": 1, "dont_know": 0}
    assert users["service"] == {"met": 0, "partly_met": 0, "not_met": 0, "dont_know": 3}
    assert sorted(q["barriers"] for q in users["quotes"]) == [
        "service_user met", "service_user met", "service_user not_met"]
    assert listening["groups"]["staff"]["individual"]["met"] == 1
    valuing = next(i for i in comparison["indicators"] if i["key"] == "valuing")
    assert valuing["groups"]["service_users"]["individual"] == dict.fromkeys(
        ("met", "partly_met", "not_met", "dont_know"), 0)


@pytest.mark.parametrize("service_users", [1, 2])
def test_fewer_than_3_service_users_carry_no_words_or_breakdown(tenant, api_client, service_users):
    round_id = shared_round(tenant, api_client, service_users=service_users)
    for role in ("facilitator", "staff", "service_user", "admin", "viewer"):
        comparison = api_client(role).get(f"{ROUNDS}/{round_id}/comparison")
        assert comparison.status_code == 200
        assert "Staff ask me" in str(comparison.json)  # the staff member's words are there
        for item in comparison.json["indicators"]:
            users = item["groups"]["service_users"]
            assert users["withheld"] is True and users["message"] == "fewer than 3 answers"
            assert users["responses"] == service_users and users["quotes"] == []
            assert not any(users["individual"].values()) and not any(users["service"].values())
    oak = tenant.services["Oak Day Centre"]
    report = api_client("viewer").get(f"services/{oak}/report").json
    fragment = next(f for f in report["fragments"] if f["plugin"] == "indicators")
    assert "Staff ask me" not in str(fragment) and "More time to talk" not in str(fragment)
    assert fragment["data"]["indicators"][0]["groups"]["service_users"] == {
        "responses": service_users, "withheld": True, "message": "fewer than 3 answers"}


def test_a_trust_may_raise_the_threshold_but_not_lower_it(tenant, api_client):
    from .. import commands

    round_id = shared_round(tenant, api_client, service_users=3)
    facilitator = api_client("facilitator")
    assert facilitator.get(f"{ROUNDS}/{round_id}/comparison").json["indicators"][0]["groups"][
        "service_users"]["withheld"] is False
    with tenant.context() as session:
        with pytest.raises(commands.CommandError) as refused:
            commands.change_settings("Call us", 2)
        assert "3 or more" in refused.value.fields["min_answers"][0]
        session.rollback()
        commands.change_settings("Call the Oak team on 0161 496 0000", 4)
        session.commit()
    users = facilitator.get(f"{ROUNDS}/{round_id}/comparison").json["indicators"][0]["groups"]["service_users"]
    assert users["withheld"] is True and users["message"] == "fewer than 4 answers"


def test_before_the_exchange_neither_group_sees_the_other(tenant, api_client):
    round_id = answered_round(tenant, api_client)
    for role, shown in (("service_user", ["service_users"]), ("staff", ["staff"]), ("admin", ["staff"]),
                        ("viewer", ["staff"]), ("facilitator", ["service_users", "staff"])):
        before = api_client(role).get(f"{ROUNDS}/{round_id}/comparison").json
        assert before["groups_shown"] == shown, role
        assert all(list(i["groups"]) == shown for i in before["indicators"])
    oak = tenant.services["Oak Day Centre"]
    for role, hidden in (("service_user", "staff"), ("staff", "service_users")):
        report = api_client(role).get(f"services/{oak}/report").json
        fragment = next(f for f in report["fragments"] if f["plugin"] == "indicators")
        assert all(hidden not in i["groups"] for i in fragment["data"]["indicators"])
    shared = api_client("service_user").post(f"{ROUNDS}/{round_id}/sharing", json={
        "shared_on": london_today().isoformat(), "setting": "user_meeting", "chaired_by": "service_user",
        "ideas": ["A welcome pack", "Evening sessions"]})
    assert shared.status_code == 201, shared.json
    assert shared.json["sharing"]["ideas"] == ["A welcome pack", "Evening sessions"]
    for role in ("service_user", "staff"):
        after = api_client(role).get(f"{ROUNDS}/{round_id}/comparison").json
        assert after["groups_shown"] == ["service_users", "staff"]
    assert after["indicators"][0]["groups"]["staff"]["responses"] == 1


def test_groups_follow_roles(tenant, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    url = f"{ROUNDS}/{round_id}/responses"
    service_user, facilitator = api_client("service_user"), api_client("facilitator")
    before = event_count(tenant)
    wrong = service_user.post(url, json={"group": "staff", "answers": answers()})
    assert wrong.status_code == 422
    assert wrong.json["error"]["fields"] == {"group": ["You answer with the service users group."]}
    missing = facilitator.post(url, json={"answers": answers()})
    assert missing.status_code == 422
    assert "group" in missing.json["error"]["fields"]
    assert event_count(tenant) == before
    chosen = facilitator.post(url, json={"group": "staff", "answers": answers()})
    assert chosen.status_code == 201 and chosen.json["group"] == "staff"


def test_the_audit_names_who_answered(tenant, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    api_client("staff").post(f"{ROUNDS}/{round_id}/responses", json={"answers": answers()})
    ev = last_event(tenant)
    assert ev.type == "indicators.response_sent"
    assert ev.service_id == tenant.services["Oak Day Centre"]
    # choices are hashed; the words are kept apart, erasable
    assert ev.payload["answers"]["valuing"] == {"individual": "met", "service": "partly_met"}
    assert "Staff ask me" not in str(ev.payload)
    assert ev.personal_digest is not None


# --- bad input: plain per-field messages, nothing stored ----------------------------------------

@pytest.mark.parametrize("body, field", [
    ({"answers": {"kindness": {"individual": "met"}}}, "answers"),
    ({"answers": {"valuing": {"individual": "always"}}}, "answers"),
    ({"answers": {"valuing": {"service": 3}}}, "answers"),
    ({"answers": {"valuing": {"how": "x" * 2001}}}, "answers"),
    ({"answers": {"valuing": {"feelings": "fine"}}}, "answers"),
    ({"answers": "met"}, "answers"),
    ({}, "answers"),
    ({"answers": {}}, "answers"),
    ({"answers": {"valuing": {}}}, "answers"),
])
def test_bad_answers_are_refused(tenant, api_client, body, field):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    service_user = api_client("service_user")
    before = event_count(tenant)
    response = service_user.post(f"{ROUNDS}/{round_id}/responses", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert response.json["error"]["message"]
    assert event_count(tenant) == before


def test_unknown_indicator_message_is_plain(tenant, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    response = api_client("service_user").post(f"{ROUNDS}/{round_id}/responses",
                                               json={"answers": {"kindness": {"individual": "met"}}})
    assert "Choose an indicator" in str(response.json["error"]["fields"])
    bad_value = api_client("service_user").post(f"{ROUNDS}/{round_id}/responses",
                                                json={"answers": {"valuing": {"individual": "always"}}})
    assert "Choose an answer: met, partly_met, not_met, dont_know." in str(bad_value.json["error"]["fields"])


def test_malformed_json_is_refused(tenant, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    staff = api_client("staff")
    before = event_count(tenant)
    response = staff.post(f"{ROUNDS}/{round_id}/responses", data="{not json",
                                        headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422)
    assert "error" in response.json
    assert event_count(tenant) == before


@pytest.mark.parametrize("body, field", [
    ({"service_id": 999999}, "service_id"),
    ({"service_id": "oak"}, "service_id"),
    ({}, "service_id"),
    ({"service_id": None}, "service_id"),
    ({"service_id": 1, "title": "x" * 201}, "title"),
])
def test_bad_rounds_are_refused(tenant, api_client, body, field):
    staff = api_client("staff")
    before = event_count(tenant)
    response = staff.post(ROUNDS, json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert event_count(tenant) == before


def test_an_archived_service_cannot_start_a_round(tenant, api_client):
    oak = tenant.services["Oak Day Centre"]
    assert api_client("admin").patch(f"services/{oak}", json={"archived": True}).status_code == 200
    staff = api_client("staff")
    before = event_count(tenant)
    response = staff.post(ROUNDS, json={"service_id": oak})
    assert response.status_code == 422
    assert "archived" in response.json["error"]["fields"]["service_id"][0]
    assert event_count(tenant) == before


@pytest.mark.parametrize("body, field", [
    ({"setting": "user_meeting", "chaired_by": "staff"}, "shared_on"),
    ({"shared_on": "31/02/2027", "setting": "user_meeting", "chaired_by": "staff"}, "shared_on"),
    ({"shared_on": "TODAY", "setting": "pub", "chaired_by": "staff"}, "setting"),
    ({"shared_on": "TODAY", "setting": "user_meeting", "chaired_by": "the king"}, "chaired_by"),
    ({"shared_on": "TOMORROW", "setting": "user_meeting", "chaired_by": "staff"}, "shared_on"),
    ({"shared_on": "TODAY", "setting": "user_meeting", "chaired_by": "staff", "notes": "x" * 2001}, "notes"),
])
def test_bad_sharing_is_refused(tenant, api_client, body, field):
    round_id = answered_round(tenant, api_client)
    days = {"TODAY": london_today().isoformat(), "TOMORROW": future(1).isoformat()}
    body = {k: days.get(v, v) for k, v in body.items()}
    facilitator = api_client("facilitator")
    before = event_count(tenant)
    response = facilitator.post(f"{ROUNDS}/{round_id}/sharing", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert event_count(tenant) == before


def test_sharing_waits_for_both_groups_and_happens_once(tenant, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    api_client("service_user").post(f"{ROUNDS}/{round_id}/responses", json={"answers": answers()})
    body = {"shared_on": london_today().isoformat(), "setting": "user_meeting", "chaired_by": "staff"}
    facilitator = api_client("facilitator")
    before = event_count(tenant)
    early = facilitator.post(f"{ROUNDS}/{round_id}/sharing", json=body)
    assert early.status_code == 409
    assert "no answers from staff" in early.json["error"]["message"]
    assert event_count(tenant) == before
    api_client("staff").post(f"{ROUNDS}/{round_id}/responses", json={"answers": answers()})
    assert facilitator.post(f"{ROUNDS}/{round_id}/sharing", json=body).status_code == 201
    before = event_count(tenant)
    again = facilitator.post(f"{ROUNDS}/{round_id}/sharing", json=body)
    assert again.status_code == 409
    assert again.json["error"]["message"] == "The sharing of views has already been recorded for this round."
    assert event_count(tenant) == before


def test_targets_wait_for_sharing(tenant, api_client):
    round_id = answered_round(tenant, api_client)
    staff = api_client("staff")
    before = event_count(tenant)
    response = staff.post(f"{ROUNDS}/{round_id}/targets", json=target())
    assert response.status_code == 409
    assert "shared their views" in response.json["error"]["message"]
    assert event_count(tenant) == before


def test_a_third_target_is_refused_in_plain_words(tenant, api_client):
    round_id = shared_round(tenant, api_client)
    api = api_client("facilitator")
    assert api.post(f"{ROUNDS}/{round_id}/targets", json=target("valuing")).status_code == 201
    assert api.post(f"{ROUNDS}/{round_id}/targets", json=target("involving")).status_code == 201
    before = event_count(tenant)
    third = api.post(f"{ROUNDS}/{round_id}/targets", json=target("listening"))
    assert third.status_code == 409
    assert third.json["error"]["message"].startswith("This round already has 2 targets for change.")
    assert third.json["error"]["fields"] == {"targets": ["A round has at most 2 targets for change."]}
    assert event_count(tenant) == before
    assert len(api.get(f"{ROUNDS}/{round_id}").json["targets"]) == 2


@pytest.mark.parametrize("overrides, field", [
    ({"indicator": "kindness"}, "indicator"),
    ({"change": ""}, "change"),
    ({"service_users_do": ""}, "service_users_do"),
    ({"staff_do": "x" * 2001}, "staff_do"),
    ({"review_on": "next week"}, "review_on"),
    ({"review_on": "PAST"}, "review_on"),
    ({"review_on": "TODAY"}, "review_on"),
])
def test_bad_targets_are_refused(tenant, api_client, overrides, field):
    round_id = shared_round(tenant, api_client)
    days = {"PAST": (london_today() - timedelta(days=1)).isoformat(), "TODAY": london_today().isoformat()}
    body = {**target(), **{k: days.get(v, v) for k, v in overrides.items()}}
    facilitator = api_client("facilitator")
    before = event_count(tenant)
    response = facilitator.post(f"{ROUNDS}/{round_id}/targets", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert event_count(tenant) == before


def test_the_review_date_must_be_in_the_future_in_plain_words(tenant, api_client):
    round_id = shared_round(tenant, api_client)
    body = target(review_on=london_today() - timedelta(days=3))
    response = api_client("facilitator").post(f"{ROUNDS}/{round_id}/targets", json=body)
    assert response.json["error"]["fields"] == {"review_on": ["The review date must be in the future."]}


def test_a_review_waits_for_its_date_and_happens_once(tenant, api_client, time_machine):
    round_id = shared_round(tenant, api_client)
    api = api_client("facilitator")
    target_id = api.post(f"{ROUNDS}/{round_id}/targets", json=target(review_on=future(10))).json["id"]
    review = {"happened": "partly", "outcomes": "Half the packs are made."}
    url = f"{ROUNDS}/{round_id}/targets/{target_id}/review"
    before = event_count(tenant)
    early = api.post(url, json=review)
    assert early.status_code == 409
    assert early.json["error"]["message"].startswith("This target can be reviewed from")
    assert "review_on" in early.json["error"]["fields"]
    assert event_count(tenant) == before

    time_machine.move_to(future(10), tick=False)
    assert api.get(f"{ROUNDS}/{round_id}").json["targets"][0]["review_state"] == "due"
    for bad, field in (({"happened": "maybe", "outcomes": "x"}, "happened"),
                       ({"happened": "yes", "outcomes": ""}, "outcomes"),
                       ({"happened": "yes"}, "outcomes")):
        response = api.post(url, json=bad)
        assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert event_count(tenant) == before
    assert api.post(url, json=review).status_code == 201
    before = event_count(tenant)
    again = api.post(url, json=review)
    assert again.status_code == 409
    assert again.json["error"]["message"] == "This target has already been reviewed."
    assert event_count(tenant) == before


# --- permissions, isolation, switching off ------------------------------------------------------

def test_viewers_read_but_cannot_write(tenant, api_client):
    round_id = shared_round(tenant, api_client)
    viewer = api_client("viewer")
    assert viewer.get(f"{ROUNDS}/{round_id}").status_code == 200
    assert viewer.get(f"{ROUNDS}/{round_id}/comparison").status_code == 200
    before = event_count(tenant)
    assert viewer.post(ROUNDS, json={"service_id": tenant.services["Oak Day Centre"]}).status_code == 403
    assert viewer.post(f"{ROUNDS}/{round_id}/responses", json={"answers": answers()}).status_code == 403
    assert viewer.post(f"{ROUNDS}/{round_id}/targets", json=target()).status_code == 403
    assert event_count(tenant) == before


def test_service_users_take_the_joint_steps(tenant, api_client, time_machine):
    round_id = answered_round(tenant, api_client)
    service_user = api_client("service_user")
    assert service_user.post(ROUNDS, json={"service_id": tenant.services["Oak Day Centre"]}).status_code == 403
    shared = service_user.post(f"{ROUNDS}/{round_id}/sharing", json={
        "shared_on": london_today().isoformat(), "setting": "user_meeting", "chaired_by": "service_user"})
    assert shared.status_code == 201, shared.json
    agreed = service_user.post(f"{ROUNDS}/{round_id}/targets", json=target(review_on=future(7)))
    assert agreed.status_code == 201, agreed.json
    assert agreed.json["agreed_for_service_users"] == "Sam for the user group"
    assert agreed.json["agreed_for_staff"] == "Priya, team manager"
    too_long = service_user.post(f"{ROUNDS}/{round_id}/targets", json=target(agreed_for_staff="x" * 201))
    assert too_long.status_code == 422 and "agreed_for_staff" in too_long.json["error"]["fields"]
    time_machine.move_to(future(8), tick=False)
    reviewed = service_user.post(f"{ROUNDS}/{round_id}/targets/{agreed.json['id']}/review", json={
        "happened": "partly", "outcomes": "Half the packs went out.", "reviewed_for_service_users": "Sam",
        "reviewed_for_staff": "Priya"})
    assert reviewed.status_code == 201, reviewed.json
    assert reviewed.json["review"]["reviewed_for_service_users"] == "Sam"


def test_another_trusts_round_and_service_are_not_found(tenant, other_tenant, api_client):
    round_id = shared_round(tenant, api_client)
    outsider = api_client("admin", target=other_tenant)
    stranger = api_client("admin", target=other_tenant)
    before = event_count(tenant)
    assert outsider.get(f"{ROUNDS}/{round_id}").status_code == 404
    assert outsider.get(f"{ROUNDS}/{round_id}/comparison").status_code == 404
    assert outsider.post(f"{ROUNDS}/{round_id}/responses", json={"group": "staff",
                                                                 "answers": answers()}).status_code == 404
    assert outsider.post(f"{ROUNDS}/{round_id}/targets", json=target()).status_code == 404
    assert outsider.get(ROUNDS).json["rounds"] == []
    theirs = outsider.post(ROUNDS, json={"service_id": tenant.services["Oak Day Centre"]})
    assert theirs.status_code == 422
    assert theirs.json["error"]["fields"] == {"service_id": ["Choose a service from the list."]}
    assert event_count(tenant) == before
    # another tenant's token does not open this tenant's API at all
    assert stranger.client.get(f"/api/v1/t/{tenant.slug}/{ROUNDS}", headers=outsider.headers).status_code == 401


def test_an_unknown_target_is_not_found(tenant, api_client):
    round_id = shared_round(tenant, api_client)
    other_round = shared_round(tenant, api_client, "Willow Ward")
    target_id = api_client("staff").post(f"{ROUNDS}/{other_round}/targets", json=target()).json["id"]
    response = api_client("staff").post(f"{ROUNDS}/{round_id}/targets/{target_id}/review",
                                        json={"happened": "yes", "outcomes": "x"})
    assert response.status_code == 404


def test_switched_off_the_api_is_not_found(tenant, api_client):
    round_id = answered_round(tenant, api_client)
    switch(tenant, "indicators", False)
    api = api_client("admin")
    assert api.get(ROUNDS).status_code == 404
    assert api.get(f"{ROUNDS}/{round_id}").status_code == 404
    assert api.post(ROUNDS, json={"service_id": tenant.services["Oak Day Centre"]}).status_code == 404
    switch(tenant, "indicators", True)
    assert api.get(f"{ROUNDS}/{round_id}").status_code == 200


def test_the_openapi_document_describes_the_endpoints(app, client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    base = "/api/v1/t/{slug}/indicators/rounds"
    for path in (base, base + "/{round_id}", base + "/{round_id}/responses", base + "/{round_id}/sharing",
                 base + "/{round_id}/targets", base + "/{round_id}/targets/{target_id}/review",
                 base + "/{round_id}/comparison"):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    answer = schemas["AnswerIn"]["properties"]
    assert set(answer) == {"individual", "service", "how", "barriers", "change"}
    assert "dont_know" in answer["individual"]["description"]


def test_the_exports_say_fewer_than_3_answers_and_carry_no_words(tenant, api_client, signed_in):
    """The report's PDF, zip of CSV files and JSON are made from the same fragment data."""
    import csv
    import io
    import zipfile

    from pypdf import PdfReader

    shared_round(tenant, api_client, service_users=2)
    oak = tenant.services["Oak Day Centre"]
    client = signed_in("facilitator")
    url = f"/t/{tenant.slug}/services/{oak}/report"
    as_json = client.get(f"{url}.json")
    assert as_json.status_code == 200
    assert "fewer than 3 answers" in as_json.get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(client.get(f"{url}.zip").data)) as archive:
        csv_text = " ".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    assert "fewer than 3 answers" in csv_text
    pdf = client.get(f"{url}.pdf")
    assert pdf.status_code == 200
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "fewer than 3 answers" in " ".join(pdf_text.split())
    for text in (as_json.get_data(as_text=True), csv_text, pdf_text):
        assert "Staff ask me" not in text and "More time to talk" not in text
    list(csv.reader(io.StringIO(csv_text)))  # well-formed


def test_a_review_carries_its_evidence(tenant, api_client, signed_in, time_machine):
    round_id = shared_round(tenant, api_client)
    api = api_client("facilitator")
    target_id = api.post(f"{ROUNDS}/{round_id}/targets", json=target(review_on=future(10))).json["id"]
    time_machine.move_to(future(10), tick=False)
    url = f"{ROUNDS}/{round_id}/targets/{target_id}/review"
    before = event_count(tenant)
    for bad in ([{"url": "javascript:alert(1)"}], [{"url": "", "note": ""}], [{"url": "https://x.example", "size": 3}],
                "a link", [{"note": "n"}] * 11):
        refused = api.post(url, json={"happened": "yes", "outcomes": "Done.", "evidence": bad})
        assert refused.status_code == 422 and "evidence" in refused.json["error"]["fields"], (bad, refused.json)
    assert event_count(tenant) == before

    evidence = [{"url": "https://intranet.example.nhs.uk/minutes/may", "note": "Minutes of the May meeting"},
                {"note": "Eight packs handed out"}]
    made = api.post(url, json={"happened": "yes", "outcomes": "Done.", "evidence": evidence})
    assert made.status_code == 201, made.json
    assert made.json["review"]["evidence"] == [{**evidence[0]}, {"url": None, "note": "Eight packs handed out"}]
    page = signed_in("staff").get(f"/t/{tenant.slug}/indicators/rounds/{round_id}/targets/{target_id}/review")
    html = page.get_data(as_text=True)
    assert 'href="https://intranet.example.nhs.uk/minutes/may"' in html and "Eight packs handed out" in html


def test_the_review_page_takes_evidence_and_names_a_bad_link(tenant, api_client, signed_in, time_machine):
    round_id = shared_round(tenant, api_client)
    target_id = api_client("facilitator").post(f"{ROUNDS}/{round_id}/targets",
                                               json=target(review_on=future(10))).json["id"]
    time_machine.move_to(future(10), tick=False)
    client = signed_in("service_user")
    url = f"/t/{tenant.slug}/indicators/rounds/{round_id}/targets/{target_id}/review"
    form = {"happened": "partly", "outcomes": "Some packs.", "evidence_url_0": "javascript:alert(1)",
            "evidence_note_0": "The minutes"}
    before = event_count(tenant)
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert "starts with http:// or https://" in refused.get_data(as_text=True)
    assert 'value="The minutes"' in refused.get_data(as_text=True)  # what was typed is kept
    assert event_count(tenant) == before
    form["evidence_url_0"] = "https://intranet.example.nhs.uk/minutes/june"
    assert client.post(url, data=form).status_code == 302
    assert "https://intranet.example.nhs.uk/minutes/june" in client.get(url).get_data(as_text=True)
