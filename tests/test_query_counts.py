"""Queries per report stay the same as history grows: no query per row, round or year.

Two Trusts built by the benchmark's own generator (``bench/generate.py``),
through the real commands: one with a month of history, one with ten years.
Each report page and report API route must send exactly as many SQL
statements for the second as for the first.
"""
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bench.generate import PASSWORD, build, years_ago
from core import cache, commands
from core.db import db
from core.models import Membership
from core.reports import london_today
from core.tenancy import tenant_context

SERVICES = 2


@pytest.fixture(scope="module")
def histories(app):
    """(one month, ten years): two Trusts of two services each."""
    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        month, years = build([(f"qc-month-{tag}", SERVICES, years_ago(31 / 365)),
                              (f"qc-years-{tag}", SERVICES, years_ago(10))], show=False)
    assert years.events > 5 * month.events  # the second really has years more history
    return month, years


@contextmanager
def counting(app):
    """Counts every statement sent to the database inside the block."""
    counted = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        counted.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", count)


def signed_in(app, trust):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": trust.admin_email, "password": PASSWORD})
    assert response.status_code in (302, 303)
    return client


def bearer(app, trust) -> dict:
    with app.app_context(), tenant_context(trust.id):
        member = db.session.scalar(select(Membership).where(Membership.role == "admin"))
        _, token = commands.create_token(member, "query counts")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def urls(trust) -> dict[str, str]:
    service = trust.service_ids[0]
    recent = london_today() - timedelta(days=1)  # both Trusts have each kind of record by then
    return {
        "service report page": f"/t/{trust.slug}/services/{service}/report",
        "service report page as of a day": f"/t/{trust.slug}/services/{service}/report?as_of={recent}",
        "service report page known on a day": f"/t/{trust.slug}/services/{service}/report?known_on={recent}",
        "Trust report page": f"/t/{trust.slug}/report",
        "Trust report page as of a day": f"/t/{trust.slug}/report?as_of={recent}",
        "service report API": f"/api/v1/t/{trust.slug}/services/{service}/report",
        "Trust report API": f"/api/v1/t/{trust.slug}/report",
    }


def statements(app, trust, which=None) -> dict[str, int]:
    pages, api = signed_in(app, trust), app.test_client()
    headers = bearer(app, trust)
    found = {}
    for name, url in (which or urls)(trust).items():
        client, extra = (api, {"headers": headers}) if "/api/" in url else (pages, {})
        assert client.get(url, **extra).status_code == 200  # warm: the first request may load more
        with app.app_context():
            cache.clear()  # count what a report costs to make, not a repeat view kept by core.cache
        with counting(app) as counted:
            response = client.get(url, **extra)
        assert response.status_code == 200, (name, response.get_data(as_text=True)[:300])
        assert "There is a problem" not in response.get_data(as_text=True), name  # a real report, not a date error
        found[name] = len(counted)
    return found


def other_urls(trust) -> dict[str, str]:
    """The main pages and API lists other than reports: each shows more rows at ten years, never more queries."""
    service = trust.service_ids[0]
    span = f"from={london_today() - timedelta(days=20)}&to={london_today() - timedelta(days=1)}"
    pages = {name: f"/t/{trust.slug}{path}" for name, path in {
        "dashboard": "/", "service page": f"/services/{service}", "members": "/members", "sections": "/plugins",
        # one kind of event, so both pages show the same mix of sentences: 4 rows at a month, 40 at ten years
        "audit page": "/audit/?type=healthcheck.review_started", "trends": "/trends",
        "changes": f"/changes?{span}", "health checks": "/healthcheck/", "levels": "/levels/", "indicators": "/indicators/",
        "resources": "/resources/", "API tokens": "/account/tokens",
        "health checks of a service": f"/healthcheck/services/{service}",
        "levels of a service": f"/levels/services/{service}",
        "indicators over time": f"/indicators/services/{service}/over-time",
    }.items()}
    api = {name: f"/api/v1/t/{trust.slug}{path}" for name, path in {
        "API services": "/services", "API events": "/events?limit=100", "API health checks": "/healthcheck/reviews",
        "API health-check overview": "/healthcheck/overview", "API levels": "/levels/assessments",
        "API levels grid": f"/levels/grid?service_id={service}", "API rounds": "/indicators/rounds", "API resources": "/resources/resources",
        "API trends": "/trends", "API changes": f"/changes?{span}",
    }.items()}
    return {**pages, **api}


def test_queries_per_page_do_not_grow_with_the_rows_shown(app, histories):
    month, years = histories
    with_a_month = statements(app, month, other_urls)
    with_ten_years = statements(app, years, other_urls)
    assert with_ten_years == with_a_month


def test_queries_per_report_do_not_grow_with_history(app, histories):
    month, years = histories
    with_a_month = statements(app, month)
    with_ten_years = statements(app, years)
    assert with_ten_years == with_a_month
