"""Answering through an invitation link, with no account."""
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.events import Event
from core.reports import london_today

from ..models import Draft, Invitation, Response
from .helpers import csrf_token, event_count, future, page, start_round, switch

pytest_plugins = ["core.testing"]


def base(tenant) -> str:
    return f"/t/{tenant.slug}/indicators"


def make_link(client, tenant, round_id, group="service_users", expires_on="", label="Tuesday drop-in") -> str:
    response = client.post(f"{base(tenant)}/rounds/{round_id}/invitations",
                           data={"group": group, "expires_on": expires_on, "label": label})
    assert response.status_code == 200, page(response)[:2000]
    text = page(response)
    assert "<h1>Your invitation link</h1>" in text
    link = re.search(r'id="invitation-link" type="text" value="([^"]+)"', text).group(1)
    return link.replace("http://localhost", "")


@pytest.fixture
def round_id(tenant, api_client):
    return start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]


def test_a_link_is_shown_once_and_only_its_hash_is_kept(tenant, signed_in, round_id):
    client = signed_in("facilitator")
    link = make_link(client, tenant, round_id)
    token = link.rsplit("/", 1)[1]
    assert link.startswith(f"{base(tenant)}/i/")
    with tenant.context() as session:
        invitation = session.scalars(select(Invitation)).one()
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert invitation.label == "Tuesday drop-in"
        events = session.scalars(select(Event).where(Event.type == "indicators.invitation_created")).all()
        assert token not in str([e.as_record() for e in events])
    listing = page(client.get(f"{base(tenant)}/rounds/{round_id}/invitations"))
    assert "Tuesday drop-in" in listing and "Works" in listing
    assert token not in listing


