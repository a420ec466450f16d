"""Reports: as-of dates in London, core's fragments, plugins' fragments, pages and API."""
import html
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from core import commands, events, reports
from core.db import db
from core.models import Membership, Service, Tenant
from core.plugins import BUILT_IN
from core.testing import throwaway_app


def at(*args):
    """Travel to a moment (UTC), frozen, so events are recorded then."""
    return time_machine.travel(datetime(*args, tzinfo=timezone.utc), tick=False)


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def headings(page: str) -> list[str]:
    return re.findall(r'<h2 id="fragment-[^"]+-title">(.*?)</h2>', page)


# --- dates ---------------------------------------------------------------------------

def test_as_of_is_the_end_of_the_day_in_london():
    # winter: London is on GMT
    assert reports.parse_as_of("2024-01-10") == datetime(2024, 1, 10, 23, 59, 59, 999999, tzinfo=timezone.utc)
    # summer: London is an hour ahead, so its day ends at 23:00 UTC
    assert reports.parse_as_of("2024-07-01") == datetime(2024, 7, 1, 22, 59, 59, 999999, tzinfo=timezone.utc)
    # the day the clocks go forward is 23 hours long; it still ends at London midnight
    assert reports.parse_as_of("2024-03-31") == datetime(2024, 3, 31, 22, 59, 59, 999999, tzinfo=timezone.utc)
    assert reports.parse_as_of(" 2024-10-27 ").tzinfo is not None


@pytest.mark.parametrize("text", ["", "2024-02-30", "31/01/2024", "tomorrow", "2024-1-5x"])
def test_as_of_refuses_what_is_not_a_date(text):
    with pytest.raises(ValueError, match="Enter a real date in the format YYYY-MM-DD"):
        reports.parse_as_of(text)


def test_as_of_refuses_the_future():
    with at(2024, 6, 30, 23, 30):  # already 1 July in London
        assert reports.parse_as_of("2024-07-01")
        with pytest.raises(ValueError, match="Enter today's date or a date in the past."):
            reports.parse_as_of("2024-07-02")
    tomorrow = (datetime.now(reports.LONDON).date() + timedelta(days=1)).isoformat()
    with pytest.raises(ValueError):
        reports.parse_as_of(tomorrow)


# --- a Trust with a history -----------------------------------------------------------

@pytest.fixture
def history(make_tenant):
    """Oak is added on 10 January 2024 and renamed on 10 February; Willow is added on 1 March
    and archived on 5 March; a staff member joins on 20 January."""
    with at(2024, 1, 10, 12):
        tenant = make_tenant(roles=("admin", "viewer"), services=("Oak Day Centre",))
    with at(2024, 1, 20, 9):
        tenant.add_person("staff")
    with at(2024, 2, 10, 9), tenant.context():
        commands.update_service(db.session.get(Service, tenant.services["Oak Day Centre"]), name="Oak Lodge")
    with at(2024, 3, 1, 9):
        tenant.add_service("Willow Ward")
    with at(2024, 3, 5, 9), tenant.context():
        commands.update_service(db.session.get(Service, tenant.services["Willow Ward"]), archived=True)
    return tenant


def test_service_report_shows_the_name_of_the_day(history, signed_in):
    oak = history.services["Oak Day Centre"]
    client = signed_in("admin", target=history)
    url = f"/t/{history.slug}/services/{oak}/report"

    before = page_text(client.get(url + "?as_of=2024-01-20"))
    assert "<h1>Report for Oak Day Centre</h1>" in before
    assert "Where things stood at the end of 20 January 2024" in before
    assert '<dd class="nhsuk-summary-list__value">Oak Day Centre</dd>' in before
    after = page_text(client.get(url + "?as_of=2024-02-10"))
    assert "<h1>Report for Oak Lodge</h1>" in after
    now = page_text(client.get(url))
    assert "<h1>Report for Oak Lodge</h1>" in now
    assert "As things stand now, from everything recorded." in now


