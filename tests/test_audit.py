"""The audit page: the log as plain sentences, filters, paging, details and the head."""
import html
import re
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import event as sa_event

from core import commands, events
from core.db import db
from core.models import Membership, Service
from core.testing import throwaway_app


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    # one line per <option>, whatever the component's white space
    return re.sub(r"\s+>", ">", html.unescape(response.get_data(as_text=True)))


def sentences(page: str) -> list[str]:
    return [s.strip() for s in re.findall(r'<p class="app-sentence">(.*?)</p>', page, re.S)]


def seqs(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="nhsuk-table__row" id="event-(\d+)">', page)]


def at(*args):
    """Travel to a moment (UTC), frozen, so events are recorded then."""
    return time_machine.travel(datetime(*args, tzinfo=timezone.utc), tick=False)


def rename(tenant, service_name, new_name, actor="system"):
    with tenant.context(actor):
        commands.update_service(db.session.get(Service, tenant.services[service_name]), name=new_name)


# --- what the page shows --------------------------------------------------------------

def test_events_are_plain_sentences_newest_first(tenant, signed_in):
    admin = tenant.people["admin"]
    rename(tenant, "Oak Day Centre", "Oak Lodge", actor=f"user:{admin.user_id}")

    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/"))
    said = sentences(page)
    assert said[0] == "Admin (Trust admin) renamed a service to Oak Lodge"
    assert said[-1] == "An operator set up the Trust Test Trust"
    assert "The system added the service Willow Ward" in said
    assert "The system added Staff as staff" in said
    with tenant.context():
        head_seq, _ = events.head(tenant.id)
    assert seqs(page) == list(range(head_seq, 0, -1))
    assert "<h1>What has happened</h1>" in page


def test_every_kind_of_actor_reads_plainly(tenant, signed_in):
    rename(tenant, "Oak Day Centre", "Oak Lodge", actor="invitation:5")
    rename(tenant, "Willow Ward", "Willow House", actor="user:987654321")
    said = sentences(text_of(signed_in("viewer").get(f"/t/{tenant.slug}/audit/")))
    assert said[:2] == ["Someone whose account no longer exists renamed a service to Willow House",
                        "A service user (invitation) renamed a service to Oak Lodge"]


def test_times_are_shown_in_london(make_tenant, signed_in):
    with at(2024, 7, 1, 23, 30):  # British Summer Time: already 2 July in London
        tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    page = text_of(signed_in("admin", target=tenant).get(f"/t/{tenant.slug}/audit/"))
    assert "2 July 2024 at 12:30am" in page


@pytest.mark.parametrize("role", ["staff", "service_user", "facilitator"])
def test_only_admins_and_viewers_may_see_it(tenant, signed_in, role):
    assert signed_in(role).get(f"/t/{tenant.slug}/audit/").status_code == 403


def test_viewer_may_see_it(tenant, signed_in):
    assert "The system added the service Oak Day Centre" in text_of(
        signed_in("viewer").get(f"/t/{tenant.slug}/audit/"))


def test_another_trusts_events_never_appear(tenant, other_tenant, signed_in):
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/"))
    assert "Elm Community Team" not in page
    assert "Other Trust" not in page
    # and an admin of one Trust cannot open another's audit page
    assert signed_in("admin").get(f"/t/{other_tenant.slug}/audit/").status_code == 404


def test_recorded_details_and_head(tenant, signed_in):
    rename(tenant, "Willow Ward", "Willow House")
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/"))
    assert "Show the recorded details" in page
    assert '"name": "Willow House"' in page  # pretty-printed JSON
    assert "Kind of event: Service renamed" in page and "service.renamed</code>" not in page  # its plain name
    with tenant.context():
        head_seq, head_hash = events.head(tenant.id)
    assert re.search(rf"event number <strong>{head_seq}</strong>,\s+fingerprint "
                     rf'<code class="app-fingerprint" id="head-hash">{head_hash}</code>', page)
    assert "Write these down to check later that nothing has been changed" in page


def test_the_chain_is_checked_only_when_asked(tenant, signed_in):
    client = signed_in("admin")
    page = text_of(client.get(f"/t/{tenant.slug}/audit/"))
    assert 'id="chain-result"' not in page
    assert "Check that nothing has been changed" in page
    checked = text_of(client.get(f"/t/{tenant.slug}/audit/?verify=1"))
    with tenant.context():
        count = events.verify_tenant(tenant.id).count
    assert f"Checked just now: all {count} events link up and none of them has been changed." in checked


def test_a_broken_chain_is_reported_plainly(tenant, signed_in, monkeypatch):
    # The log's triggers refuse edits, so stand in for a database changed behind the app's back.
    broken = events.ChainReport(ok=False, count=2, head_seq=2, first_bad_seq=3,
                                reason="its contents do not match its hash")
    monkeypatch.setattr("core.views.audit.events.verify_tenant", lambda tenant_id: broken)
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/?verify=1"))
    assert "The record does not check out" in page
    assert "From event number 3, its contents do not match its hash." in page


def test_the_page_is_kept_until_the_trust_records_anything(tenant, signed_in):
    client = signed_in("admin")
    url = f"/t/{tenant.slug}/audit/"
    first = text_of(client.get(url))
    with tenant.app.app_context():
        engine = db.engine
    asked = []
    listener = lambda conn, cursor, statement, *args: asked.append(statement)  # noqa: E731
    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        again = text_of(client.get(url))
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    without_nonce = lambda page: re.sub(r'nonce="[^"]+"', "", page)  # noqa: E731 (each request has its own)
    assert without_nonce(again) == without_nonce(first)
    # kept: one query (the Trust, its log's head and the session), the log's events not read again
    assert len([statement for statement in asked if not statement.startswith("BEGIN")]) == 1, asked
    rename(tenant, "Oak Day Centre", "Oak Lodge")
    assert "The system renamed a service to Oak Lodge" in sentences(text_of(client.get(url)))


def test_a_check_of_the_chain_is_made_afresh_every_time(tenant, signed_in, monkeypatch):
    """A change made behind the log's back leaves its head as it was: a kept answer would hide it."""
    client = signed_in("admin")
    url = f"/t/{tenant.slug}/audit/?verify=1"
    assert "none of them has been changed" in text_of(client.get(url))
    broken = events.ChainReport(ok=False, count=2, head_seq=2, first_bad_seq=3,
                                reason="its contents do not match its hash")
    monkeypatch.setattr("core.views.audit.events.verify_tenant", lambda tenant_id: broken)
    assert "The record does not check out" in text_of(client.get(url))


# --- filters ------------------------------------------------------------------------------

def test_filter_by_type(tenant, signed_in):
    rename(tenant, "Oak Day Centre", "Oak Lodge")
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/?type=service.renamed"))
    assert sentences(page) == ["The system renamed a service to Oak Lodge"]
    assert '<option value="service.renamed" selected>Service renamed</option>' in page


def test_filter_by_service(tenant, signed_in):
    oak = tenant.services["Oak Day Centre"]
    rename(tenant, "Oak Day Centre", "Oak Lodge")
    rename(tenant, "Willow Ward", "Willow House")
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/?service={oak}"))
    assert sentences(page) == ["The system renamed a service to Oak Lodge",
                               "The system added the service Oak Day Centre"]


def test_filter_by_who_did_it(tenant, signed_in):
    staff = tenant.people["staff"]
    rename(tenant, "Oak Day Centre", "Oak Lodge", actor=f"user:{staff.user_id}")
    client = signed_in("admin")
    page = text_of(client.get(f"/t/{tenant.slug}/audit/"))
    assert f'<option value="user:{staff.user_id}">Staff (staff)</option>' in page
    assert '<option value="cli">An operator</option>' in page
    only = text_of(client.get(f"/t/{tenant.slug}/audit/?actor=user:{staff.user_id}"))
    assert sentences(only) == ["Staff (staff) renamed a service to Oak Lodge"]
    operator = sentences(text_of(client.get(f"/t/{tenant.slug}/audit/?actor=cli")))
    assert operator[-1] == "An operator set up the Trust Test Trust"  # then the sections it switched on
    assert all(sentence.startswith("An operator ") for sentence in operator)


def test_who_did_it_and_how_many_change_as_soon_as_someone_acts(tenant, signed_in):
    """The actors and the counts are kept under the log's head: the next event shows at once."""
    staff = tenant.people["staff"]
    client = signed_in("admin")
    option = f'<option value="user:{staff.user_id}">Staff (staff)</option>'
    renames = f"/t/{tenant.slug}/audit/?type=service.renamed"
    with tenant.context():
        head_seq, _ = events.head(tenant.id)
    for _ in range(2):  # the second view is answered from what was kept
        page = text_of(client.get(f"/t/{tenant.slug}/audit/"))
        assert option not in page and f"of {head_seq} events" in page
        assert "No events match these filters." in text_of(client.get(renames))
    rename(tenant, "Oak Day Centre", "Oak Lodge", actor=f"user:{staff.user_id}")
    page = text_of(client.get(f"/t/{tenant.slug}/audit/"))
    assert option in page and f"of {head_seq + 1} events" in page
    assert sentences(text_of(client.get(renames))) == ["Staff (staff) renamed a service to Oak Lodge"]


def test_filter_by_london_dates(make_tenant, signed_in):
    with at(2024, 1, 10, 12):
        tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    with at(2024, 6, 30, 23, 30):  # 1 July in London (BST)
        rename(tenant, "Oak Day Centre", "Oak Lodge")
    with at(2024, 8, 5, 9):
        rename(tenant, "Oak Day Centre", "Oak House")  # looked up by its first name
    client = signed_in("admin", target=tenant)
    url = f"/t/{tenant.slug}/audit/"
    july = sentences(text_of(client.get(url + "?date_from=2024-07-01&date_to=2024-07-31")))
    assert july == ["The system renamed a service to Oak Lodge"]
    june = sentences(text_of(client.get(url + "?date_to=2024-06-30")))
    assert "The system renamed a service to Oak Lodge" not in june
    assert june[-1] == "An operator set up the Trust Test Trust"
    since_july = sentences(text_of(client.get(url + "?date_from=2024-07-01")))
    assert since_july == ["The system renamed a service to Oak House", "The system renamed a service to Oak Lodge"]


@pytest.mark.parametrize("query, message", [
    ("date_from=2024-02-30", "30 February 2024 is not a real date"),
    ("date_to=yesterday", "Enter the date as a day, month and year, for example 15 3 2027"),
    ("date_from-day=31&date_from-month=2&date_from-year=2024", "31 February 2024 is not a real date"),
    ("date_to-day=1&date_to-month=3&date_to-year=20024", "Year must be 4 numbers"),
    ("date_from=2024-03-02&date_to=2024-03-01", "The 'to' date must be the same as or after the 'from' date."),
    ("type=no.such.type", "Choose a kind of event from the list."),
    ("service=999999999", "Choose a service from the list."),
    ("actor=user:999999999", "Choose a person from the list."),
])
def test_bad_filters_get_a_plain_message(tenant, signed_in, query, message):
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/?{query}"))
    assert "There is a problem" in page
    assert message in page
    assert sentences(page) == []
    assert "<title>Error: " in page


def test_another_trusts_service_is_not_a_choice(tenant, other_tenant, signed_in):
    elm = other_tenant.services["Elm Community Team"]
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/?service={elm}"))
    assert "Choose a service from the list." in page


# --- paging ----------------------------------------------------------------------------------

def test_pages_of_fifty(make_tenant, signed_in):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    with tenant.context():
        oak = db.session.get(Service, tenant.services["Oak Day Centre"])
        for n in range(60):
            commands.update_service(oak, name=f"Oak {n}")
        head_seq, _ = events.head(tenant.id)
    client = signed_in("admin", target=tenant)
    url = f"/t/{tenant.slug}/audit/"

    first = text_of(client.get(url))
    assert seqs(first) == list(range(head_seq, head_seq - 50, -1))
    assert f"Showing 1 to 50 of {head_seq} events" in first
    older = f"{url}?before={head_seq - 49}"
    assert f'href="{older}"' in first and "Older events" in first
    assert "Newer events" not in first

    second = text_of(client.get(older))
    assert seqs(second) == list(range(head_seq - 50, 0, -1))
    assert f"Showing 51 to {head_seq} of {head_seq} events" in second
    assert f'href="{url}?after={head_seq - 50}"' in second and "Older events" not in second
    # newer than the second page's first event is the first page again, full
    assert seqs(text_of(client.get(f"{url}?after={head_seq - 50}"))) == seqs(first)
    # past the end, or not a number: the newest page
    assert seqs(text_of(client.get(url + "?before=1"))) == seqs(first)
    assert seqs(text_of(client.get(url + "?before=abc"))) == seqs(first)
    assert seqs(text_of(client.get(url + "?page=2"))) == seqs(first)


def test_paging_keeps_the_filters(make_tenant, signed_in):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    with tenant.context():
        oak = db.session.get(Service, tenant.services["Oak Day Centre"])
        for n in range(55):
            commands.update_service(oak, name=f"Oak {n}")
    client = signed_in("admin", target=tenant)
    page = text_of(client.get(f"/t/{tenant.slug}/audit/?type=service.renamed"))
    oldest = seqs(page)[-1]
    assert f'href="/t/{tenant.slug}/audit/?before={oldest}&type=service.renamed"' in page.replace("&amp;", "&")
    second = text_of(client.get(f"/t/{tenant.slug}/audit/?type=service.renamed&before={oldest}"))
    assert sentences(second) == [f"The system renamed a service to Oak {n}" for n in range(4, -1, -1)]


def test_queries_do_not_grow_with_the_events_shown(make_tenant, signed_in):
    """People, memberships and services are loaded in batches, not once per event."""

    def queries_for(tenant, client):
        counted = []
        with tenant.app.app_context():
            engine = db.engine
        listener = lambda *args: counted.append(1)  # noqa: E731
        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            text_of(client.get(f"/t/{tenant.slug}/audit/"))
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        return len(counted)

    small = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    big = make_tenant(roles=("admin", "staff", "viewer", "facilitator", "service_user"),
                      services=("Oak Day Centre", "Willow Ward", "Elm", "Ash", "Birch"))
    for tenant in (small, big):  # both have a person acting, so both look people up
        with tenant.context(f"user:{tenant.people['admin'].user_id}"):
            for name in tenant.services:
                commands.update_service(db.session.get(Service, tenant.services[name]), name=name + " House",
                                        archived=True)
            for person in list(tenant.people.values())[1:]:
                commands.change_role(db.session.get(Membership, person.membership_id), "viewer")
    assert queries_for(big, signed_in("admin", target=big)) == queries_for(small, signed_in("admin", target=small))


# --- plugins' events: personal words and a type with no sentence ------------------------------

@pytest.fixture(scope="module")
def plugin_app(database, tmp_path_factory):
    """An app with the fake report plugin installed, on its own database."""
    with throwaway_app(database.engine, tmp_path_factory, {"fakereport": "fake_report_plugin"}) as app:
        yield app


def test_personal_words_shown_then_erased(plugin_app, make_tenant, signed_in):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=plugin_app)
    oak = tenant.services["Oak Day Centre"]
    with tenant.context(f"user:{tenant.people['admin'].user_id}"):
        noted = events.record("fakereport.noted", stream=f"service:{oak}", service_id=oak,
                              personal={"words": "Jo Bloggs said the garden helps"})
        events.record("fakereport.plain", stream=f"service:{oak}", service_id=oak)
        noted_id = noted.id
    client = signed_in("admin", target=tenant)
    url = f"/t/{tenant.slug}/audit/"

    page = text_of(client.get(url))
    assert sentences(page)[:2] == ["Fakereport plain recorded",
                                   "Admin (Trust admin) noted something about Oak Day Centre"]
    assert '"words": "Jo Bloggs said the garden helps"' in page

    with tenant.context():
        assert events.erase_personal(noted_id)
    erased = text_of(client.get(url))
    assert "Jo Bloggs" not in erased
    assert "Personal details (kept apart so they can be erased):" in erased
    assert "[erased]" in erased
    verified = text_of(client.get(url + "?verify=1"))
    assert "none of them has been changed" in verified


def test_a_failing_sentence_falls_back_to_the_kind_of_event(plugin_app, make_tenant, signed_in):
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=plugin_app)
    oak = tenant.services["Oak Day Centre"]
    with tenant.context():
        events.record("fakereport.broken", stream=f"service:{oak}", service_id=oak)
    page = text_of(signed_in("admin", target=tenant).get(f"/t/{tenant.slug}/audit/"))
    assert sentences(page)[0] == "Fakereport broken recorded"
