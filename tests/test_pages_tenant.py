"""A Trust's pages: services, members, sections (plugins), API tokens, permissions and isolation.

Every change is checked in the event log: the right events, or none at all for bad input.
This module is also a tiny plugin ("servicelinks") for the test of links on a service's page.
"""
import html
import re

import pytest
from sqlalchemy import func, select

from core import commands
from core.db import db
from core.events import Event
from core.hookspecs import hookimpl
from core.models import ApiToken, Membership, Service, Tenant, User
from core.plugins import NavItem
from core.testing import PASSWORD, make_app


def page(response, status=200) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    # NHS.UK components leave runs of blank lines: read the page as words
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def head(tenant) -> int:
    with tenant.context() as session:
        return session.scalar(select(func.max(Event.seq))) or 0


def events_since(tenant, seq) -> list[str]:
    with tenant.context() as session:
        return list(session.scalars(select(Event.type).where(Event.seq > seq).order_by(Event.seq)))


def service_row(tenant, service_id) -> dict:
    with tenant.context() as session:
        s = session.get(Service, service_id)
        return {"name": s.name, "kind": s.kind, "description": s.description, "archived": s.archived}


def seen(client, url) -> str:
    """The version an edit form carries, as a browser would send it back."""
    return re.search(r'name="seen"[^>]*value="(\d+)"', page(client.get(url))).group(1)