def test_service_report_api_shows_the_state_of_the_day(history, api_client):
    oak = history.services["Oak Day Centre"]
    api = api_client("viewer", target=history)

    before = api.get(f"services/{oak}/report?as_of=2024-01-15").json
    assert before["as_of"] == "2024-01-15"
    assert before["service"] == {"id": oak, "name": "Oak Day Centre", "kind": "day_centre", "archived": False}
    core = before["fragments"][0]
    assert core["plugin"] == "core"
    assert core["data"]["service"]["name"] == "Oak Day Centre"
    # the staff member joined on 20 January
    assert core["data"]["members_by_role"] == {"admin": 1, "staff": 0, "service_user": 0, "facilitator": 0,
                                               "viewer": 1}
    assert core["data"]["events_by_type"] == {"service.created": 1}

    later = api.get(f"services/{oak}/report?as_of=2024-02-10").json
    assert later["service"]["name"] == "Oak Lodge"
    assert later["fragments"][0]["data"]["members_by_role"]["staff"] == 1
    assert later["fragments"][0]["data"]["events_by_type"] == {"service.created": 1, "service.renamed": 1}

    today = api.get(f"services/{oak}/report").json
    assert today["as_of"] == datetime.now(reports.LONDON).date().isoformat()
    assert today["service"]["name"] == "Oak Lodge"


def test_archived_as_of_the_day(history, api_client):
    willow = history.services["Willow Ward"]
    api = api_client("admin", target=history)
    assert api.get(f"services/{willow}/report?as_of=2024-03-04").json["service"]["archived"] is False
    assert api.get(f"services/{willow}/report?as_of=2024-03-05").json["service"]["archived"] is True


def test_a_service_not_yet_added_says_so(history, signed_in, api_client):
    willow = history.services["Willow Ward"]
    page = page_text(signed_in("admin", target=history).get(
        f"/t/{history.slug}/services/{willow}/report?as_of=2024-02-01"))
    assert ("Willow Ward had not been added to Changing Lives yet at the end of 1 February 2024. "
            "It was added on 1 March 2024.") in page
    assert headings(page) == []

    response = api_client("admin", target=history).get(f"services/{willow}/report?as_of=2024-02-01")
    assert response.status_code == 404
    assert response.json["error"]["message"] == (
        "This service had not been added yet on 2024-02-01. It was added on 2024-03-01.")


def test_trust_report_as_of_the_day(history, api_client):
    api = api_client("admin", target=history)
    january = api.get("report?as_of=2024-01-31").json
    core = january["fragments"][0]
    assert core["plugin"] == "core"
    assert [s["name"] for s in core["data"]["services"]] == ["Oak Day Centre"]
    assert core["data"]["members_by_role"]["staff"] == 1

    march = api.get("report?as_of=2024-03-05").json["fragments"][0]["data"]
    assert [(s["name"], s["archived"]) for s in march["services"]] == [("Oak Lodge", False), ("Willow Ward", True)]
    # each event up to the end of that day, and no other Trust's
    with history.context():
        count_then = sum(1 for e in events.tenant_records(history.id) if e["occurred_at"] < "2024-03-06")
    assert march["events_total"] == count_then


def test_trust_report_page(history, signed_in):
    page = page_text(signed_in("service_user", target=history).get(f"/t/{history.slug}/report?as_of=2024-01-31"))
    assert f"<h1>Report for {history.name}</h1>" in page
    assert headings(page)[0] == "Services and members"
    assert "Oak Day Centre" in page and "Willow Ward" not in page
    assert '<style media="print" nonce=' in page
    assert "Print this report" in page
    # core's fragment is HTML from its template, not escaped text
    raw = signed_in("admin", target=history).get(f"/t/{history.slug}/report").get_data(as_text=True)
    assert '<caption class="nhsuk-table__caption nhsuk-table__caption--s">Services</caption>' in raw
    assert "&lt;table" not in raw


ASK = "Enter the date as a day, month and year, for example 15 3 2027"


# the date, the API's message, and the page's where it says it its own way (in day, month and year)
@pytest.mark.parametrize("as_of, message, on_page", [
    ("2024-02-30", "Enter a real date in the format YYYY-MM-DD, like 2026-01-31.", "30 February 2024 is not a real date"),
    ("soon", "Enter a real date in the format YYYY-MM-DD, like 2026-01-31.", ASK),
    ("2999-01-01", "Enter today's date or a date in the past.", None),
])
def test_bad_dates_get_a_plain_message(tenant, signed_in, api_client, as_of, message, on_page):
    oak = tenant.services["Oak Day Centre"]
    client = signed_in("staff")
    for url in (f"/t/{tenant.slug}/report", f"/t/{tenant.slug}/services/{oak}/report"):
        response = client.get(f"{url}?as_of={as_of}")
        assert response.status_code == 400
        page = html.unescape(response.get_data(as_text=True))
        assert "There is a problem" in page
        assert (on_page or message) in page
        assert "YYYY-MM-DD" not in page
        assert headings(page) == []
    api = api_client("staff")
    for path in ("report", f"services/{oak}/report"):
        response = api.get(f"{path}?as_of={as_of}")
        assert response.status_code == 400
        assert response.json["error"]["fields"] == {"as_of": [message]}


