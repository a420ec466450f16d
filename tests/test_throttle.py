"""Throttling of guesses: keyed so nobody locks the owner out from another address, and counted
once across every worker and server when the counts are kept in Redis."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from core.testing import (
    PASSWORD, client_at, free_port, gunicorn, over_http, sign_in_over_http, throttling_app,
)
from core.throttle import TOO_MANY

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def throttled(database):
    with throttling_app(database.url, API_TOKEN_ADDRESS_LIMITS="3 per minute") as app:
        yield app


def test_bad_api_tokens_are_counted_per_address(make_tenant, throttled):
    trust = make_tenant(roles=("admin",), services=(), target_app=throttled)
    good = {"Authorization": f"Bearer {trust.token('admin')}"}
    guesser = client_at(throttled, "198.51.100.7")
    url = f"/api/v1/t/{trust.slug}/services"
    assert guesser.get(url, headers=good).status_code == 200  # good tokens are not counted
    for number in range(3):
        bad = {"Authorization": f"Bearer guess-{number}"}
        # a Trust that does not exist counts as much as one that does, and answers alike
        where = url if number % 2 else "/api/v1/t/no-such-trust/services"
        assert guesser.get(where, headers=bad).status_code == 401

    refused = guesser.get(url, headers=good)
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_requests"
    assert refused.json["error"]["message"] == TOO_MANY
    # the token's owner, elsewhere, carries on
    assert client_at(throttled, "198.51.100.8").get(url, headers=good).status_code == 200


def test_a_missing_token_is_not_a_guess(make_tenant, throttled):
    trust = make_tenant(roles=("admin",), services=(), target_app=throttled)
    client = client_at(throttled, "198.51.100.9")
    for _ in range(5):
        assert client.get(f"/api/v1/t/{trust.slug}/services").status_code == 401
    good = {"Authorization": f"Bearer {trust.token('admin')}"}
    assert client.get(f"/api/v1/t/{trust.slug}/services", headers=good).status_code == 200


# --- across processes: two servers, one Redis --------------------------------------------------

@pytest.mark.parametrize("store", ["redis", "memory"])
def test_failed_sign_ins_are_counted_once_across_two_servers(database, make_tenant, redis_url, tmp_path, store):
    """Five failures spread over two servers reach the limit of five with Redis; in each
    process's memory they would not (the multiplication the shared store exists to stop)."""
    trust = make_tenant(roles=("staff",), services=())
    staff = trust.people["staff"]
    redis.Redis.from_url(redis_url).flushdb()
    uri = redis_url if store == "redis" else "memory://"
    secret = uuid.uuid4().hex * 2  # one key for both, as behind a load balancer
    log = tmp_path / "servers.log"
    with gunicorn(database.url, log, workers=1, SECRET_KEY=secret, RATELIMIT_STORAGE_URI=uri) as first, \
            gunicorn(database.url, log, workers=1, SECRET_KEY=secret, RATELIMIT_STORAGE_URI=uri) as second:
        for number in range(5):
            port = (first, second)[number % 2]
            assert sign_in_over_http(port, staff.email, "a wrong guess!") == 200
        answers = [sign_in_over_http(port, staff.email, PASSWORD) for port in (first, second)]
    if store == "redis":
        assert answers == [429, 429]
    else:
        assert 302 in answers  # three failures here, two there: neither process reached five


# --- saying where the counts are kept, on start ---------------------------------------------------

def _start_message(tmp_path, **env) -> str:
    """What ``flask run`` (as ``make run`` starts it) prints before serving."""
    port = free_port()
    settings = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}", "SECRET_KEY": "x" * 40, **env}
    settings.pop("RATELIMIT_STORAGE_URI", None) if "RATELIMIT_STORAGE_URI" not in env else None
    flask = str(Path(sys.executable).parent / "flask")
    process = subprocess.Popen([flask, "--app", "core", "run", "--port", str(port)], cwd=ROOT, env=settings,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Throttling" in line or time.monotonic() > deadline:
                break
        return "".join(lines)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_make_run_without_redis_says_it_counts_in_memory(tmp_path):
    text = _start_message(tmp_path)
    assert "Throttling of sign-ins counts in this process's memory: right for one worker." in text
    assert "RATELIMIT_STORAGE_URI=redis://" in text


def test_a_redis_that_does_not_answer_is_named_on_start(tmp_path):
    text = _start_message(tmp_path, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}")
    assert "is not answering: each worker counts in its own memory until it does" in text


def test_a_redis_that_answers_is_named_on_start(tmp_path, redis_url):
    text = _start_message(tmp_path, RATELIMIT_STORAGE_URI=redis_url)
    assert f"Throttling counts in {redis_url.split('//')[1]}, shared by every worker and server." in text


def test_a_redis_that_stops_answering_does_not_stop_sign_ins_or_the_api(database, make_tenant, tmp_path):
    """The counts fall back to each worker's memory (said on start) rather than answering 500."""
    trust = make_tenant(roles=("admin",), services=())
    admin = trust.people["admin"]
    gone = f"redis://127.0.0.1:{free_port()}"  # nothing listens there
    with gunicorn(database.url, tmp_path / "server.log", workers=1, RATELIMIT_STORAGE_URI=gone) as port:
        assert sign_in_over_http(port, admin.email, "a wrong guess!") == 200
        assert sign_in_over_http(port, admin.email, PASSWORD) == 302
        bad = {"Authorization": "Bearer a-guess"}
        assert over_http(port, "GET", f"/api/v1/t/{trust.slug}/services", headers=bad)[0] == 401
    assert "is not answering" in (tmp_path / "server.log").read_text()
