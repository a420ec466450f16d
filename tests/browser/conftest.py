"""Fixtures for the browser tests: the real app served over HTTP, and Chromium driven by Playwright.

The server is the app ``make run`` serves (CSRF on), on its own database, on
SQLite and on PostgreSQL when TEST_DATABASE_URL is set. The browser is Debian's
Chromium: without it every browser test is skipped with one line saying why.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field

import pytest
from flask import got_request_exception
from werkzeug.serving import make_server

from core.testing import ENGINES, Database, make_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Pages answer in milliseconds; a step that waits longer than this has gone wrong.
STEP_TIMEOUT_MS = 15_000

# Without Chromium the browser tests are not collected, and the summary says why in one line.
NO_CHROMIUM = None if os.path.exists(CHROMIUM) else (
    f"Browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
if NO_CHROMIUM:
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter):
    if NO_CHROMIUM:
        terminalreporter.write_line(NO_CHROMIUM)


@dataclass
class LiveServer:
    engine: str
    app: object
    url: str
    errors: list = field(default_factory=list)  # exceptions raised while serving a request

    def at(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def browser():
    if NO_CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI and these machines run as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session", params=ENGINES)
def live(request, tmp_path_factory, browser):
    """The app on its own database, served on a free port of 127.0.0.1 in a background thread."""
    database = Database(request.param, tmp_path_factory)
    app = make_app(database.url, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    live = LiveServer(request.param, app, f"http://127.0.0.1:{server.server_port}")

    def keep(sender, exception, **extra):
        live.errors.append(repr(exception))

    got_request_exception.connect(keep, app, weak=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        thread.join()
        got_request_exception.disconnect(keep, app)
        with app.app_context():
            from core.db import db

            db.engine.dispose()
        database.drop()


@pytest.fixture(autouse=True)
def no_server_errors(live):
    """Every browser test also fails if the server raised while answering it."""
    live.errors.clear()
    yield
    assert not live.errors, f"the server raised: {live.errors}"


@pytest.fixture
def new_page(browser):
    """new_page(width=1280, height=900) -> a page in a fresh browser context (no cookies)."""
    contexts = []

    def make(width: int = 1280, height: int = 900, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
