"""Signing in and out, choosing a Trust, changing one's password, and sign-in throttling."""
import html
import re
import uuid

import pytest
from sqlalchemy import select

from core import commands
from core.db import db
from core.events import Event
from core.models import User
from core.testing import PASSWORD, client_at, make_app, throttling_app

WRONG = "Enter a correct e-mail address and password"
TOO_MANY = "Too many attempts. Wait a few minutes and try again."
NEW_PASSWORD = "a brand new passphrase"


def page(response, status=200) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    # NHS.UK components leave runs of blank lines: read the page as words
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def sign_in(client, email, password, **extra):
    return client.post("/sign-in", data={"email": email, "password": password, **extra})


def is_signed_in(client) -> bool:
    """The account page opens only for someone signed in; otherwise it sends them to sign in."""
    return client.get("/account/password").status_code == 200


def csrf_token(text: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)


def new_account(app, email_prefix="nobody", password=PASSWORD) -> str:
    email = f"{email_prefix}-{uuid.uuid4().hex[:10]}@example.nhs.uk"
    with app.app_context():
        commands.create_user(email, "No Trust Yet", password)
        db.session.commit()
    return email


# --- signing in and out --------------------------------------------------------------------

def test_sign_in_page_is_a_labelled_form(client):
    text = page(client.get("/sign-in"))
    assert re.search(r"<h1[^>]*>Sign in</h1>", text)
    assert re.search(r'<label class="nhsuk-label" for="email" > E-mail address </label>', text)
    assert re.search(r'<label class="nhsuk-label" for="password" > Password </label>', text)
    assert 'autocomplete="current-password"' in text
    assert "<title>Sign in – Changing Lives</title>" in text


def test_sign_in_opens_the_only_trust_and_sign_out_ends_it(tenant, client):
    admin = tenant.people["admin"]
    response = sign_in(client, admin.email, admin.password)
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/")
    assert home.status_code == 302 and home.location == f"/t/{tenant.slug}/"
    assert "Oak Day Centre" in page(client.get(home.location))

    out = client.post("/sign-out")
    assert out.status_code == 302 and out.location == "/sign-in"
    assert "You have signed out." in page(client.get("/sign-in"))
    again = client.get(f"/t/{tenant.slug}/")
    assert again.status_code == 302 and again.location.startswith("/sign-in?next=")
    assert not is_signed_in(client)


def test_sign_in_ignores_case_and_spaces_in_the_email(tenant, client):
    staff = tenant.people["staff"]
    assert sign_in(client, f"  {staff.email.upper()} ", staff.password).status_code == 302
    assert is_signed_in(client)


@pytest.mark.parametrize("whose", ["wrong password", "unknown e-mail"])
def test_wrong_details_get_one_plain_message(tenant, client, whose):
    admin = tenant.people["admin"]
    email, password = ((admin.email, "not the password") if whose == "wrong password"
                       else ("nobody-at-all@example.nhs.uk", admin.password))
    text = page(sign_in(client, email, password))
    assert text.count(WRONG) == 2  # in the error summary and at the field
    assert "There is a problem" in text
    assert "<title>Error: Sign in – Changing Lives</title>" in text
    assert "password is wrong" not in text.lower() and "no account" not in text.lower()
    assert not is_signed_in(client)


def test_empty_and_malformed_details_say_what_to_do(client):
    text = page(sign_in(client, "", ""))
    assert "Enter your e-mail address." in text and "Enter your password." in text
    text = page(sign_in(client, "not-an-email", "whatever it is"))
    assert "Enter an e-mail address in the right format" in text
    assert not is_signed_in(client)


def test_signed_out_visitors_are_told_what_the_platform_is_then_sent_to_sign_in(client):
    welcome = client.get("/")
    assert welcome.status_code == 200
    text = page(welcome)
    assert "mental health Trusts and the people who use their services work together" in text
    assert "It is for staff teams, service users" in text
    assert 'href="/sign-in"' in text
    response = client.get("/account/password")
    assert response.status_code == 302 and response.location.startswith("/sign-in?next=")


# --- where to go after signing in ------------------------------------------------------------

def test_sign_in_returns_to_the_page_asked_for(tenant, client):
    service_id = tenant.services["Willow Ward"]
    target = f"/t/{tenant.slug}/services/{service_id}"
    asked = client.get(target)
    assert asked.status_code == 302
    sign_in_page = page(client.get(asked.location))
    assert f'name="next" type="hidden" value="{target}"' in sign_in_page

    admin = tenant.people["admin"]
    response = sign_in(client, admin.email, admin.password, next=target)
    assert response.status_code == 302 and response.location == target
    assert "Willow Ward" in page(client.get(target))


