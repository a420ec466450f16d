"""The Trust's trends over a history of years: distributions per point, roles, Trusts, queries."""
import html
import json
import random
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from core import trends
from core.db import db
from core.history import When, rows, snapshot, standing_on, versions
from core.models import Service
from years_history import years  # noqa: F401 - a fixture


def section(body: dict, plugin: str) -> dict:
    return next(s for s in body["sections"] if s["plugin"] == plugin)


def table(chart: dict) -> dict:
    """A chart's rows by their label: {label: {header: value}}."""
    return {row[0]: dict(zip(chart["headers"][1:], row[1:])) for row in chart["rows"]}


# --- points and periods -----------------------------------------------------------------

def test_points_are_quarter_ends_then_the_last_day():
    points = trends.make_points(date(2023, 1, 10), date(2024, 5, 17))
    assert [p.day for p in points] == [date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30), date(2023, 12, 31),
                                       date(2024, 3, 31), date(2024, 5, 17)]
    assert [p.label for p in points][:2] == ["Mar 2023", "Jun 2023"]
    assert points[-1].label == "17 May 2024"


def test_ten_years_make_forty_points_and_more_are_thinned():
    assert len(trends.make_points(date(2016, 1, 1), date(2025, 12, 31))) == 40
    longer = trends.make_points(date(2006, 1, 1), date(2025, 12, 31))
    assert len(longer) <= 40 and longer[-1].day == date(2025, 12, 31)


def test_half_years_end_on_the_last_day_and_long_spans_count_years():
    periods = trends.make_periods(date(2023, 5, 2), date(2024, 8, 3))
    assert [(p.start, p.end, p.label) for p in periods] == [
        (date(2023, 1, 1), date(2023, 6, 30), "Jan to Jun 2023"),
        (date(2023, 7, 1), date(2023, 12, 31), "Jul to Dec 2023"),
        (date(2024, 1, 1), date(2024, 6, 30), "Jan to Jun 2024"),
        (date(2024, 7, 1), date(2024, 8, 3), "Jul to 3 Aug 2024")]
    assert [p.label for p in trends.make_periods(date(2010, 1, 1), date(2025, 3, 1))][-1] == "2025"


# --- the walk answers what standing_on answers --------------------------------------------

def test_the_walk_gives_the_rows_standing_on_gives(years):
    from plugins.healthcheck.models import Review
    from plugins.indicators.models import Round, Target
    from plugins.levels.models import Assessment

    rng = random.Random(7)
    days = [date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1000)) for _ in range(25)]  # in no order
    with years.context():
        for model in (Service, Assessment, Review, Round, Target):
            found = versions(model)
            walked = trends.walk(model, found, days)
            for day, rows in zip(days, walked):
                expected = standing_on(model, found, day)
                assert sorted(map(json_of, rows)) == sorted(map(json_of, expected)), (model.__name__, day)


def test_the_walk_gives_the_rows_a_report_reads_on_each_day(years):
    """The versions a trend reads (a dated row's newest only) give what ``rows`` reads day by day."""
    from plugins.healthcheck.models import Review
    from plugins.indicators.models import Response, Round, Target
    from plugins.levels.models import Assessment

    rng = random.Random(11)
    days = [date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1000)) for _ in range(12)]
    with years.context():
        for model in (Service, Assessment, Review, Round, Response, Target):
            for known_on in (None, date(2024, 6, 30)):
                walked = trends.walk(model, versions(model, When(known_on=known_on)), days)
                for day, found in zip(days, walked):
                    expected = rows(model, When(as_of=day, known_on=known_on))
                    assert sorted(map(json_of, found)) == sorted(map(json_of, expected)), (model.__name__, day)
        reviews = versions(Review)
        assert len({v.row_key for v in reviews}) == len(reviews)  # a health check counts in its newest form only


def json_of(row) -> str:
    return json.dumps(snapshot(row), sort_keys=True)


# --- the distributions, point by point ------------------------------------------------------