def flashed(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return page(client.get(response.location))


# --- services --------------------------------------------------------------------------------

def test_home_lists_services_with_their_kind_and_archived_ones_apart(tenant, signed_in):
    with tenant.context() as session:
        commands.update_service(session.get(Service, tenant.services["Willow Ward"]), archived=True)
    text = page(signed_in("admin").get(f"/t/{tenant.slug}/"))
    # below the dashboard: the services, then the archived ones
    text = text.split('<h2 id="services-heading">Services</h2>')[1]
    current, archived = text.split("<h3>Archived services</h3>")
    assert "Oak Day Centre" in current and "Day centre" in current and "Willow Ward" not in current
    assert "Willow Ward" in archived
    assert f'href="/t/{tenant.slug}/services/{tenant.services["Oak Day Centre"]}"' in text
    assert "Add a service" in text


@pytest.mark.parametrize("role", ["staff", "service_user", "facilitator", "viewer"])
def test_only_admins_are_offered_to_add_or_change_services(tenant, signed_in, role):
    client = signed_in(role)
    assert "Add a service" not in page(client.get(f"/t/{tenant.slug}/"))
    text = page(client.get(f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}"))
    assert "Oak Day Centre" in text
    assert "Change details" not in text and "Archive this service" not in text


def test_adding_a_service_records_it(tenant, signed_in):
    client = signed_in("admin")
    text = page(client.get(f"/t/{tenant.slug}/services/new"))
    assert "<h1>Add a service</h1>" in text and "Crisis or home treatment team" in text
    before = head(tenant)
    response = client.post(f"/t/{tenant.slug}/services/new", data={
        "name": "  Birch Crisis Team ", "kind": "crisis_team", "description": "Help at night.\nAnd at weekends."})
    assert events_since(tenant, before) == ["service.created"]
    with tenant.context() as session:
        service = session.scalar(select(Service).where(Service.name == "Birch Crisis Team"))
        service_id = service.id
    assert response.location == f"/t/{tenant.slug}/services/{service_id}"
    text = flashed(client, response)
    assert "Birch Crisis Team has been added." in text
    assert "<h1>Birch Crisis Team</h1>" in text
    assert "Crisis or home treatment team" in text
    assert "<p>Help at night.</p> <p>And at weekends.</p>" in text


@pytest.mark.parametrize("form,message", [
    ({"name": "", "kind": "day_centre"}, "Enter the name of the service."),
    ({"name": "   ", "kind": "day_centre"}, "Enter the name of the service."),
    ({"name": "x" * 201, "kind": "day_centre"}, "Enter a name of 200 characters or fewer."),
    ({"name": "Rowan House", "kind": "spaceship"}, "Choose what kind of service it is."),
    ({"name": "Rowan House"}, "Choose what kind of service it is."),
    ({"name": "Rowan House", "kind": "day_centre", "description": "y" * 2001},
     "Enter a description of 2,000 characters or fewer."),
])
def test_bad_service_details_say_what_to_fix_and_store_nothing(tenant, signed_in, form, message):
    client = signed_in("admin")
    service_id = tenant.services["Oak Day Centre"]
    before, row = head(tenant), service_row(tenant, service_id)
    for url in (f"/t/{tenant.slug}/services/new", f"/t/{tenant.slug}/services/{service_id}/edit"):
        data = {**form, "seen": seen(client, url)} if url.endswith("/edit") else form
        text = page(client.post(url, data=data))
        assert message in text
        assert "There is a problem" in text and "<title>Error: " in text
    assert events_since(tenant, before) == []
    assert service_row(tenant, service_id) == row


def test_changing_details_records_only_what_changed(tenant, signed_in):
    client = signed_in("admin")
    service_id = tenant.services["Oak Day Centre"]
    url = f"/t/{tenant.slug}/services/{service_id}/edit"
    text = page(client.get(url))
    assert 'value="Oak Day Centre"' in text and 'value="day_centre" checked' in text

    before = head(tenant)
    response = client.post(url, data={"name": "Oak Lodge", "kind": "day_centre", "description": "",
                                      "seen": seen(client, url)})
    assert events_since(tenant, before) == ["service.renamed"]
    assert "The details of Oak Lodge have been saved." in flashed(client, response)

    before = head(tenant)
    client.post(url, data={"name": "Oak Lodge", "kind": "other", "description": "Now open on Sundays.",
                           "seen": seen(client, url)})
    assert events_since(tenant, before) == ["service.described"]
    assert service_row(tenant, service_id) == {
        "name": "Oak Lodge", "kind": "other", "description": "Now open on Sundays.", "archived": False}

    before = head(tenant)
    response = client.post(url, data={"name": "Oak Lodge", "kind": "other", "description": "Now open on Sundays.",
                                      "seen": seen(client, url)})
    assert events_since(tenant, before) == []
    assert "Nothing was changed." in flashed(client, response)


def test_a_stale_edit_form_keeps_what_was_typed_and_changes_nothing(tenant, signed_in):
    first, second = signed_in("admin"), signed_in("admin")
    service_id = tenant.services["Oak Day Centre"]
    url = f"/t/{tenant.slug}/services/{service_id}/edit"
    opened = seen(second, url)
    first.post(url, data={"name": "Oak Lodge", "kind": "day_centre", "description": "", "seen": seen(first, url)})

    before, row = head(tenant), service_row(tenant, service_id)
    response = second.post(url, data={"name": "Oak House", "kind": "other", "description": "Typed text",
                                      "seen": opened})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Someone else changed this service while you were editing it." in text
    assert 'value="Oak House"' in text and "Typed text" in text  # nothing typed is lost
    assert events_since(tenant, before) == [] and service_row(tenant, service_id) == row
    assert second.post(url, data={"name": "Oak House", "kind": "other", "description": "",
                                  "seen": seen(second, url)}).status_code == 302


def test_archiving_and_restoring_a_service(tenant, signed_in):
    client = signed_in("admin")
    service_id = tenant.services["Willow Ward"]
    base = f"/t/{tenant.slug}/services/{service_id}"
    assert "Archive this service" in page(client.get(base))

    before = head(tenant)
    text = flashed(client, client.post(f"{base}/archive"))
    assert events_since(tenant, before) == ["service.archived"]
    assert "Willow Ward has been archived." in text
    assert "This service is archived" in text and "Bring back from the archive" in text
    assert "Willow Ward" in page(client.get(f"/t/{tenant.slug}/")).split("<h3>Archived services</h3>")[1]

    before = head(tenant)
    text = flashed(client, client.post(f"{base}/restore"))
    assert events_since(tenant, before) == ["service.restored"]
    assert "This service is archived" not in text
    assert service_row(tenant, service_id)["archived"] is False


def test_the_service_page_links_to_its_report(tenant, signed_in):
    service_id = tenant.services["Oak Day Centre"]
    text = page(signed_in("viewer").get(f"/t/{tenant.slug}/services/{service_id}"))
    assert f'href="/t/{tenant.slug}/services/{service_id}/report"' in text


def test_unknown_services_are_not_found_in_the_nhs_layout(tenant, signed_in):
    client = signed_in("admin")
    for url in (f"/t/{tenant.slug}/services/999999", f"/t/{tenant.slug}/services/999999/edit",
                "/t/no-such-trust/", f"/t/{tenant.slug}/no-such-page"):
        text = page(client.get(url), status=404)
        assert "<h1>Page not found</h1>" in text
        assert "check you copied the whole address" in text
        assert 'class="nhsuk-header' in text and "Traceback" not in text
    assert client.post(f"/t/{tenant.slug}/services/999999/archive").status_code == 404


# --- links that plugins add to a service's page ------------------------------------------------

@hookimpl
def service_links(service, membership):
    return [NavItem(f"Talk about {service.name}", f"/example/{service.id}?as={membership.role}")]


@pytest.fixture
def links_app(database):
    app = make_app(database.url, plugins={"servicelinks": __name__})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_enabled_plugins_add_links_to_the_service_page(make_tenant, links_app):
    tenant = make_tenant(roles=("admin", "staff"), services=("Oak Day Centre",), target_app=links_app)
    service_id = tenant.services["Oak Day Centre"]
    client = links_app.test_client()
    client.post("/sign-in", data={"email": tenant.people["staff"].email, "password": PASSWORD})
    url = f"/t/{tenant.slug}/services/{service_id}"
    assert "Talk about" not in page(client.get(url))  # installed, not switched on

    with tenant.context() as session:
        commands.allow_plugin(session.get(Tenant, tenant.id), "servicelinks")
        commands.enable_plugin(session.get(Tenant, tenant.id), "servicelinks")
    text = page(client.get(url))
    assert f'<a href="/example/{service_id}?as=staff">Talk about Oak Day Centre</a>' in text


# --- members ---------------------------------------------------------------------------------------

def test_members_page_lists_current_and_removed_members(tenant, signed_in):
    leaver = tenant.add_person("staff", name="Lee Leaver")
    with tenant.context() as session:
        commands.remove_member(session.get(Membership, leaver.membership_id))
    text = page(signed_in("admin").get(f"/t/{tenant.slug}/members"))
    current, removed = text.split("People who have been removed")
    assert tenant.people["viewer"].email in current and "Viewer (read only)" in current
    assert "Lee Leaver" in removed and "Lee Leaver" not in current
    assert f'href="/t/{tenant.slug}/members/new"' in text


def test_adding_someone_new_makes_their_account(tenant, signed_in, app):
    client = signed_in("admin")
    text = page(client.get(f"/t/{tenant.slug}/members/new"))
    assert "If they do not have an account yet, give it to them yourself" in text
    before = head(tenant)
    response = client.post(f"/t/{tenant.slug}/members/new", data={
        "email": "New.Person@Example.NHS.uk", "display_name": "Nia Newman", "role": "service_user",
        "password": "a temporary one"})
    assert events_since(tenant, before) == ["member.added"]
    assert "We have invited them as Service user." in flashed(client, response)

    newcomer = app.test_client()
    assert newcomer.post("/sign-in", data={"email": "new.person@example.nhs.uk",
                                           "password": "a temporary one"}).status_code == 302
    # a temporary password: choosing one's own comes before anything else
    home = newcomer.get(f"/t/{tenant.slug}/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/account/password")
    assert "Choose a new password" in page(newcomer.get("/account/password"))
    changed = newcomer.post("/account/password", data={"current_password": "a temporary one",
                                                       "new_password": "kettle orbit maple lantern",
                                                       "confirm_password": "kettle orbit maple lantern"})
    assert changed.status_code == 302
    assert "Oak Day Centre" in page(newcomer.get(f"/t/{tenant.slug}/"))


def test_adding_someone_with_an_account_invites_them_and_tells_the_admin_nothing(tenant, other_tenant,
                                                                                 signed_in, app):
    outsider = other_tenant.add_person("staff", name="Quentin Outsider")
    admin = signed_in("admin")
    before = head(tenant)
    response = admin.post(f"/t/{tenant.slug}/members/new", data={
        "email": outsider.email, "display_name": "A Guess", "role": "viewer", "password": "a temporary one"})
    assert response.status_code == 302
    told = flashed(admin, response)
    assert "We have invited them as Viewer (read only)." in told
    assert "Quentin Outsider" not in told and other_tenant.name not in told
    assert events_since(tenant, before) == ["member.invited"]
    members = page(admin.get(f"/t/{tenant.slug}/members"))
    assert "Quentin Outsider" not in members and "A Guess" not in members
    assert "Quentin Outsider" not in page(admin.get(f"/t/{tenant.slug}/audit/"))

    # not a member until they accept; their own password still works
    client = app.test_client()
    client.post("/sign-in", data={"email": outsider.email, "password": PASSWORD})
    assert client.get(f"/t/{tenant.slug}/").status_code == 404
    choose = page(client.get("/"))
    assert f"{tenant.name} invited you as Viewer (read only)." in choose
    [accept] = re.findall(r'action="(/invitations/\d+/accept)"', choose)
    first = client.post(accept)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/t/{tenant.slug}/")
    again = client.post(accept)  # accepting twice records once
    assert again.status_code == 302
    assert events_since(tenant, before) == ["member.invited", "member.invitation_accepted", "member.added"]
    assert page(client.get(f"/t/{tenant.slug}/"))
    with tenant.context() as session:
        member = session.scalar(select(Membership).where(Membership.user_id == outsider.user_id))
        assert member.active and member.role == "viewer"


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(tenant, other_tenant, signed_in):
    admin = signed_in("admin")

    def answer(email):
        response = admin.post(f"/t/{tenant.slug}/members/new", data={
            "email": email, "display_name": "Some One", "role": "staff", "password": "a temporary one"})
        return response.status_code, re.findall(r"We have invited them[^<]*", flashed(admin, response))

    assert answer(other_tenant.people["viewer"].email) == answer("nobody.yet@example.nhs.uk")


def test_an_invitation_can_be_declined_and_expires(tenant, other_tenant, signed_in, app, time_machine):
    from datetime import timedelta

    from core.db import utcnow

    admin = signed_in("admin")
    one, two = other_tenant.people["staff"], other_tenant.people["viewer"]
    for person in (one, two):
        admin.post(f"/t/{tenant.slug}/members/new", data={"email": person.email, "display_name": "X",
                                                           "role": "staff", "password": "a temporary one"})
    before = head(tenant)
    client = app.test_client()
    client.post("/sign-in", data={"email": one.email, "password": PASSWORD})
    [decline] = re.findall(r'action="(/invitations/\d+/decline)"', page(client.get("/")))
    assert client.post(decline).status_code == 302
    assert events_since(tenant, before) == ["member.invitation_declined"]
    assert client.get(f"/t/{tenant.slug}/").status_code == 404

    late = app.test_client()
    late.post("/sign-in", data={"email": two.email, "password": PASSWORD})
    [accept] = re.findall(r'action="(/invitations/\d+/accept)"', page(late.get("/")))
    time_machine.move_to(utcnow() + timedelta(days=commands.INVITATION_DAYS + 1), tick=False)
    assert tenant.name not in page(late.get("/", follow_redirects=True))
    refused = late.post(accept, follow_redirects=True)
    assert "This invitation has expired." in page(refused)
    assert events_since(tenant, before) == ["member.invitation_declined"]


def test_someone_elses_invitation_is_not_found(tenant, other_tenant, signed_in, app):
    admin = signed_in("admin")
    admin.post(f"/t/{tenant.slug}/members/new", data={"email": other_tenant.people["staff"].email,
                                                       "display_name": "X", "role": "staff",
                                                       "password": "a temporary one"})
    with tenant.context() as session:
        from core.models import MemberInvitation

        invitation_id = session.scalars(select(MemberInvitation.id)).all()[-1]
    other = signed_in("viewer", other_tenant)
    assert other.post(f"/invitations/{invitation_id}/accept").status_code == 404


def test_a_temporary_password_expires(tenant, signed_in, app, time_machine):
    from datetime import timedelta

    from core.db import utcnow

    admin = signed_in("admin")
    admin.post(f"/t/{tenant.slug}/members/new", data={"email": "late.comer@example.nhs.uk",
                                                       "display_name": "Late Comer", "role": "staff",
                                                       "password": "a temporary one"})
    time_machine.move_to(utcnow() + timedelta(days=app.config.get("TEMPORARY_PASSWORD_DAYS", 7) + 1), tick=False)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "late.comer@example.nhs.uk", "password": "a temporary one"})
    assert response.status_code == 200
    assert "Your temporary password has expired." in page(response)
    assert client.get(f"/t/{tenant.slug}/").status_code == 302