@pytest.mark.parametrize("next_url", [
    "//evil.example", "//evil.example/t/x/", "https://evil.example/", "http:/evil.example",
    "/\\evil.example", "/\t/evil.example", "javascript:alert(1)", "evil.example", "",
])
def test_sign_in_never_sends_people_to_another_site(tenant, client, next_url):
    admin = tenant.people["admin"]
    response = sign_in(client, admin.email, admin.password, next=next_url)
    assert response.status_code == 302
    assert response.location == "/"


def test_an_off_site_next_is_not_even_put_in_the_form(client):
    text = page(client.get("/sign-in", query_string={"next": "//evil.example"}))
    assert "evil.example" not in text


def test_a_signed_in_visitor_to_sign_in_goes_on(tenant, signed_in):
    client = signed_in("staff")
    assert client.get("/sign-in").location == "/"
    target = f"/t/{tenant.slug}/"
    assert client.get("/sign-in", query_string={"next": target}).location == target


# --- choosing a Trust ----------------------------------------------------------------------------

def test_someone_in_no_trust_is_told_to_ask_their_admin(app, client):
    email = new_account(app)
    sign_in(client, email, PASSWORD)
    text = page(client.get("/"))
    assert "You are not a member of any Trust yet" in text
    assert "Ask your Trust admin" in text


def test_someone_in_several_trusts_chooses_one(tenant, other_tenant, client):
    person = tenant.people["staff"]
    with other_tenant.context() as session:
        commands.add_member(session.get(User, person.user_id), "viewer")
    sign_in(client, person.email, person.password)
    text = page(client.get("/"))
    assert "Choose a Trust" in text
    assert f'href="/t/{tenant.slug}/"' in text and f'href="/t/{other_tenant.slug}/"' in text
    assert "Test Trust" in text and "Other Trust" in text
    assert "Other Trust" in page(client.get(f"/t/{other_tenant.slug}/"))


def test_a_removed_membership_is_not_offered(tenant, other_tenant, client):
    person = tenant.people["staff"]
    with other_tenant.context() as session:
        member = commands.add_member(session.get(User, person.user_id), "viewer")
        commands.remove_member(member)
    sign_in(client, person.email, person.password)
    assert client.get("/").location == f"/t/{tenant.slug}/"


def test_only_ones_own_trusts_are_offered(tenant, other_tenant, client):
    admin = tenant.people["admin"]
    sign_in(client, admin.email, admin.password)
    assert client.get("/").location == f"/t/{tenant.slug}/"
    assert client.get(f"/t/{other_tenant.slug}/").status_code == 404


# --- changing one's password --------------------------------------------------------------------

def password_hash(app, user_id) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


