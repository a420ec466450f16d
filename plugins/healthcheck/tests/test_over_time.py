"""A service's user group through three health checks over a year.

January: a staff-run monthly group of four. June: fortnightly, seven attend,
the chair rotates. December: weekly, eleven attend, a service user chairs.
Checked along the way: comparisons, the chart's data, the due notice, the
report fragments as of each date (hook, report page and report API), the
Trust's table, replay and erasure.
"""
import re
from datetime import date

import pytest
from sqlalchemy import select

from core import events
from core.models import Tenant
from plugins.healthcheck import service_report_fragment, tenant_report_fragment
from plugins.healthcheck.history import add_months
from plugins.healthcheck.models import Review

from .helpers import at, complete, text_of

# core's fixtures (make_tenant, api_client...), also when these tests run on their own
pytest_plugins = ["core.testing"]

REVIEWS = "healthcheck/reviews"

JANUARY = complete("2025-01-15", attendance=4, frequency="monthly", chair="staff", speaks_more="staff",
                   answers={"q14": {"changes": ["New chairs in the lounge"]}},
                   agreed_changes=["Service users take turns to chair"])
JUNE = complete("2025-06-18", attendance=7, frequency="fortnightly", chair="rotating", speaks_more="about_equal",
                answers={"q10": {"enjoyable": "yes", "comfortable": "partly"}, "q11": {"comfort_break": "yes"},
                         "q8": {"agenda": "staff_and_service_users"},
                         "q14": {"changes": ["Tea and biscuits at every meeting", "A rota for chairing"]}},
                agreed_changes=["Put the minutes on the notice board"])
DECEMBER = complete("2025-12-10", attendance=11, frequency="weekly", chair="service_user",
                    speaks_more="service_users",
                    answers={"q5": {"diversity": "yes"}, "q10": {"enjoyable": "yes", "comfortable": "yes"},
                             "q11": {"comfort_break": "yes"}, "q8": {"agenda": "staff_and_service_users"},
                             "q13": {"told_by": ["minutes", "notice_board"]},
                             "q14": {"changes": ["Minutes on the notice board", "A new quiet room",
                                                 "Service users on the interview panel"]}},
                    agreed_changes=["Invite younger service users"])


@pytest.fixture
def year(make_tenant):
    """A Trust whose Oak Day Centre has three reviews in 2025 and whose Willow Ward had one in January."""
    with at(2025, 1, 2):
        tenant = make_tenant(services=("Oak Day Centre", "Willow Ward"))
    oak, willow = tenant.services["Oak Day Centre"], tenant.services["Willow Ward"]
    api = api_for(tenant)
    ids = {}
    with at(2025, 1, 15, 14):
        ids["january"] = api.post(REVIEWS, json={"service_id": oak, "submit": True, **JANUARY}).json["id"]
        api.post(REVIEWS, json={"service_id": willow, "submit": True, **complete("2025-01-14")})
    with at(2025, 6, 18, 14):
        ids["june"] = api.post(REVIEWS, json={"service_id": oak, "submit": True, **JUNE}).json["id"]
    with at(2025, 7, 2, 9):
        # a correction after the fact: seven was really eight
        response = api.post(f"{REVIEWS}/{ids['june']}/amendments",
                            json={"changes": {"answers": {"q5": {"attendance": 8}}}, "reason": "Recounted"})
        assert response.status_code == 201, response.json
    with at(2025, 12, 10, 14):
        ids["december"] = api.post(REVIEWS, json={"service_id": oak, "submit": True, **DECEMBER}).json["id"]
    return tenant, oak, willow, ids


_tokens = {}


def api_for(tenant):
    from core.testing import ApiClient

    if tenant.slug not in _tokens:
        _tokens[tenant.slug] = tenant.token("staff")
    return ApiClient(tenant.app.test_client(), _tokens[tenant.slug], tenant.slug)