def test_a_removed_member_can_be_invited_back(tenant, signed_in, app):
    leaver = tenant.add_person("facilitator")
    with tenant.context() as session:
        commands.remove_member(session.get(Membership, leaver.membership_id))
    before = head(tenant)
    response = signed_in("admin").post(f"/t/{tenant.slug}/members/new", data={
        "email": leaver.email, "role": "staff", "display_name": "X", "password": "a temporary one"})
    assert response.status_code == 302
    assert events_since(tenant, before) == ["member.invited"]
    client = app.test_client()
    client.post("/sign-in", data={"email": leaver.email, "password": PASSWORD})
    [accept] = re.findall(r'action="(/invitations/\d+/accept)"', page(client.get("/")))
    client.post(accept)
    with tenant.context() as session:
        member = session.get(Membership, leaver.membership_id)
        assert member.active and member.role == "staff"


@pytest.mark.parametrize("form,message", [
    ({"email": "", "role": "staff", "display_name": "Ann", "password": "long enough pw"},
     "Enter their e-mail address."),
    ({"email": "not an email", "role": "staff", "display_name": "Ann", "password": "long enough pw"},
     "Enter an e-mail address in the right format"),
    ({"email": "NEW@example.nhs.uk", "role": "overlord", "display_name": "Ann", "password": "long enough pw"},
     "Choose a role."),
    ({"email": "NEW@example.nhs.uk", "display_name": "Ann", "password": "long enough pw"}, "Choose a role."),
    ({"email": "NEW@example.nhs.uk", "role": "staff", "display_name": "Ann", "password": ""},
     "Enter a temporary password for them."),
    ({"email": "NEW@example.nhs.uk", "role": "staff", "display_name": "Ann", "password": "short"},
     "Enter a password of at least 12 characters."),
    ({"email": "NEW@example.nhs.uk", "role": "staff", "display_name": "", "password": "long enough pw"},
     "Enter their full name."),
    ({"email": "NEW@example.nhs.uk", "role": "staff", "display_name": "n" * 121, "password": "long enough pw"},
     "Enter a name of 120 characters or fewer."),
    ({"email": "DUPLICATE", "role": "viewer", "display_name": "Ann", "password": "long enough pw"},
     "is already a member of this Trust."),
])
def test_bad_member_details_say_what_to_fix_and_store_nothing(tenant, signed_in, app, form, message):
    if form["email"] == "DUPLICATE":
        form = {**form, "email": tenant.people["staff"].email}
    client = signed_in("admin")
    before = head(tenant)
    with app.app_context():
        users_before = db.session.scalar(select(func.count(User.id)))
    text = page(client.post(f"/t/{tenant.slug}/members/new", data=form))
    assert message in text and "There is a problem" in text
    assert events_since(tenant, before) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == users_before