@pytest.mark.parametrize("current,new,confirm,message", [
    ("not my password", NEW_PASSWORD, NEW_PASSWORD, "Your current password is not right"),
    (PASSWORD, "short", "short", "Enter a password of at least 12 characters."),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "The two new passwords are not the same"),
    (PASSWORD, "", "", "Enter a new password."),
    ("", NEW_PASSWORD, NEW_PASSWORD, "Enter your current password."),
])
def test_a_bad_password_change_says_why_and_changes_nothing(app, tenant, signed_in, current, new, confirm,
                                                           message):
    person = tenant.people["staff"]
    before = password_hash(app, person.user_id)
    client = signed_in("staff")
    text = page(client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm_password": confirm}))
    assert message in text and "There is a problem" in text
    assert password_hash(app, person.user_id) == before


def test_a_new_password_works_and_the_old_one_stops_working(app, tenant, signed_in):
    person = tenant.people["staff"]
    client = signed_in("staff")
    assert "Change your password" in page(client.get("/account/password"))
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Your password has been changed." in page(client.get(response.location, follow_redirects=True))
    assert is_signed_in(client)

    fresh = app.test_client()
    assert WRONG in page(sign_in(fresh, person.email, PASSWORD))
    assert sign_in(fresh, person.email, NEW_PASSWORD).status_code == 302
    assert is_signed_in(fresh)
    with tenant.context() as session:  # identity, not Trust history: no event for it
        assert not session.scalars(select(Event).where(Event.type.like("%password%"))).all()


# --- the session cookie ------------------------------------------------------------------------

def test_the_session_cookie_is_http_only_and_same_site_lax(tenant, client):
    admin = tenant.people["admin"]
    response = sign_in(client, admin.email, admin.password)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# --- forms need their CSRF token ----------------------------------------------------------------

@pytest.fixture
def csrf_app(database):
    app = make_app(database.url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sign_in_without_the_form_token_is_refused_in_plain_words(make_tenant, csrf_app):
    tenant = make_tenant(roles=("admin",), services=(), target_app=csrf_app)
    admin = tenant.people["admin"]
    client = csrf_app.test_client()
    text = page(sign_in(client, admin.email, admin.password), status=400)
    assert "Your form could not be sent" in text
    assert "Nothing has been saved. Go back, reload the page and try again." in text
    assert "CSRF" not in text
    assert not is_signed_in(client)

    token = csrf_token(page(client.get("/sign-in")))
    assert sign_in(client, admin.email, admin.password, csrf_token=token).status_code == 302
    assert is_signed_in(client)
    # signing out is a form too
    assert client.post("/sign-out").status_code == 400
    assert is_signed_in(client)


# --- throttling failed sign-ins -------------------------------------------------------------------

@pytest.fixture
def throttled_app(database):
    with throttling_app(database.url, SIGN_IN_LIMITS="5 per minute", SIGN_IN_ADDRESS_LIMITS="8 per minute") as app:
        yield app


def test_five_failures_from_one_address_refuse_it_even_the_right_password(make_tenant, throttled_app):
    tenant = make_tenant(roles=("admin", "staff"), services=(), target_app=throttled_app)
    staff = tenant.people["staff"]
    client = client_at(throttled_app, "203.0.113.10")
    for _ in range(5):
        assert WRONG in page(sign_in(client, staff.email, "a wrong guess!"))

    text = page(sign_in(client, staff.email, staff.password), status=429)
    assert TOO_MANY in text
    assert "<h1>Too many attempts</h1>" in text
    assert not is_signed_in(client)
    # the owner, from another address, is not locked out by someone typing their e-mail address
    other = client_at(throttled_app, "203.0.113.11")
    assert sign_in(other, staff.email.upper(), staff.password).status_code == 302
    assert is_signed_in(other)
    # another account is not affected
    admin = tenant.people["admin"]
    assert sign_in(client, admin.email, admin.password).status_code == 302


def test_an_address_with_many_failures_is_locked_for_every_account(make_tenant, throttled_app):
    tenant = make_tenant(roles=("admin", "staff"), services=(), target_app=throttled_app)
    staff, admin = tenant.people["staff"], tenant.people["admin"]
    client = client_at(throttled_app, "203.0.113.20")
    for _ in range(5):
        page(sign_in(client, staff.email, "a wrong guess!"))
    for _ in range(3):  # 8 failures from the address; only 3 against the admin's account
        assert WRONG in page(sign_in(client, admin.email, "a wrong guess!"))

    assert TOO_MANY in page(sign_in(client, admin.email, admin.password), status=429)
    assert not is_signed_in(client)
    # the admin's own account is not locked: from elsewhere they sign in
    elsewhere = client_at(throttled_app, "203.0.113.21")
    assert sign_in(elsewhere, admin.email, admin.password).status_code == 302


def test_successful_sign_ins_are_not_counted(make_tenant, throttled_app):
    tenant = make_tenant(roles=("admin",), services=(), target_app=throttled_app)
    admin = tenant.people["admin"]
    client = client_at(throttled_app, "203.0.113.30")
    for _ in range(10):
        assert sign_in(client, admin.email, admin.password).status_code == 302
        client.post("/sign-out")


def test_guessing_the_current_password_is_throttled_too(make_tenant, throttled_app):
    tenant = make_tenant(roles=("admin",), services=(), target_app=throttled_app)
    admin = tenant.people["admin"]
    client = client_at(throttled_app, "203.0.113.40")
    assert sign_in(client, admin.email, admin.password).status_code == 302
    change = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    for _ in range(5):
        assert "Your current password is not right" in page(
            client.post("/account/password", data={"current_password": "a wrong guess!", **change}))
    text = page(client.post("/account/password", data={"current_password": PASSWORD, **change}), status=429)
    assert TOO_MANY in text
    assert sign_in(client_at(throttled_app, "203.0.113.41"), admin.email, PASSWORD).status_code == 302
