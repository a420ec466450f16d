"""Guessing resume codes is throttled per link and address, and per address; the person who
saved the answers, coming back from elsewhere, is never locked out by someone else's guesses."""
import re

import pytest

from core.testing import client_at, throttling_app

from .helpers import page, start_round

pytest_plugins = ["core.testing"]


@pytest.fixture
def throttled(database):
    with throttling_app(database.url, RESUME_CODE_LIMITS="3 per minute",
                        RESUME_CODE_ADDRESS_LIMITS="5 per minute") as app:
        yield app


def saved_answers(trust, api_client, app):
    """A link, and the resume code of answers saved through it."""
    round_id = start_round(api_client("staff", target=trust), trust.services["Oak Day Centre"])["id"]
    staff = trust.people["staff"]
    signed = app.test_client()
    signed.post("/sign-in", data={"email": staff.email, "password": staff.password})
    made = page(signed.post(f"/t/{trust.slug}/indicators/rounds/{round_id}/invitations",
                            data={"group": "service_users", "expires_on": "", "label": "Drop-in"}))
    link = re.search(r'id="invitation-link" type="text" value="([^"]+)"', made).group(1).replace("http://localhost", "")
    person = client_at(app, "192.0.2.50")
    saved = person.post(f"{link}/q/7", data={"change": "Ask us to interview", "action": "save"})
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', page(person.get(saved.location))).group(1)
    return link, code


def test_wrong_codes_lock_that_address_out_of_that_link_only(make_tenant, api_client, throttled):
    trust = make_tenant(roles=("staff",), target_app=throttled)
    link, code = saved_answers(trust, api_client, throttled)
    guesser = client_at(throttled, "192.0.2.66")
    for guess in ("AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF", "GGGG-HHHH-JJJJ"):
        assert guesser.post(link + "/resume", data={"code": guess}).status_code == 422

    refused = guesser.post(link + "/resume", data={"code": code})
    assert refused.status_code == 429
    assert "Too many attempts" in page(refused)
    # the person, on another device elsewhere, still comes back to their answers
    elsewhere = client_at(throttled, "192.0.2.51")
    assert elsewhere.post(link + "/resume", data={"code": code}).status_code == 302
    assert "Ask us to interview" in page(elsewhere.get(f"{link}/check"))


def test_an_address_guessing_at_many_links_is_stopped(make_tenant, api_client, throttled):
    trust = make_tenant(roles=("staff",), target_app=throttled)
    first, _ = saved_answers(trust, api_client, throttled)
    second, code = saved_answers(trust, api_client, throttled)
    guesser = client_at(throttled, "192.0.2.77")
    for link in (first, first, second, second, first):  # two and three per link, five from the address
        assert guesser.post(link + "/resume", data={"code": "AAAA-BBBB-CCCC"}).status_code == 422
    assert guesser.post(second + "/resume", data={"code": code}).status_code == 429
