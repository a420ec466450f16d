"""Each response is counted once: a member answers a round once, and a form or API call
sent twice (a double click, a resent page) records the answers once."""
import re

import pytest
from sqlalchemy import func, select

from core.reports import london_today, long_date

from ..models import Draft, Response
from core.testing import at_once

from .helpers import another_api, answer_question, answers, event_count, page, start_round, submission_key, through_link
from .test_invite import make_link

pytest_plugins = ["core.testing"]

ROUNDS = "indicators/rounds"


def base(tenant) -> str:
    return f"/t/{tenant.slug}/indicators"


def key_in(text: str) -> str:
    return re.search(r'name="submission" value="([^"]+)"', text).group(1)


def responses(tenant) -> list[Response]:
    with tenant.context() as session:
        rows = session.scalars(select(Response).order_by(Response.id)).all()
        session.expunge_all()
        return rows


def already_sent() -> str:
    return f"You have already sent your answers for this round, on {long_date(london_today())}."


@pytest.fixture
def round_id(tenant, api_client):
    return start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]


# --- members answer once per round -----------------------------------------------------------

def test_a_member_sending_again_is_refused_and_counted_once(tenant, signed_in, round_id):
    client = signed_in("service_user")
    url = f"{base(tenant)}/rounds/{round_id}/evaluate"
    first_form, second_form = page(client.get(url)), page(client.get(url))
    first_key, second_key = key_in(first_form), key_in(second_form)
    assert first_key != second_key
    sent = client.post(url, data={"valuing_individual": "met", "valuing_how": "They listen.",
                                  "action": "send", "submission": first_key})
    assert sent.status_code == 302
    before = event_count(tenant)
    again = client.post(url, data={"valuing_individual": "not_met", "action": "send", "submission": second_key})
    assert again.status_code == 409
    assert already_sent() in page(again)
    saving = client.post(url, data={"valuing_individual": "not_met", "action": "save"})
    assert saving.status_code == 409
    assert event_count(tenant) == before
    rows = responses(tenant)
    assert len(rows) == 1
    assert rows[0].membership_id == tenant.people["service_user"].membership_id
    assert rows[0].submission == first_key
    assert rows[0].answers["valuing"]["individual"] == "met"
    with tenant.context() as session:
        assert session.scalar(select(func.count(Draft.id))) == 0


def test_the_evaluate_page_shows_what_a_member_sent(tenant, signed_in, round_id):
    client = signed_in("staff")
    url = f"{base(tenant)}/rounds/{round_id}/evaluate"
    client.post(url, data={"listening_service": "partly_met", "listening_change": "Ask us more often.",
                           "action": "send", "submission": key_in(page(client.get(url)))})
    shown = client.get(url)
    assert shown.status_code == 200
    text = page(shown)
    assert "<h1>You have already sent your answers</h1>" in text
    assert already_sent() in text
    assert "Ask us more often." in text and "Partly met" in text
    assert 'name="action"' not in text and 'name="submission"' not in text


