"""The footer on every page, the accessibility statement, the privacy notice, the contact page
and the Trust's contact, which its admins set (an event, a projection with history)."""
import html

import pytest
from sqlalchemy import func, select

from core import commands
from core.events import Event
from core.models import TrustContact
from core.testing import assert_replay_keeps_projections
from plugins.indicators import commands as indicators
from plugins.indicators.tests.helpers import start_round
from plugins.indicators.tests.test_invite import base, make_link


def text(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return html.unescape(response.get_data(as_text=True))


def events_of(tenant) -> int:
    with tenant.context() as session:
        return session.scalar(select(func.count(Event.id)))


def footer(page: str) -> str:
    return page[page.index('<footer'):page.index('</footer>')]


@pytest.mark.parametrize("path", ["/", "/sign-in", "/accessibility", "/privacy", "/contact"])
def test_signed_out_pages_have_the_footer(client, path):
    page = text(client.get(path))
    links = footer(page)
    for href, words in (("/accessibility", "Accessibility statement"), ("/privacy", "Privacy notice"),
                        ("/contact", "Contact")):
        assert f'href="{href}"' in links and words in links


def test_the_statement_and_notice_say_what_the_public_sector_form_asks(client):
    statement = text(client.get("/accessibility"))
    for words in ("Accessibility statement for Changing Lives", "How accessible this website is",
                  "charts are drawn as pictures (SVG); each has a table beside it",
                  "PDF files may not be fully accessible", "Enforcement procedure", "Equality Advisory and Support Service",
                  "Technical information", "partially compliant", "WCAG", "axe-core", "keyboard alone",
                  "This statement was prepared on"):
        assert words in statement, words
    notice = text(client.get("/privacy"))
    for words in ("data controller", "never edited", "we do not ask your name", "at least 3 people",
                  "Who can see it", "How long it is kept", "Removing your words", "Information Commissioner"):
        assert words in notice, words


def test_every_role_sees_the_trusts_pages_in_the_footer(tenant, signed_in):
    for role in ("admin", "staff", "service_user", "facilitator", "viewer"):
        home = text(signed_in(role).get(f"/t/{tenant.slug}/"))
        links = footer(home)
        assert f'href="/t/{tenant.slug}/accessibility"' in links and f'href="/t/{tenant.slug}/privacy"' in links
        assert f'href="/t/{tenant.slug}/contact"' in links and f"Contact {tenant.name}" in links


def test_an_admin_sets_the_trusts_contact_and_everyone_sees_it(tenant, signed_in):
    admin = signed_in("admin")
    empty = text(admin.get(f"/t/{tenant.slug}/contact"))
    assert "has not given its contact details here yet" in empty and "Give the Trust's contact details" in empty
    before = events_of(tenant)
    saved = admin.post(f"/t/{tenant.slug}/contact/edit", data={
        "name": "Patient Advice and Liaison Service", "phone": "0121 496 0000", "email": "PALS@Example.nhs.uk",
        "when": "Call on weekdays, 9am to 5pm."})
    assert saved.status_code == 302 and saved.location == f"/t/{tenant.slug}/contact"
    assert events_of(tenant) == before + 1
    for role in ("staff", "service_user", "viewer"):
        client = signed_in(role)
        for path in ("contact", "accessibility", "privacy"):
            page = text(client.get(f"/t/{tenant.slug}/{path}"))
            assert "Patient Advice and Liaison Service" in page and "0121 496 0000" in page
            assert "pals@example.nhs.uk" in page and "Call on weekdays, 9am to 5pm." in page
    assert "Change the Trust's contact details" not in text(signed_in("staff").get(f"/t/{tenant.slug}/contact"))
    form = text(admin.get(f"/t/{tenant.slug}/contact/edit"))
    assert 'value="0121 496 0000"' in form
    # Changed again: one row, and the audit page says it in plain words.
    admin.post(f"/t/{tenant.slug}/contact/edit", data={"name": "PALS", "phone": "", "email": "", "when": ""})
    with tenant.context() as session:
        [row] = session.scalars(select(TrustContact)).all()
        assert (row.name, row.phone, row.email, row.when_to_call) == ("PALS", "", "", "")
    audit = text(admin.get(f"/t/{tenant.slug}/audit/"))
    assert "changed the Trust's contact details" in audit
    assert_replay_keeps_projections(tenant)


@pytest.mark.parametrize("data, message", [
    ({"name": "x" * 201}, "Enter the name in 200 characters or fewer."),
    ({"phone": "call me"}, "Enter a telephone number using numbers and spaces"),
    ({"email": "not an address"}, "Enter an e-mail address in the right format"),
    ({"when": "y" * 501}, "Enter when to get in touch in 500 characters or fewer."),
])
def test_bad_contact_details_change_nothing(tenant, signed_in, data, message):
    admin = signed_in("admin")
    before = events_of(tenant)
    response = admin.post(f"/t/{tenant.slug}/contact/edit", data=data)
    assert response.status_code == 422
    page = text(response, 422)
    assert message in page and "There is a problem" in page
    assert events_of(tenant) == before


def test_only_admins_set_the_contact_and_other_trusts_see_nothing(tenant, other_tenant, signed_in):
    assert signed_in("staff").get(f"/t/{tenant.slug}/contact/edit").status_code == 403
    assert signed_in("staff").post(f"/t/{tenant.slug}/contact/edit", data={"name": "Me"}).status_code == 403
    stranger = signed_in("admin", other_tenant)
    assert stranger.get(f"/t/{tenant.slug}/contact").status_code == 404
    assert stranger.post(f"/t/{tenant.slug}/contact/edit", data={"name": "Me"}).status_code == 404
    with tenant.context():
        assert commands.trust_contact() is None


def test_invitation_pages_show_the_trusts_contact_and_old_indicators_words_until_then(tenant, signed_in, client,
                                                                                      api_client):
    staff = signed_in("staff")
    round_id = start_round(api_client("staff"), tenant.services["Oak Day Centre"])["id"]
    link = make_link(staff, tenant, round_id)
    page = text(client.get(link))
    assert 'href="/accessibility"' in footer(page) and "Sign in" not in page
    # A Trust that wrote its support contact in the indicators' settings, before the Trust's contact existed.
    with tenant.context():
        indicators.change_settings("Ring the Oak team on 0161 496 0000", 3)
    assert "Ring the Oak team on 0161 496 0000" in text(client.get(link))
    signed_in("admin").post(f"/t/{tenant.slug}/contact/edit", data={"name": "The Trust's PALS", "phone": "0800 000 0000"})
    page = text(client.get(link))
    assert "The Trust's PALS" in page and "0800 000 0000" in page and "Ring the Oak team" not in page
    settings = text(signed_in("admin").get(f"{base(tenant)}/settings"))
    assert "The Trust's contact shown: The Trust's PALS" in settings
    assert_replay_keeps_projections(tenant)
