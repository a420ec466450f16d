"""Rules that depend on the Trust's current state hold when many people act at the same moment.

Each test releases ten requests together (a barrier): exactly the allowed number
succeed, the rest get 409 (412 for a stale If-Match) with a plain message, and
rebuilding the Trust's tables from its log afterwards changes nothing.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.events import Event
from core.models import Service
from core.reports import london_today
from core.testing import assert_replay_keeps_projections, at_once
from plugins.healthcheck.tests.helpers import complete as complete_review
from plugins.indicators.models import Target
from plugins.indicators.tests.helpers import answered_round, shared_round, target
from plugins.levels.tests.helpers import complete as complete_assessment
from plugins.levels.tests.helpers import form_data
from plugins.resources.models import Resource

pytest_plugins = ["core.testing"]

N = 10


def event_count(tenant, *, actions: bool = True) -> int:
    """Events in the Trust's log (without the actions a submission proposes, when ``actions`` is False)."""
    with tenant.context() as session:
        query = select(func.count(Event.id))
        if not actions:
            query = query.where(Event.type.not_like("action.%"))
        return session.scalar(query)


def action_sources(tenant) -> list[str]:
    with tenant.context() as session:
        from core.actions import Action

        return sorted(session.scalars(select(Action.source)))


def statuses(responses) -> list[int]:
    return sorted(getattr(r, "status_code", r) for r in responses)


def refused_plainly(responses, status: int = 409) -> list[str]:
    """The messages of the refused API answers, each in core's error shape."""
    messages = []
    for response in responses:
        if response.status_code == status:
            error = response.json["error"]
            assert error["code"] == {409: "conflict", 412: "precondition_failed"}[status]
            assert error["message"] and "Traceback" not in error["message"]
            messages.append(error["message"])
    return messages


def apis(api_client, role: str, count: int = N) -> list:
    """A client of its own per request, each with its own token."""
    return [api_client(role) for _ in range(count)]


# --- limits and "only once" ---------------------------------------------------------------------

def test_a_round_takes_two_targets_however_many_are_sent(tenant, api_client):
    round_id = shared_round(tenant, api_client)
    clients = apis(api_client, "facilitator")
    answers = at_once([lambda c=c: c.post(f"indicators/rounds/{round_id}/targets", json=target())
                       for c in clients])
    assert statuses(answers) == [201] * 2 + [409] * (N - 2)
    assert set(refused_plainly(answers)) == {
        "This round already has 2 targets for change. The guide suggests one or two, so the work stays "
        "manageable: review these before starting more."}
    with tenant.context() as session:
        assert session.scalar(select(func.count(Target.id)).where(Target.round_id == round_id)) == 2
    assert_replay_keeps_projections(tenant)


def test_the_sharing_of_views_is_recorded_once(tenant, api_client):
    round_id = answered_round(tenant, api_client)
    clients = apis(api_client, "facilitator")
    body = {"shared_on": london_today().isoformat(), "setting": "user_meeting", "chaired_by": "staff"}
    before = event_count(tenant)
    answers = at_once([lambda c=c: c.post(f"indicators/rounds/{round_id}/sharing", json=body) for c in clients])
    assert statuses(answers) == [201] + [409] * (N - 1)
    assert set(refused_plainly(answers)) == {"The sharing of views has already been recorded for this round."}
    assert event_count(tenant) == before + 1
    assert_replay_keeps_projections(tenant)


@pytest.mark.parametrize("section, path, body", [
    ("healthcheck", "healthcheck/reviews", complete_review),
    ("levels", "levels/assessments", complete_assessment),
])
def test_a_record_is_submitted_once(tenant, api_client, section, path, body):
    staff = api_client("staff")
    draft = staff.post(path, json={"service_id": tenant.services["Oak Day Centre"], **body()})
    assert draft.status_code == 201, draft.json
    record_id = draft.json["id"]
    clients = apis(api_client, "staff")
    before = event_count(tenant, actions=False)
    answers = at_once([lambda c=c: c.post(f"{path}/{record_id}/submit") for c in clients])
    assert statuses(answers) == [200] + [409] * (N - 1)
    assert len(set(refused_plainly(answers))) == 1
    assert "already been submitted" in refused_plainly(answers)[0]
    assert event_count(tenant, actions=False) == before + 1
    # what the submission planned became actions once each
    sources = action_sources(tenant)
    assert sources and len(sources) == len(set(sources)) == event_count(tenant) - event_count(tenant, actions=False)
    submitted = staff.get(f"{path}/{record_id}").json
    assert submitted["status"] == "submitted" and submitted["version"] == draft.json["version"] + 1
    assert_replay_keeps_projections(tenant)