def test_changing_a_role(tenant, signed_in):
    client = signed_in("admin")
    staff = tenant.people["staff"]
    url = f"/t/{tenant.slug}/members/{staff.membership_id}/role"
    assert 'value="staff" checked' in page(client.get(url))

    before = head(tenant)
    text = page(client.post(url, data={"role": "overlord"}))
    assert "Choose a role." in text
    assert events_since(tenant, before) == []

    response = client.post(url, data={"role": "facilitator"})
    assert events_since(tenant, before) == ["member.role_changed"]
    assert "Staff is now User facilitator." in flashed(client, response)


def test_removing_asks_first_and_then_shuts_them_out(tenant, signed_in):
    client = signed_in("admin")
    staff = tenant.people["staff"]
    url = f"/t/{tenant.slug}/members/{staff.membership_id}/remove"
    staff_client = signed_in("staff")
    assert staff_client.get(f"/t/{tenant.slug}/").status_code == 200

    text = page(client.get(url))
    assert "<h1>Are you sure you want to remove Staff?</h1>" in text
    assert "Yes, remove Staff" in text

    before = head(tenant)
    assert "Staff has been removed from the Trust." in flashed(client, client.post(url))
    assert events_since(tenant, before) == ["member.removed"]
    # signed out at once on every device; signed in again, the Trust is not theirs to see
    assert staff_client.get(f"/t/{tenant.slug}/").status_code == 302
    again = signed_in("staff")
    assert again.get(f"/t/{tenant.slug}/").status_code == 404
    assert again.get(f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}").status_code == 404


