"""Actions: planned developments, agreed changes and targets in one list, moved on through events."""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from core.events import Event
from core.reports import london_today
from core.testing import assert_replay_keeps_projections, at_once

ROUNDS = "indicators/rounds"


def _plan_in_every_section(tenant, api_client) -> dict:
    """A levels assessment with a planned development, a health check with an agreed change and an
    indicators target, all for Oak Day Centre; the sources' words by section."""
    oak = tenant.services["Oak Day Centre"]
    staff = api_client("staff")
    levels = staff.post("levels/assessments", json={
        "service_id": oak, "submit": True, "assessed_on": "2025-01-15", "participants": "The team",
        "areas": {"individual": {"current": 2, "aim": 3}, "care_setting": {"current": 2, "aim": 3},
                  "policy": {"current": 1, "aim": 2, "planned": "Invite two service users to the policy group"}}})
    assert levels.status_code == 201, levels.json
    from plugins.healthcheck.tests.helpers import complete as review

    health = staff.post("healthcheck/reviews", json={"service_id": oak, "submit": True,
                                                     **review(agreed_changes=["Service users take turns to chair"])})
    assert health.status_code == 201, health.json
    from plugins.indicators.tests.helpers import shared_round, target

    round_id = shared_round(tenant, api_client)
    due = london_today() + timedelta(days=30)
    agreed = api_client("facilitator").post(f"{ROUNDS}/{round_id}/targets", json=target(review_on=due))
    assert agreed.status_code == 201, agreed.json
    return {"levels": "Invite two service users to the policy group", "healthcheck": "Service users take turns to chair",
            "indicators": "A welcome pack for new service users", "due": due, "oak": oak}


def _events(tenant, kind: str) -> int:
    with tenant.context() as session:
        return session.scalar(select(func.count(Event.id)).where(Event.type == kind))


def test_actions_from_all_three_sections_appear_in_one_list(tenant, api_client, signed_in):
    plan = _plan_in_every_section(tenant, api_client)
    listed = api_client("viewer").get("actions").json["actions"]
    by_plugin = {a["source"]["plugin"]: a for a in listed}
    assert {p: a["what"] for p, a in by_plugin.items()} == {k: plan[k] for k in ("levels", "healthcheck", "indicators")}
    assert by_plugin["indicators"]["due_on"] == plan["due"].isoformat()  # the target's review date
    assert all(a["status"] == "not_started" and a["service_id"] == plan["oak"] for a in listed)
    assert by_plugin["levels"]["source"]["href"].startswith(f"/t/{tenant.slug}/levels/assessments/")
    assert _events(tenant, "action.proposed") == 3

    page = signed_in("service_user").get(f"/t/{tenant.slug}/services/{plan['oak']}/actions")
    text = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    for words in (plan["levels"], plan["healthcheck"], plan["indicators"]):
        assert words in text
    assert "Health check of 15 January 2025: agreed change 1" in text
    # Willow Ward has none
    other = signed_in("staff").get(f"/t/{tenant.slug}/services/{tenant.services['Willow Ward']}/actions")
    assert "There are no actions yet" in other.get_data(as_text=True)


def test_an_action_moves_through_its_statuses_as_events(tenant, api_client):
    _plan_in_every_section(tenant, api_client)
    staff = api_client("staff")
    action = next(a for a in staff.get("actions").json["actions"] if a["source"]["plugin"] == "levels")
    me = tenant.people["staff"].membership_id
    soon = (london_today() + timedelta(days=10)).isoformat()
    moved = staff.patch(f"actions/{action['id']}", json={"status": "under_way", "owner": {"member_id": me},
                                                         "due_on": soon},
                        headers={"If-Match": f'"{action["version"]}"'})
    assert moved.status_code == 200, moved.json
    assert moved.json["owner"]["member_id"] == me and moved.json["owner"]["name"]
    assert moved.json["status"] == "under_way" and moved.json["due_on"] == soon
    assert moved.headers["ETag"] == f'"{action["version"] + 1}"'

    outside = staff.patch(f"actions/{action['id']}", json={"owner": {"name": "Sam Jones, user group chair"}})
    assert outside.json["owner"] == {"member_id": None, "name": "Sam Jones, user group chair"}
    done = staff.patch(f"actions/{action['id']}", json={"status": "done"})
    assert done.json["status"] == "done"
    dropped = staff.patch(f"actions/{action['id']}", json={"status": "dropped", "reason": "The group closed"})
    assert dropped.json["reason"] == "The group closed"
    assert _events(tenant, "action.changed") == 4
    assert_replay_keeps_projections(tenant)

    mine = staff.get("actions?owner=me").json["actions"]
    assert mine == []  # led by someone outside now
    assert [a["id"] for a in staff.get("actions?status=dropped").json["actions"]] == [action["id"]]