def test_history_chart_and_comparison(year):
    tenant, oak, _, ids = year
    api = api_for(tenant)
    history = api.get(f"healthcheck/services/{oak}").json
    assert [r["id"] for r in history["reviews"]] == [ids["january"], ids["june"], ids["december"]]
    chart = history["chart"]
    assert [r["held_on"] for r in chart["reviews"]] == ["2025-01-15", "2025-06-18", "2025-12-10"]
    assert chart["attendance"] == [4, 8, 11]  # June's as amended
    assert chart["attendance_max"] == 11
    assert chart["answers"] == {
        "q5_diversity": ["partly", "partly", "yes"],
        "q10_enjoyable": ["partly", "yes", "yes"],
        "q10_comfortable": ["no", "partly", "yes"],
        "q11_comfort_break": ["no", "yes", "yes"],
    }

    comparison = api.get(f"healthcheck/compare?a={ids['january']}&b={ids['december']}").json
    moved = {item["key"]: item for item in comparison["items"] if item["moved"]}
    assert set(comparison["moved"]) == set(moved)
    assert (moved["q5_attendance"]["a"], moved["q5_attendance"]["b"], moved["q5_attendance"]["note"]) == (4, 11, "+7")
    assert (moved["q2_frequency"]["a"], moved["q2_frequency"]["b"]) == ("monthly", "weekly")
    assert moved["q2_frequency"]["note"] == "Meets more often"
    assert (moved["q7_chair"]["a_text"], moved["q7_chair"]["b_text"]) == ("A member of staff", "A service user")
    assert (moved["q9_speaks_more"]["a"], moved["q9_speaks_more"]["b"]) == ("staff", "service_users")
    assert (moved["q14_count"]["a"], moved["q14_count"]["b"]) == (1, 3)
    assert moved["q13_told_by"]["note"] == "Added: A notice board or posters"
    assert moved["q14_changes"]["b"] == ["Minutes on the notice board", "A new quiet room",
                                         "Service users on the interview panel"]
    assert "staff_count" not in moved and "q1_run_by" not in moved
    assert comparison["a"]["held_on"] == "2025-01-15" and comparison["b"]["held_on"] == "2025-12-10"

    # the pages show the same
    with at(2025, 12, 11):
        from core.testing import sign_in

        client = tenant.app.test_client()
        sign_in(client, tenant.people["viewer"])
        page = client.get(f"/t/{tenant.slug}/healthcheck/services/{oak}")
        compare_page = client.get(f"/t/{tenant.slug}/healthcheck/compare?a={ids['january']}&b={ids['december']}")
    html, words = page.get_data(as_text=True), text_of(page)
    # attendance: a drawing named by its title and a sentence, then the same numbers as a table
    assert 'role="img"' in html and "<script" not in html.split("</main>")[0]
    assert "How many service users usually attend, at each health check" in words  # the figure's title
    assert "Usual attendance rose from 4 on 15 January 2025 to 11 on 10 December 2025." in words
    assert ("Health check held on Service users usually attending 15 January 2025 4 18 June 2025 8 "
            "10 December 2025 11") in words
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" id="chart-')
    svg = html[start:html.index("</svg>", start)]
    assert re.findall(r'class="value">(\d+)</text>', svg) == ["11", "8", "4"]  # one bar each, newest at the foot
    # the yes / partly / no answers: a row per health check, each cell coloured and in words
    assert "Yes, partly and no answers at each health check" in words
    assert "0 of these 4 answers were yes on 15 January 2025, and 4 on 10 December 2025." in words
    assert ("15 January 2025 Partly Partly No No 18 June 2025 Partly Yes Partly Yes "
            "10 December 2025 Yes Yes Yes Yes") in words
    assert html.count('app-heat--yes"') == 1 + 6 and html.count('app-heat--no"') == 1 + 2  # the key, then the cells
    assert compare_page.status_code == 200
    compare_words = text_of(compare_page)
    assert "How many service users usually attend 4 11 +7" in compare_words
    assert "How often the group meets Every month Every week Meets more often" in compare_words


def test_due_notice(year):
    tenant, oak, willow, _ = year
    api = api_for(tenant)
    with at(2025, 12, 11):
        due = api.get(f"healthcheck/services/{oak}").json["due"]
    assert due == {"status": "ok", "due": False, "last_held_on": "2025-12-10", "due_on": "2026-06-10"}
    with at(2026, 7, 10):  # seven months after December's review
        assert api.get(f"healthcheck/services/{oak}").json["due"]["due"] is True
        from core.testing import sign_in

        client = tenant.app.test_client()
        sign_in(client, tenant.people["service_user"])
        words = text_of(client.get(f"/t/{tenant.slug}/healthcheck/services/{oak}"))
        assert "A health check is due: the last one was held on 10 December 2025, more than 6 months ago." in words
        index = text_of(client.get(f"/t/{tenant.slug}/healthcheck/"))
        assert "Oak Day Centre 10 December 2025 Overdue" in index
    with at(2025, 6, 1):
        # by the first of June, Willow Ward's January review is not yet six months old
        assert api.get(f"healthcheck/services/{willow}").json["due"]["status"] == "ok"
    with at(2025, 7, 15):
        assert api.get(f"healthcheck/services/{willow}").json["due"]["status"] == "due"