def test_dates_before_the_trust_began_or_known_on_wrong_get_a_plain_400(history, signed_in, api_client):
    oak = history.services["Oak Day Centre"]
    client, api = signed_in("viewer", target=history), api_client("viewer", target=history)
    cases = [
        ("as_of=2023-12-31", "as_of", "Enter a date on or after 10 January 2024, when this Trust's record begins."),
        ("known_on=2024-01-09", "known_on",
         "Enter a date on or after 10 January 2024, when this Trust's record begins."),
        ("as_of=2024-02-01&known_on=2999-01-01", "known_on", "Enter today's date or a date in the past."),
        ("known_on=31/01/2024", "known_on", "Enter a real date in the format YYYY-MM-DD, like 2026-01-31."),
    ]
    on_page = {"known_on=31/01/2024": ASK}  # the page asks in its own words for day, month and year
    for query, field_name, message in cases:
        for path in ("report", f"services/{oak}/report"):
            response = api.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query)
            assert response.json["error"] == {"code": "bad_request", "message": message,
                                              "fields": {field_name: [message]}}
            page = client.get(f"/t/{history.slug}/{path}?{query}")
            assert page.status_code == 400
            assert on_page.get(query, message) in html.unescape(page.get_data(as_text=True))


def test_known_on_limits_the_report_to_what_was_recorded(history, api_client):
    api = api_client("viewer", target=history)
    oak = history.services["Oak Day Centre"]
    # Oak was renamed on 10 February 2024: the records of 1 February still say "Oak Day Centre"
    then = api.get(f"services/{oak}/report?known_on=2024-02-01").json
    assert then["service"]["name"] == "Oak Day Centre"
    assert then["as_of"] == "2024-02-01" and then["known_on"] == "2024-02-01"
    assert then["question"].startswith("What the records said at the end of 1 February 2024")
    now = api.get(f"services/{oak}/report").json
    assert now["service"]["name"] == "Oak Lodge" and now["known_on"] is None
    both = api.get(f"report?as_of=2024-01-31&known_on=2024-03-02").json
    assert both["as_of"] == "2024-01-31" and both["known_on"] == "2024-03-02"
    assert both["question"] == ("Where things stood at the end of 31 January 2024, using only what had been "
                                "recorded by the end of 2 March 2024.")


def test_unknown_or_another_trusts_service_is_404(tenant, other_tenant, signed_in, api_client):
    elm = other_tenant.services["Elm Community Team"]
    client, api = signed_in("admin"), api_client("admin")
    for service_id in (elm, 987654321):
        assert client.get(f"/t/{tenant.slug}/services/{service_id}/report").status_code == 404
        response = api.get(f"services/{service_id}/report")
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"


def test_every_member_may_read_reports(tenant, signed_in, api_client):
    oak = tenant.services["Oak Day Centre"]
    for role in ("admin", "staff", "service_user", "facilitator", "viewer"):
        assert signed_in(role).get(f"/t/{tenant.slug}/services/{oak}/report").status_code == 200
        assert api_client(role).get("report").status_code == 200


def test_openapi_documents_reports(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/t/{slug}/report" in spec["paths"]
    service = spec["paths"]["/api/v1/t/{slug}/services/{service_id}/report"]["get"]
    assert "404" in service["responses"]
    schemas = spec["components"]["schemas"]
    assert set(schemas["ServiceReport"]["properties"]) == {
        "trust", "trust_slug", "made_at", "head_seq", "head_hash", "as_of", "known_on", "question", "service",
        "fragments"}
    assert set(schemas["Fragment"]["properties"]) == {"plugin", "title", "data"}


# --- plugins' fragments -----------------------------------------------------------------

@pytest.fixture(scope="module")
def plugin_app(database, tmp_path_factory):
    """An app with the fake report plugin installed, on its own database."""
    with throwaway_app(database.engine, tmp_path_factory, {"fakereport": "fake_report_plugin"}) as app:
        yield app


def switch(tenant, on: bool):
    with tenant.context() as session:
        row = session.get(Tenant, tenant.id)
        if on:
            commands.allow_plugin(row, "fakereport")
        (commands.enable_plugin if on else commands.disable_plugin)(row, "fakereport")


def core_only_tenant(make_tenant, plugin_app):
    """A Trust with the built-in sections off, so only core and the fake plugin report."""
    tenant = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=plugin_app)
    with tenant.context() as session:
        for plugin in BUILT_IN:
            commands.disable_plugin(session.get(Tenant, tenant.id), plugin)
    return tenant


