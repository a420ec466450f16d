"""Answers and small helpers the indicators' tests share."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from core import commands as core_commands
from core.events import Event
from core.models import Membership, Tenant
from core.reports import london_today
from core.testing import ApiClient, sign_in


def answers(individual="met", service="partly_met", words=True) -> dict:
    """Every indicator answered, with a few words for each."""
    result = {}
    for key in ("valuing", "listening", "learning", "engaging", "working_with", "connecting", "involving"):
        answer = {"individual": individual, "service": service}
        if words:
            answer.update({"how": f"Staff ask me about {key}.", "barriers": "", "change": "More time to talk."})
        result[key] = answer
    return result


def event_count(tenant) -> int:
    with tenant.context() as session:
        return session.scalar(select(func.count(Event.id)))


def last_event(tenant) -> Event:
    with tenant.context() as session:
        ev = session.scalars(select(Event).order_by(Event.seq.desc()).limit(1)).one()
        session.expunge(ev)
        return ev


def future(days: int = 30) -> date:
    return london_today() + timedelta(days=days)


def start_round(api, service_id: int, title: str = "Spring round") -> dict:
    response = api.post("indicators/rounds", json={"service_id": service_id, "title": title})
    assert response.status_code == 201, response.json
    return response.json


def answered_round(tenant, api_client, service: str = "Oak Day Centre", service_users: int = 1) -> int:
    """A round where ``service_users`` service users (one unless told) and one member of staff have answered."""
    round_id = start_round(api_client("staff"), tenant.services[service])["id"]
    for role in ("service_user", "staff"):
        sent = api_client(role).post(f"indicators/rounds/{round_id}/responses", json={"answers": answers()})
        assert sent.status_code == 201, sent.json
    for _ in range(service_users - 1):
        sent = another_api(tenant, "service_user").post(f"indicators/rounds/{round_id}/responses",
                                                        json={"answers": answers()})
        assert sent.status_code == 201, sent.json
    return round_id


def shared_round(tenant, api_client, service: str = "Oak Day Centre", service_users: int = 1) -> int:
    round_id = answered_round(tenant, api_client, service, service_users)
    shared = api_client("facilitator").post(f"indicators/rounds/{round_id}/sharing", json={
        "shared_on": london_today().isoformat(), "setting": "special_event",
        "chaired_by": "external_user_facilitator", "chair_name": "Jo", "notes": "Ten ideas came up."})
    assert shared.status_code == 201, shared.json
    return round_id


def target(indicator="valuing", review_on: date | None = None, **overrides) -> dict:
    return {"indicator": indicator, "change": "A welcome pack for new service users",
            "service_users_do": "Write the pack and offer a buddy",
            "staff_do": "Print the pack and explain what the centre offers",
            "review_on": (review_on or future()).isoformat(),
            "agreed_for_service_users": "Sam for the user group", "agreed_for_staff": "Priya, team manager",
            **overrides}


def switch(tenant, plugin: str, on: bool) -> None:
    with tenant.context() as session:
        row = session.get(Tenant, tenant.id)
        (core_commands.enable_plugin if on else core_commands.disable_plugin)(row, plugin)


def page(response) -> str:
    return response.get_data(as_text=True)


def csrf_token(text: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)


def another_api(tenant, role: str) -> ApiClient:
    """The API as a second person of that role (each member answers a round once)."""
    person = tenant.add_person(role)
    with tenant.context() as session:
        _, token = core_commands.create_token(session.get(Membership, person.membership_id), "test")
    return ApiClient(tenant.app.test_client(), token, tenant.slug)


def another_signed_in(tenant, role: str):
    """A test client signed in as a second person of that role."""
    client = tenant.app.test_client()
    sign_in(client, tenant.add_person(role))
    return client


KEYS = ("valuing", "listening", "learning", "engaging", "working_with", "connecting", "involving")


def link_path(text: str) -> str:
    """The new link's path, from the page that shows it once."""
    return re.search(r'id="invitation-link" type="text" value="http://localhost([^"]+)"', text).group(1)


def submission_key(text: str) -> str:
    return re.search(r'name="submission" type="hidden" value="([^"]+)"', text).group(1)


def answer_question(client, link: str, key: str, answer: dict, action: str = "next"):
    """One page of the invitation journey: one indicator's answers."""
    return client.post(f"{link}/q/{KEYS.index(key) + 1}", data={**answer, "action": action})


def through_link(client, link: str, given: dict, send: bool = True):
    """Answer through an invitation link page by page (only the indicators in ``given``), then check
    and send. Returns the response to "Send my answers" (or to the last question when not sending)."""
    last = None
    for key, answer in given.items():
        last = answer_question(client, link, key, answer)
        assert last.status_code == 302, page(last)[:3000]
    if not send:
        return last
    key = submission_key(page(client.get(f"{link}/check")))
    return client.post(f"{link}/check", data={"submission": key})