def test_add_months_keeps_to_the_calendar():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 12, 10), 6) == date(2026, 6, 10)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def fragment_data(tenant, service_id, day: str, known_on: str | None = None) -> dict:
    from core.history import When

    with tenant.context() as session:
        from core.models import Service

        service = session.get(Service, service_id)
        when = When(as_of=date.fromisoformat(day), known_on=date.fromisoformat(known_on) if known_on else None)
        fragment = service_report_fragment(service=service, when=when)
        assert fragment.plugin == "healthcheck"
        return fragment.data


def test_service_report_fragment_as_of_each_date(year):
    tenant, oak, _, ids = year
    with tenant.app.test_request_context():
        before = fragment_data(tenant, oak, "2025-01-14")
        assert before["latest"] is None and before["due"]["status"] == "none"

        first = fragment_data(tenant, oak, "2025-01-15")
        assert first["latest"]["id"] == ids["january"]
        assert first["previous"] is None and first["moved"] == []
        assert first["agreed_changes"] == ["Service users take turns to chair"]
        assert first["due"]["status"] == "ok"

        # what the records said at the end of June: before the amendment
        june = fragment_data(tenant, oak, "2025-06-30", known_on="2025-06-30")
        assert june["latest"]["id"] == ids["june"] and june["previous"]["id"] == ids["january"]
        assert june["latest"]["key_answers"]["q5_attendance"] == 7
        moved = {m["key"]: m for m in june["moved"]}
        assert (moved["q5_attendance"]["a"], moved["q5_attendance"]["b"]) == (4, 7)
        assert (moved["q7_chair"]["a"], moved["q7_chair"]["b"]) == ("staff", "rotating")
        assert june["agreed_changes"] == ["Put the minutes on the notice board"]

        # where things stood at the end of June, knowing everything: the July amendment corrects June's review
        corrected = fragment_data(tenant, oak, "2025-06-30")
        assert corrected["latest"]["id"] == ids["june"]
        assert corrected["latest"]["key_answers"]["q5_attendance"] == 8
        assert corrected["latest"]["amendments"] == 1

        july = fragment_data(tenant, oak, "2025-07-31", known_on="2025-07-31")
        assert july["latest"]["key_answers"]["q5_attendance"] == 8  # recorded in July
        assert july["latest"]["amendments"] == 1

        december = fragment_data(tenant, oak, "2025-12-10")
        assert december["latest"]["id"] == ids["december"] and december["previous"]["id"] == ids["june"]
        moved = {m["key"]: m for m in december["moved"]}
        assert (moved["q5_attendance"]["a"], moved["q5_attendance"]["b"]) == (8, 11)
        assert (moved["q2_frequency"]["a"], moved["q2_frequency"]["b"]) == ("fortnightly", "weekly")
        assert december["due"] == {"status": "ok", "due": False, "last_held_on": "2025-12-10",
                                   "due_on": "2026-06-10"}

        later = fragment_data(tenant, oak, "2026-07-11")
        assert later["latest"]["id"] == ids["december"] and later["due"]["status"] == "due"

    # the report API and the report page give the same, as of each date
    api = api_for(tenant)
    for day, expected in (("2025-01-15", ids["january"]), ("2025-06-30", ids["june"]),
                          ("2025-12-10", ids["december"])):
        report = api.get(f"services/{oak}/report?as_of={day}")
        assert report.status_code == 200, report.json
        [ours] = [f for f in report.json["fragments"] if f["plugin"] == "healthcheck"]
        assert ours["data"]["latest"]["id"] == expected
        assert ours["data"]["as_of"] == day

    from core.testing import sign_in

    client = tenant.app.test_client()
    sign_in(client, tenant.people["viewer"])
    words = text_of(client.get(f"/t/{tenant.slug}/services/{oak}/report?as_of=2025-06-30&known_on=2025-06-30"))
    assert "What the records said at the end of 30 June 2025" in words
    assert "Latest health check 18 June 2025" in words
    assert "What needs to change Put the minutes on the notice board" in words
    assert "What moved since the health check of 15 January 2025" in words
    assert "How many service users usually attend 4 7 +3" in words
    # knowing everything recorded since, June's review reads as amended in July
    words = text_of(client.get(f"/t/{tenant.slug}/services/{oak}/report?as_of=2025-06-30"))
    assert "using everything recorded up to now" in words
    assert "How many service users usually attend 4 8 +4" in words