def test_levels_are_counted_per_level_at_each_point(years, api_client):
    body = api_client("viewer", target=years).get("trends?from=2023-01-10&to=2025-06-30").json
    assert [p["day"] for p in body["points"]] == [
        "2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31", "2024-03-31", "2024-06-30", "2024-09-30",
        "2024-12-31", "2025-03-31", "2025-06-30"]
    individual = table(section(body, "levels")["charts"][0])

    def only(**counts):
        row = dict.fromkeys(["Level 1", "Level 2", "Level 3", "Level 4", "Level 5", "Not assessed"], 0)
        row.update({f"Level {k[1:]}" if k.startswith("l") else "Not assessed": v for k, v in counts.items()})
        return row

    assert individual["Mar 2023"] == only(l2=1, na=1)
    assert individual["Jun 2023"] == only(l2=1, na=1)
    assert individual["Sep 2023"] == only(l1=1, l2=1)  # Willow's assessment, typed in a year later, counts
    assert individual["Dec 2023"] == only(l1=1, l2=1)
    assert individual["Mar 2024"] == only(l2=1, l3=1)
    for label in ("Jun 2024", "Sep 2024", "Dec 2024", "Mar 2025", "Jun 2025"):
        assert individual[label] == only(l3=1, l4=1), label
    assert "no ranking" not in body["question"]


def test_known_on_leaves_out_what_was_recorded_later(years, api_client):
    body = api_client("admin", target=years).get("trends?from=2023-01-10&known_on=2024-06-30").json
    assert body["to"] == "2024-06-30" and body["known_on"] == "2024-06-30"
    individual = table(section(body, "levels")["charts"][0])
    assert individual["Sep 2023"]["Level 1"] == 0
    assert individual["Sep 2023"]["Not assessed"] == 1


def test_health_checks_held_and_due_per_half_year(years, api_client):
    body = api_client("staff", target=years).get("trends?from=2023-01-10&to=2025-06-30").json
    checks = table(section(body, "healthcheck")["charts"][0])
    held, due, never = "Health checks held", "Due or overdue at the end", "Never checked at the end"
    assert checks == {
        "Jan to Jun 2023": {held: 1, due: 0, never: 1},
        "Jul to Dec 2023": {held: 0, due: 1, never: 1},
        "Jan to Jun 2024": {held: 0, due: 1, never: 1},
        "Jul to Dec 2024": {held: 1, due: 0, never: 1},
        "Jan to Jun 2025": {held: 0, due: 1, never: 1},
    }


def test_indicators_met_per_round_and_targets(years, api_client):
    body = api_client("facilitator", target=years).get("trends?from=2023-01-10&to=2025-06-30").json
    users, staff, targets = section(body, "indicators")["charts"]
    assert table(users)["Jan to Jun 2025"] == {"Met": 7, "Partly met": 0, "Not met": 0}
    assert table(staff)["Jan to Jun 2025"] == {"Met": 0, "Partly met": 7, "Not met": 0}  # a tie: the less favourable
    assert table(users)["Jan to Jun 2024"] == {"Met": 0, "Partly met": 0, "Not met": 0}
    assert table(targets)["Jan to Jun 2025"] == {"Agreed": 2, "Achieved": 1, "Partly achieved": 0, "Not achieved": 0,
                                                 "Reviews overdue at the end": 1}
    before = api_client("facilitator", target=years).get("trends?from=2023-01-10&to=2025-03-31").json
    assert table(section(before, "indicators")["charts"][2])["Jan to 31 Mar 2025"]["Reviews overdue at the end"] == 0


def test_sections_come_in_the_guides_order_and_each_chart_has_words(years, api_client):
    body = api_client("viewer", target=years).get("trends").json
    assert [s["plugin"] for s in body["sections"]] == ["core", "healthcheck", "levels", "indicators"]
    for trend in body["sections"]:
        for chart in trend["charts"]:
            assert chart["title"] and chart["summary"].endswith(".") and chart["headers"] and chart["rows"]