def test_a_service_is_archived_once(tenant, signed_in):
    oak = tenant.services["Oak Day Centre"]
    clients = [signed_in("admin") for _ in range(N)]
    before = event_count(tenant)
    answers = at_once([lambda c=c: c.post(f"/t/{tenant.slug}/services/{oak}/archive") for c in clients])
    assert statuses(answers) == [302] + [409] * (N - 1)
    for refused in (r for r in answers if r.status_code == 409):
        assert "Oak Day Centre is archived already." in refused.get_data(as_text=True)
    assert event_count(tenant) == before + 1
    assert_replay_keeps_projections(tenant)


def test_add_service_sent_many_times_adds_one(tenant, api_client):
    body = {"name": "Birch House", "kind": "day_centre"}
    answers = at_once([lambda c=c: c.post("services", json=body) for c in apis(api_client, "admin")])
    assert statuses(answers) == [201] + [409] * (N - 1)
    assert set(refused_plainly(answers)) == {"There is already a service called Birch House."}
    with tenant.context() as session:
        assert session.scalar(select(func.count(Service.id)).where(Service.name == "Birch House")) == 1
    assert_replay_keeps_projections(tenant)


def test_the_add_service_page_sent_twice_adds_one(tenant, signed_in):
    admin = signed_in("admin")
    data = {"name": "Hazel Ward", "kind": "day_centre"}
    assert admin.post(f"/t/{tenant.slug}/services/new", data=data).status_code == 302
    again = admin.post(f"/t/{tenant.slug}/services/new", data=data)
    assert again.status_code == 409
    assert "There is already a service called Hazel Ward." in again.get_data(as_text=True)


# --- versions: someone else saved first ----------------------------------------------------------

def test_drafts_saved_from_one_copy_at_once_keep_the_first(tenant, api_client):
    staff = api_client("staff")
    draft = staff.post("healthcheck/reviews", json={"service_id": tenant.services["Oak Day Centre"],
                                                    "held_on": "2025-01-15"})
    shown = staff.get(f"healthcheck/reviews/{draft.json['id']}")
    etag = shown.headers["ETag"]
    assert etag == f'"{shown.json["version"]}"'
    clients = apis(api_client, "staff")
    answers = at_once([
        lambda c=c, n=n: c.patch(f"healthcheck/reviews/{draft.json['id']}", headers={"If-Match": etag},
                                 json={"staff_count": n + 1})
        for n, c in enumerate(clients)])
    assert statuses(answers) == [200] + [412] * (N - 1)
    messages = refused_plainly(answers, 412)
    assert all("Someone else saved this health check" in m for m in messages)
    winner = next(r for r in answers if r.status_code == 200)
    now = staff.get(f"healthcheck/reviews/{draft.json['id']}")
    assert now.json["staff_count"] == winner.json["staff_count"]
    assert now.headers["ETag"] == winner.headers["ETag"] == f'"{shown.json["version"] + 1}"'
    assert_replay_keeps_projections(tenant)


def test_assessments_saved_with_one_version_at_once_keep_the_first(tenant, api_client):
    staff = api_client("staff")
    draft = staff.post("levels/assessments", json={"service_id": tenant.services["Oak Day Centre"],
                                                   "participants": "The ward team"})
    version = draft.json["version"]
    answers = at_once([
        lambda c=c, n=n: c.patch(f"levels/assessments/{draft.json['id']}",
                                 json={"participants": f"Team {n}", "version": version})
        for n, c in enumerate(apis(api_client, "staff"))])
    assert statuses(answers) == [200] + [409] * (N - 1)
    assert all("Someone else saved this assessment" in m for m in refused_plainly(answers))
    assert_replay_keeps_projections(tenant)


