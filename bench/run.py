"""``make bench``: how fast the pages, the API, the reports and the event log are, as ratios against
baselines measured in the same run (the log's figures are in ``bench/log_figures.py``).

These machines are shared and noisy, so no figure is a bare time: each is a
ratio against a baseline measured alongside it, and each is the median of
several runs (``BENCH_RUNS``, at least three). Output, one line per figure:

    BENCH <name> ratio=<number> goal=<op><number> PASS|FAIL

with indented ``note:`` lines giving the raw numbers, then one ``BENCH-SUMMARY``
line. It measures; it does not gate: the exit status is 0 whatever the figures.

The database is a scratch one, built by ``bench/generate.py`` and thrown away
afterwards: a SQLite file, or a schema in the PostgreSQL of ``BENCH_DATABASE_URL``.

``BENCH_ONLY`` (figure names, comma-separated, e.g.
``BENCH_ONLY=trust_trend_40_vs_trust_report,audit_page_rps_vs_hello``) measures
only those figures, still on the whole installation; empty or unset: every figure.
"""
from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import click
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import log_figures  # noqa: E402
from bench.generate import Trust, installation, scale_from_env  # noqa: E402
from core.testing import served  # noqa: E402  (gunicorn as the tests serve the app)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNS = max(3, int(os.environ.get("BENCH_RUNS", "3")))
SECRET = "bench-secret-" + uuid.uuid4().hex
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
LOG_FIGURES = ("record_vs_raw_insert", "record_8_writers_one_trust_vs_raw_insert",
               "record_8_writers_across_trusts_vs_raw_insert", "verify_vs_sha256", "verify_peak_memory_10x_log",
               "replay_vs_append")


def wanted(*names: str) -> bool:
    """Whether ``BENCH_ONLY`` asks for any of these figures (it asks for all when unset)."""
    return not ONLY or any(name in ONLY for name in names)


# --- figures ---------------------------------------------------------------------------------

@dataclass
class Figure:
    name: str
    op: str  # "<=" or ">="
    goal: float
    ratio: float | None = None  # None: could not be measured
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        if self.ratio is None:
            return False
        return self.ratio <= self.goal if self.op == "<=" else self.ratio >= self.goal

    def lines(self) -> list[str]:
        ratio = f"{self.ratio:.3g}" if self.ratio is not None else "0"
        return [f"BENCH {self.name} ratio={ratio} goal={self.op}{self.goal:g} {'PASS' if self.passed else 'FAIL'}",
                *(f"  note: {note}" for note in self.notes)]


def median_ratio(runs: list[tuple[float, float]]) -> float:
    """The median over runs of measured / baseline, each pair taken in the same run."""
    return statistics.median(measured / baseline for measured, baseline in runs)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- a scratch database ------------------------------------------------------------------------

@contextmanager
def scratch_database(base_url: str | None) -> Iterator[tuple[str, str]]:
    """(url, engine name) of an empty database that is thrown away afterwards."""
    if not base_url:
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            yield f"sqlite:///{folder}/bench.db", "SQLite"
        return
    schema = "bench_" + uuid.uuid4().hex[:10]
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False), "PostgreSQL"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def app_for(url: str, derived_cache: bool = True):
    """The platform as it is served: CSRF on, the real sign-in form.

    Without ``derived_cache`` every report is made afresh (``DERIVED_CACHE_SIZE=0``): the
    in-process figures compare how reports are made, not repeat views kept in memory.
    """
    from core import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "RATELIMIT_STORAGE_URI": "memory://",
                       **({} if derived_cache else {"DERIVED_CACHE_SIZE": 0})})


# --- in-process timing ---------------------------------------------------------------------------

def signed_in_client(app, email: str):
    from bench.generate import PASSWORD

    client = app.test_client()
    form = client.get("/sign-in").get_data(as_text=True)
    signed = client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                           "csrf_token": CSRF.search(form).group(1)})
    if signed.status_code not in (302, 303):
        raise RuntimeError(f"sign-in failed with {signed.status_code}")
    return client