# --- the page, roles and Trusts -------------------------------------------------------------

def test_the_page_draws_each_chart_with_its_table(years, signed_in):
    page = signed_in("viewer", target=years).get(f"/t/{years.slug}/trends?from=2023-01-10&to=2025-06-30")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("<svg") >= 7
    assert "Individual: how many services stood at each level" in html.unescape(text)
    assert text.count('role="region"') >= 7  # each table of numbers scrolls inside a labelled region
    assert "<script" not in text.split("<main", 1)[1].split("</main>", 1)[0]
    assert not re.search(r"&lt;(table|p|div|svg)", text)


@pytest.mark.parametrize("role", ["admin", "staff", "facilitator", "viewer"])
def test_every_role_but_service_users_sees_the_trends(tenant, signed_in, api_client, role):
    assert signed_in(role).get(f"/t/{tenant.slug}/trends").status_code == 200
    assert api_client(role).get("trends").status_code == 200


def test_service_users_do_not_see_the_trends(tenant, signed_in, api_client):
    assert signed_in("service_user").get(f"/t/{tenant.slug}/trends").status_code == 403
    assert api_client("service_user").get("trends").status_code == 403


def test_another_trusts_trends_are_not_found(tenant, other_tenant, signed_in, api_client):
    assert signed_in("viewer").get(f"/t/{other_tenant.slug}/trends").status_code == 404
    # a token belongs to one Trust: at another's address it is no token at all
    assert api_client("viewer").get(f"/api/v1/t/{other_tenant.slug}/trends").status_code == 401


# the address, the field, the API's words, and the page's where it asks for day, month and year its own way
@pytest.mark.parametrize("query, field, words, on_page", [
    ("from=2023-02-30", "from", "Enter a real date", "30 February 2023 is not a real date"),
    ("to=tomorrow", "to", "Enter a real date", "Enter the date as a day, month and year, for example 15 3 2027"),
    ("from=2099-01-01", "from", "Enter today's date or a date in the past.", None),
    ("known_on=2000-01-01", "known_on", "when this Trust's record begins", None),
    ("from-day=1&from-month=13&from-year=2024", "from", None, "Month must be between 1 and 12"),
])
def test_bad_dates_get_a_plain_message(tenant, signed_in, api_client, query, field, words, on_page):
    if words:  # the three boxes are the page's, not the API's
        response = api_client("viewer").get(f"trends?{query}")
        assert response.status_code == 400
        assert words in response.json["error"]["message"]
        assert field in response.json["error"]["fields"]
    page = signed_in("viewer").get(f"/t/{tenant.slug}/trends?{query}")
    assert page.status_code == 400
    assert (on_page or words) in html.unescape(page.get_data(as_text=True))


def test_from_after_to_is_refused(years, api_client):
    response = api_client("viewer", target=years).get("trends?from=2024-05-01&to=2024-01-01")
    assert response.status_code == 400
    assert response.json["error"]["message"] == "The first date must be on or before the last date."


def test_the_trends_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/api/v1/t/{slug}/trends"]
    assert "get" in paths["/api/v1/t/{slug}/indicators/services/{service_id}/over-time"]


# --- cost: one read per model, however many points -----------------------------------------------

@contextmanager
def counting(app):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_trends_page_reads_as_much_for_forty_points_as_for_two(years, signed_in):
    client = signed_in("viewer", target=years)
    url = f"/t/{years.slug}/trends"
    client.get(url)  # warm: the first request of a client loads what every request needs
    found = {}
    for query in ("from=2023-01-10&to=2023-06-30", "from=2023-01-10&to=2025-06-30", ""):
        with counting(years.app) as statements:
            assert client.get(f"{url}?{query}").status_code == 200
        found[query] = len(statements)
    assert len(set(found.values())) == 1, found
    with years.context():
        assert len(trends.default_timeline().points) > len(trends.make_points(date(2023, 1, 10), date(2023, 6, 30)))