def test_the_last_admin_cannot_be_removed_or_demoted(make_tenant, signed_in):
    tenant = make_tenant(roles=("admin", "staff"), services=())
    client = signed_in("admin", target=tenant)
    admin = tenant.people["admin"]
    before = head(tenant)
    for url, data in ((f"/t/{tenant.slug}/members/{admin.membership_id}/remove", {}),
                      (f"/t/{tenant.slug}/members/{admin.membership_id}/role", {"role": "staff"})):
        response = client.post(url, data=data)
        assert response.location == f"/t/{tenant.slug}/members"
        text = flashed(client, response)
        assert "A Trust needs at least one admin. Make someone else an admin first." in text
        assert "There is a problem" in text
    assert events_since(tenant, before) == []
    assert client.get(f"/t/{tenant.slug}/members").status_code == 200


def test_an_admin_who_steps_down_goes_to_the_services(tenant, signed_in):
    second = tenant.add_person("admin", name="Second Admin")
    client = tenant.app.test_client()
    client.post("/sign-in", data={"email": second.email, "password": PASSWORD})
    response = client.post(f"/t/{tenant.slug}/members/{second.membership_id}/role", data={"role": "staff"})
    assert response.location == f"/t/{tenant.slug}/"
    assert client.get(f"/t/{tenant.slug}/members").status_code == 403