def api_token(app, trust: Trust) -> str:
    from core import commands
    from core.db import db
    from core.models import Membership
    from core.tenancy import tenant_context

    with app.app_context(), tenant_context(trust.id):
        member = db.session.scalar(select(Membership).where(Membership.role == "admin"))
        _, token = commands.create_token(member, "bench")
        db.session.commit()
    return token


def timed_get(client, url: str, **kwargs) -> float:
    began = time.perf_counter()
    response = client.get(url, **kwargs)
    elapsed = time.perf_counter() - began
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    if b"There is a problem" in response.data:  # a date the page refused: no report was made
        raise RuntimeError(f"GET {url} showed a problem instead of a report")
    return elapsed


def compare_in_process(client, measured: Callable[[int], str], baseline: str, rounds: int = 8,
                       **kwargs) -> tuple[float, float]:
    """Median seconds of ``measured(i)`` and of ``baseline`` URLs, requested in turn (one run)."""
    timed_get(client, baseline, **kwargs)
    timed_get(client, measured(0), **kwargs)  # warm: templates compiled, connections open
    mine, theirs = [], []
    for i in range(rounds):
        theirs.append(timed_get(client, baseline, **kwargs))
        mine.append(timed_get(client, measured(i), **kwargs))
    return statistics.median(mine), statistics.median(theirs)


def ratio_figure(name: str, op: str, goal: float, what: str, baseline_words: str,
                 run: Callable[[], tuple[float, float]]) -> Figure:
    runs = [run() for _ in range(RUNS)]
    figure = Figure(name, op, goal, median_ratio(runs))
    figure.notes.append(f"{what}: {ms(statistics.median(m for m, _ in runs))}; {baseline_words}: "
                        f"{ms(statistics.median(b for _, b in runs))} (medians of {RUNS} runs)")
    return figure


def past_days(years: int) -> list[date]:
    """Days spread over the history (none before it began)."""
    today = date.today()
    return [today - timedelta(days=round(365 * years * share)) for share in (0.05, 0.15, 0.3, 0.5, 0.7, 0.9)]


def report_figures(app, trusts: list[Trust], month: Trust, years: int) -> list[Figure]:
    trust = trusts[0]
    service_id = trust.service_ids[0]
    client = signed_in_client(app, trust.admin_email)
    now = f"/t/{trust.slug}/services/{service_id}/report"
    days = past_days(years)
    figures = []
    if wanted("service_report_as_of_vs_now"):
        figures.append(ratio_figure(
            "service_report_as_of_vs_now", "<=", 1.3, "service report as of past days", "current service report",
            lambda: compare_in_process(client, lambda i: f"{now}?as_of={days[i % len(days)]}", now)))
    if wanted("service_report_known_on_vs_now"):
        figures.append(ratio_figure(
            "service_report_known_on_vs_now", "<=", 1.3, "service report known on past days", "current service report",
            lambda: compare_in_process(client, lambda i: f"{now}?known_on={days[i % len(days)]}", now)))
    month_client = signed_in_client(app, month.admin_email)
    month_url = f"/t/{month.slug}/services/{month.service_ids[0]}/report"

    def history_run():  # in turn, so a burst of load on the machine falls on both
        mine, theirs = [], []
        for _ in range(8):
            theirs.append(timed_get(month_client, month_url))
            mine.append(timed_get(client, now))
        return statistics.median(mine), statistics.median(theirs)

    if wanted("service_report_10y_vs_1m"):
        timed_get(month_client, month_url)
        figures.append(ratio_figure("service_report_10y_vs_1m", "<=", 1.3,
                                    f"current service report, {years} years of history",
                                    "the same with one month", history_run))
    if wanted("trust_trend_40_vs_trust_report"):
        figures.append(trend_figure(app, trust, years))
    return figures