def test_a_double_clicked_send_is_recorded_once(tenant, signed_in, round_id):
    client = signed_in("service_user")
    url = f"{base(tenant)}/rounds/{round_id}/evaluate"
    data = {"valuing_individual": "met", "action": "send", "submission": key_in(page(client.get(url)))}
    first = client.post(url, data=data)
    before = event_count(tenant)
    second = client.post(url, data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert event_count(tenant) == before
    assert len(responses(tenant)) == 1


def test_a_saved_draft_keeps_its_key(tenant, signed_in, round_id):
    client = signed_in("service_user")
    url = f"{base(tenant)}/rounds/{round_id}/evaluate"
    key = key_in(page(client.get(url)))
    client.post(url, data={"valuing_individual": "met", "action": "save", "submission": key})
    assert key_in(page(client.get(url))) == key
    for _ in range(2):
        assert client.post(url, data={"valuing_individual": "met", "action": "send",
                                      "submission": key}).status_code == 302
    rows = responses(tenant)
    assert [r.submission for r in rows] == [key]


def test_the_api_refuses_a_members_second_response(tenant, api_client, round_id):
    service_user = api_client("service_user")
    url = f"{ROUNDS}/{round_id}/responses"
    assert service_user.post(url, json={"answers": answers()}).status_code == 201
    before = event_count(tenant)
    again = service_user.post(url, json={"answers": answers("not_met")})
    assert again.status_code == 409
    assert again.json["error"]["message"] == already_sent()
    assert event_count(tenant) == before
    # Someone else of the same group still answers.
    assert another_api(tenant, "service_user").post(url, json={"answers": answers()}).status_code == 201
    counts = api_client("viewer").get(f"{ROUNDS}/{round_id}").json["responses"]
    assert counts == {"service_users": 2, "staff": 0}


# --- the same form or call sent twice ----------------------------------------------------------

def test_the_api_is_idempotent_with_a_submission_key(tenant, api_client, round_id):
    staff, other_staff = api_client("staff"), another_api(tenant, "staff")
    url = f"{ROUNDS}/{round_id}/responses"
    body = {"answers": answers(), "submission": "0b6f1c2e-7d4a-4c1b-9a7e-2f3d4c5b6a71"}
    first = staff.post(url, json=body)
    assert first.status_code == 201
    before = event_count(tenant)
    second = staff.post(url, json=body)
    assert second.status_code == 200
    assert second.json == first.json
    assert event_count(tenant) == before
    # The same key from someone else is not their answers.
    other = other_staff.post(url, json=body)
    assert other.status_code == 409
    assert "already been used" in other.json["error"]["message"]
    assert event_count(tenant) == before
    rows = responses(tenant)
    assert len(rows) == 1 and rows[0].submission == body["submission"]
    assert rows[0].membership_id == tenant.people["staff"].membership_id


@pytest.mark.parametrize("key", ["short", "has spaces in it", "x" * 65, 12345678])
def test_a_bad_submission_key_is_refused(tenant, api_client, round_id, key):
    staff = api_client("staff")
    before = event_count(tenant)
    refused = staff.post(f"{ROUNDS}/{round_id}/responses", json={"answers": answers(), "submission": key})
    assert refused.status_code == 422
    assert "submission" in refused.json["error"]["fields"]
    assert event_count(tenant) == before


def test_the_openapi_document_describes_the_submission_key(app, client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/t/{slug}/indicators/rounds/{round_id}/responses"]["post"]
    assert {"200", "201", "409"} <= set(operation["responses"])
    schema_name = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    described = document["components"]["schemas"][schema_name]["properties"]["submission"]["description"]
    assert "one-time key" in described


def test_a_double_posted_invitation_send_is_recorded_once(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    answer_question(client, link, "valuing", {"individual": "met", "how": "Kind words."})
    data = {"submission": submission_key(page(client.get(f"{link}/check")))}
    first = client.post(f"{link}/check", data=data)
    before = event_count(tenant)
    second = client.post(f"{link}/check", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == f"{link}/sent"
    assert client.get(second.headers["Location"]).status_code == 200
    assert event_count(tenant) == before
    assert len(responses(tenant)) == 1


def test_saved_answers_sent_twice_at_once_are_recorded_once(tenant, signed_in, app, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    first = app.test_client()
    answer_question(first, link, "valuing", {"individual": "met"})
    key = submission_key(page(first.get(f"{link}/check")))
    # The same browser twice (a double click on a slow phone): both carry the same session.
    second = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    second.set_cookie(name, first.get_cookie(name).value)
    sent = at_once([lambda c=c: c.post(f"{link}/check", data={"submission": key}) for c in (first, second)])
    assert all(r.status_code == 302 and r.headers["Location"].endswith("/sent") for r in sent), sent
    rows = responses(tenant)
    assert len(rows) == 1 and rows[0].submission == key
    with tenant.context() as session:
        assert session.scalar(select(func.count()).select_from(Draft).where(Draft.open.is_(True))) == 0


def test_two_people_on_one_link_are_two_responses(tenant, signed_in, app, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    people = [app.test_client(), app.test_client()]
    for person, choice in zip(people, ("met", "not_met")):
        sent = through_link(person, link, {"valuing": {"individual": choice}})
        assert sent.status_code == 302 and sent.headers["Location"].endswith("/sent")
    rows = responses(tenant)
    assert [r.answers["valuing"]["individual"] for r in rows] == ["met", "not_met"]
    assert len({r.submission for r in rows}) == 2


def test_a_key_from_elsewhere_does_not_pass_for_these_answers(tenant, signed_in, api_client, client, round_id):
    key = "taken-by-a-member-0001"
    assert api_client("staff").post(f"{ROUNDS}/{round_id}/responses",
                                    json={"answers": answers(), "submission": key}).status_code == 201
    link = make_link(signed_in("staff"), tenant, round_id)
    answer_question(client, link, "valuing", {"individual": "not_met"})
    own = submission_key(page(client.get(f"{link}/check")))
    assert own != key
    sent = client.post(f"{link}/check", data={"submission": key})
    assert sent.status_code == 302
    rows = responses(tenant)
    assert len(rows) == 2 and rows[1].submission == own and rows[1].answers["valuing"]["individual"] == "not_met"
