"""What changed between two dates: every section, the pages, the API, roles, other Trusts and bad dates."""
import html
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from core import commands, reports
from core.db import db
from core.models import Service
from plugins.healthcheck.tests.helpers import complete as health_check
from plugins.indicators.tests.helpers import another_api, answers
from plugins.levels.tests.helpers import complete as assessment

ROLES = ("admin", "staff", "service_user", "facilitator", "viewer")
SECTIONS = ["core", "healthcheck", "levels", "indicators", "resources"]


def at(*args):
    """Travel to a moment (UTC), frozen, so events are recorded then."""
    return time_machine.travel(datetime(*args, 12, tzinfo=timezone.utc), tick=False)


def text_of(response) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def section(body: dict, plugin: str) -> dict:
    return next(s for s in body["sections"] if s["plugin"] == plugin)


def kinds(body: dict, plugin: str) -> list[str]:
    return [c["kind"] for c in section(body, plugin)["changes"]]


@pytest.fixture
def story(make_tenant, api_client):
    """Oak Day Centre over half a year: two health checks, two assessments, a round with a target, a resource."""
    with at(2024, 12, 1):
        trust = make_tenant(name="Birch Trust")
        api = {role: api_client(role, target=trust) for role in ROLES}
    oak, willow = trust.services["Oak Day Centre"], trust.services["Willow Ward"]
    with at(2025, 1, 10):
        api["staff"].post("healthcheck/reviews", json={"service_id": oak, "submit": True, **health_check(
            "2025-01-10", agreed_changes=["Service users take turns to chair", "Tea at every meeting"])})
        api["staff"].post("levels/assessments", json={"service_id": oak, "submit": True, **assessment("2025-01-10")})
    with at(2025, 3, 1):
        gardeners = api["staff"].post("resources/resources", json={
            "name": "Oak Gardeners", "scope": "local", "service_ids": [oak], "website": "https://example.org",
        }).json["id"]
        round_id = api["staff"].post("indicators/rounds", json={"service_id": oak, "title": "Spring"}).json["id"]
        for role in ("service_user", "staff"):
            api[role].post(f"indicators/rounds/{round_id}/responses", json={"answers": answers()})
        for _ in range(2):  # service users' views are shown once at least 3 of them answered
            another_api(trust, "service_user").post(f"indicators/rounds/{round_id}/responses",
                                                    json={"answers": answers()})
        api["facilitator"].post(f"indicators/rounds/{round_id}/sharing", json={
            "shared_on": "2025-03-01", "setting": "special_event", "chaired_by": "external_user_facilitator"})
    with at(2025, 4, 10):
        api["staff"].post("healthcheck/reviews", json={"service_id": oak, "submit": True, **health_check(
            "2025-04-10", attendance=6, frequency="weekly", agreed_changes=["A welcome pack"],
            answers={"q14": {"changes": ["Service users take turns to chair"]}})})
        api["staff"].post("levels/assessments", json={"service_id": oak, "submit": True, **assessment(
            "2025-04-10", individual=(3, 4), policy=(2, 3))})
        target_id = api["staff"].post(f"indicators/rounds/{round_id}/targets", json={
            "indicator": "valuing", "change": "A welcome pack for new service users.",
            "service_users_do": "Write it", "staff_do": "Print it", "review_on": "2025-05-01"}).json["id"]
        with trust.context() as session:
            commands.update_service(session.get(Service, oak), name="Oak House")
    with at(2025, 5, 2):
        reviewed = api["staff"].post(f"indicators/rounds/{round_id}/targets/{target_id}/review",
                                     json={"happened": "yes", "outcomes": "Every newcomer gets one"})
        assert reviewed.status_code == 201, reviewed.json
    with at(2025, 6, 1):
        assert api["admin"].post(f"resources/resources/{gardeners}/archive").status_code == 200
        with trust.context() as session:
            commands.update_service(session.get(Service, willow), archived=True)
    return {"trust": trust, "api": api, "oak": oak, "willow": willow}