def trend_figure(app, trust: Trust, years: int) -> Figure:
    """A Trust trend over ten years (40 quarters) against one Trust report, both from the API."""
    name = "trust_trend_40_vs_trust_report"
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    if "/api/v1/t/<slug>/trends" not in rules:
        return Figure(name, "<=", 3, notes=["/api/v1/t/<slug>/trends does not exist in this tree yet"])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(app, trust)}"}
    base = f"/api/v1/t/{trust.slug}/trends"
    start = date.today() - timedelta(days=365 * years)
    url = f"{base}?{urlencode({'from': start.isoformat(), 'to': date.today().isoformat()})}"
    if client.get(url, headers=headers).status_code != 200:
        url = base  # the route may choose its own span
    report = f"/api/v1/t/{trust.slug}/report"
    try:
        figure = ratio_figure(name, "<=", 3, f"GET {url}", "Trust report (API)",
                              lambda: compare_in_process(client, lambda i: url, report, headers=headers))
    except RuntimeError as err:
        return Figure(name, "<=", 3, notes=[str(err)])
    return figure


# --- served: gunicorn, two sync workers, and a bounded load loop -------------------------------



def http_request(port: int, method: str, path: str, headers: dict | None = None,
                 body: bytes | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    return http_request(port, "GET", path, headers)


def _cookies(headers: list[tuple[str, str]], jar: dict) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]


def http_sign_in(port: int, email: str) -> dict:
    """Sign in through the real form; returns the headers a signed-in browser sends."""
    from bench.generate import PASSWORD

    jar: dict = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/sign-in")
    response = conn.getresponse()
    form = response.read().decode()
    _cookies(response.getheaders(), jar)
    conn.close()
    body = urlencode({"email": email, "password": PASSWORD, "csrf_token": CSRF.search(form).group(1)})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/sign-in", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = conn.getresponse()
    response.read()
    _cookies(response.getheaders(), jar)
    conn.close()
    if response.status not in (302, 303):
        raise RuntimeError(f"sign-in over HTTP answered {response.status}")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def browse(port: int, path: str, headers: dict) -> None:
    """A GET as a browser makes it: a cookie the answer sets replaces the one in ``headers``. The
    warm-up browses, so the figures measure a browser's steady state, not a first page after
    signing in (which adds a form's token to the session) again and again."""
    _, answer, _ = http_get(port, path, headers)
    if "Cookie" in headers and "Set-Cookie" in answer:
        jar = dict(part.split("=", 1) for part in headers["Cookie"].split("; "))
        _cookies(list(answer.items()), jar)
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclass
class Load:
    """What one served figure sends: a GET of ``path``, or whatever ``make(n)`` builds for request n."""

    path: str
    headers: dict = field(default_factory=dict)
    make: Callable[[int], tuple[str, str, dict, bytes | None]] | None = None
    expect: tuple[int, ...] = (200,)

    def request(self, n: int) -> tuple[str, str, dict, bytes | None]:
        return self.make(n) if self.make else ("GET", self.path, self.headers, None)


def requests_per_second(port: int, load: Load, *, seconds: float, most: int, clients: int = 4) -> float:
    """Successful requests per second from ``clients`` threads, bounded by ``seconds`` and ``most`` requests.

    A new connection per request, as gunicorn's sync workers close each one.
    """
    lock = threading.Lock()
    counts = {"started": 0, "ok": 0, "failed": 0}
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    def client():
        while True:
            with lock:
                if counts["started"] >= most or time.monotonic() > deadline:
                    return
                counts["started"] += 1
                n = counts["started"]
            method, path, headers, body = load.request(n)
            status, _, answer = http_request(port, method, path, headers, body)
            with lock:
                ok = status in load.expect
                counts["ok" if ok else "failed"] += 1
                if not ok and len(failures) < 1:
                    failures.append(f"{status}: {answer[:200]!r}")

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    if counts["failed"]:
        raise RuntimeError(f"{counts['failed']} of {counts['started']} requests to {load.path} failed ({failures[0]})")
    return counts["ok"] / elapsed


@dataclass
class Served:
    """One served figure: its name, goal and load."""

    name: str
    goal: float
    words: str
    load: Load


