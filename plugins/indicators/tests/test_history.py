"""The log behind the indicators: replay, reports as of a day, erasure, and the guide's wording."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core import events
from core.commands import CommandError
from core.events import Event
from core.reports import london_today

from .. import commands
from ..indicators import INDICATORS
from ..models import Draft, Invitation, Response, Round, Target
from .helpers import answer_question, answers, link_path, page, shared_round, start_round, submission_key, target

pytest_plugins = ["core.testing"]

MODELS = (Round, Invitation, Response, Draft, Target)


def dump(tenant) -> dict:
    with tenant.context() as session:
        rows = {}
        for model in MODELS:
            columns = [c.name for c in model.__table__.columns]
            rows[model.__tablename__] = [
                {name: getattr(row, name) for name in columns}
                for row in session.scalars(select(model).order_by(model.id))]
        return rows


def rich_history(tenant, api_client, signed_in, client, time_machine) -> int:
    """A round through every step, with drafts, a stopped link and answers through a link."""
    staff_pages = signed_in("staff")
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"], "Everything")["id"]
    made = page(staff_pages.post(f"/t/{tenant.slug}/indicators/rounds/{round_id}/invitations",
                                 data={"group": "service_users", "label": "Drop-in",
                                       "expires_on": (london_today() + timedelta(days=30)).isoformat()}))
    link = link_path(made)
    answer_question(client, link, "valuing", {"individual": "met", "how": "Draft words"}, action="save")
    answer_question(client, link, "valuing", {"individual": "met", "how": "Final words"})
    key = submission_key(page(client.get(f"{link}/check")))
    for _ in range(2):  # a double click: recorded once
        client.post(f"{link}/check", data={"submission": key})
    signed_in("service_user").post(f"/t/{tenant.slug}/indicators/rounds/{round_id}/evaluate",
                                   data={"learning_service": "not_met", "action": "save"})
    api_client("staff").post(f"indicators/rounds/{round_id}/responses", json={"answers": answers()})
    with tenant.context() as session:
        invitation_id = session.scalars(select(Invitation)).one().id
    staff_pages.post(f"/t/{tenant.slug}/indicators/rounds/{round_id}/invitations/{invitation_id}/revoke")
    api_client("facilitator").post(f"indicators/rounds/{round_id}/sharing", json={
        "shared_on": london_today().isoformat(), "setting": "special_event",
        "chaired_by": "external_user_facilitator", "chair_name": "Jo", "notes": "Ten ideas"})
    target_id = api_client("staff").post(f"indicators/rounds/{round_id}/targets",
                                         json=target(review_on=london_today() + timedelta(days=5))).json["id"]
    api_client("staff").post(f"indicators/rounds/{round_id}/targets", json=target("involving"))
    time_machine.move_to(london_today() + timedelta(days=6), tick=False)
    reviewed = api_client("staff").post(f"indicators/rounds/{round_id}/targets/{target_id}/review",
                                        json={"happened": "yes", "outcomes": "A welcome pack and buddies"})
    assert reviewed.status_code == 201, reviewed.json
    return round_id


def test_replay_rebuilds_the_same_rows(tenant, api_client, signed_in, client, time_machine):
    rich_history(tenant, api_client, signed_in, client, time_machine)
    before = dump(tenant)
    assert all(before[model.__tablename__] for model in MODELS), {k: len(v) for k, v in before.items()}
    assert any(not d["open"] for d in before["indicators_drafts"])
    assert any(d["open"] for d in before["indicators_drafts"])
    sent = before["indicators_responses"]
    assert len(sent) == 2
    assert any(r["membership_id"] for r in sent) and any(r["submission"] for r in sent)
    with tenant.context():
        events.replay(tenant.id)
    assert dump(tenant) == before


def test_every_step_reads_as_a_plain_sentence_in_the_audit(tenant, api_client, signed_in, client, time_machine):
    rich_history(tenant, api_client, signed_in, client, time_machine)
    audit = page(signed_in("admin").get(f"/t/{tenant.slug}/audit/"))
    for sentence in (
        "started a round of the service user indicators for Oak Day Centre",
        "made an invitation link for service users to answer the indicators for Oak Day Centre",
        "A service user (invitation) saved answers to the indicators for Oak Day Centre to finish later",
        "A service user (invitation) answered the indicators for Oak Day Centre",
        "A service user (invitation) finished with saved answers to the indicators for Oak Day Centre",
        "stopped an invitation link to the indicators for Oak Day Centre",
        "recorded that service users and staff shared their views on the indicators for Oak Day Centre",
        "recorded a target for change for Oak Day Centre (Valuing)",
        "recorded the review of a target for change for Oak Day Centre",
    ):
        assert sentence in audit, sentence
    assert not re.search(r"Indicators [a-z ]+ recorded", audit)  # none fell back to its bare type name


def test_the_reports_show_things_as_they_stood(tenant, api_client, signed_in, time_machine):
    oak = tenant.services["Oak Day Centre"]
    day0 = london_today()
    round_id = shared_round(tenant, api_client)
    time_machine.move_to(day0 + timedelta(days=3), tick=False)
    target_id = api_client("staff").post(f"indicators/rounds/{round_id}/targets",
                                         json=target(review_on=day0 + timedelta(days=10))).json["id"]
    time_machine.move_to(day0 + timedelta(days=12), tick=False)
    viewer = api_client("viewer")

    def fragment(path, day):
        report = viewer.get(f"{path}?as_of={day.isoformat()}").json
        return next(f for f in report["fragments"] if f["plugin"] == "indicators")

    then = fragment(f"services/{oak}/report", day0)["data"]
    assert then["round"]["id"] == round_id
    assert then["round"]["responses"] == {"service_users": 1, "staff": 1}
    assert then["round"]["current_step"] == "targets"
    assert then["targets"] == []
    valuing = next(i for i in then["indicators"] if i["key"] == "valuing")
    assert valuing["groups"]["staff"]["individual"]["met"] == 1
    assert "quotes" not in valuing["groups"]["staff"]
    # One service user answered: their answers could be traced to them, so none are shown.
    assert valuing["groups"]["service_users"] == {"responses": 1, "withheld": True,
                                                  "message": "fewer than 3 answers"}

    later = fragment(f"services/{oak}/report", day0 + timedelta(days=3))["data"]
    assert [t["id"] for t in later["targets"]] == [target_id]
    assert later["targets"][0]["review_state"] == "not_due"

    overdue = fragment("report", day0 + timedelta(days=12))["data"]
    assert [t["target_id"] for t in overdue["targets_overdue"]] == [target_id]
    assert overdue["services"] == [{"service_id": oak, "service": "Oak Day Centre", "rounds": 1,
                                    "latest_round": "Spring round", "current_step": "review"}]
    on_the_day = fragment("report", day0 + timedelta(days=10))["data"]
    assert [t["target_id"] for t in on_the_day["targets_due"]] == [target_id]
    assert fragment("report", day0 + timedelta(days=3))["data"]["targets_due"] == []

    api_client("staff").post(f"indicators/rounds/{round_id}/targets/{target_id}/review",
                             json={"happened": "partly", "outcomes": "Half the packs"})
    now = fragment(f"services/{oak}/report", day0 + timedelta(days=12))["data"]
    assert now["targets"][0]["happened"] == "partly"
    assert now["targets"][0]["outcomes"] == "Half the packs"
    assert fragment(f"services/{oak}/report", day0 + timedelta(days=3))["data"]["targets"][0]["happened"] is None

    text = page(signed_in("viewer").get(f"/t/{tenant.slug}/services/{oak}/report"))
    assert "Getting there: the service user indicators" in text
    assert "Half the packs" in text


def test_a_service_user_report_leaves_out_staff_views_until_shared(tenant, api_client):
    oak = tenant.services["Oak Day Centre"]
    round_id = start_round(api_client("staff"), oak)["id"]
    api_client("staff").post(f"indicators/rounds/{round_id}/responses", json={"answers": answers()})
    report = api_client("service_user").get(f"services/{oak}/report").json
    data = next(f for f in report["fragments"] if f["plugin"] == "indicators")["data"]
    assert data["groups_shown"] == ["service_users"]
    assert set(data["indicators"][0]["groups"]) == {"service_users"}


def test_a_service_without_rounds_says_so(tenant, api_client):
    willow = tenant.services["Willow Ward"]
    report = api_client("viewer").get(f"services/{willow}/report").json
    data = next(f for f in report["fragments"] if f["plugin"] == "indicators")["data"]
    assert data["round"] is None and data["rounds"] == 0


def test_erased_words_leave_the_choices_and_the_chain(tenant, api_client):
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    api_client("service_user").post(f"indicators/rounds/{round_id}/responses", json={"answers": {
        "valuing": {"individual": "not_met", "barriers": "My name is Pat and nobody listens"}}})
    with tenant.context() as session:
        ev = session.scalars(select(Event).where(Event.type == "indicators.response_sent")).one()
        assert events.erase_personal(ev.id)
    with tenant.context() as session:
        events.replay(tenant.id)
        response = session.scalars(select(Response)).one()
        assert response.words_erased
        assert response.answers["valuing"] == {"individual": "not_met", "service": None, "how": "",
                                               "barriers": "", "change": ""}
        assert "Pat" not in str(response.answers)
        assert events.verify_tenant(tenant.id).ok


def test_history_tables_answer_what_the_log_answers(tenant, api_client, signed_in, client, time_machine):
    from core.testing import history_matches_log, random_day_pairs

    rich_history(tenant, api_client, signed_in, client, time_machine)
    today = london_today()
    with tenant.app.app_context():
        pairs = random_day_pairs(today - timedelta(days=3), today, 20) + [(today, None), (today, today)]
        assert history_matches_log(tenant.id, pairs) > 0


def test_a_past_round_is_entered_with_the_day_its_targets_were_agreed(tenant, api_client):
    """The demo's history enters rounds years old: a review date counts from the meeting, not today."""
    round_id = shared_round(tenant, api_client)
    agreed_on = london_today() - timedelta(days=200)
    with tenant.context() as session:
        round_ = commands.round_by_id(round_id)
        with pytest.raises(CommandError) as refused:
            commands.agree_target(round_, "valuing", "A welcome pack", "Write it", "Print it", agreed_on,
                                  agreed_for_service_users="Sam", agreed_for_staff="Priya", agreed_on=agreed_on)
        assert refused.value.fields == {"review_on": ["The review date must be in the future."]}
        made = commands.agree_target(round_, "valuing", "A welcome pack", "Write it", "Print it",
                                     agreed_on + timedelta(days=91), agreed_for_service_users="Sam",
                                     agreed_for_staff="Priya", agreed_on=agreed_on)
        commands.review_target(made, round_, "yes", "Everyone new has had the pack.")
        assert session.get(Target, made.id).happened == "yes"