def test_a_service_section_by_section(story):
    oak = story["oak"]
    body = story["api"]["viewer"].get(f"services/{oak}/changes?from=2025-02-01&to=2025-06-30")
    assert body.status_code == 200, body.json
    body = body.json
    assert (body["from"], body["to"], body["known_on"]) == ("2025-02-01", "2025-06-30", None)
    assert [s["plugin"] for s in body["sections"]] == SECTIONS  # core first, then the guide's order
    assert all(c["what"] for s in body["sections"] for c in s["changes"])

    assert section(body, "core")["changes"] == [{
        "what": "Oak Day Centre was renamed Oak House.", "kind": "service_renamed", "service_id": oak,
        "from": "Oak Day Centre", "to": "Oak House"}]

    health = section(body, "healthcheck")["changes"]
    assert health[0]["kind"] == "review" and (health[0]["from"], health[0]["to"]) == ("2025-01-10", "2025-04-10")
    moved = {c["key"]: (c["from"], c["to"]) for c in health if c["kind"] == "answer"}
    assert moved["q5_attendance"] == (4, 6) and moved["q2_frequency"] == ("monthly", "weekly")
    assert "Question 5, how many service users usually attend: was 4, now 6." in [c["what"] for c in health]
    assert "Question 14, what changed: Added: Service users take turns to chair. Removed: New chairs in the " \
           "lounge." in [c["what"] for c in health]
    fates = {c["kind"]: c.get("to") or c.get("from") for c in health if c["kind"].startswith("change_")}
    assert fates == {"change_made": "Service users take turns to chair", "change_dropped": "Tea at every meeting",
                     "change_agreed": "A welcome pack"}

    levels = section(body, "levels")["changes"]
    assert levels[0]["kind"] == "assessment"
    assert [(c["area"], c["part"], c["from"], c["to"]) for c in levels if c["kind"] == "level"] == [
        ("individual", "current", 2, 3), ("individual", "aim", 3, 4), ("policy", "current", 1, 2),
        ("policy", "aim", 2, 3)]
    assert [(c["area"], c["aim"]) for c in levels if c["kind"] == "aim_reached"] == [("individual", 3), ("policy", 2)]
    assert "Individual: up 1 level, from Level 2: Limited involvement to Level 3: Growing involvement." in \
        [c["what"] for c in levels]

    indicators = kinds(body, "indicators")
    assert indicators == ["round_started", "step", *["evaluation"] * 14, "target_agreed", "target_achieved"]
    evaluations = [c for c in section(body, "indicators")["changes"] if c["kind"] == "evaluation"]
    assert evaluations[0]["what"] == ("Valuing, service users: for individuals 3 met; across the service "
                                      "3 partly met (before: no answers).")
    assert evaluations[0]["to"]["individual"] == {"met": 3, "partly_met": 0, "not_met": 0, "dont_know": 0}
    assert [c["what"] for c in section(body, "indicators")["changes"][-2:]] == [
        "Target agreed for Valuing: A welcome pack for new service users; to be reviewed on 1 May 2025.",
        "Target achieved (Valuing): A welcome pack for new service users."]

    assert kinds(body, "resources") == []  # added and retired inside the span: in use at neither end


def test_resources_added_then_retired(story):
    api, oak = story["api"]["staff"], story["oak"]
    added = api.get(f"services/{oak}/changes?from=2025-02-01&to=2025-03-31").json
    assert [(c["kind"], c["name"]) for c in section(added, "resources")["changes"]] == [
        ("resource_added", "Oak Gardeners")]
    retired = api.get(f"services/{oak}/changes?from=2025-03-31&to=2025-06-30").json
    assert [c["what"] for c in section(retired, "resources")["changes"]] == ["Retired: Oak Gardeners."]


def test_the_same_day_twice_changes_nothing(story):
    body = story["api"]["admin"].get(f"services/{story['oak']}/changes?from=2025-04-10&to=2025-04-10").json
    assert [s["changes"] for s in body["sections"]] == [[]] * len(SECTIONS)


def test_the_whole_trust(story):
    body = story["api"]["facilitator"].get("changes?from=2025-01-01&to=2025-06-30").json
    assert [s["plugin"] for s in body["sections"]] == SECTIONS
    assert [c["what"] for c in section(body, "core")["changes"]] == [
        "Oak Day Centre was renamed Oak House.", "Willow Ward was archived."]
    health = section(body, "healthcheck")["changes"]
    assert health[0]["what"] == ("Oak House: 2 health checks were held, from 10 January 2025; the latest, "
                                 "compared here, on 10 April 2025.")
    assert health[0]["service"] == "Oak House" and health[0]["held"] == 2
    assert [c["kind"] for c in health] == ["first_review", "change_agreed"]
    assert {c["service_id"] for s in body["sections"] for c in s["changes"] if "service_id" in c} <= \
        {story["oak"], story["willow"], None}


