"""An assessment's "aim by" date, and whether the last aim was reached by it."""
import pytest
from sqlalchemy import select

from core.testing import assert_replay_keeps_projections, sign_in

from ..models import Assessment
from .helpers import ASSESSMENTS, at, complete, event_count, form_data, text_of

pytest_plugins = ["core.testing"]


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


def test_the_aim_by_date_is_kept_read_and_checked(tenant, api_client, oak):
    api = api_client("staff")
    made = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete("2025-01-15",
                                                                                  aim_by="2025-06-30")})
    assert made.status_code == 201, made.json
    assert made.json["aim_by"] == "2025-06-30"
    assert api.get(f"{ASSESSMENTS}/{made.json['id']}").json["aim_by"] == "2025-06-30"
    with tenant.context() as session:
        assert str(session.get(Assessment, made.json["id"]).aim_by) == "2025-06-30"
    assert_replay_keeps_projections(tenant)
    before = event_count(tenant)
    for body, message in (({"aim_by": "2025-01-10"}, "must be after the date of the assessment"),
                          ({"aim_by": "2025-01-15"}, "must be after the date of the assessment"),
                          ({"aim_by": "soon"}, None), ({"aim_by": 20250630}, None)):
        response = api.post(ASSESSMENTS, json={"service_id": oak, **complete("2025-01-15"), **body})
        assert response.status_code == 422, response.json
        assert "aim_by" in response.json["error"]["fields"]
        if message:
            assert message in response.json["error"]["fields"]["aim_by"][0]
    assert event_count(tenant) == before
    # The form writes it as it writes the date of the assessment.
    client = tenant.app.test_client()
    sign_in(client, tenant.people["staff"])
    page = client.get(f"/t/{tenant.slug}/levels/services/{oak}/new?start=blank")
    assert page.status_code == 200
    assert 'name="aim_by-day"' in page.get_data(as_text=True)


def test_whether_the_last_aim_was_reached_by_its_date(make_tenant, api_client, app):
    with at(2024, 12, 1):
        tenant = make_tenant("Aiming Trust")
    oak = tenant.services["Oak Day Centre"]
    api = api_client("staff", target=tenant)
    page = f"/t/{tenant.slug}/levels/services/{oak}"

    def viewer():
        client = app.test_client()
        sign_in(client, tenant.people["viewer"])
        return client
    with at(2025, 1, 20):
        api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete(
            "2025-01-15", individual=(2, 3), care_setting=(2, 4), policy=(1, 1), aim_by="2025-06-30")})
    with at(2025, 3, 20):
        api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete(
            "2025-03-12", individual=(2, 3), care_setting=(4, 4), policy=(1, 2))})
        words = text_of(viewer().get(page))
        assert ("Aimed for Level 4: Collaboration in care setting by 30 June 2025: reached on the assessment of "
                "12 March 2025.") in words
        assert "Aimed for Level 3: Growing involvement in individual by 30 June 2025: the date has not come yet." \
            in words
        assert "in policy" not in words  # kept at the level it was: nothing to reach
        assert "Did the service reach its last aims?" not in words  # one answer, by the date set
        assert "the service user indicators for Oak Day Centre" in words  # the guide's way of getting there
        aim = api.get(f"levels/services/{oak}/aim").json
        assert aim["aim"]["aim_by"] == "2025-06-30" and aim["aim"]["set_on"] == "2025-01-15"
        assert [(a["area"], a["status"], a["found_on"]) for a in aim["areas"]] == [
            ("individual", "not_yet", "2025-03-12"), ("care_setting", "reached", "2025-03-12")]
    with at(2025, 7, 10):
        api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete(
            "2025-07-05", individual=(2, 3), care_setting=(4, 4), policy=(1, 2))})
        words = text_of(viewer().get(page))
        assert ("Aimed for Level 3: Growing involvement in individual by 30 June 2025: not reached by then: the "
                "assessment of 12 March 2025 found Level 2: Limited involvement.") in words
        # The service report, and the changes between two dates, say it too.
        report = api.get(f"services/{oak}/report").json
        [fragment] = [f for f in report["fragments"] if f["plugin"] == "levels"]
        assert [a["status"] for a in fragment["data"]["aim"]["areas"]] == ["not_reached", "reached"]
        assert "Was the last aim reached by its date?" in text_of(viewer().get(f"/t/{tenant.slug}/services/{oak}/report"))
        changes = api.get(f"services/{oak}/changes?from=2025-02-01&to=2025-07-10").json
        kinds = [c["kind"] for s in changes["sections"] if s["plugin"] == "levels" for c in s["changes"]]
        assert "aim_reached_by_date" in kinds and "aim_not_reached_by_date" in kinds
    assert_replay_keeps_projections(tenant)


def test_the_form_takes_the_aim_by_date(tenant, signed_in, oak):
    client = signed_in("staff")
    data = form_data(complete("2025-01-15", aim_by="2025-01-01"), action="submit")
    data["service_id"] = str(oak)
    before = event_count(tenant)
    refused = client.post(f"/t/{tenant.slug}/levels/services/{oak}/new", data=data)
    assert refused.status_code == 422
    assert "must be after the date of the assessment" in text_of(refused)
    assert event_count(tenant) == before
    data.update({"aim_by-day": "30", "aim_by-month": "9", "aim_by-year": "2025"})  # typed again, in its boxes
    saved = client.post(f"/t/{tenant.slug}/levels/services/{oak}/new", data=data)
    assert saved.status_code in (302, 303), text_of(saved)[:500]
    with tenant.context() as session:
        assert str(session.scalars(select(Assessment)).one().aim_by) == "2025-09-30"