# --- sections (plugins) ------------------------------------------------------------------------------

def test_sections_can_be_switched_off_and_on(tenant, signed_in):
    client = signed_in("admin")
    url = f"/t/{tenant.slug}/plugins"
    row = re.compile(r'<tr class="nhsuk-table__row" id="section-healthcheck">(.*?)</tr>')
    text = page(client.get(url))
    assert '<strong class="app-section-name">Health check</strong>' in row.search(text).group(1)  # short name
    assert "A health check for your user group" in row.search(text).group(1)  # what it is, below
    assert "On" in row.search(text).group(1) and "Switch off" in row.search(text).group(1)

    before = head(tenant)
    text = flashed(client, client.post(f"{url}/healthcheck", data={"enabled": "0"}))
    assert events_since(tenant, before) == ["plugin.disabled"]
    assert "Switched off: Health check." in text
    assert "Switch on" in row.search(text).group(1)

    before = head(tenant)
    flashed(client, client.post(f"{url}/healthcheck", data={"enabled": "1"}))
    assert events_since(tenant, before) == ["plugin.enabled"]
    # switching on what is on already records nothing
    before = head(tenant)
    client.post(f"{url}/healthcheck", data={"enabled": "1"})
    assert events_since(tenant, before) == []


def test_bad_section_switches_change_nothing(tenant, signed_in):
    client = signed_in("admin")
    before = head(tenant)
    assert client.post(f"/t/{tenant.slug}/plugins/no-such-section", data={"enabled": "0"}).status_code == 404
    text = page(client.post(f"/t/{tenant.slug}/plugins/healthcheck", data={"enabled": "maybe"}), status=400)
    assert "Choose whether to switch the section on or off" in text
    assert events_since(tenant, before) == []