def test_someone_without_an_account_answers(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    form = client.get(link)
    assert form.status_code == 200
    text = page(form)
    assert "<h1>What do you think of Oak Day Centre?</h1>" in text
    assert "Is this happening for you?" in text
    assert "Valuing users as people and experts in their own lives" in text
    assert "Save and come back later" in text and "Send my answers" in text
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert form.headers["Cache-Control"] == "no-store"

    sent = client.post(link, data={"valuing_individual": "not_met", "valuing_barriers": "Nobody asks",
                                   "valuing_change": "Ask us at the start", "action": "send"})
    assert sent.status_code == 302
    thanks = page(client.get(sent.location))
    assert "Thank you: your answers have been sent" in thanks

    with tenant.context() as session:
        response = session.scalars(select(Response)).one()
        assert response.group == "service_users" and response.via == "invitation"
        assert response.answers["valuing"]["barriers"] == "Nobody asks"
        ev = session.scalars(select(Event).where(Event.type == "indicators.response_sent")).one()
        assert ev.actor == f"invitation:{response.invitation_id}"
        assert ev.service_id == tenant.services["Oak Day Centre"]

    audit = page(signed_in("admin").get(f"/t/{tenant.slug}/audit/"))
    assert "A service user (invitation) answered the indicators for Oak Day Centre" in audit


def test_a_staff_link_asks_staff_questions(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id, group="staff")
    assert "Is this happening for the individual people you work with?" in page(client.get(link))
    client.post(link, data={"valuing_individual": "met", "action": "send"})
    with tenant.context() as session:
        assert session.scalars(select(Response)).one().group == "staff"


def test_save_and_come_back_later_on_the_same_device(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    saved = client.post(link, data={"listening_individual": "partly_met", "listening_how": "Sometimes",
                                    "action": "save"})
    assert saved.status_code == 302
    text = page(client.get(saved.location))
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', text).group(1)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "Your answers are saved" in text

    again = page(client.get(link))
    assert 'value="partly_met" checked' in again
    assert "Sometimes" in again
    assert "We have put back the answers saved earlier on this device." in again

    with tenant.context() as session:
        draft = session.scalars(select(Draft)).one()
        assert draft.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
        assert draft.open
    # saving again keeps the same draft and code
    client.post(link, data={"listening_individual": "met", "listening_how": "Sometimes", "action": "save"})
    assert code in page(client.get(link + "/saved"))
    client.post(link, data={"listening_individual": "met", "action": "send"})
    with tenant.context() as session:
        drafts = session.scalars(select(Draft)).all()
        assert len(drafts) == 1 and not drafts[0].open and drafts[0].answers == {}
        assert session.scalars(select(Response)).one().answers["listening"]["individual"] == "met"
    assert "checked" not in page(client.get(link))


def test_come_back_on_another_device_with_the_code(tenant, signed_in, app, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    first = app.test_client()
    saved = first.post(link, data={"involving_service": "not_met", "involving_change": "Ask us to interview",
                                   "action": "save"})
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', page(first.get(saved.location))).group(1)

    second = app.test_client()
    assert "Ask us to interview" not in page(second.get(link))
    wrong = second.post(link + "/resume", data={"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 422
    assert "We could not find answers saved with that code." in page(wrong)
    back = second.post(link + "/resume", data={"code": code.lower().replace("-", " ")})
    assert back.status_code == 302
    assert "Ask us to interview" in page(second.get(link))


def test_start_afresh_on_a_shared_computer(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    client.post(link, data={"engaging_how": "Someone else's words", "action": "save"})
    assert "Someone else&#39;s words" in page(client.get(link))
    assert client.post(link + "/forget").status_code == 302
    assert "Someone else" not in page(client.get(link))
    with tenant.context() as session:
        assert session.scalars(select(Draft)).one().open  # still there for whoever has the code


@pytest.mark.parametrize("data, message", [
    ({"valuing_individual": "always", "connecting_change": "Keep me", "action": "send"},
     "Choose met, partly met, not met or don&#39;t know."),
    ({"valuing_how": "x" * 2001, "connecting_change": "Keep me", "action": "send"}, "Use 2000 characters or fewer."),
    ({"connecting_change": "   ", "action": "send"}, "Answer at least one question before you send your answers."),
    ({"valuing_service": "maybe", "connecting_change": "Keep me", "action": "save"},
     "Choose met, partly met, not met or don&#39;t know."),
])
def test_bad_answers_through_a_link_store_nothing(tenant, signed_in, client, round_id, data, message):
    link = make_link(signed_in("staff"), tenant, round_id)
    before = event_count(tenant)
    response = client.post(link, data=data)
    assert response.status_code == 422
    text = page(response)
    assert message in text and "There is a problem" in text
    if data["connecting_change"] == "Keep me":
        assert "Keep me" in text  # nothing typed is lost
    assert event_count(tenant) == before


def test_stopped_expired_and_unknown_links_are_not_found(tenant, signed_in, client, round_id, time_machine):
    staff = signed_in("staff")
    stopped = make_link(staff, tenant, round_id)
    ending = make_link(staff, tenant, round_id, expires_on=future(3).isoformat())
    assert client.get(ending).status_code == 200

    with tenant.context() as session:
        invitation = session.scalars(select(Invitation).order_by(Invitation.id)).first()
        invitation_id = invitation.id
    revoked = staff.post(f"{base(tenant)}/rounds/{round_id}/invitations/{invitation_id}/revoke")
    assert revoked.status_code == 302
    assert "Stopped" in page(staff.get(revoked.location))
    before = event_count(tenant)
    assert client.get(stopped).status_code == 404
    assert client.post(stopped, data={"valuing_individual": "met", "action": "send"}).status_code == 404
    unknown = client.get(f"{base(tenant)}/i/not-a-real-token")
    assert unknown.status_code == 404
    assert tenant.name not in page(unknown)  # a dead link does not even say whose it was
    assert client.get(f"{base(tenant)}/i/{'x' * 300}").status_code == 404
    assert event_count(tenant) == before

    time_machine.move_to(future(4), tick=False)
    assert client.get(ending).status_code == 404
    assert client.post(ending, data={"valuing_individual": "met", "action": "send"}).status_code == 404
    assert event_count(tenant) == before


def test_a_link_does_not_open_another_trust(tenant, other_tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/t/{other_tenant.slug}/indicators/i/{token}").status_code == 404
    # nor does the link open anything else without an account
    assert client.get(f"{base(tenant)}/rounds/{round_id}").status_code == 302


def test_a_link_of_a_switched_off_section_is_not_found(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    switch(tenant, "indicators", False)
    assert client.get(link).status_code == 404
    switch(tenant, "indicators", True)
    assert client.get(link).status_code == 200


@pytest.mark.parametrize("data, message", [
    ({"group": "everyone"}, "Choose service users or staff."),
    ({"group": "staff", "expires_on": "PAST"}, "The last day the link works must be today or in the future."),
    ({"group": "staff", "expires_on": "next week"}, "Enter a real date, like 31/3/2027."),
    ({"group": "staff", "label": "x" * 201}, "A name for the link must be 200 characters or fewer."),
])
def test_bad_invitation_forms(tenant, signed_in, round_id, data, message):
    client = signed_in("staff")
    if data.get("expires_on") == "PAST":
        data["expires_on"] = (london_today() - timedelta(days=1)).isoformat()
    before = event_count(tenant)
    response = client.post(f"{base(tenant)}/rounds/{round_id}/invitations", data=data)
    assert response.status_code == 422
    assert message in page(response)
    assert event_count(tenant) == before


def test_service_users_cannot_make_or_stop_links(tenant, signed_in, round_id):
    staff = signed_in("staff")
    make_link(staff, tenant, round_id)
    with tenant.context() as session:
        invitation_id = session.scalars(select(Invitation)).one().id
    client = signed_in("service_user")
    before = event_count(tenant)
    assert client.get(f"{base(tenant)}/rounds/{round_id}/invitations").status_code == 403
    assert client.post(f"{base(tenant)}/rounds/{round_id}/invitations", data={"group": "staff"}).status_code == 403
    assert client.post(f"{base(tenant)}/rounds/{round_id}/invitations/{invitation_id}/revoke").status_code == 403
    assert event_count(tenant) == before


# --- the form's token (CSRF) applies here too --------------------------------------------------

@pytest.fixture(scope="module")
def csrf_app(database):
    from core.testing import make_app

    app = make_app(database.url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        from core.db import db

        db.engine.dispose()


def test_the_invitation_form_needs_its_token(make_tenant, csrf_app):
    tenant = make_tenant(roles=("staff",), services=("Oak Day Centre",), target_app=csrf_app)
    staff = csrf_app.test_client()
    person = tenant.people["staff"]
    assert staff.post("/sign-in", data={"email": person.email, "password": person.password,
                                        "csrf_token": csrf_token(page(staff.get("/sign-in")))}).status_code == 302
    oak = tenant.services["Oak Day Centre"]
    new_round = page(staff.get(f"{base(tenant)}/rounds/new"))
    assert staff.post(f"{base(tenant)}/rounds/new", data={"service_id": str(oak), "csrf_token": csrf_token(
        new_round)}).status_code == 302
    with tenant.context() as session:
        from ..models import Round

        round_id = session.scalars(select(Round)).one().id
    listing = page(staff.get(f"{base(tenant)}/rounds/{round_id}/invitations"))
    created = page(staff.post(f"{base(tenant)}/rounds/{round_id}/invitations",
                              data={"group": "service_users", "csrf_token": csrf_token(listing)}))
    link = re.search(r'id="invitation-link" type="text" value="([^"]+)"', created).group(1)
    link = link.replace("http://localhost", "")

    visitor = csrf_app.test_client()
    before = event_count(tenant)
    refused = visitor.post(link, data={"valuing_individual": "met", "action": "send"})
    assert refused.status_code == 400
    assert "CSRF" not in page(refused)
    assert event_count(tenant) == before
    token = csrf_token(page(visitor.get(link)))
    sent = visitor.post(link, data={"valuing_individual": "met", "action": "send", "csrf_token": token})
    assert sent.status_code == 302
    assert event_count(tenant) == before + 1