@pytest.mark.parametrize("body, field", [
    ({"status": "dropped"}, "reason"),
    ({"status": "dropped", "reason": "   "}, "reason"),
    ({"due_on": "2020-01-01"}, "due_on"),
    ({"due_on": "2026-02-30"}, "due_on"),
    ({"status": "finished"}, "status"),
    ({"owner": {"member_id": 999999}}, "owner"),
    ({"owner": "Sam"}, "owner"),
    ({"colour": "red"}, "colour"),
    ({}, "status"),
])
def test_bad_changes_are_refused_per_field_and_nothing_is_stored(tenant, api_client, body, field):
    _plan_in_every_section(tenant, api_client)
    staff = api_client("staff")
    action = staff.get("actions").json["actions"][0]
    before = _events(tenant, "action.changed")
    response = staff.patch(f"actions/{action['id']}", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"], response.json
    assert _events(tenant, "action.changed") == before


def test_filters_and_bad_filters(tenant, api_client):
    plan = _plan_in_every_section(tenant, api_client)
    api = api_client("viewer")
    soon = api.get(f"actions?due_before={(plan['due'] + timedelta(days=1)).isoformat()}").json["actions"]
    assert [a["source"]["plugin"] for a in soon] == ["indicators"]
    assert api.get(f"actions?service_id={tenant.services['Willow Ward']}").json["actions"] == []
    assert api.get("actions?status=under_way").json["actions"] == []
    for query in ("status=finished", "owner=someone", "due_before=tomorrow", "service_id=x"):
        assert api.get(f"actions?{query}").status_code == 422, query
    assert api.get("actions?service_id=999999").status_code == 404


def test_only_those_who_facilitate_change_actions_and_another_trusts_action_is_not_found(
        tenant, other_tenant, api_client):
    _plan_in_every_section(tenant, api_client)
    action = api_client("staff").get("actions").json["actions"][0]
    for role in ("viewer", "service_user"):
        assert api_client(role).patch(f"actions/{action['id']}", json={"status": "done"}).status_code == 403
    stranger = api_client("admin", target=other_tenant)
    assert stranger.get(f"actions/{action['id']}").status_code == 404
    assert stranger.patch(f"actions/{action['id']}", json={"status": "done"}).status_code == 404


def test_two_changes_from_the_same_version_at_once_save_one(tenant, api_client):
    _plan_in_every_section(tenant, api_client)
    action = api_client("staff").get("actions").json["actions"][0]
    tag = {"If-Match": f'"{action["version"]}"'}
    calls = [lambda c=api_client("staff"), s=status: c.patch(f"actions/{action['id']}", json={"status": s}, headers=tag)
             for status in ("under_way", "done", "under_way", "done")]
    codes = sorted(r.status_code for r in at_once(calls))
    assert codes == [200, 412, 412, 412]
    assert _events(tenant, "action.changed") == 1


def test_overdue_actions_show_on_the_leads_home_page(tenant, api_client, signed_in, time_machine):
    plan = _plan_in_every_section(tenant, api_client)
    staff = api_client("staff")
    me = tenant.people["staff"].membership_id
    target = next(a for a in staff.get("actions").json["actions"] if a["source"]["plugin"] == "indicators")
    assert staff.patch(f"actions/{target['id']}", json={"owner": {"member_id": me}}).status_code == 200

    home = signed_in("staff").get(f"/t/{tenant.slug}/")
    text = re.sub(r"\s+", " ", unescape(home.get_data(as_text=True)))
    assert "Your actions" in text and plan["indicators"] in text and "is overdue" not in text
    assert "You lead 1 open action with no date soon" in text  # first, under "What's next for you"

    time_machine.move_to(plan["due"] + timedelta(days=3))
    home = signed_in("staff").get(f"/t/{tenant.slug}/")
    text = re.sub(r"\s+", " ", unescape(home.get_data(as_text=True)))
    assert "1 is overdue" in text and "Overdue" in text
    # the facilitator leads nothing
    other = re.sub(r"\s+", " ", signed_in("facilitator").get(f"/t/{tenant.slug}/").get_data(as_text=True))
    assert "You lead no open actions" in other


def test_a_service_user_who_leads_an_action_sees_it_on_their_home_page(tenant, api_client, signed_in,
                                                                      time_machine):
    plan = _plan_in_every_section(tenant, api_client)
    staff = api_client("staff")
    service_user = tenant.people["service_user"].membership_id
    page = signed_in("service_user").get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert "You lead this action" not in page  # leading nothing, nothing of the sort is listed
    target = next(a for a in staff.get("actions").json["actions"] if a["source"]["plugin"] == "indicators")
    assert staff.patch(f"actions/{target['id']}", json={"owner": {"member_id": service_user}}).status_code == 200
    time_machine.move_to(plan["due"] + timedelta(days=3))
    text = re.sub(r"\s+", " ", unescape(signed_in("service_user").get(f"/t/{tenant.slug}/").get_data(as_text=True)))
    assert "What's next for you" in text and plan["indicators"] in text
    assert "You lead this action for Oak Day Centre. It was due on" in text and "Overdue" in text


def test_the_action_page_moves_an_action_on(tenant, api_client, signed_in):
    _plan_in_every_section(tenant, api_client)
    action = api_client("staff").get("actions").json["actions"][0]
    client = signed_in("facilitator")
    url = f"/t/{tenant.slug}/actions/{action['id']}"
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    form = {"status": "dropped", "reason": "", "lead": "", "lead_name": "", "due_on": "",
            "version": str(action["version"])}
    if token:
        form["csrf_token"] = token.group(1)
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert "Say why the action is dropped." in unescape(refused.get_data(as_text=True))
    form["reason"] = "Done another way"
    saved = client.post(url, data=form)
    assert saved.status_code == 302
    assert "Done another way" in unescape(client.get(url).get_data(as_text=True))
    stale = client.post(url, data={**form, "status": "done"})
    assert stale.status_code == 409


def test_the_action_page_takes_the_due_date_in_three_boxes(tenant, api_client, signed_in):
    _plan_in_every_section(tenant, api_client)
    action = api_client("staff").get("actions").json["actions"][0]
    client = signed_in("facilitator")
    url = f"/t/{tenant.slug}/actions/{action['id']}"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"status": action["status"], "reason": "", "lead": "", "lead_name": "", "version": str(action["version"]),
            "due_on-day": "31", "due_on-month": "2", "due_on-year": "2030"}
    if token:
        form["csrf_token"] = token.group(1)
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert "31 February 2030 is not a real date" in unescape(refused.get_data(as_text=True))
    saved = client.post(url, data={**form, "due_on-day": "28"})
    assert saved.status_code == 302
    assert api_client("staff").get(f"actions/{action['id']}").json["due_on"] == "2030-02-28"


