"""The indicators' pages for signed-in members: the four steps, forms, drafts and permissions."""
import re
from datetime import timedelta

import pytest

from core.reports import london_today

from .helpers import (another_signed_in, answered_round, event_count, future, page, shared_round, start_round, switch,
                      target)

pytest_plugins = ["core.testing"]


def base(tenant) -> str:
    return f"/t/{tenant.slug}/indicators"


def test_the_index_lists_rounds_per_service(tenant, signed_in, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"], "Spring 2027")["id"]
    text = page(signed_in("viewer").get(base(tenant) + "/"))
    assert "<h1>Getting there: the service user indicators</h1>" in text
    assert "Oak Day Centre" in text and "Willow Ward" in text
    assert f'href="{base(tenant)}/rounds/{round_id}"' in text
    assert "Spring 2027" in text
    assert "Step 1: Evaluate the service (not started)" in text
    assert "Start a new round" not in text  # viewers cannot
    assert "Start a new round" in page(signed_in("staff").get(base(tenant) + "/"))


def test_the_navigation_and_service_page_link_here(tenant, signed_in):
    text = page(signed_in("service_user").get(f"/t/{tenant.slug}/"))
    assert f'href="{base(tenant)}/"' in text
    oak = tenant.services["Oak Day Centre"]
    service_page = page(signed_in("staff").get(f"/t/{tenant.slug}/services/{oak}"))
    assert f"{base(tenant)}/?service_id={oak}" in service_page


def test_start_a_round_from_the_form(tenant, signed_in):
    client = signed_in("facilitator")
    oak = tenant.services["Oak Day Centre"]
    form = page(client.get(base(tenant) + f"/rounds/new?service_id={oak}"))
    assert "<h1>Start a new round</h1>" in form
    assert f'<option value="{oak}" selected' in form
    response = client.post(base(tenant) + "/rounds/new", data={"service_id": str(oak), "title": "Autumn"})
    assert response.status_code == 302
    round_page = page(client.get(response.location))
    assert "<h1>Autumn</h1>" in round_page
    assert "The round has started" in round_page
    assert "This round is at Step 1 – Evaluate the service." in round_page


@pytest.mark.parametrize("data, message", [
    ({"service_id": ""}, "Choose a service from the list."),
    ({"service_id": "999999"}, "Choose a service from the list."),
    ({"service_id": "-1"}, "Choose a service from the list."),
    ({"service_id": "OAK", "title": "x" * 201}, "A name for the round must be 200 characters or fewer."),
])
def test_bad_round_forms_show_messages_and_store_nothing(tenant, signed_in, data, message):
    client = signed_in("staff")
    data = {k: str(tenant.services["Oak Day Centre"]) if v == "OAK" else v for k, v in data.items()}
    before = event_count(tenant)
    response = client.post(base(tenant) + "/rounds/new", data=data)
    assert response.status_code == 422
    text = page(response)
    assert "There is a problem" in text
    assert message in text
    assert "<title>Error: " in text
    assert event_count(tenant) == before


def test_the_round_page_shows_the_four_steps(tenant, signed_in, api_client):
    round_id = answered_round(tenant, api_client)
    text = page(signed_in("staff").get(f"{base(tenant)}/rounds/{round_id}"))
    assert text.count("<h1>") == 1
    assert "nhsuk-task-list" in text
    for title in ("Step 1: Evaluate the service", "Step 2: Share your views", "Step 3: Agree targets for change",
                  "Step 4: Review progress"):
        assert title in text
    assert "Answers so far: 1 from service users, 1 from staff." in text
    assert "This round is at Step 1 – Evaluate the service." in text
    assert "Cannot start yet" in text
    assert "make an invitation link" in text


def test_a_member_answers_for_their_own_group(tenant, signed_in, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    client = signed_in("service_user")
    url = f"{base(tenant)}/rounds/{round_id}/evaluate"
    form = page(client.get(url))
    assert "<h1>Your views on the indicators</h1>" in form
    assert "Is this happening for you?" in form
    assert "Valuing users as people and experts in their own lives" in form
    assert 'name="group"' not in form
    assert "Save and come back later" in form and "Send my answers" in form
    response = client.post(url, data={"valuing_individual": "met", "valuing_how": "They listen.",
                                      "involving_service": "not_met", "action": "send"})
    assert response.status_code == 302
    comparison = page(client.get(f"{base(tenant)}/rounds/{round_id}/comparison"))
    # One service user so far: what they said is not shown, to anyone, until 3 have answered.
    assert "They listen." not in comparison
    assert "Not shown: fewer than 3 answers from service users so far." in comparison
    assert "Each group sees the other group&#39;s views once the two groups have shared them" in comparison
    for _ in range(2):
        other = another_signed_in(tenant, "service_user")
        assert other.post(url, data={"valuing_individual": "partly_met", "action": "send"}).status_code == 302
    assert "They listen." in page(client.get(f"{base(tenant)}/rounds/{round_id}/comparison"))
    assert "They listen." in page(signed_in("facilitator").get(f"{base(tenant)}/rounds/{round_id}/groups/service_users"))


def test_staff_are_asked_in_their_own_words(tenant, signed_in, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    text = page(signed_in("staff").get(f"{base(tenant)}/rounds/{round_id}/evaluate"))
    assert "Is this happening for the individual people you work with?" in text
    assert "staff</strong> group" in text


def test_save_and_come_back_later_keeps_a_members_answers(tenant, signed_in, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    client = signed_in("staff")
    url = f"{base(tenant)}/rounds/{round_id}/evaluate"
    saved = client.post(url, data={"valuing_individual": "partly_met", "valuing_barriers": "Too little time",
                                   "action": "save"})
    assert saved.status_code == 302
    round_page = page(client.get(saved.location))
    assert "Your answers are saved." in round_page
    assert "You have saved answers for this round." in round_page
    again = page(client.get(url))
    assert 'value="partly_met" checked' in again
    assert "Too little time" in again
    assert "We have put back the answers you saved on" in again
    # saving again updates the same draft; sending closes it
    client.post(url, data={"valuing_individual": "met", "valuing_barriers": "Too little time", "action": "save"})
    assert 'value="met" checked' in page(client.get(url))
    sent = client.post(url, data={"valuing_individual": "met", "action": "send"})
    assert sent.status_code == 302
    assert "You have saved answers" not in page(client.get(sent.location))
    assert 'checked' not in page(client.get(url))
    api = api_client("staff")
    assert api.get(f"indicators/rounds/{round_id}").json["responses"] == {"service_users": 0, "staff": 1}


def test_facilitators_choose_a_group(tenant, signed_in, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    client = signed_in("facilitator")
    url = f"{base(tenant)}/rounds/{round_id}/evaluate"
    assert "Which group are you answering with?" in page(client.get(url))
    before = event_count(tenant)
    missing = client.post(url, data={"valuing_individual": "met", "action": "send"})
    assert missing.status_code == 422
    assert "Choose service users or staff." in page(missing)
    assert event_count(tenant) == before
    assert client.post(url, data={"group": "service_users", "valuing_individual": "met",
                                  "action": "send"}).status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"valuing_individual": "always"}, "Choose met, partly met, not met or don&#39;t know."),
    ({"listening_how": "x" * 2001}, "Use 2000 characters or fewer."),
    ({}, "Answer at least one question before you send your answers."),
])
def test_bad_answers_show_messages_keep_the_words_and_store_nothing(tenant, signed_in, api_client, data, message):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    client = signed_in("service_user")
    before = event_count(tenant)
    response = client.post(f"{base(tenant)}/rounds/{round_id}/evaluate",
                           data={**data, "engaging_change": "Keep these words", "action": "send"}
                           if data else {"action": "send"})
    assert response.status_code == 422
    text = page(response)
    assert "There is a problem" in text
    assert message in text
    if data:
        assert "Keep these words" in text
    assert event_count(tenant) == before


def test_sharing_then_targets_then_review(tenant, signed_in, api_client, time_machine):
    round_id = answered_round(tenant, api_client)
    client = signed_in("facilitator")
    sharing = page(client.get(f"{base(tenant)}/rounds/{round_id}/sharing"))
    assert "<h1>Step 2: Share your views</h1>" in sharing
    assert "external user facilitator" in sharing
    shared = client.post(f"{base(tenant)}/rounds/{round_id}/sharing", data={
        # the three boxes, as a browser sends them
        "shared_on-day": str(london_today().day), "shared_on-month": str(london_today().month),
        "shared_on-year": str(london_today().year), "setting": "special_event",
        "chaired_by": "external_user_facilitator", "chair_name": "Alex", "notes": "Ten ideas"})
    assert shared.status_code == 302
    comparison = page(client.get(shared.location))
    assert "Both groups&#39; views, side by side" in comparison
    assert "Service users (1 answered)" in comparison and "Staff (1 answered)" in comparison
    recorded = page(client.get(f"{base(tenant)}/rounds/{round_id}/sharing"))
    assert "The groups shared their views" in recorded and "Alex" in recorded

    targets_url = f"{base(tenant)}/rounds/{round_id}/targets"
    review_on = future(7)
    unnamed = client.post(targets_url, data={
        "indicator": "valuing", "change": "A welcome pack", "service_users_do": "Write it",
        "staff_do": "Print it", "review_on": review_on.isoformat()})
    assert unnamed.status_code == 422
    assert "Enter who agreed for service users." in page(unnamed) and "Enter who agreed for staff." in page(unnamed)
    agreed = client.post(targets_url, data={
        "indicator": "valuing", "change": "A welcome pack", "service_users_do": "Write it",
        "staff_do": "Print it", "review_on": review_on.isoformat(), "agreed_for_service_users": "Sam",
        "agreed_for_staff": "Priya"})
    assert agreed.status_code == 302
    targets = page(client.get(targets_url))
    assert "A welcome pack" in targets and "Agree a second target" in targets
    assert "You can record the review from" in targets

    target_id = api_client("staff").get(f"indicators/rounds/{round_id}").json["targets"][0]["id"]
    review_url = f"{base(tenant)}/rounds/{round_id}/targets/{target_id}/review"
    assert "You can record the review from" in page(client.get(review_url))
    before = event_count(tenant)
    early = client.post(review_url, data={"happened": "yes", "outcomes": "Done"})
    assert early.status_code == 409
    assert "This target can be reviewed from" in page(early)
    assert event_count(tenant) == before

    time_machine.move_to(review_on + timedelta(days=2), tick=False)
    index = page(client.get(base(tenant) + "/"))
    assert "Reviews due" in index and "Review due since" in index
    round_page = page(client.get(f"{base(tenant)}/rounds/{round_id}"))
    assert "A review is due" in round_page
    reviewed = client.post(review_url, data={"happened": "partly", "outcomes": "Half done",
                                             "working_together": "Good", "build_on": "Buddies"})
    assert reviewed.status_code == 302
    text = page(client.get(targets_url))
    assert "Half done" in text and "Buddies" in text
    assert "Reviews due" not in page(client.get(base(tenant) + "/"))


@pytest.mark.parametrize("data, message", [
    ({"shared_on": ""}, "Enter the date the groups shared their views."),
    ({"shared_on-day": "31", "shared_on-month": "2", "shared_on-year": "2026"}, "31 February 2026 is not a real date"),
    ({"shared_on-day": "1", "shared_on-month": "2", "shared_on-year": "20026"}, "Year must be 4 numbers"),
    ({"shared_on": "TOMORROW"}, "must be today or in the past"),
    ({"setting": "pub"}, "Choose a regular user meeting or a special event."),
    ({"chaired_by": ""}, "Choose who chaired the meeting."),
])
def test_bad_sharing_forms(tenant, signed_in, api_client, data, message):
    round_id = answered_round(tenant, api_client)
    client = signed_in("staff")
    form = {"shared_on": london_today().isoformat(), "setting": "user_meeting", "chaired_by": "staff", **data}
    if form["shared_on"] == "TOMORROW":
        form["shared_on"] = future(1).isoformat()
    before = event_count(tenant)
    response = client.post(f"{base(tenant)}/rounds/{round_id}/sharing", data=form)
    assert response.status_code == 422
    assert message in page(response)
    assert event_count(tenant) == before


@pytest.mark.parametrize("data, message", [
    ({"indicator": "kindness"}, "Choose the indicator this target is about."),
    ({"change": ""}, "Enter what will change."),
    ({"staff_do": " "}, "Enter what staff will do."),
    ({"review_on": ""}, "Enter the date you will review progress."),
    ({"review_on": "PAST"}, "The review date must be in the future."),
    ({"review_on": "soon"}, "Enter the date as a day, month and year, for example 15 3 2027"),
    ({"review_on-day": "12", "review_on-year": "2030"}, "The date must include a month"),
])
def test_bad_target_forms(tenant, signed_in, api_client, data, message):
    round_id = shared_round(tenant, api_client)
    client = signed_in("staff")
    form = {"indicator": "valuing", "change": "A pack", "service_users_do": "Write", "staff_do": "Print",
            "review_on": future().isoformat(), **data}
    if form["review_on"] == "PAST":
        form["review_on"] = (london_today() - timedelta(days=1)).isoformat()
    before = event_count(tenant)
    response = client.post(f"{base(tenant)}/rounds/{round_id}/targets", data=form)
    assert response.status_code == 422
    assert message in page(response)
    assert event_count(tenant) == before


def test_a_third_target_is_not_offered_nor_accepted(tenant, signed_in, api_client):
    round_id = shared_round(tenant, api_client)
    api = api_client("staff")
    for indicator in ("valuing", "connecting"):
        api.post(f"indicators/rounds/{round_id}/targets", json=target(indicator))
    client = signed_in("staff")
    url = f"{base(tenant)}/rounds/{round_id}/targets"
    text = page(client.get(url))
    assert "This round has 2 targets, the most the guide suggests." in text
    assert "Agree this target" not in text
    before = event_count(tenant)
    response = client.post(url, data={"indicator": "listening", "change": "x", "service_users_do": "x",
                                      "staff_do": "x", "review_on": future().isoformat()})
    assert response.status_code == 409
    assert "This round already has 2 targets for change." in page(response)
    assert event_count(tenant) == before


def test_service_users_see_only_their_group_until_shared(tenant, signed_in, api_client):
    round_id = answered_round(tenant, api_client)
    client = signed_in("service_user")
    assert client.get(f"{base(tenant)}/rounds/{round_id}/groups/staff").status_code == 403
    own = page(client.get(f"{base(tenant)}/rounds/{round_id}/groups/service_users"))
    assert "What service users said" in own
    comparison = page(client.get(f"{base(tenant)}/rounds/{round_id}/comparison"))
    assert "Staff (1 answered)" not in comparison
    assert "Each group sees the other group&#39;s views once the two groups have shared them" in comparison
    # Fair steps: staff do not read service users' answers before the exchange either.
    staff = signed_in("staff")
    staff_view = page(staff.get(f"{base(tenant)}/rounds/{round_id}/comparison"))
    assert "Staff (1 answered)" in staff_view and "Service users (1 answered)" not in staff_view
    assert staff.get(f"{base(tenant)}/rounds/{round_id}/groups/service_users").status_code == 403
    assert signed_in("viewer").get(f"{base(tenant)}/rounds/{round_id}/groups/staff").status_code == 200
    both = page(signed_in("facilitator").get(f"{base(tenant)}/rounds/{round_id}/comparison"))
    assert "Staff (1 answered)" in both and "Service users (1 answered)" in both
    api_client("staff").post(f"indicators/rounds/{round_id}/sharing", json={
        "shared_on": london_today().isoformat(), "setting": "user_meeting", "chaired_by": "staff"})
    assert client.get(f"{base(tenant)}/rounds/{round_id}/groups/staff").status_code == 200
    assert "Staff (1 answered)" in page(client.get(f"{base(tenant)}/rounds/{round_id}/comparison"))
    assert staff.get(f"{base(tenant)}/rounds/{round_id}/groups/service_users").status_code == 200
    assert client.get(f"{base(tenant)}/rounds/{round_id}/groups/nobody").status_code == 404


def test_viewers_read_but_cannot_change_anything(tenant, signed_in, api_client):
    round_id = shared_round(tenant, api_client)
    client = signed_in("viewer")
    for path in ("/", f"/rounds/{round_id}", f"/rounds/{round_id}/comparison", f"/rounds/{round_id}/sharing",
                 f"/rounds/{round_id}/targets"):
        assert client.get(base(tenant) + path).status_code == 200, path
    before = event_count(tenant)
    for path, data in ((f"/rounds/{round_id}/evaluate", {"valuing_individual": "met", "action": "send"}),
                       ("/rounds/new", {"service_id": str(tenant.services["Oak Day Centre"])}),
                       (f"/rounds/{round_id}/targets", {"indicator": "valuing"}),
                       (f"/rounds/{round_id}/invitations", {"group": "staff"})):
        assert client.post(base(tenant) + path, data=data).status_code == 403, path
    assert client.get(f"{base(tenant)}/rounds/{round_id}/invitations").status_code == 403
    assert event_count(tenant) == before


def test_another_trusts_round_is_not_found(tenant, other_tenant, signed_in, api_client):
    round_id = answered_round(tenant, api_client)
    outsider = signed_in("admin", target=other_tenant)
    for path in (f"/rounds/{round_id}", f"/rounds/{round_id}/comparison", f"/rounds/{round_id}/evaluate",
                 f"/rounds/{round_id}/sharing", f"/rounds/{round_id}/targets", f"/rounds/{round_id}/invitations"):
        assert outsider.get(f"/t/{other_tenant.slug}/indicators{path}").status_code == 404, path
    # and not by using this Trust's address either: they are not a member here
    assert outsider.get(f"{base(tenant)}/rounds/{round_id}").status_code == 404


def test_switched_off_the_pages_are_not_found(tenant, signed_in, api_client):
    round_id = answered_round(tenant, api_client)
    client = signed_in("admin")
    switch(tenant, "indicators", False)
    assert client.get(base(tenant) + "/").status_code == 404
    assert client.get(f"{base(tenant)}/rounds/{round_id}").status_code == 404
    assert f'href="{base(tenant)}/"' not in page(client.get(f"/t/{tenant.slug}/"))
    switch(tenant, "indicators", True)
    assert client.get(f"{base(tenant)}/rounds/{round_id}").status_code == 200


def test_every_page_has_one_heading_and_labelled_fields(tenant, signed_in, api_client):
    round_id = shared_round(tenant, api_client)
    target_id = api_client("staff").post(f"indicators/rounds/{round_id}/targets", json=target()).json["id"]
    client = signed_in("admin")
    for path in ("/", "/rounds/new", f"/rounds/{round_id}", f"/rounds/{round_id}/evaluate",
                 f"/rounds/{round_id}/comparison", f"/rounds/{round_id}/groups/staff",
                 f"/rounds/{round_id}/invitations", f"/rounds/{round_id}/sharing", f"/rounds/{round_id}/targets",
                 f"/rounds/{round_id}/targets/{target_id}/review"):
        text = page(client.get(base(tenant) + path))
        assert len(re.findall(r"<h1[ >]", text)) == 1, path
        for field_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', text):
            if 'type="hidden"' in text.split(f'id="{field_id}"')[0].rsplit("<", 1)[-1]:
                continue
            assert f'for="{field_id}"' in text or field_id == "invitation-link" and 'for="invitation-link"' in text, \
                (path, field_id)


def test_a_stale_form_says_what_happened_and_changes_nothing(tenant, signed_in, api_client, time_machine):
    round_id = shared_round(tenant, api_client)
    client = signed_in("staff")
    before = event_count(tenant)
    again = client.post(f"{base(tenant)}/rounds/{round_id}/sharing", data={
        "shared_on": london_today().isoformat(), "setting": "user_meeting", "chaired_by": "staff"})
    assert again.status_code == 409
    assert "The sharing of views has already been recorded for this round." in page(again)
    assert event_count(tenant) == before

    target_id = api_client("staff").post(f"indicators/rounds/{round_id}/targets",
                                         json=target(review_on=future(2))).json["id"]
    time_machine.move_to(future(3), tick=False)
    review_url = f"{base(tenant)}/rounds/{round_id}/targets/{target_id}/review"
    assert client.post(review_url, data={"happened": "no", "outcomes": "Not yet"}).status_code == 302
    before = event_count(tenant)
    twice = client.post(review_url, data={"happened": "yes", "outcomes": "Done"})
    assert twice.status_code == 409
    assert "This target has already been reviewed." in page(twice)
    assert event_count(tenant) == before


def test_a_service_user_takes_the_joint_steps_choosing_targets_from_the_ideas(tenant, signed_in, api_client,
                                                                              time_machine):
    round_id = answered_round(tenant, api_client)
    client = signed_in("service_user")
    sharing_url = f"{base(tenant)}/rounds/{round_id}/sharing"
    assert "Ideas for change (optional)" in page(client.get(sharing_url))
    shared = client.post(sharing_url, data={
        "shared_on": london_today().isoformat(), "setting": "user_meeting", "chaired_by": "service_user",
        "ideas": "A welcome pack\n- Evening sessions\n\n"})
    assert shared.status_code == 302
    assert "Evening sessions" in page(client.get(sharing_url))
    targets_url = f"{base(tenant)}/rounds/{round_id}/targets"
    form = page(client.get(targets_url))
    assert "Which idea for change from step 2?" in form and "Another change" in form
    review_on = future(5)
    chosen = client.post(targets_url, data={
        "indicator": "valuing", "idea": "1", "change": "", "service_users_do": "Run them",
        "staff_do": "Open the room", "review_on": review_on.isoformat(), "agreed_for_service_users": "The user group",
        "agreed_for_staff": "Priya"})
    assert chosen.status_code == 302, page(chosen)[:3000]
    made = api_client("facilitator").get(f"indicators/rounds/{round_id}").json["targets"][0]
    assert made["change"] == "Evening sessions"
    assert made["agreed_for_service_users"] == "The user group" and made["agreed_for_staff"] == "Priya"
    shown = page(client.get(targets_url))
    assert "For service users: The user group" in shown
    time_machine.move_to(review_on, tick=False)
    review_url = f"{base(tenant)}/rounds/{round_id}/targets/{made['id']}/review"
    reviewed = client.post(review_url, data={"happened": "yes", "outcomes": "Twice a week now",
                                             "reviewed_for_service_users": "Sam", "reviewed_for_staff": "Priya"})
    assert reviewed.status_code == 302
    assert "Twice a week now" in page(client.get(targets_url))


def test_a_facilitator_records_the_joint_steps_for_the_group(tenant, signed_in, api_client):
    round_id = shared_round(tenant, api_client)
    client = signed_in("facilitator")
    agreed = client.post(f"{base(tenant)}/rounds/{round_id}/targets", data={
        "indicator": "involving", "change": "Service users on interview panels", "service_users_do": "Join panels",
        "staff_do": "Invite them", "review_on": future(30).isoformat(),
        "agreed_for_service_users": "Jo, for the user group", "agreed_for_staff": "The ward manager"})
    assert agreed.status_code == 302
    assert "Jo, for the user group" in page(client.get(f"{base(tenant)}/rounds/{round_id}/targets"))