def test_tenant_fragment_marks_overdue_services(year):
    tenant, oak, willow, ids = year
    from core.history import When

    with tenant.app.test_request_context(), tenant.context() as session:
        data = tenant_report_fragment(tenant=session.get(Tenant, tenant.id),
                                      when=When(as_of=date(2025, 12, 10))).data
    rows = {row["name"]: row for row in data["services"]}
    assert rows["Oak Day Centre"]["last_held_on"] == "2025-12-10"
    assert rows["Oak Day Centre"]["key_answers"] == {"q2_frequency": "weekly", "q5_attendance": 11,
                                                     "q7_chair": "service_user", "q9_speaks_more": "service_users"}
    assert rows["Oak Day Centre"]["due"]["status"] == "ok"
    assert rows["Willow Ward"]["last_held_on"] == "2025-01-14"
    assert rows["Willow Ward"]["due"]["status"] == "due"
    assert data["overdue"] == 1

    api = api_for(tenant)
    report = api.get("report?as_of=2025-03-01").json
    [ours] = [f for f in report["fragments"] if f["plugin"] == "healthcheck"]
    rows = {row["name"]: row for row in ours["data"]["services"]}
    assert rows["Oak Day Centre"]["last_held_on"] == "2025-01-15"
    assert rows["Oak Day Centre"]["key_answers"]["q5_attendance"] == 4
    assert ours["data"]["overdue"] == 0

    from core.testing import sign_in

    client = tenant.app.test_client()
    sign_in(client, tenant.people["viewer"])
    words = text_of(client.get(f"/t/{tenant.slug}/report?as_of=2025-12-10"))
    assert "Oak Day Centre 10 December 2025 Up to date Every week 11 A service user Service users speak more" in words
    assert "Willow Ward 14 January 2025 Overdue" in words


def _rows(tenant) -> list[dict]:
    with tenant.context() as session:
        reviews = session.scalars(select(Review).order_by(Review.id)).all()
        return [{c.name: getattr(r, c.name) for c in Review.__table__.columns} for r in reviews]


def test_replay_rebuilds_every_review_exactly(year):
    tenant = year[0]
    before = _rows(tenant)
    assert len(before) == 4
    with tenant.context():
        assert events.replay(tenant.id) > 0
    assert _rows(tenant) == before
    with tenant.context():
        assert events.verify_tenant(tenant.id).ok


def test_erasing_a_reviews_words(year):
    tenant, oak, _, ids = year
    with tenant.context() as session:
        from core.events import Event

        started = session.scalar(select(Event).where(Event.stream == f"healthcheck-review:{ids['january']}")
                                 .order_by(Event.seq).limit(1))
        assert started.personal["set"]["q1_text"] == "The ward manager runs it.\nShe books the room."
        assert events.erase_personal(started.id)
    with tenant.context():
        events.replay(tenant.id)
        assert events.verify_tenant(tenant.id).ok

    review = api_for(tenant).get(f"{REVIEWS}/{ids['january']}").json
    assert review["answers"]["q1"]["text"] == "[erased]"
    assert review["participant_roles"] == "[erased]"
    assert review["answers"]["q14"] == {"changes": ["[erased]"], "count": 1, "text": None, "evidence": None}
    assert review["answers"]["q5"]["attendance"] == 4  # choices and numbers are not personal

    from core.testing import sign_in

    client = tenant.app.test_client()
    sign_in(client, tenant.people["viewer"])
    words = text_of(client.get(f"/t/{tenant.slug}/healthcheck/reviews/{ids['january']}"))
    assert "[erased]" in words
    assert "The ward manager runs it." not in words and "She books the room." not in words
    assert "Who runs the group Staff" in words


def test_a_health_check_typed_in_later_counts_from_the_day_it_was_held(make_tenant):
    """Held on 10 May 2026, typed in on 30 November: in the report as of 1 June, but not in what
    the records said on 1 June; an amendment recorded later changes the first answer, not the second."""
    with at(2026, 1, 5):
        tenant = make_tenant(services=("Oak Day Centre",))
    oak = tenant.services["Oak Day Centre"]
    api = api_for(tenant)
    with at(2026, 11, 30, 10):
        review_id = api.post(REVIEWS, json={"service_id": oak, "submit": True,
                                            **complete("2026-05-10", attendance=6)}).json["id"]
    with at(2026, 12, 14, 10):
        amended = api.post(f"{REVIEWS}/{review_id}/amendments",
                           json={"changes": {"answers": {"q5": {"attendance": 9}}}, "reason": "Recounted"})
        assert amended.status_code == 201, amended.json

    def latest(query: str):
        with at(2026, 12, 20, 10):
            report = api.get(f"services/{oak}/report?{query}")
        assert report.status_code == 200, report.json
        [ours] = [f for f in report.json["fragments"] if f["plugin"] == "healthcheck"]
        return ours["data"]["latest"]

    assert latest("as_of=2026-06-01")["id"] == review_id
    assert latest("as_of=2026-06-01")["key_answers"]["q5_attendance"] == 9  # amended since
    assert latest("as_of=2026-06-01&known_on=2026-06-01") is None  # not yet typed in then
    assert latest("as_of=2026-05-09") is None  # not yet held
    on_the_first = latest("as_of=2026-06-01&known_on=2026-12-01")
    assert on_the_first["id"] == review_id and on_the_first["key_answers"]["q5_attendance"] == 6
    assert latest("known_on=2026-12-15")["key_answers"]["q5_attendance"] == 9


