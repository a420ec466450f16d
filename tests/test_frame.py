"""The header and footer (core.frame) are kept per set of what they show; what is per person or per
request, the name and the sign-out form's CSRF token, is each person's own."""
import re
from datetime import datetime, timedelta, timezone

import time_machine

from core.testing import sign_in


def header(page: str) -> str:
    return page[page.index("<header"):page.index("</header>")]


def test_two_people_on_the_same_page_each_see_their_own_name_and_token(app, tenant):
    pages = []
    for name in ("Ann <Lee>", "Bob Khan"):
        person = tenant.add_person("staff", name=name)
        client = app.test_client()
        sign_in(client, person)
        pages.append(client.get(f"/t/{tenant.slug}/").get_data(as_text=True))
    ann, bob = (header(page) for page in pages)
    assert "Ann &lt;Lee&gt;" in ann and "Bob Khan" not in ann
    assert "Bob Khan" in bob and "Ann" not in bob
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', page).group(1) for page in (ann, bob)]
    assert tokens[0] != tokens[1] and "goes-here" not in ann + bob
    # the kept header still marks the current page in the navigation
    assert 'aria-current="page"' in ann


def test_the_header_and_footer_name_each_trust_even_with_the_same_name(app, make_tenant, signed_in):
    first, second = make_tenant(name="Same Name Trust"), make_tenant(name="Same Name Trust")
    for trust in (first, second):
        page = signed_in("admin", target=trust).get(f"/t/{trust.slug}/").get_data(as_text=True)
        assert f'href="/t/{trust.slug}/contact"' in page
        other = second if trust is first else first
        assert f"/t/{other.slug}/" not in page


def test_signed_out_the_header_offers_sign_in_and_the_person_has_no_name(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/sign-in"' in header(page) and "goes-here" not in page


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def test_a_kept_page_carries_each_responses_own_nonce_and_each_readers_name(app, tenant):
    """A report page is kept whole; the nonce, the token and the name go in as each response leaves."""
    url = f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}/report"
    seen = []
    for name in ("Cara Diaz", "Dev Patel"):
        person = tenant.add_person("staff", name=name)
        client = app.test_client()
        sign_in(client, person)
        for _ in range(2):  # the second view is the kept page
            response = client.get(url)
            page = response.get_data(as_text=True)
            assert set(re.findall(r'nonce="([^"]+)"', page)) == {_nonce(response)}
            assert name in header(page) and "app-nonce-" not in page and "app-csrf-" not in page
            seen.append((_nonce(response), page.count(name)))
    assert len({nonce for nonce, _ in seen}) == 4  # a new nonce every response


def test_a_message_waiting_to_be_shown_is_shown_on_a_kept_page(app, tenant, signed_in):
    client = signed_in("admin")
    url = f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}/report"
    client.get(url)  # kept
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved just now")]
    assert "Saved just now" in client.get(url).get_data(as_text=True)
    assert "Saved just now" not in client.get(url).get_data(as_text=True)  # shown once


def test_a_page_holding_a_forms_own_token_is_never_kept(app, tenant, signed_in):
    """A form's CSRF token is the session's own: a page with one is made afresh each time; a page
    with only the header's placeholder is made once."""
    from core import frame

    client = signed_in("admin")
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    pages = {"own token": '<input name="csrf_token" value="session-own">',
             "placeholder": f'<input name="csrf_token" value="{frame.CSRF}">'}
    for words, page in pages.items():
        made = []

        def render():
            made.append(1)
            return page

        for _ in range(2):
            with app.test_request_context(f"/t/{tenant.slug}/?{words}", headers={"Cookie": cookie}):
                app.preprocess_request()
                assert frame.kept_page("test", (), render) == page
        assert len(made) == (2 if words == "own token" else 1), words


def test_the_sign_out_token_is_signed_once_and_still_signs_out(app, tenant):
    """Tokens have no time limit here, so the sign-out form's token, signed once for the session's
    own secret, is the same on every page of that session, a new session has its own, and it works."""
    def token(client) -> str:
        page = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', header(page)).group(1)

    client = app.test_client()
    sign_in(client, tenant.people["staff"])
    token(client)  # the session's own secret is made with its first page
    first = token(client)
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=5)):  # a token signed now would differ
        assert token(client) == first
    signed_out = client.post("/sign-out", data={"csrf_token": first})
    assert signed_out.status_code in (302, 303)
    assert client.get(f"/t/{tenant.slug}/").status_code in (302, 303)  # signed out: sent to sign in
    sign_in(client, tenant.people["staff"])
    assert token(client) != first  # a new session has a secret of its own
