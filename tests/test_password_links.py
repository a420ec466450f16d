"""A one-time "set your password" link e-mailed to a new member, through a real local SMTP server:
followed once, before it expires; used, expired and unknown links get a plain page and change nothing."""
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.events import Event
from core.models import PasswordLink, User
from core.testing import free_port, make_app, mail_server
from core.throttle import limiter

NEW_PASSWORD = "lantern orchard pebble"


@pytest.fixture(autouse=True)
def new_email(tenant):
    tenant.new_email = f"new.{uuid.uuid4().hex[:8]}@example.nhs.uk"  # accounts are shared by every Trust
    return tenant.new_email


@pytest.fixture
def inbox(app):
    with mail_server() as box:
        app.config["MAIL_URL"] = box.url
        yield box
        app.config["MAIL_URL"] = None


def events(tenant, kind=None) -> int:
    with tenant.context() as session:
        query = select(func.count(Event.id))
        return session.scalar(query.where(Event.type == kind) if kind else query)


def add_by_link(admin, tenant, email=None, **extra):
    email = email or tenant.new_email
    return admin.post(f"/t/{tenant.slug}/members/new", data={
        "email": email, "display_name": "Nia Member", "role": "service_user", "how": "link", **extra})


def link_in(body: str) -> str:
    return re.search(r"http://[^/\s]+(/t/[^\s]+/set-password/[^\s]+)", body).group(1)


def test_a_new_member_follows_the_emailed_link_sets_a_password_and_signs_in(tenant, signed_in, inbox, client,
                                                                         new_email):
    admin = signed_in("admin")
    added = add_by_link(admin, tenant)
    assert added.status_code == 302, added.get_data(as_text=True)[:800]
    flashed = admin.get(added.location).get_data(as_text=True)
    assert "we have e-mailed them a link to set their own password" in flashed
    [message] = inbox.messages
    assert message.rcpt_tos == [new_email]
    [body] = inbox.bodies()
    assert "Test Trust has added you to Changing Lives" in body and "works once, for 3 days" in body
    link = link_in(body)
    secret = link.rsplit("/", 1)[1]
    with tenant.context() as session:
        [row] = session.scalars(select(PasswordLink)).all()
        assert row.token_hash != secret and len(row.token_hash) == 64  # only the hash is kept
        logged = " ".join(str(e.payload) for e in session.scalars(select(Event)))
        assert secret not in logged
    assert events(tenant, "member.password_link_sent") == 1

    page = client.get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Set your password</h1>" in text
    assert 'autocomplete="new-password"' in text and new_email in text
    assert page.headers["Cache-Control"] == "no-store"
    # Mistakes are named and change nothing.
    wrong = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": "something else"})
    assert wrong.status_code == 400 and "The two passwords are not the same" in wrong.get_data(as_text=True)
    assert events(tenant, "member.password_link_used") == 0

    done = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302 and done.location == "/sign-in"
    assert events(tenant, "member.password_link_used") == 1
    signed = client.post("/sign-in", data={"email": new_email, "password": NEW_PASSWORD})
    assert signed.status_code == 302
    assert client.get("/").location == f"/t/{tenant.slug}/"  # their one Trust

    # Used once: the same link now gets a plain 410 page, and nothing changes.
    before = events(tenant)
    again = client.post(link, data={"new_password": "another long phrase here", "confirm_password":
                                    "another long phrase here"})
    assert again.status_code == 410
    assert "Ask your Trust admin for a new link." in again.get_data(as_text=True)
    assert client.get(link).status_code == 410
    assert events(tenant) == before
    audit = admin.get(f"/t/{tenant.slug}/audit/").get_data(as_text=True)
    assert "e-mailed Nia Member a link to set their password" in audit
    assert "Nia Member set their password with the link they were e-mailed" in audit


def test_an_expired_link_is_refused_and_a_wrong_one_is_not_found(tenant, signed_in, inbox, client, time_machine,
                                                                  new_email):
    add_by_link(signed_in("admin"), tenant)
    link = link_in(inbox.bodies()[0])
    time_machine.move_to(time_machine_now(tenant) + timedelta(days=3, minutes=1))
    gone = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert gone.status_code == 410 and "has expired" in gone.get_data(as_text=True)
    assert events(tenant, "member.password_link_used") == 0
    with tenant.context() as session:
        user = session.scalar(select(User).where(User.email == new_email))
        assert user is not None
    assert client.post("/sign-in", data={"email": new_email,
                                         "password": NEW_PASSWORD}).status_code == 200  # not set
    assert client.get(f"/t/{tenant.slug}/set-password/{'x' * 43}").status_code == 404
    assert client.get(f"/t/{tenant.slug}/set-password/short").status_code == 404


def time_machine_now(tenant):
    from core.db import utcnow

    return utcnow()


def test_a_mail_server_that_is_down_adds_nobody(tenant, signed_in, app, new_email):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    try:
        before = events(tenant)
        response = add_by_link(signed_in("admin"), tenant, email="nobody." + new_email)
        assert response.status_code == 200
        assert "We could not send the e-mail, so nobody was added" in response.get_data(as_text=True)
        assert events(tenant) == before
        with tenant.context() as session:
            assert session.scalar(select(User).where(User.email == "nobody." + new_email)) is None
    finally:
        app.config["MAIL_URL"] = None


def test_without_a_mail_server_the_email_is_printed(tenant, signed_in, capsys, new_email):
    assert add_by_link(signed_in("admin"), tenant, email="printed." + new_email).status_code == 302
    out = capsys.readouterr().out
    assert "would send to printed." + new_email in out and "/set-password/" in out


def test_someone_with_an_account_is_invited_and_sent_no_link(tenant, other_tenant, signed_in, inbox):
    existing = other_tenant.people["staff"]
    response = add_by_link(signed_in("admin"), tenant, email=existing.email)
    assert response.status_code == 302
    assert inbox.messages == []  # they sign in with the password they have
    assert events(tenant, "member.invited") == 1 and events(tenant, "member.password_link_sent") == 0


def test_wrong_links_are_throttled_per_address(make_tenant, database):
    was_enabled = limiter.enabled
    app = make_app(database.url, RATELIMIT_ENABLED=True, PASSWORD_LINK_LIMITS="3 per minute")
    try:
        tenant = make_tenant(roles=("admin",), services=(), target_app=app)
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "203.0.113.40"
        for n in range(3):
            assert client.get(f"/t/{tenant.slug}/set-password/{str(n) * 43}").status_code == 404
        assert client.get(f"/t/{tenant.slug}/set-password/{'9' * 43}").status_code == 429
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "203.0.113.41"
        assert other.get(f"/t/{tenant.slug}/set-password/{'9' * 43}").status_code == 404
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with app.app_context():
            db.engine.dispose()


def test_a_link_used_by_many_at_once_sets_one_password(tenant, signed_in, inbox, app, new_email):
    from core.testing import assert_replay_keeps_projections, at_once

    add_by_link(signed_in("admin"), tenant)
    link = link_in(inbox.bodies()[0])
    clients = [app.test_client() for _ in range(6)]
    for client in clients:
        assert client.get(link).status_code == 200  # every form open before any is sent
    answers = at_once([lambda c=c, n=n: c.post(link, data={"new_password": f"lantern orchard pebble {n}",
                                                           "confirm_password": f"lantern orchard pebble {n}"})
                       for n, c in enumerate(clients)])
    assert sorted(a.status_code for a in answers) == [302] + [410] * 5
    assert events(tenant, "member.password_link_used") == 1
    assert_replay_keeps_projections(tenant)