def test_a_new_plugin_is_off_until_switched_on(plugin_app, make_tenant, api_client):
    tenant = core_only_tenant(make_tenant, plugin_app)
    oak = tenant.services["Oak Day Centre"]
    api = api_client("admin", target=tenant)
    assert [f["plugin"] for f in api.get(f"services/{oak}/report").json["fragments"]] == ["core"]
    assert "fakereport" not in [f["plugin"] for f in api.get("report").json["fragments"]]


def test_fragments_in_order_and_named(plugin_app, make_tenant, api_client, signed_in):
    tenant = core_only_tenant(make_tenant, plugin_app)
    oak = tenant.services["Oak Day Centre"]
    switch(tenant, on=True)
    api = api_client("admin", target=tenant)

    service = api.get(f"services/{oak}/report").json["fragments"]
    # the plugin left its name empty: the report fills it in from the registration
    assert [(f["plugin"], f["title"]) for f in service] == [
        ("core", "The service and its Trust"), ("fakereport", "Fake service section")]
    assert service[1]["data"] == {"service_id": oak, "service_name": "Oak Day Centre"}

    today = reports.london_today().isoformat()
    trust = api.get(f"report?as_of={today}").json["fragments"]
    plugins = [f["plugin"] for f in trust]
    # order -1 comes before core's 0, whichever was registered first
    assert plugins.index("fakereport") < plugins.index("core")
    assert trust[plugins.index("fakereport")]["data"]["as_of"] == today

    page = page_text(signed_in("admin", target=tenant).get(f"/t/{tenant.slug}/services/{oak}/report"))
    assert headings(page)[:2] == ["The service and its Trust", "Fake service section"]
    assert '<p class="fake">Fake for Oak Day Centre</p>' in page  # the core rendered the plugin's template
    trust_page = signed_in("admin", target=tenant).get(f"/t/{tenant.slug}/report").get_data(as_text=True)
    assert "&lt;b&gt;" in trust_page  # words in the data are escaped by the template, never trusted as HTML


def test_switching_a_plugin_off_removes_its_fragment(plugin_app, make_tenant, api_client, signed_in):
    tenant = core_only_tenant(make_tenant, plugin_app)
    oak = tenant.services["Oak Day Centre"]
    switch(tenant, on=True)
    switch(tenant, on=False)
    api = api_client("admin", target=tenant)
    assert [f["plugin"] for f in api.get(f"services/{oak}/report").json["fragments"]] == ["core"]
    assert "fakereport" not in [f["plugin"] for f in api.get("report").json["fragments"]]
    page = page_text(signed_in("admin", target=tenant).get(f"/t/{tenant.slug}/services/{oak}/report"))
    assert "Fake service section" not in page


def test_plugin_fragments_follow_the_tenant(plugin_app, make_tenant, api_client):
    """One Trust switching a plugin on leaves another Trust's reports alone."""
    on = make_tenant(roles=("admin",), services=(), target_app=plugin_app)
    off = make_tenant(roles=("admin",), services=(), target_app=plugin_app)
    switch(on, on=True)
    assert "fakereport" in [f["plugin"] for f in api_client("admin", target=on).get("report").json["fragments"]]
    assert "fakereport" not in [f["plugin"] for f in api_client("admin", target=off).get("report").json["fragments"]]


def test_members_counted_as_of_the_day(make_tenant, api_client):
    with at(2024, 4, 1, 12):
        tenant = make_tenant(roles=("admin", "staff"), services=())
    with at(2024, 4, 10, 12), tenant.context():
        commands.change_role(db.session.get(Membership, tenant.people["staff"].membership_id), "facilitator")
    with at(2024, 4, 20, 12), tenant.context():
        commands.remove_member(db.session.get(Membership, tenant.people["staff"].membership_id))
    api = api_client("admin", target=tenant)

    def roles(day):
        counts = api.get(f"report?as_of={day}").json["fragments"][0]["data"]["members_by_role"]
        return {role: n for role, n in counts.items() if n}

    assert roles("2024-04-05") == {"admin": 1, "staff": 1}
    assert roles("2024-04-15") == {"admin": 1, "facilitator": 1}
    assert roles("2024-04-25") == {"admin": 1}
    assert date.fromisoformat(api.get("report").json["as_of"]) == datetime.now(reports.LONDON).date()


def test_a_report_with_a_bad_date_does_not_claim_to_show_now(tenant, signed_in):
    page = signed_in("viewer").get(f"/t/{tenant.slug}/report?as_of=2999-01-01")
    assert page.status_code == 400
    text = html.unescape(page.get_data(as_text=True))
    assert "Choose the day the report describes: a date below needs correcting." in text
    assert "As things stand now" not in text