def test_known_on_hides_what_was_recorded_later(story):
    api, oak = story["api"]["viewer"], story["oak"]
    # where things stood on 30 April, as the records said on 30 April: the target not reviewed yet
    then = api.get(f"services/{oak}/changes?from=2025-02-01&to=2025-04-30&known_on=2025-04-30").json
    assert then["known_on"] == "2025-04-30"
    assert "target_achieved" not in kinds(then, "indicators")
    # as of 2 May, knowing everything: reviewed; known on 1 May: not yet
    assert "target_achieved" in kinds(api.get(f"services/{oak}/changes?from=2025-04-30&to=2025-05-02").json,
                                      "indicators")
    hidden = api.get(f"services/{oak}/changes?from=2025-04-30&to=2025-05-01&known_on=2025-05-01").json
    assert "target_achieved" not in kinds(hidden, "indicators")


def test_the_pages(story, signed_in):
    trust, oak = story["trust"], story["oak"]
    client = signed_in("viewer", target=trust)
    page = client.get(f"/t/{trust.slug}/services/{oak}/changes?from=2025-02-01&to=2025-06-30")
    assert page.status_code == 200
    words = text_of(page)
    assert "What changed at Oak House" in words
    assert "What changed between the end of 1 February 2025 and the end of 30 June 2025" in words
    titles = re.findall(r'<h2 id="changes-[^"]+-title">(.*?)</h2>', page.get_data(as_text=True))
    assert titles == ["The service", "Health check of the user group", "Levels of involvement",
                      "Getting there: the service user indicators", "Resources for this service"]
    assert "The service 1 change Oak Day Centre was renamed Oak House." in words
    assert "Resources for this service Nothing changed" in words
    source = page.get_data(as_text=True)
    assert f"/t/{trust.slug}/services/{oak}/report?as_of=2025-02-01" in source
    assert f"/t/{trust.slug}/services/{oak}/report?as_of=2025-06-30" in source
    assert "&lt;" not in source.split("<main", 1)[1].replace("&lt;a", "")  # no escaped markup

    whole = client.get(f"/t/{trust.slug}/changes?from=2025-01-01&to=2025-06-30")
    assert whole.status_code == 200
    assert "Willow Ward was archived." in text_of(whole)

    first = client.get(f"/t/{trust.slug}/changes")
    assert first.status_code == 200
    assert "Choose two dates to see what changed between them" in text_of(first)
    assert "There is a problem" not in text_of(first)


def test_the_report_and_service_pages_link_here(story, signed_in):
    trust, oak = story["trust"], story["oak"]
    client = signed_in("service_user", target=trust)
    for url in (f"/t/{trust.slug}/services/{oak}", f"/t/{trust.slug}/services/{oak}/report"):
        assert f'href="/t/{trust.slug}/services/{oak}/changes' in client.get(url).get_data(as_text=True), url
    assert f'href="/t/{trust.slug}/changes' in client.get(f"/t/{trust.slug}/report").get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_member_may_read(story, signed_in, role):
    trust, oak = story["trust"], story["oak"]
    client, api = signed_in(role, target=trust), story["api"][role]
    for path in ("changes", f"services/{oak}/changes"):
        assert client.get(f"/t/{trust.slug}/{path}?from=2025-01-01&to=2025-06-30").status_code == 200
        assert api.get(f"{path}?from=2025-01-01&to=2025-06-30").status_code == 200


def test_strangers_and_other_trusts_get_nothing(story, other_tenant, client, signed_in, api_client):
    trust, oak = story["trust"], story["oak"]
    query = "?from=2025-01-01&to=2025-06-30"
    assert client.get(f"/t/{trust.slug}/changes{query}").status_code in (302, 303)  # sign in first
    assert client.get(f"/api/v1/t/{trust.slug}/changes{query}").status_code == 401
    outsider = signed_in("admin", target=other_tenant)
    assert outsider.get(f"/t/{trust.slug}/changes{query}").status_code in (403, 404)
    # another Trust's service, or no such service: 404 on pages and API
    other_api = api_client("admin", target=other_tenant)
    for service_id in (oak, 987654321):
        assert outsider.get(f"/t/{other_tenant.slug}/services/{service_id}/changes{query}").status_code == 404
        answer = other_api.get(f"services/{service_id}/changes{query}")
        assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"