# --- API tokens ----------------------------------------------------------------------------------------

def test_a_token_is_shown_once_works_and_can_be_revoked(tenant, signed_in, app):
    client = signed_in("staff")
    url = f"/t/{tenant.slug}/account/tokens"
    assert "You have no API tokens." in page(client.get(url))

    before = head(tenant)
    response = client.post(url, data={"name": "Spreadsheet"})
    text = page(response)
    assert events_since(tenant, before) == ["token.created"]
    assert "no-store" in response.headers["Cache-Control"]
    token = re.search(r'<code class="app-token" id="new-token">(cl_[^<]+)</code>', text).group(1)
    assert "it will not be shown again" in text

    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get(f"/api/v1/t/{tenant.slug}/services", headers=headers).status_code == 200

    listing = page(client.get(url))
    assert "Spreadsheet" in listing and "In use" in listing and token not in listing
    with tenant.context() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.name == "Spreadsheet"))
    before = head(tenant)
    text = flashed(client, client.post(f"{url}/{token_id}/revoke"))
    assert events_since(tenant, before) == ["token.revoked"]
    assert "The token Spreadsheet has been revoked." in text and "Revoked" in text
    assert api.get(f"/api/v1/t/{tenant.slug}/services", headers=headers).status_code == 401


def test_nobody_can_revoke_or_see_someone_elses_token(tenant, signed_in):
    tenant.token("admin")
    with tenant.context() as session:
        admins_token = session.scalar(select(ApiToken).where(
            ApiToken.membership_id == tenant.people["admin"].membership_id))
        token_id, name = admins_token.id, admins_token.name
    client = signed_in("viewer")
    assert name not in page(client.get(f"/t/{tenant.slug}/account/tokens"))
    before = head(tenant)
    assert client.post(f"/t/{tenant.slug}/account/tokens/{token_id}/revoke").status_code == 404
    assert events_since(tenant, before) == []


@pytest.mark.parametrize("name,message", [("", "Enter a name for the token."),
                                          ("t" * 101, "Enter a name of 100 characters or fewer.")])
def test_a_token_needs_a_sensible_name(tenant, signed_in, name, message):
    before = head(tenant)
    text = page(signed_in("viewer").post(f"/t/{tenant.slug}/account/tokens", data={"name": name}))
    assert message in text and "cl_" not in text
    assert events_since(tenant, before) == []


# --- who may do what ---------------------------------------------------------------------------------

def admin_pages(tenant):
    staff = tenant.people["staff"]
    return [f"/t/{tenant.slug}/services/new", f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}/edit",
            f"/t/{tenant.slug}/members", f"/t/{tenant.slug}/members/new", f"/t/{tenant.slug}/plugins",
            f"/t/{tenant.slug}/members/{staff.membership_id}/role",
            f"/t/{tenant.slug}/members/{staff.membership_id}/remove"]


