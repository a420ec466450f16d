"""Answering through an invitation link, with no account."""
import hashlib
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.events import Event
from core.reports import london_today

from ..models import Draft, Invitation, Response
from .helpers import (answer_question, csrf_token, event_count, future, page, start_round, submission_key, switch,
                      through_link)

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


def test_the_new_link_page_hands_it_over(tenant, signed_in, round_id):
    client = signed_in("facilitator")
    response = client.post(f"{base(tenant)}/rounds/{round_id}/invitations",
                           data={"group": "service_users", "expires_on": future(10).isoformat(), "label": "Drop-in"})
    text = page(response)
    link = re.search(r'id="invitation-link" type="text" value="([^"]+)"', text).group(1)
    token = link.rsplit("/", 1)[1]
    # The QR code, inline, with a text alternative; copy buttons; words for a text message.
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" role="img" aria-label="QR code for the invitation. [^"]*"', text)
    assert "<title>QR code for the invitation." in text
    assert 'data-app-copy="invitation-link"' in text and 'data-app-copy="text-message"' in text
    short = re.search(r'id="short-link" type="text" value="([^"]+)"', text).group(1)
    assert f"you do not need to give your name. Open this link to answer:\n{short}\nIt works until" in html.unescape(text)
    with tenant.context() as session:
        invitation_id = session.scalars(select(Invitation)).one().id
    where = f"{base(tenant)}/rounds/{round_id}/invitations/{invitation_id}"

    png = client.post(f"{where}/qr.png", data={"token": token})
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG")
    assert png.headers["Cache-Control"] == "no-store"
    sheet = client.post(f"{where}/sheet", data={"token": token, "contact": "Priya on 0161 496 0000"})
    assert sheet.status_code == 200
    sheet_text = html.unescape(page(sheet))
    assert "<svg" in sheet_text and short.split("://", 1)[1] in re.sub(r"<[^>]+>", "", sheet_text)
    assert "Priya on 0161 496 0000" in sheet_text and "Answer by the end of" in sheet_text
    # Only someone holding the token can make them: nothing about it is kept.
    for wrong in ("", "not-the-token", token[:-1] + ("A" if token[-1] != "A" else "B")):
        assert client.post(f"{where}/qr.png", data={"token": wrong}).status_code == 400
        assert client.post(f"{where}/sheet", data={"token": wrong}).status_code == 400
    assert token not in page(client.get(f"{base(tenant)}/rounds/{round_id}/invitations"))


def test_the_start_page_says_what_to_expect(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    start = client.get(link)
    assert start.status_code == 200
    text = html.unescape(page(start))
    assert "<h1>What do you think of Oak Day Centre?</h1>" in text
    for words in ("It takes about 10 minutes", "You do not need to give your name", "What happens next",
                  "How we look after your answers (privacy)", "If you need support now",
                  "Call 111 and choose option 2", "116 123", "Start now",
                  "Your code works on any phone or computer"):
        assert words in text, words
    assert "Sign in" not in text
    assert start.headers["Referrer-Policy"] == "no-referrer" and start.headers["Cache-Control"] == "no-store"

    admin = signed_in("admin")
    assert admin.post(f"/t/{tenant.slug}/contact/edit", data={"name": "The Oak team", "phone": "0161 496 0000",
                                                             "when": "Monday to Friday, 9am to 5pm"}).status_code == 302
    for shown in (page(client.get(link)), page(client.get(f"{link}/q/4"))):
        assert "The Oak team" in shown and "0161 496 0000" in shown and "Monday to Friday, 9am to 5pm" in shown


def test_someone_without_an_account_answers_one_question_a_page(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    first = client.get(f"{link}/q/1")
    assert first.status_code == 200
    text = html.unescape(page(first))
    assert "Question 1 of 7" in text
    assert "<h1 aria-describedby=\"progress\">Staff see service users as people" in text
    assert "What the guide says" in text and "Valuing users as people and experts in their own lives" in text
    assert "Is this happening for you?" in text and "Not sure" in text
    assert "Save and come back later" in text and "Continue" in text and "Sign in" not in text
    assert 'name="how"' in text and "<details" not in text.split('name="individual"')[1]  # words not hidden
    assert f'href="{link}"' in text  # Back goes to the start page
    for number in range(2, 8):
        assert f"Question {number} of 7" in page(client.get(f"{link}/q/{number}"))
    assert client.get(f"{link}/q/8").status_code == 404
    assert client.get(f"{link}/q/0").status_code == 404

    sent = through_link(client, link, {"valuing": {"individual": "not_met", "barriers": "Nobody asks",
                                                   "change": "Ask us at the start"},
                                       "involving": {"service": "dont_know"}}, send=False)
    assert sent.location.endswith(f"{link}/check")
    check = html.unescape(page(client.get(f"{link}/check")))
    assert "Check your answers before sending them" in check
    assert "Nobody asks" in check and "Not sure" in check and "Not answered" in check
    assert check.count(">Change<") == 7 * 5
    assert f'href="{link}/q/7"' in check

    key = submission_key(page(client.get(f"{link}/check")))
    done = client.post(f"{link}/check", data={"submission": key})
    assert done.status_code == 302 and done.location.endswith(f"{link}/sent")
    thanks = html.unescape(page(client.get(done.location)))
    assert "Thank you: your answers have been sent" in thanks and "What happens next" in thanks
    with tenant.context() as session:
        response = session.scalars(select(Response)).one()
        assert response.group == "service_users" and response.via == "invitation"
        assert response.answers["valuing"]["barriers"] == "Nobody asks"
        assert response.answers["involving"]["service"] == "dont_know"
        ev = session.scalars(select(Event).where(Event.type == "indicators.response_sent")).one()
        assert ev.actor == f"invitation:{response.invitation_id}"
        assert ev.service_id == tenant.services["Oak Day Centre"]
        assert not session.scalars(select(Draft)).one().open
    # Sent again (the back button, a double click): nothing stored twice.
    again = client.post(f"{link}/check", data={"submission": key})
    assert again.status_code == 302 and again.location.endswith("/sent")
    with tenant.context() as session:
        assert len(session.scalars(select(Response)).all()) == 1
    audit = page(signed_in("admin").get(f"/t/{tenant.slug}/audit/"))
    assert "A service user (invitation) answered the indicators for Oak Day Centre" in audit


def test_the_confirmation_gives_the_sharing_date(tenant, signed_in, client):
    staff = signed_in("staff")
    oak = tenant.services["Oak Day Centre"]
    planned = future(20)
    assert staff.post(f"{base(tenant)}/rounds/new", data={"service_id": str(oak),
                                                          "share_planned_on": planned.isoformat()}).status_code == 302
    with tenant.context() as session:
        from ..models import Round

        round_id = session.scalars(select(Round)).one().id
    link = make_link(staff, tenant, round_id)
    done = through_link(client, link, {"learning": {"individual": "met"}})
    from core.reports import long_date

    assert f"This is planned for\n        <strong>{long_date(planned)}</strong>" in page(client.get(done.location))


def test_a_staff_link_asks_staff_questions(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id, group="staff")
    assert "Is this happening for the individual people you work with?" in page(client.get(f"{link}/q/1"))
    through_link(client, link, {"valuing": {"individual": "met"}})
    with tenant.context() as session:
        assert session.scalars(select(Response)).one().group == "staff"


def test_save_and_come_back_later_in_the_same_browser(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    saved = answer_question(client, link, "listening", {"individual": "partly_met", "how": "Sometimes"},
                            action="save")
    assert saved.status_code == 302 and saved.location.endswith("/saved")
    text = page(client.get(saved.location))
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', text).group(1)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "Your answers are saved" in text and "On any other phone or computer" in text

    assert "Carry on with my answers" in page(client.get(link))
    again = page(client.get(f"{link}/q/2"))
    assert 'value="partly_met" checked' in again and "Sometimes" in again

    with tenant.context() as session:
        draft = session.scalars(select(Draft)).one()
        assert draft.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
        assert draft.open
    # Continuing keeps the same saved answers and code
    answer_question(client, link, "listening", {"individual": "met", "how": "Sometimes"})
    assert code in page(client.get(link + "/saved"))
    through_link(client, link, {})
    with tenant.context() as session:
        drafts = session.scalars(select(Draft)).all()
        assert len(drafts) == 1 and not drafts[0].open and drafts[0].answers == {}
        assert session.scalars(select(Response)).one().answers["listening"]["individual"] == "met"
    assert 'value="met" checked' not in page(client.get(f"{link}/q/2"))


def test_come_back_on_another_device_with_the_code(tenant, signed_in, app, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    first = app.test_client()
    saved = answer_question(first, link, "involving", {"service": "not_met", "change": "Ask us to interview"},
                            action="save")
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', page(first.get(saved.location))).group(1)

    second = app.test_client()
    assert "Ask us to interview" not in page(second.get(f"{link}/q/7"))
    wrong = second.post(link + "/resume", data={"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 422
    assert "We could not find answers saved with that code." in page(wrong)
    back = second.post(link + "/resume", data={"code": code.lower().replace("-", " ")})
    assert back.status_code == 302 and back.location.endswith("/check")
    assert "Ask us to interview" in page(second.get(back.location))
    assert "Ask us to interview" in page(second.get(f"{link}/q/7"))


def test_start_afresh_on_a_shared_computer(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    answer_question(client, link, "engaging", {"how": "Someone else's words"}, action="save")
    assert "Someone else&#39;s words" in page(client.get(f"{link}/q/4"))
    assert client.post(link + "/forget").status_code == 302
    assert "Someone else" not in page(client.get(f"{link}/q/4"))
    with tenant.context() as session:
        assert session.scalars(select(Draft)).one().open  # still there for whoever has the code


@pytest.mark.parametrize("data, message", [
    ({"individual": "always", "change": "Keep me", "action": "next"},
     "Choose met, partly met, not met or don&#39;t know."),
    ({"how": "x" * 2001, "change": "Keep me", "action": "next"}, "Use 2000 characters or fewer."),
    ({"service": "maybe", "change": "Keep me", "action": "save"},
     "Choose met, partly met, not met or don&#39;t know."),
])
def test_bad_answers_through_a_link_store_nothing(tenant, signed_in, client, round_id, data, message):
    link = make_link(signed_in("staff"), tenant, round_id)
    before = event_count(tenant)
    response = client.post(f"{link}/q/3", data=data)
    assert response.status_code == 422
    text = page(response)
    assert message in text and "There is a problem" in text
    assert "Keep me" in text  # nothing typed is lost
    assert event_count(tenant) == before


def test_sending_with_nothing_saved_says_so(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    assert "You have not answered any questions yet" in page(client.get(f"{link}/check"))
    before = event_count(tenant)
    refused = client.post(f"{link}/check", data={"submission": "abcdefgh12345678"})
    assert refused.status_code == 409
    assert "There are no saved answers to send" in page(refused)
    tampered = client.post(f"{link}/check", data={"submission": "<script>"})
    assert tampered.status_code == 409
    assert event_count(tenant) == before


def test_a_person_chooses_large_print_or_easy_read(tenant, signed_in, client, round_id):
    link = make_link(signed_in("staff"), tenant, round_id)
    assert "app-large-print" not in page(client.get(f"{link}/q/1"))
    chosen = client.post(f"{link}/presentation", data={"presentation": "large_print", "back": "2"})
    assert chosen.status_code == 302 and chosen.location.endswith(f"{link}/q/2")
    assert '<body class="app-large-print">' in page(client.get(f"{link}/q/5"))
    client.post(f"{link}/presentation", data={"presentation": "easy_read"})
    text = page(client.get(f"{link}/q/6"))
    assert '<body class="app-large-print app-easy-read">' in text
    assert "Staff help you find support outside the service." in text
    client.post(f"{link}/presentation", data={"presentation": "nonsense"})
    assert "app-easy-read" in page(client.get(link))  # a made-up choice changes nothing
    assert "app-large-print" not in page(signed_in("staff").get(f"{base(tenant)}/rounds/{round_id}"))


def test_stopped_and_expired_links_explain_with_410(tenant, signed_in, client, round_id, time_machine):
    staff = signed_in("staff")
    stopped = make_link(staff, tenant, round_id)
    ending = make_link(staff, tenant, round_id, expires_on=future(3).isoformat())
    assert client.get(ending).status_code == 200
    answer_question(client, stopped, "valuing", {"how": "Half done"}, action="save")

    with tenant.context() as session:
        invitation_id = session.scalars(select(Invitation).order_by(Invitation.id)).first().id
    asked = staff.get(f"{base(tenant)}/rounds/{round_id}/invitations/{invitation_id}/revoke")
    assert asked.status_code == 200
    assert "Yes, stop this link" in page(asked) and "No, keep the link working" in page(asked)
    revoked = staff.post(f"{base(tenant)}/rounds/{round_id}/invitations/{invitation_id}/revoke")
    assert revoked.status_code == 302
    assert "Stopped" in page(staff.get(revoked.location))
    before = event_count(tenant)
    closed = client.get(stopped)
    assert closed.status_code == 410
    text = html.unescape(page(closed))
    assert "This link has closed" in text and "have stopped it" in text
    assert "Answers saved in this browser but not sent have not been sent" in text.replace("<strong>", "").replace(
        "</strong>", "")
    assert "ask the staff or user group at Oak Day Centre for a new link" in text and "116 123" in text
    assert "Page not found" not in text and "Sign in" not in text
    for path in ("/q/1", "/check", "/saved", "/sent"):
        assert client.get(stopped + path).status_code == 410
    assert client.post(f"{stopped}/q/1", data={"individual": "met", "action": "next"}).status_code == 410
    assert client.post(f"{stopped}/check", data={"submission": "abcdefgh12345678"}).status_code == 410
    unknown = client.get(f"{base(tenant)}/i/not-a-real-token")
    assert unknown.status_code == 404
    assert tenant.name not in page(unknown)  # a made-up link does not even say whose it would be
    assert client.get(f"{base(tenant)}/i/{'x' * 300}").status_code == 404
    assert event_count(tenant) == before
    with tenant.context() as session:
        assert session.scalars(select(Draft)).one().open  # nothing lost

    time_machine.move_to(future(4), tick=False)
    expired = client.get(ending)
    assert expired.status_code == 410
    assert "This link worked until the end of" in page(expired)
    assert client.post(f"{ending}/q/1", data={"individual": "met", "action": "next"}).status_code == 410
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
    ({"group": "staff", "expires_on": "next week"}, "Enter the date as a day, month and year, for example 15 3 2027"),
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
    assert client.get(f"{base(tenant)}/rounds/{round_id}/invitations/{invitation_id}/revoke").status_code == 403
    assert client.get(f"{base(tenant)}/settings").status_code == 403
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
    refused = visitor.post(f"{link}/q/1", data={"individual": "met", "action": "next"})
    assert refused.status_code == 400
    assert "CSRF" not in page(refused)
    assert event_count(tenant) == before
    token = csrf_token(page(visitor.get(f"{link}/q/1")))
    saved = visitor.post(f"{link}/q/1", data={"individual": "met", "action": "next", "csrf_token": token})
    assert saved.status_code == 302
    assert event_count(tenant) == before + 1


@pytest.mark.parametrize("data, message", [
    ({"min_answers": "2"}, "The number of answers must be 3 or more"),
    ({"min_answers": "three"}, "Enter the number of answers as a whole number"),
])
def test_bad_settings_change_nothing(tenant, signed_in, data, message):
    admin = signed_in("admin")
    before = event_count(tenant)
    response = admin.post(f"{base(tenant)}/settings", data=data)
    assert response.status_code == 422
    assert message in page(response) and "There is a problem" in page(response)
    assert event_count(tenant) == before
