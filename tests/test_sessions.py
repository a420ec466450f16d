"""Sessions end at once on the server: sign-out, a new password, removal, "sign out everywhere", idle time."""
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from core import commands
from core.db import db
from core.models import Membership
from core.sessions import UserSession
from core.testing import PASSWORD, sign_in


def copy_of(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def home(tenant):
    return f"/t/{tenant.slug}/"


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, tenant):
    client = app.test_client()
    sign_in(client, tenant.people["staff"])
    thief = copy_of(app, client)
    assert thief.get(home(tenant)).status_code == 200
    client.post("/sign-out")
    response = thief.get(home(tenant))
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_a_new_password_signs_out_every_other_device(app, tenant):
    person = tenant.people["viewer"]
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, person)
    sign_in(phone, person)
    response = laptop.post("/account/password", data={"current_password": PASSWORD,
                                                      "new_password": "kettle orbit maple tide",
                                                      "confirm_password": "kettle orbit maple tide"})
    assert response.status_code == 302
    assert laptop.get(home(tenant)).status_code == 200  # the device that changed it stays signed in
    assert phone.get(home(tenant)).status_code == 302


def test_removal_from_a_trust_ends_the_persons_sessions_at_once(app, tenant, signed_in):
    person = tenant.people["staff"]
    theirs = app.test_client()
    sign_in(theirs, person)
    admin = signed_in("admin")
    assert admin.post(f"/t/{tenant.slug}/members/{person.membership_id}/remove").status_code == 302
    assert theirs.get(home(tenant)).status_code == 302


def test_an_admin_can_sign_a_member_out_everywhere(app, tenant, signed_in):
    person = tenant.people["facilitator"]
    theirs = app.test_client()
    sign_in(theirs, person)
    admin = signed_in("admin")
    response = admin.post(f"/t/{tenant.slug}/members/{person.membership_id}/sign-out", follow_redirects=True)
    assert "has been signed out on every device" in response.get_data(as_text=True)
    assert theirs.get(home(tenant)).status_code == 302
    assert signed_in("staff").post(f"/t/{tenant.slug}/members/{person.membership_id}/sign-out").status_code == 403


def test_sign_out_everywhere_ends_ones_own_sessions(app, tenant):
    person = tenant.people["service_user"]
    first, second = app.test_client(), app.test_client()
    sign_in(first, person)
    sign_in(second, person)
    assert first.post("/account/sign-out-everywhere").status_code == 302
    assert first.get(home(tenant)).status_code == 302
    assert second.get(home(tenant)).status_code == 302


def test_a_session_left_idle_for_half_an_hour_ends(app, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 30)  # the default outside the tests
    start = datetime.now(timezone.utc)
    client = app.test_client()
    with time_machine.travel(start, tick=False):
        sign_in(client, tenant.people["staff"])
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(home(tenant)).status_code == 200  # activity keeps it going
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get(home(tenant)).status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        response = client.get(home(tenant))
        assert response.status_code == 302
        page = client.get("/sign-in").get_data(as_text=True)
    assert "You were signed out because nothing happened for 30 minutes. Anything you saved is kept." in page


def test_signing_in_starts_a_new_session(app, tenant):
    person = tenant.people["admin"]
    client = app.test_client()
    sign_in(client, person)
    before = client.get_cookie("session").value
    client.post("/sign-out")
    sign_in(client, person)
    assert client.get_cookie("session").value != before
    with app.app_context():
        rows = db.session.scalars(select(UserSession).where(UserSession.user_id == person.user_id)
                                  .order_by(UserSession.started_at)).all()
        assert [r.ended_why for r in rows][-2:] == ["signed out", None]
