"""The short address of an invitation link (/i/ABCD-2345): typed from paper, finding its Trust safely."""
import hashlib
import html
import re

import pytest
from sqlalchemy import select

from core.db import db
from core.short_address import ALPHABET, tidy
from core.testing import make_app
from core.web import limiter

from ..models import Invitation
from .helpers import event_count, future, page, start_round
from .test_invite import base, make_link

pytest_plugins = ["core.testing"]


@pytest.fixture
def round_id(tenant, api_client):
    return start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]


def made(client, tenant, round_id, **data):
    """The new-link page: the full link and the short address shown with it."""
    response = client.post(f"{base(tenant)}/rounds/{round_id}/invitations",
                           data={"group": "service_users", "expires_on": "", "label": "Drop-in", **data})
    text = page(response)
    link = re.search(r'id="invitation-link" type="text" value="([^"]+)"', text).group(1)
    short = re.search(r'id="short-link" type="text" value="([^"]+)"', text).group(1)
    return link.replace("http://localhost", ""), short.replace("http://localhost", ""), text


def test_codes_are_tidied_and_unambiguous():
    assert not set("0O1I") & set(ALPHABET) and len(ALPHABET) == 32  # 8 characters: 40 bits
    assert tidy("abcd-2345") == "ABCD2345"
    assert tidy(" ab cd 23 45 ") == "ABCD2345"
    assert tidy("ABCD–2345") == "ABCD2345"
    for wrong in ("ABCD234", "ABCD23456", "ABCD-0345", "ABCD-I345", "", "A" * 50, "ABCD/2345"):
        assert tidy(wrong) is None


def test_a_short_address_leads_to_the_invitation_and_only_its_hash_is_kept(tenant, signed_in, client, round_id):
    link, short, text = made(signed_in("facilitator"), tenant, round_id)
    assert re.fullmatch(r"/i/[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", short)
    code = short[3:].replace("-", "")
    # The text message uses the short address; the full link is still shown.
    assert f"Open this link to answer:\nhttp://localhost{short}" in html.unescape(text)
    with tenant.context() as session:
        invitation = session.scalars(select(Invitation)).one()
        assert invitation.short_hash == hashlib.sha256(code.encode()).hexdigest()
        assert code not in str(invitation.__dict__)
    from core.events import Event
    with tenant.context() as session:
        assert code not in str([e.as_record() for e in session.scalars(select(Event))])
    # Capitals or not, dashes or spaces: all lead to the same link.
    for typed in (short, short.lower(), f"/i/{code}", f"/i/{code[:4]} {code[4:]}", f"/i/{code.lower()[:2]}-{code[2:]}"):
        response = client.get(typed)
        assert response.status_code == 302, typed
        assert response.location.replace("http://localhost", "") == link
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(short, follow_redirects=True).status_code == 200


def test_the_sheet_shows_the_short_address_large(tenant, signed_in, round_id):
    staff = signed_in("facilitator")
    link, short, _ = made(staff, tenant, round_id, expires_on=future(10).isoformat())
    token = link.rsplit("/", 1)[1]
    with tenant.context() as session:
        invitation_id = session.scalars(select(Invitation)).one().id
    sheet = staff.post(f"{base(tenant)}/rounds/{round_id}/invitations/{invitation_id}/sheet",
                       data={"token": token, "contact": "Priya on 0161 496 0000"})
    text = html.unescape(page(sheet))
    code = short.rsplit("/", 1)[1]
    assert f'<p class="app-sheet__short">localhost/i/<span class="app-sheet__code">{code}</span></p>' in text
    assert re.search(r'<svg viewBox="0 0 (\d+) \1" role="img"', text)  # sized by the sheet, never cut off
    assert "<svg" in text and "Answer by the end of" in text and "Priya on 0161 496 0000" in text
    assert token not in text.split("<svg", 1)[0]  # the long link is not printed to be typed


def test_a_stopped_or_expired_links_short_address_gives_the_410_page(tenant, signed_in, client, round_id,
                                                                      time_machine):
    staff = signed_in("staff")
    stopped_link, stopped, _ = made(staff, tenant, round_id)
    ending_link, ending, _ = made(staff, tenant, round_id, expires_on=future(2).isoformat())
    with tenant.context() as session:
        first = session.scalars(select(Invitation).order_by(Invitation.id)).first().id
    staff.post(f"{base(tenant)}/rounds/{round_id}/invitations/{first}/revoke")
    closed = client.get(stopped, follow_redirects=True)
    assert closed.status_code == 410 and "This link has closed" in page(closed)
    assert client.get(stopped_link).status_code == 410  # the contract: the token route itself
    time_machine.move_to(future(3), tick=False)
    expired = client.get(ending.lower(), follow_redirects=True)
    assert expired.status_code == 410 and "This link worked until the end of" in page(expired)


def test_an_unknown_short_address_is_a_plain_404(tenant, signed_in, client, round_id):
    _, short, _ = made(signed_in("staff"), tenant, round_id)
    before = event_count(tenant)
    code = short[3:].replace("-", "")
    other = ("2" if code[0] != "2" else "3") + code[1:]
    for typed in (f"/i/{other}", "/i/hello", "/i/ABCD-0000", "/i/" + "Z" * 300, "/i/%00%00"):
        response = client.get(typed)
        assert response.status_code == 404, typed
        text = page(response)
        assert "We could not find that address" in text and "Check the letters and numbers" in text
        assert tenant.name not in text
    assert event_count(tenant) == before


def test_a_short_address_finds_its_own_trust_only(tenant, other_tenant, signed_in, client, api_client, round_id):
    link, short, _ = made(signed_in("staff"), tenant, round_id)
    other_round = start_round(api_client("staff", target=other_tenant), other_tenant.services["Elm Community Team"])["id"]
    other_client = signed_in("staff", target=other_tenant)
    other_link, other_short, _ = made(other_client, other_tenant, other_round)
    assert client.get(short).location.endswith(link)
    assert client.get(other_short).location.endswith(other_link)
    assert f"/t/{other_tenant.slug}/" in client.get(other_short).location
    # The token made from one Trust's code opens nothing in another Trust.
    assert client.get(f"/t/{other_tenant.slug}/indicators/i/{link.rsplit('/', 1)[1]}").status_code == 404


def test_wrong_short_addresses_are_throttled(database, make_tenant):
    was_enabled = limiter.enabled
    app = make_app(database.url, RATELIMIT_ENABLED=True, SHORT_ADDRESS_LIMITS="3 per minute")
    limiter.reset()
    try:
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = "192.0.2.77"
        for _ in range(3):
            assert guesser.get("/i/ABCD-2345").status_code == 404
        assert guesser.get("/i/ABCD-2346").status_code == 429
        someone_else = app.test_client()
        someone_else.environ_base["REMOTE_ADDR"] = "192.0.2.78"
        assert someone_else.get("/i/ABCD-2345").status_code == 404
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with app.app_context():
            db.engine.dispose()