def test_history_tables_answer_what_the_log_answers(year):
    from core.testing import history_matches_log, random_day_pairs

    tenant, *_ = year
    with tenant.app.app_context():
        assert history_matches_log(tenant.id, random_day_pairs(date(2025, 1, 1), date(2025, 12, 31), 30)) > 0


def test_did_it_happen_in_the_trends_and_the_reports(make_tenant, api_client, app):
    """The answers to "did it happen?" count per half-year in the trends, and show in both reports."""
    from core.testing import sign_in

    with at(2024, 12, 1):
        tenant = make_tenant("Follow-up Trust")
    oak = tenant.services["Oak Day Centre"]
    api = api_client("staff", target=tenant)

    def signed_in(role):
        client = app.test_client()
        sign_in(client, tenant.people[role], tenant)
        return client

    with at(2025, 1, 20):
        first = api.post("healthcheck/reviews", json={"service_id": oak, "submit": True, **complete(
            "2025-01-15", agreed_changes=["Service users take turns to chair", "A tea break halfway",
                                          "Minutes sent to everyone"])}).json
    with at(2025, 7, 20):
        second = api.post("healthcheck/reviews", json={"service_id": oak, "submit": True,
                                                       **complete("2025-07-15")}).json
        saved = api.put(f"healthcheck/reviews/{second['id']}/follow-up", json={"changes": [
            {"index": 0, "happened": "yes"}, {"index": 1, "happened": "partly"}, {"index": 2, "happened": "not_yet"}]})
        assert saved.status_code == 200, saved.json
    with at(2025, 12, 31):
        body = api.get("trends?from=2025-01-01&to=2025-12-31").json
        assert "sections" in body, body
        [ours] = [s for s in body["sections"] if s["plugin"] == "healthcheck"]
        chart = ours["charts"][1]
        assert chart["title"].startswith("Did the changes agreed at the health check before happen?")
        rows = {row[0]: dict(zip(chart["headers"][1:], row[1:])) for row in chart["rows"]}
        assert rows == {
            "Jan to Jun 2025": {"Happened": 0, "Partly happened": 0, "Did not happen": 0, "Not yet": 0},
            "Jul to Dec 2025": {"Happened": 1, "Partly happened": 1, "Did not happen": 0, "Not yet": 1}}
        assert "3 changes agreed at the check before had happened: 1 had, 1 partly, 0 had not and 1 not yet" \
            in chart["summary"]
        page = text_of(signed_in("viewer").get(f"/t/{tenant.slug}/trends?from=2025-01-01&to=2025-12-31"))
        assert "Did the changes agreed at the health check before happen?" in page
        # The reports: the service's latest check lists each answer; the Trust's counts them.
        report = api.get(f"services/{oak}/report").json
        [fragment] = [f for f in report["fragments"] if f["plugin"] == "healthcheck"]
        assert [(i["change"], i["happened"]) for i in fragment["data"]["followed_up"]] == [
            ("Service users take turns to chair", "yes"), ("A tea break halfway", "partly"),
            ("Minutes sent to everyone", "not_yet")]
        words = text_of(signed_in("viewer").get(f"/t/{tenant.slug}/services/{oak}/report"))
        assert "Did the changes agreed last time happen? Service users take turns to chair: Yes" in words
        trust = text_of(signed_in("viewer").get(f"/t/{tenant.slug}/report"))
        assert "Did the changes agreed at one health check happen by the next? Happened 1 of 3 Partly happened 1 of 3" \
            in trust
        # As of a day before the follow-up, nothing is counted yet.
        before = api.get("report?as_of=2025-06-30").json
        [tenant_fragment] = [f for f in before["fragments"] if f["plugin"] == "healthcheck"]
        assert tenant_fragment["data"]["followed_up"]["total"] == 0