def admin_posts(tenant):
    service = f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}"
    staff = tenant.people["staff"]
    return [
        (f"/t/{tenant.slug}/services/new", {"name": "Sneaky", "kind": "other"}),
        (f"{service}/edit", {"name": "Renamed", "kind": "other"}),
        (f"{service}/archive", {}),
        (f"{service}/restore", {}),
        (f"/t/{tenant.slug}/members/new", {"email": "x@example.nhs.uk", "role": "admin", "display_name": "X",
                                           "password": "long enough pw"}),
        (f"/t/{tenant.slug}/members/{staff.membership_id}/role", {"role": "admin"}),
        (f"/t/{tenant.slug}/members/{staff.membership_id}/remove", {}),
        (f"/t/{tenant.slug}/plugins/healthcheck", {"enabled": "0"}),
    ]


@pytest.mark.parametrize("role", ["staff", "service_user", "facilitator", "viewer"])
def test_only_admins_may_manage(tenant, signed_in, role):
    client = signed_in(role)
    for url in admin_pages(tenant):
        assert client.get(url).status_code == 403, url
    before = head(tenant)
    for url, data in admin_posts(tenant):
        text = page(client.post(url, data=data), status=403)
        assert "<h1>You cannot do that</h1>" in text
    assert events_since(tenant, before) == []


def test_a_member_of_another_trust_finds_nothing_here(tenant, other_tenant, signed_in):
    client = signed_in("admin", target=other_tenant)
    urls = [f"/t/{tenant.slug}/", f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}",
            f"/t/{tenant.slug}/account/tokens", *admin_pages(tenant)]
    for url in urls:
        assert client.get(url).status_code == 404, url
    before = head(tenant)
    for url, data in admin_posts(tenant):
        assert client.post(url, data=data).status_code == 404, url
    assert events_since(tenant, before) == []


def test_ids_from_another_trust_are_not_found(tenant, other_tenant, signed_in):
    client = signed_in("admin")
    theirs = other_tenant.services["Elm Community Team"]
    their_member = other_tenant.people["staff"].membership_id
    for url in (f"/t/{tenant.slug}/services/{theirs}", f"/t/{tenant.slug}/services/{theirs}/edit",
                f"/t/{tenant.slug}/members/{their_member}/role", f"/t/{tenant.slug}/members/{their_member}/remove"):
        assert client.get(url).status_code == 404, url
    before_ours, before_theirs = head(tenant), head(other_tenant)
    for url in (f"/t/{tenant.slug}/services/{theirs}/archive", f"/t/{tenant.slug}/members/{their_member}/remove"):
        assert client.post(url).status_code == 404, url
    assert events_since(tenant, before_ours) == [] and events_since(other_tenant, before_theirs) == []


# --- forms need their CSRF token -----------------------------------------------------------------------

@pytest.fixture
def csrf_app(database):
    app = make_app(database.url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_form_without_its_token_is_refused_and_changes_nothing(make_tenant, csrf_app):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=csrf_app)
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/sign-in").get_data(as_text=True)).group(1)
    client.post("/sign-in", data={"email": tenant.people["admin"].email, "password": PASSWORD,
                                  "csrf_token": token})
    service = f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}"
    before = head(tenant)
    for url, data in ((f"/t/{tenant.slug}/services/new", {"name": "Sneaky", "kind": "other"}),
                      (f"{service}/archive", {}),
                      (f"/t/{tenant.slug}/plugins/healthcheck", {"enabled": "0"}),
                      (f"/t/{tenant.slug}/services/new", {"name": "Sneaky", "kind": "other",
                                                          "csrf_token": "made-up"})):
        text = page(client.post(url, data=data), status=400)
        assert "Your form could not be sent" in text and "Nothing has been saved." in text
        assert "CSRF" not in text
    assert events_since(tenant, before) == []

    # the page's own form, with its token, works
    form_page = client.get(f"/t/{tenant.slug}/services/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page).group(1)
    response = client.post(f"/t/{tenant.slug}/services/new",
                           data={"name": "Birch House", "kind": "other", "csrf_token": token})
    assert response.status_code == 302
    assert events_since(tenant, before) == ["service.created"]