def test_an_amended_plan_updates_the_actions_words(tenant, api_client):
    _plan_in_every_section(tenant, api_client)
    staff = api_client("staff")
    assessment = staff.get("levels/assessments").json["assessments"][0]
    amended = staff.post(f"levels/assessments/{assessment['id']}/amendments", json={
        "changes": {"areas": {"policy": {"planned": "Invite three service users to the policy group"}}}})
    assert amended.status_code == 201, amended.json
    words = [a["what"] for a in staff.get("actions").json["actions"] if a["source"]["plugin"] == "levels"]
    assert words == ["Invite three service users to the policy group"]


def test_the_lead_is_reminded_before_an_action_is_due_and_once_it_is_overdue(tenant, api_client):
    from core.actions import reminders

    plan = _plan_in_every_section(tenant, api_client)
    staff = api_client("staff")
    me = tenant.people["staff"].membership_id
    target = next(a for a in staff.get("actions").json["actions"] if a["source"]["plugin"] == "indicators")
    with tenant.context():
        assert reminders(plan["due"] - timedelta(days=14)) == []  # nobody leads it yet
    assert staff.patch(f"actions/{target['id']}", json={"owner": {"member_id": me}}).status_code == 200
    with tenant.context():
        assert reminders(plan["due"] - timedelta(days=20)) == []
        soon = reminders(plan["due"] - timedelta(days=14))
        late = reminders(plan["due"] + timedelta(days=3))
    assert [(r.membership_id, r.key.rsplit(":", 1)[1]) for r in soon] == [(me, "14")]
    assert [(r.membership_id, r.key.rsplit(":", 1)[1]) for r in late] == [(me, "overdue")]
    assert "was due on" in late[0].why and plan["indicators"] in late[0].why
    assert staff.patch(f"actions/{target['id']}", json={"status": "done"}).status_code == 200
    with tenant.context():
        assert reminders(plan["due"] + timedelta(days=3)) == []  # done: no more reminders
