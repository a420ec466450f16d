"""One service's indicators round after round: page and API, each role, another Trust's service."""
import html
import re
from datetime import timedelta

import pytest

from core.reports import london_today

from .helpers import another_api, answers, page, shared_round, start_round, switch, target

pytest_plugins = ["core.testing"]


@pytest.fixture(autouse=True)
def switched_on(tenant):
    switch(tenant, "indicators", True)


def two_rounds(tenant, api_client, time_machine) -> tuple[int, int]:
    """A shared round where both groups said met / partly met, then a later one where staff said not met."""
    first = shared_round(tenant, api_client, service_users=3)
    staff_target = api_client("staff").post(f"indicators/rounds/{first}/targets",
                                            json=target(review_on=london_today() + timedelta(days=3))).json["id"]
    time_machine.move_to(london_today() + timedelta(days=4), tick=False)
    api_client("staff").post(f"indicators/rounds/{first}/targets/{staff_target}/review",
                             json={"happened": "yes", "outcomes": "Packs for everyone"})
    second = start_round(api_client("staff"), tenant.services["Oak Day Centre"], "Autumn round")["id"]
    for role, given in (("service_user", answers("met", "met")), ("service_user", answers("met", "met")),
                        ("service_user", answers("met", "met")), ("staff", answers("not_met", "not_met"))):
        sent = another_api(tenant, role).post(f"indicators/rounds/{second}/responses", json={"answers": given})
        assert sent.status_code == 201, sent.json
    return first, second


def test_each_groups_view_round_after_round(tenant, api_client, time_machine):
    first, second = two_rounds(tenant, api_client, time_machine)
    oak = tenant.services["Oak Day Centre"]
    body = api_client("facilitator").get(f"indicators/services/{oak}/over-time").json
    assert [r["id"] for r in body["rounds"]] == [first, second]
    assert body["rounds"][0]["targets"] == {"agreed": 1, "achieved": 1, "partly": 0, "not_achieved": 0,
                                            "overdue": 0, "due": 0, "not_due": 0}
    valuing = next(i for i in body["indicators"] if i["key"] == "valuing")
    assert [c["view"] for c in valuing["groups"]["service_users"]["individual"]] == ["met", "met"]
    assert [c["view"] for c in valuing["groups"]["service_users"]["service"]] == ["partly_met", "met"]
    assert [c["view"] for c in valuing["groups"]["staff"]["service"]] == ["partly_met", "not_met"]
    assert valuing["groups"]["staff"]["individual"][1]["counts"] == {"met": 0, "partly_met": 0, "not_met": 1,
                                                                     "dont_know": 0}


def test_service_users_see_staff_views_only_of_shared_rounds(tenant, api_client, time_machine):
    two_rounds(tenant, api_client, time_machine)
    oak = tenant.services["Oak Day Centre"]
    body = api_client("service_user").get(f"indicators/services/{oak}/over-time").json
    staff = next(i for i in body["indicators"] if i["key"] == "valuing")["groups"]["staff"]["service"]
    assert staff[0]["view"] == "partly_met" and staff[1] is None
    assert body["rounds"][1]["groups_shown"] == ["service_users"]


def test_staff_see_service_users_views_only_of_shared_rounds(tenant, api_client, time_machine):
    two_rounds(tenant, api_client, time_machine)
    oak = tenant.services["Oak Day Centre"]
    body = api_client("staff").get(f"indicators/services/{oak}/over-time").json
    users = next(i for i in body["indicators"] if i["key"] == "valuing")["groups"]["service_users"]["service"]
    assert users[0]["view"] == "partly_met" and users[1] is None
    assert body["rounds"][1]["groups_shown"] == ["staff"]


def test_too_few_service_users_are_not_shown_round_after_round(tenant, api_client):
    shared = shared_round(tenant, api_client)  # one service user answered
    oak = tenant.services["Oak Day Centre"]
    body = api_client("facilitator").get(f"indicators/services/{oak}/over-time").json
    assert [r["id"] for r in body["rounds"]] == [shared]
    for indicator in body["indicators"]:
        assert indicator["groups"]["service_users"]["individual"] == [None]
        assert indicator["groups"]["staff"]["individual"][0]["responses"] == 1


@pytest.mark.parametrize("role", ["admin", "staff", "facilitator", "viewer", "service_user"])
def test_the_page_for_every_role(tenant, api_client, signed_in, time_machine, role):
    two_rounds(tenant, api_client, time_machine)
    oak = tenant.services["Oak Day Centre"]
    response = signed_in(role).get(f"/t/{tenant.slug}/indicators/services/{oak}/over-time")
    assert response.status_code == 200
    text = page(response)
    assert "Oak Day Centre: the indicators round after round" in html.unescape(text)
    assert text.count("<svg") >= 2 and "Autumn round" in text
    assert "Valuing: Valuing users as people and experts in their own lives" in html.unescape(text)
    assert not re.search(r"&lt;(table|p|div|svg)", text)
    # Fair steps: before the exchange only a facilitator sees both groups.
    assert ("Not shared yet" in text) == (role != "facilitator")


def test_the_service_page_links_to_it(tenant, api_client, signed_in):
    oak = tenant.services["Oak Day Centre"]
    start_round(api_client("staff"), oak)
    text = page(signed_in("viewer").get(f"/t/{tenant.slug}/indicators/?service_id={oak}"))
    assert f"/indicators/services/{oak}/over-time" in text


def test_a_service_without_rounds_says_so(tenant, api_client, signed_in):
    willow = tenant.services["Willow Ward"]
    assert api_client("viewer").get(f"indicators/services/{willow}/over-time").json["rounds"] == []
    text = page(signed_in("viewer").get(f"/t/{tenant.slug}/indicators/services/{willow}/over-time"))
    assert "There are no rounds for Willow Ward yet." in text


def test_another_trusts_service_is_not_found(tenant, other_tenant, api_client, signed_in):
    elm = other_tenant.services["Elm Community Team"]
    assert api_client("viewer").get(f"indicators/services/{elm}/over-time").status_code == 404
    assert signed_in("viewer").get(f"/t/{tenant.slug}/indicators/services/{elm}/over-time").status_code == 404
    assert api_client("viewer").get("indicators/services/999999/over-time").status_code == 404
