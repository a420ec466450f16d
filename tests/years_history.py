"""A Trust with a history of years, shared by the trends and dashboard tests."""
from contextlib import contextmanager
from datetime import date, datetime, timezone

import pytest
import time_machine

from core import commands
from core.models import Tenant
from plugins.healthcheck.tests.helpers import complete as review_body
from plugins.indicators.tests.helpers import another_api, answers, target
from plugins.levels.tests.helpers import complete as assessment_body

SECTIONS = ("healthcheck", "levels", "indicators")


@contextmanager
def at(year, month, day, hour=12):
    """Travel to a moment (UTC), frozen, so events are recorded then."""
    with time_machine.travel(datetime(year, month, day, hour, tzinfo=timezone.utc), tick=False):
        yield


def assess(api, service_id, assessed_on, individual, care_setting=(2, 3), policy=(1, 2)):
    sent = api.post("levels/assessments", json={"service_id": service_id, "submit": True, **assessment_body(
        assessed_on, individual=individual, care_setting=care_setting, policy=policy)})
    assert sent.status_code == 201, sent.json


def health_check(api, service_id, held_on):
    sent = api.post("healthcheck/reviews", json={"service_id": service_id, "submit": True, **review_body(held_on)})
    assert sent.status_code == 201, sent.json


@pytest.fixture
def years(make_tenant, api_client):
    """Oak Day Centre and Willow Ward from 10 January 2023 to the middle of 2025.

    Levels (individual area): Oak at 2 from 1 Feb 2023 and 4 from 1 Jun 2024; Willow at 1 from 1 Aug 2023
    (typed in on 10 Sep 2024) and 3 from 1 Mar 2024. Health checks of Oak on 20 Apr 2023 and 1 Nov 2024.
    A round of the indicators for Oak in January 2025, with two targets: one achieved, one never reviewed.
    """
    with at(2023, 1, 10):
        trust = make_tenant(name="Years Trust")
        with trust.context() as session:
            for plugin in SECTIONS:
                commands.enable_plugin(session.get(Tenant, trust.id), plugin)
    oak, willow = trust.services["Oak Day Centre"], trust.services["Willow Ward"]
    with at(2023, 2, 1):
        assess(api_client("staff", target=trust), oak, "2023-02-01", (2, 3))
    with at(2023, 5, 1):
        health_check(api_client("staff", target=trust), oak, "2023-04-20")
    with at(2024, 3, 1):
        assess(api_client("staff", target=trust), willow, "2024-03-01", (3, 4))
    with at(2024, 6, 1):
        assess(api_client("staff", target=trust), oak, "2024-06-01", (4, 5))
    with at(2024, 9, 10):
        assess(api_client("staff", target=trust), willow, "2023-08-01", (1, 2))
    with at(2024, 11, 2):
        health_check(api_client("staff", target=trust), oak, "2024-11-01")
    with at(2025, 1, 15):
        round_id = api_client("staff", target=trust).post(
            "indicators/rounds", json={"service_id": oak, "title": "Winter round"}).json["id"]
        for role, given in (("service_user", answers("met", "met")), ("staff", answers("met", "partly_met"))):
            sent = api_client(role, target=trust).post(f"indicators/rounds/{round_id}/responses",
                                                        json={"answers": given})
            assert sent.status_code == 201, sent.json
        for _ in range(2):  # service users' views are counted once at least 3 of them answered
            sent = another_api(trust, "service_user").post(f"indicators/rounds/{round_id}/responses",
                                                           json={"answers": answers("met", "met")})
            assert sent.status_code == 201, sent.json
        shared = api_client("facilitator", target=trust).post(f"indicators/rounds/{round_id}/sharing", json={
            "shared_on": "2025-01-15", "setting": "special_event", "chaired_by": "external_user_facilitator",
            "chair_name": "Jo", "notes": "Ten ideas"})
        assert shared.status_code == 201, shared.json
    with at(2025, 1, 20):
        first = api_client("staff", target=trust).post(f"indicators/rounds/{round_id}/targets",
                                                       json=target(review_on=date(2025, 3, 1))).json["id"]
        api_client("staff", target=trust).post(f"indicators/rounds/{round_id}/targets",
                                               json=target("involving", review_on=date(2025, 4, 1)))
    with at(2025, 3, 5):
        reviewed = api_client("staff", target=trust).post(
            f"indicators/rounds/{round_id}/targets/{first}/review", json={"happened": "yes", "outcomes": "Packs"})
        assert reviewed.status_code == 201, reviewed.json
    trust.round_id = round_id
    return trust
