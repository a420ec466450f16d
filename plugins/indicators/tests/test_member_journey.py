"""Members with accounts answer one indicator a page, as an invitation does."""
import re

import pytest
from sqlalchemy import select

from core.events import Event
from core.testing import assert_replay_keeps_projections

from ..indicators import KEYS
from ..models import Draft, Response
from .helpers import event_count, page, start_round

pytest_plugins = ["core.testing"]


def base(tenant, round_id) -> str:
    return f"/t/{tenant.slug}/indicators/rounds/{round_id}/answer"


@pytest.fixture
def round_id(tenant, api_client):
    return start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]


def drafts(tenant) -> list:
    with tenant.context() as session:
        return [(d.group, d.answers, d.open) for d in session.scalars(select(Draft).order_by(Draft.id))]


def test_a_service_user_answers_one_indicator_a_page(tenant, signed_in, round_id):
    client = signed_in("service_user")
    url = base(tenant, round_id)
    round_page = page(client.get(f"/t/{tenant.slug}/indicators/rounds/{round_id}"))
    assert f'href="{url}"' in round_page  # step one leads here
    start = page(client.get(url))
    assert "There are 7 short questions, one on each page" in start and "service users</strong> group" in start
    first = client.get(f"{url}/q/1")
    text = page(first)
    assert first.status_code == 200
    assert "Question 1 of 7" in text and "What the guide says" in text
    assert "Save and come back later" in text and f'action="{url}/q/1"' in text
    assert f'href="{url}"' in text  # Back, to the start
    # Continue keeps the answers so far, through the event log.
    before = event_count(tenant)
    moved = client.post(f"{url}/q/1", data={"individual": "met", "service": "partly_met", "how": "They ask us.",
                                            "action": "next"})
    assert moved.status_code == 302 and moved.location.endswith(f"{url}/q/2")
    assert event_count(tenant) == before + 1
    with tenant.context() as session:
        assert session.scalars(select(Event).order_by(Event.id.desc())).first().type == "indicators.draft_saved"
    assert drafts(tenant) == [("service_users", {KEYS[0]: {"individual": "met", "service": "partly_met",
                                                           "how": "They ask us.", "barriers": "", "change": ""}},
                               True)]
    third = page(client.get(f"{url}/q/3"))
    assert "Question 3 of 7" in third and f'href="{url}/q/2"' in third
    # Save and come back later, on another device: the answers are the member's.
    saved = client.post(f"{url}/q/3", data={"individual": "not_met", "action": "save"})
    assert saved.status_code == 302 and saved.location.endswith(f"/rounds/{round_id}")
    elsewhere = signed_in("service_user")
    assert re.search(r'value="met"[^>]*checked', page(elsewhere.get(f"{url}/q/1")))
    assert "You have saved answers for this round" in page(elsewhere.get(url))
    # Check your answers, with Change links; send; the confirmation.
    check = page(elsewhere.get(f"{url}/check"))
    assert "Check your answers before sending them" in check and f'href="{url}/q/3"' in check
    assert "They ask us." in check
    key = re.search(r'name="submission" type="hidden" value="([^"]+)"', check).group(1)
    sent = elsewhere.post(f"{url}/check", data={"submission": key})
    assert sent.status_code == 302 and sent.location.endswith(f"{url}/sent")
    thanks = page(elsewhere.get(f"{url}/sent"))
    assert "Thank you: your answers have been sent" in thanks and "What happens next" in thanks
    with tenant.context() as session:
        [response] = session.scalars(select(Response)).all()
        assert response.membership_id == tenant.people["service_user"].membership_id
        assert response.group == "service_users" and response.via == "member"
        assert response.answers[KEYS[2]]["individual"] == "not_met"
    assert [open_ for *_, open_ in drafts(tenant)] == [False]
    # Sent twice (a double click): counted once; the questions now show what was sent.
    before = event_count(tenant)
    assert elsewhere.post(f"{url}/check", data={"submission": key}).status_code == 302
    assert elsewhere.post(f"{url}/q/2", data={"individual": "met", "action": "next"}).status_code == 409
    assert event_count(tenant) == before
    assert_replay_keeps_projections(tenant)


def test_a_facilitator_chooses_the_group_first(tenant, signed_in, round_id):
    client = signed_in("facilitator")
    url = base(tenant, round_id)
    assert client.get(f"{url}/q/1").location.endswith(url)  # no group yet: choose it first
    refused = client.post(url, data={"group": "everyone"})
    assert refused.status_code == 422 and "Choose whether you are answering with service users or staff" in \
        page(refused)
    chosen = client.post(url, data={"group": "staff"})
    assert chosen.location.endswith(f"{url}/q/1")
    client.post(f"{url}/q/1", data={"individual": "partly_met", "action": "next"})
    assert drafts(tenant)[0][0] == "staff"


def test_bad_answers_and_roles(tenant, signed_in, round_id):
    url = base(tenant, round_id)
    client = signed_in("staff")
    before = event_count(tenant)
    for data in ({"individual": "always", "action": "next"}, {"how": "x" * 5001, "action": "next"}):
        response = client.post(f"{url}/q/1", data=data)
        assert response.status_code == 422, data
        assert "There is a problem" in page(response)
    assert client.get(f"{url}/q/0").status_code == 404 and client.get(f"{url}/q/8").status_code == 404
    nothing = client.post(f"{url}/check", data={"submission": "abcdefgh12345678"})
    assert nothing.status_code == 409 and "There are no saved answers to send" in page(nothing)
    assert event_count(tenant) == before
    assert signed_in("viewer").get(f"{url}/q/1").status_code == 403
    assert client.get(f"{base(tenant, 999999)}/q/1").status_code == 404
