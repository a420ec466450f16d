"""A form that creates something, sent twice with its one-time key, makes one thing.

The second sending (a double-click, a browser's resend) is answered with what the
first made: a redirect to it and a plain message, not an error. Checked under the
Trust's lock in the same transaction as the append, so requests released together
record once on both engines.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.events import Event
from core.models import Membership, Service
from core.reports import london_today
from core.submissions import Submission, new_key
from core.testing import assert_replay_keeps_projections, at_once
from plugins.healthcheck.models import Review
from plugins.indicators.models import Invitation, Round, Target
from plugins.indicators.tests.helpers import shared_round
from plugins.levels.models import Assessment
from plugins.resources.models import Resource

RESENT = "This form had already been sent, so nothing new was added."


def count(tenant, model, *where) -> int:
    with tenant.context() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def events_of(tenant) -> int:
    return count(tenant, Event)


def test_add_service_sent_many_times_at_once_makes_one_service(tenant, signed_in):
    clients = [signed_in("admin") for _ in range(6)]
    form = {"name": "Birch House", "kind": "day_centre", "description": "", "submission": new_key()}
    before = events_of(tenant)
    results = at_once([lambda c=c: c.post(f"/t/{tenant.slug}/services/new", data=form) for c in clients])
    assert [r.status_code for r in results] == [302] * 6, [r.get_data(as_text=True)[:300] for r in results]
    assert len({r.headers["Location"] for r in results}) == 1
    assert count(tenant, Service, Service.name == "Birch House") == 1
    assert events_of(tenant) == before + 1
    assert count(tenant, Submission, Submission.key == form["submission"]) == 1
    assert_replay_keeps_projections(tenant)


def test_the_second_sending_shows_what_the_first_made(tenant, signed_in):
    client = signed_in("admin")
    page = client.get(f"/t/{tenant.slug}/services/new").get_data(as_text=True)
    assert 'name="submission"' in page
    form = {"name": "Cedar Team", "kind": "day_centre", "submission": new_key()}
    first = client.post(f"/t/{tenant.slug}/services/new", data=form)
    second = client.post(f"/t/{tenant.slug}/services/new", data=form, follow_redirects=True)
    assert second.status_code == 200
    assert second.request.path == first.headers["Location"]
    assert RESENT in second.get_data(as_text=True)
    assert count(tenant, Service, Service.name == "Cedar Team") == 1


def test_a_new_form_makes_a_new_thing_and_a_form_without_a_key_still_works(tenant, signed_in):
    client = signed_in("admin")
    one = client.post(f"/t/{tenant.slug}/services/new", data={"name": "Ash", "kind": "day_centre",
                                                               "submission": new_key()})
    two = client.post(f"/t/{tenant.slug}/services/new", data={"name": "Beech", "kind": "day_centre",
                                                               "submission": new_key()})
    three = client.post(f"/t/{tenant.slug}/services/new", data={"name": "Hazel", "kind": "day_centre"})
    assert [one.status_code, two.status_code, three.status_code] == [302, 302, 302]
    assert count(tenant, Service, Service.name.in_(["Ash", "Beech", "Hazel"])) == 3


def test_a_key_refused_for_bad_input_can_be_used_once_the_input_is_right(tenant, signed_in):
    client = signed_in("admin")
    key = new_key()
    refused = client.post(f"/t/{tenant.slug}/services/new", data={"name": "", "kind": "day_centre",
                                                                   "submission": key})
    assert refused.status_code == 200 and count(tenant, Submission, Submission.key == key) == 0
    made = client.post(f"/t/{tenant.slug}/services/new", data={"name": "Rowan", "kind": "day_centre",
                                                                "submission": key})
    assert made.status_code == 302 and count(tenant, Service, Service.name == "Rowan") == 1


def _forms(tenant, api_client):
    """Every creating form: (address, form, model counted). Built lazily: some need a round first."""
    oak = tenant.services["Oak Day Centre"]
    base = f"/t/{tenant.slug}"
    round_id = shared_round(tenant, api_client)
    review_on = (london_today() + timedelta(days=30)).isoformat()
    return {
        "member": (f"{base}/members/new", {"email": f"new-{new_key()[:12].lower()}@example.nhs.uk", "display_name": "New Person",
                                           "role": "staff", "password": "kettle orbit maple lantern"},
                   Membership),
        "health check": (f"{base}/healthcheck/services/{oak}/new", {"action": "draft", "staff_count": "2"}, Review),
        "assessment": (f"{base}/levels/services/{oak}/new", {"action": "draft", "participants": "Ward team"},
                       Assessment),
        "round": (f"{base}/indicators/rounds/new", {"service_id": str(oak), "title": "Autumn"}, Round),
        "target": (f"{base}/indicators/rounds/{round_id}/targets",
                   {"indicator": "valuing", "change": "A pack", "service_users_do": "Write", "staff_do": "Print",
                    "review_on": review_on, "agreed_for_service_users": "Sam", "agreed_for_staff": "Priya"}, Target),
        "invitation": (f"{base}/indicators/rounds/{round_id}/invitations", {"group": "service_users"}, Invitation),
        "resource": (f"{base}/resources/new", {"name": "Peer Group", "scope": "local",
                                               "website": "www.peers.example.org.uk"}, Resource),
    }


@pytest.mark.parametrize("what", ["member", "health check", "assessment", "round", "target", "invitation",
                                  "resource"])
def test_every_creating_form_sent_twice_at_once_records_once(tenant, signed_in, api_client, what):
    url, form, model = _forms(tenant, api_client)[what]
    form = {**form, "submission": new_key()}
    clients = [signed_in("admin") for _ in range(4)]
    rows, before = count(tenant, model), events_of(tenant)
    results = at_once([lambda c=c: c.post(url, data=form) for c in clients])
    # A new link is shown once, on the page that made it; every other answer is a redirect.
    first = 200 if what == "invitation" else 302
    assert sorted(r.status_code for r in results) == sorted([first] + [302] * 3), \
        [r.get_data(as_text=True)[-600:] for r in results if r.status_code not in (first, 302)]
    assert count(tenant, model) == rows + 1
    # one sending's events: agreeing a target also proposes it as an action
    assert events_of(tenant) == before + (2 if what == "target" else 1)
    assert_replay_keeps_projections(tenant)


def test_an_api_token_form_sent_twice_makes_one_token(tenant, signed_in):
    """The token is shown once, to the first sending; a resend makes none and says how to get another."""
    from core.models import ApiToken

    clients = [signed_in("staff") for _ in range(4)]
    form = {"name": "Spreadsheet link", "submission": new_key()}
    url = f"/t/{tenant.slug}/account/tokens"
    results = at_once([lambda c=c: c.post(url, data=form) for c in clients])
    shown = [r for r in results if r.status_code == 200 and "Spreadsheet link" in r.get_data(as_text=True)]
    assert len(shown) == 1, [r.status_code for r in results]
    assert sorted(r.status_code for r in results) == [200, 302, 302, 302]
    assert count(tenant, ApiToken, ApiToken.name == "Spreadsheet link") == 1
    again = clients[0].post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "no second token was made" in again
    assert count(tenant, ApiToken, ApiToken.name == "Spreadsheet link") == 1