def served_figures(url: str, trust: Trust, workdir: Path, app, prefix: str = "") -> list[Figure]:
    """Pages and API requests per second against a hello-world's, both under gunicorn with 2 sync workers.

    Each run measures the hello-world and then the page, in turn, so a burst of
    load on the shared machine tends to fall on both.
    """
    if not wanted(*(prefix + name for name in SERVED_FIGURES)):
        return []
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "RATELIMIT_STORAGE_URI": "memory://"}
    log = workdir / "gunicorn.log"
    slug, service = trust.slug, trust.service_ids[0]
    member_email = add_service_user(app, trust)
    token = api_token(app, trust)
    bearer = {"Authorization": f"Bearer {token}"}
    figures: list[Figure] = []
    try:
        with served("hello:app", HERE, {}, log) as hello_port, served("core:create_app()", ROOT, env, log) as port:
            admin = http_sign_in(port, trust.admin_email)
            member = http_sign_in(port, member_email)
            written, numbers = uuid.uuid4().hex[:6], itertools.count(1)

            def post_service(_n: int):  # a new name every time, across runs: names are unique in a Trust
                body = json.dumps({"name": f"Bench write {written} {next(numbers)}", "kind": "day_centre"}).encode()
                return "POST", f"/api/v1/t/{slug}/services", {**bearer, "Content-Type": "application/json"}, body

            plan = [
                Served("sign_in_page_rps_vs_hello", 0.5, "sign-in page (no queries)", Load("/sign-in")),
                Served("services_list_rps_vs_hello", 0.3, "services list page (a service user's home)",
                       Load(f"/t/{slug}/", member)),
                Served("api_get_services_rps_vs_hello", 0.5, "API GET services", Load(f"/api/v1/t/{slug}/services", bearer)),
                Served("service_report_rps_vs_hello", 0.25, "current service report page",
                       Load(f"/t/{slug}/services/{service}/report", admin)),
                Served("trust_report_rps_vs_hello", 0.1, "current Trust report page", Load(f"/t/{slug}/report", admin)),
                Served("trust_dashboard_rps_vs_hello", 0.1, "Trust dashboard (an admin's home)", Load(f"/t/{slug}/", admin)),
                Served("audit_page_rps_vs_hello", 0.1, "audit page (newest 50 events)", Load(f"/t/{slug}/audit/", admin)),
                Served("api_post_service_rps_vs_hello", 0.1, "API POST of a service (a write)",
                       Load(f"/api/v1/t/{slug}/services", make=post_service, expect=(201,))),
            ]
            if prefix:  # the embedded-default run measures the key pages only
                plan = [p for p in plan if p.name.split("_rps")[0] in SQLITE_KEY_PAGES]
            plan = [p for p in plan if wanted(prefix + p.name)]
            for _ in range(6):  # warm both workers of each: templates compiled, connections open
                http_get(hello_port, "/")
                for item in plan:
                    if item.load.make is None:
                        browse(port, item.load.path, item.load.headers)
            for item in plan:
                figure = Figure(prefix + item.name, ">=", item.goal)
                try:
                    runs = []
                    for _ in range(RUNS):
                        hello = requests_per_second(hello_port, Load("/"), seconds=2, most=20000)
                        mine = requests_per_second(port, item.load, seconds=4, most=2000)
                        runs.append((mine, hello))
                except RuntimeError as err:
                    figure.notes.append(str(err))
                else:
                    figure.ratio = median_ratio(runs)
                    figure.notes.append(
                        f"{item.words}: {statistics.median(r for r, _ in runs):.1f} requests/s; hello-world: "
                        f"{statistics.median(h for _, h in runs):.0f} requests/s (gunicorn, 2 sync workers, "
                        f"4 client threads, medians of {RUNS} runs)")
                figures.append(figure)
    except RuntimeError as err:
        figure = Figure(prefix + "served_pages", ">=", 0.25)
        figure.notes.append(str(err))
        figures.append(figure)
    return figures


SQLITE_KEY_PAGES = ("sign_in_page", "services_list", "api_get_services", "service_report", "trust_report")
SERVED_FIGURES = tuple(f"{page}_rps_vs_hello" for page in (
    *SQLITE_KEY_PAGES, "trust_dashboard", "audit_page", "api_post_service"))


