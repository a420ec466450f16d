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


def answered_round(tenant, api_client, service: str = "Oak Day Centre") -> int:
    """A round where one service user and one member of staff have answered."""
    round_id = start_round(api_client("staff"), tenant.services[service])["id"]
    for role in ("service_user", "staff"):
        sent = api_client(role).post(f"indicators/rounds/{round_id}/responses", json={"answers": answers()})
        assert sent.status_code == 201, sent.json
    return round_id


def shared_round(tenant, api_client, service: str = "Oak Day Centre") -> int:
    round_id = answered_round(tenant, api_client, service)
    shared = api_client("facilitator").post(f"indicators/rounds/{round_id}/sharing", json={
        "shared_on": london_today().isoformat(), "setting": "special_event",
        "chaired_by": "external_user_facilitator", "chair_name": "Jo", "notes": "Ten ideas came up."})
    assert shared.status_code == 201, shared.json
    return round_id


def target(indicator="valuing", review_on: date | None = None, **overrides) -> dict:
    return {"indicator": indicator, "change": "A welcome pack for new service users",
            "service_users_do": "Write the pack and offer a buddy",
            "staff_do": "Print the pack and explain what the centre offers",
            "review_on": (review_on or future()).isoformat(), **overrides}


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