ASK = "Enter the date as a day, month and year, for example 15 3 2027"

# the address, the field, the API's message, and the page's where it says it its own way (the API keeps ISO words)
BAD = [
    ("from=&to=2025-06-30", "from", "Enter the first date, in the format YYYY-MM-DD.", "Enter the first date"),
    ("to=2025-06-30", "from", "Enter the first date, in the format YYYY-MM-DD.", "Enter the first date"),
    ("from=2025-01-01", "to", "Enter the second date, in the format YYYY-MM-DD.", "Enter the second date"),
    ("from=2025-13-01&to=2025-06-30", "from", "Enter a real date in the format YYYY-MM-DD, like 2026-01-31.",
     "Month must be between 1 and 12"),
    ("from=2025-01-01&to=soon", "to", "Enter a real date in the format YYYY-MM-DD, like 2026-01-31.", ASK),
    ("from=2025-06-30&to=2025-01-01", "to", "The second date must be the same as the first date or after it.", None),
    ("from=2024-11-30&to=2025-01-01", "from", "Enter a date on or after 1 December 2024, when this Trust's "
                                              "record begins.", None),
    ("from=2025-01-01&to=2999-01-01", "to", "Enter today's date or a date in the past.", None),
    ("from=2025-01-01&to=2025-02-01&known_on=01/02/2025", "known_on",
     "Enter a real date in the format YYYY-MM-DD, like 2026-01-31.", ASK),
    ("from-day=31&from-month=2&from-year=2025&to=2025-06-30", "from", None, "31 February 2025 is not a real date"),
]


@pytest.mark.parametrize("query, field, message, on_page", BAD)
def test_bad_dates_get_a_plain_message_and_a_400(story, signed_in, query, field, message, on_page):
    trust, oak = story["trust"], story["oak"]
    client, api = signed_in("staff", target=trust), story["api"]["staff"]
    for path in ("changes", f"services/{oak}/changes"):
        page = client.get(f"/t/{trust.slug}/{path}?{query}")
        assert page.status_code == 400
        words = text_of(page)
        assert "There is a problem" in words and (on_page or message) in words
        assert "YYYY-MM-DD" not in words
        assert 'id="changes-core-title"' not in page.get_data(as_text=True)
        if message is None:
            continue  # the boxes are the page's, not the API's
        answer = api.get(f"{path}?{query}")
        assert answer.status_code == 400
        assert answer.json == {"error": {"code": "bad_request", "message": message, "fields": {field: [message]}}}


def test_a_service_added_after_the_second_date(story, api_client, signed_in):
    trust = story["trust"]
    with at(2025, 7, 1):
        ash = trust.add_service("Ash Lodge")
    page = signed_in("viewer", target=trust).get(f"/t/{trust.slug}/services/{ash}/changes?from=2025-01-01&to=2025-06-30")
    assert "Ash Lodge had not been added to Changing Lives yet at the end of 30 June 2025" in text_of(page)
    answer = story["api"]["viewer"].get(f"services/{ash}/changes?from=2025-01-01&to=2025-06-30")
    assert answer.status_code == 404
    assert "had not been added yet on 2025-06-30" in answer.json["error"]["message"]
    added = story["api"]["viewer"].get(f"services/{ash}/changes?from=2025-06-30&to={reports.london_today()}").json
    assert [c["kind"] for c in section(added, "core")["changes"]] == ["service_added"]


def test_the_api_is_documented(app, client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/t/{slug}/changes", "/api/v1/t/{slug}/services/{service_id}/changes"):
        operation = spec["paths"][path]["get"]
        assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {"from", "to", "known_on"}
        assert {"200", "400"} <= set(operation["responses"])
    assert set(spec["components"]["schemas"]["ChangesBetweenDates"]["properties"]) == {"from", "to", "known_on", "sections"}