def add_service_user(app, trust: Trust) -> str:
    """A service user in the Trust (their home page is the plain services list); returns the e-mail."""
    from bench.generate import PASSWORD
    from core import commands
    from core.db import db
    from core.events import acting_as
    from core.tenancy import tenant_context

    email = f"member-{uuid.uuid4().hex[:6]}@{trust.slug}.bench.example"
    with app.app_context(), tenant_context(trust.id), acting_as("cli"):
        user = commands.create_user(email, "Bench service user", PASSWORD)
        commands.add_member(user, "service_user")
        db.session.commit()
    return email


def sqlite_key_pages(scale, workdir: Path) -> list[Figure]:
    """The key pages again on SQLite, the embedded default, when the main run measured PostgreSQL."""
    from bench.generate import SCALES
    from core import migrate

    with scratch_database(None) as (url, _):
        app = app_for(url)
        with app.app_context():
            migrate.upgrade()
            small = SCALES["small"]
            click.echo(f"Building {small.words()} on SQLite for the embedded default's key pages.")
            trusts, _month = installation(small)
        figures = served_figures(url, trusts[0], workdir, app, prefix="sqlite_")
        with app.app_context():
            from core.db import db

            db.engine.dispose()
    return figures


# --- the whole run ---------------------------------------------------------------------------------

@click.command()
def main() -> None:
    """Build a scratch installation, measure every figure, print them."""
    from core import migrate

    scale = scale_from_env()
    with scratch_database(os.environ.get("BENCH_DATABASE_URL")) as (url, engine), \
            tempfile.TemporaryDirectory(prefix="bench-logs-") as logs:
        app = app_for(url)
        with app.app_context():
            migrate.upgrade()
            click.echo(f"Building {scale.words()}, and one Trust with one month, on {engine}.")
            trusts, month = installation(scale)
        events = sum(t.events for t in [*trusts, month])
        made_afresh = app_for(url, derived_cache=False)
        figures = report_figures(made_afresh, trusts, month, scale.years)
        with made_afresh.app_context():
            from core.db import db

            db.engine.dispose()
        figures += served_figures(url, trusts[0], Path(logs), app)
        if engine == "SQLite":
            figures += [Figure("sqlite_" + f.name, f.op, f.goal, f.ratio,
                               [*f.notes, "this run is on SQLite: the same measurement as above"])
                        for f in figures if f.name.split("_rps")[0] in SQLITE_KEY_PAGES and "_rps" in f.name]
        elif wanted(*("sqlite_" + name for name in SERVED_FIGURES)):
            figures += sqlite_key_pages(scale, Path(logs))
        if wanted(*LOG_FIGURES):
            click.echo("Measuring the event log: appending, verifying, replaying.")
            appended, append_rate = log_figures.appending_figures(app, url, Figure, RUNS)  # replay's baseline too
            figures += [f for f in appended if wanted(f.name)]
            if wanted("verify_vs_sha256", "verify_peak_memory_10x_log"):
                figures += [f for f in log_figures.verify_figures(app, url, trusts[0].slug, month.slug, Figure, RUNS)
                            if wanted(f.name)]
            if wanted("replay_vs_append"):
                figures.append(log_figures.replay_figure(app, trusts[0].slug, append_rate, Figure, RUNS))
        if wanted("startup_vs_bare_flask"):
            figures.append(log_figures.startup_figure(url, Figure, RUNS))
        with app.app_context():
            from core.db import db

            db.engine.dispose()
    click.echo("")
    for figure in figures:
        for line in figure.lines():
            click.echo(line)
    passed = sum(f.passed for f in figures)
    click.echo(f"BENCH-SUMMARY passed={passed} failed={len(figures) - passed} engine={engine} "
               f"scale=\"{scale.words()}\" events={events} runs={RUNS}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped: still drop the scratch database
    try:
        main(standalone_mode=False)
    except Exception as err:  # measuring never gates: say what broke, exit 0
        import traceback

        traceback.print_exc()
        print(f"BENCH-SUMMARY passed=0 failed=0 error=\"{type(err).__name__}: {err}\"")
    sys.exit(0)