def test_a_draft_page_saved_from_one_copy_at_once_keeps_the_first(tenant, api_client, signed_in):
    draft = api_client("staff").post("levels/assessments", json={
        "service_id": tenant.services["Oak Day Centre"], "participants": "The ward team"}).json
    url = f"/t/{tenant.slug}/levels/assessments/{draft['id']}/edit"
    clients = [signed_in("staff") for _ in range(N)]
    before = event_count(tenant)
    answers = at_once([
        lambda c=c, n=n: c.post(url, data=form_data({"participants": f"Team {n}"}, version=str(draft["version"])))
        for n, c in enumerate(clients)])
    assert statuses(answers) == [302] + [409] * (N - 1)
    for refused in (r for r in answers if r.status_code == 409):
        assert "Someone else saved this assessment since you opened it." in refused.get_data(as_text=True)
    assert event_count(tenant) == before + 1
    assert_replay_keeps_projections(tenant)


def test_resources_changed_from_one_version_at_once_keep_the_first(tenant, api_client):
    staff = api_client("facilitator")
    added = staff.post("resources/resources", json={"name": "Walking Group", "scope": "local",
                                                    "website": "https://example.org"})
    assert added.status_code == 201, added.json
    version = added.json["version"]
    answers = at_once([
        lambda c=c, n=n: c.patch(f"resources/resources/{added.json['id']}",
                                 json={"phone": f"0121 496 00{n:02d}", "version": version})
        for n, c in enumerate(apis(api_client, "facilitator"))])
    assert statuses(answers) == [200] + [409] * (N - 1)
    with tenant.context() as session:
        assert session.get(Resource, added.json["id"]).version == version + 1
    assert_replay_keeps_projections(tenant)


@pytest.mark.parametrize("path, create, change", [
    ("services", lambda t: {"name": "Rowan Team", "kind": "day_centre"}, {"description": "Mornings"}),
    ("healthcheck/reviews", lambda t: {"service_id": t.services["Oak Day Centre"]}, {"staff_count": 3}),
    ("levels/assessments", lambda t: {"service_id": t.services["Oak Day Centre"]}, {"participants": "Us"}),
    ("resources/resources", lambda t: {"name": "Carers Hub", "scope": "local", "phone": "0121 496 0001"}, {"phone": "0121 496 0000"}),
])
def test_a_stale_api_change_is_refused_and_both_versions_are_kept(tenant, api_client, path, create, change):
    admin = api_client("admin")
    made = admin.post(path, json=create(tenant))
    assert made.status_code == 201, made.json
    url = f"{path}/{made.json['id']}"
    old = admin.get(url)
    first = admin.patch(url, json=change, headers={"If-Match": old.headers["ETag"]})
    assert first.status_code == 200, first.json
    assert first.headers["ETag"] != old.headers["ETag"]
    before = event_count(tenant)

    stale_tag = admin.patch(url, json={**change}, headers={"If-Match": old.headers["ETag"]})
    assert stale_tag.status_code == 412
    assert stale_tag.json["error"]["code"] == "precondition_failed"
    assert "Someone else" in stale_tag.json["error"]["message"]
    old_version = int(old.headers["ETag"].strip('"'))
    new_version = int(first.headers["ETag"].strip('"'))
    assert stale_tag.json["error"]["fields"]["version"] == [
        f"You sent version {old_version}; it is now at version {new_version}."]

    stale_body = admin.patch(url, json={**change, "version": old_version})
    assert stale_body.status_code == 409
    assert stale_body.json["error"]["code"] == "conflict"
    assert event_count(tenant) == before
    assert admin.get(url).headers["ETag"] == first.headers["ETag"]

    assert admin.patch(url, json=change, headers={"If-Match": "yesterday"}).status_code == 412
    assert admin.patch(url, json=change, headers={"If-Match": first.headers["ETag"]}).status_code == 200


def test_the_openapi_document_describes_if_match_and_etag(client):
    document = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/t/{slug}/services/{service_id}", "/api/v1/t/{slug}/healthcheck/reviews/{review_id}",
                 "/api/v1/t/{slug}/levels/assessments/{assessment_id}",
                 "/api/v1/t/{slug}/resources/resources/{resource_id}"):
        patch = document["paths"][path]["patch"]
        assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"]), path
        assert {"409", "412"} <= set(patch["responses"]), path
        assert "ETag" in document["paths"][path]["get"]["responses"]["200"]["headers"], path
