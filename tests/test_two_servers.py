"""Growing past one machine: two app servers (gunicorn, 2 sync workers each) on different
ports against one PostgreSQL and one Redis, as behind a load balancer."""
from __future__ import annotations

import uuid

import pytest
import redis

from bench.load import Trust, check, drive, warm
from core.events import head
from core.testing import PASSWORD, gunicorn, sign_in_over_http


@pytest.fixture
def postgresql_only(database):
    if database.engine != "postgresql":
        pytest.skip("several servers share one database only on PostgreSQL; SQLite is for one machine")
    return database


def test_two_servers_share_one_database_and_one_redis(postgresql_only, app, make_tenant, redis_url, tmp_path):
    fixtures = [make_tenant(name=f"Trust {n}", roles=("admin", "staff")) for n in range(3)]
    tokens = [t.token("admin") for t in fixtures]
    with app.app_context():
        trusts = [Trust(t.id, t.slug, token, t.services["Oak Day Centre"], head(t.id)[0])
                  for t, token in zip(fixtures, tokens)]
    redis.Redis.from_url(redis_url).flushdb()
    secret = uuid.uuid4().hex * 2  # one key for every server, as behind a load balancer
    log = tmp_path / "servers.log"
    with gunicorn(postgresql_only.url, log, SECRET_KEY=secret, RATELIMIT_STORAGE_URI=redis_url) as first, \
            gunicorn(postgresql_only.url, log, SECRET_KEY=secret, RATELIMIT_STORAGE_URI=redis_url) as second:
        warm([first, second])
        # interleaved: each person sends each request to the other server from the last
        tally = drive([first, second], trusts, users=6, seconds=8, show_progress=False)

        # five failed sign-ins, spread over both servers and their four workers, reach the limit of five
        staff = fixtures[0].people["staff"]
        for number in range(5):
            assert sign_in_over_http((first, second)[number % 2], staff.email, "a wrong guess!") == 200
        answers = [sign_in_over_http(port, staff.email, PASSWORD) for port in (first, second)]

    assert tally.server_errors == 0, tally.statuses
    assert all(tally.written.get(trust.slug) for trust in trusts), tally.written  # every Trust was written to
    assert check(postgresql_only.url, trusts, tally) == []  # exact counts, every chain gapless and valid
    assert answers == [429, 429]
