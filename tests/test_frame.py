"""The header and footer (core.frame) are kept per set of what they show; what is per person or per
request, the name and the sign-out form's CSRF token, is each person's own."""
import re

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
