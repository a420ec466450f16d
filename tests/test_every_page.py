"""Every page of the demo Trust, as each role: no server error, no markup shown as text, no inline
code the Content-Security-Policy would block.

Pages are discovered from the app itself: links followed from each role's start
page, then every GET route of the URL map filled with ids seen on the way, so a
new page is checked without anyone listing it. A fragment or template that
escapes its own markup (``&lt;table``) shows tags to people as text: that fails
here, whatever the strings the other tests look for.
"""
from __future__ import annotations

import re
from collections import deque
from itertools import product

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from core import commands, demo
from core.db import db
from core.testing import PASSWORD, throwaway_app
from core.tenancy import tenant_context

ROLES = ("admin", "staff", "service_user", "facilitator", "viewer")
ESCAPED_TAG = re.compile(r"&lt;/?(table|thead|tbody|tr|td|th|p|div|span|section|ul|ol|li|dl|dt|dd|a|h[1-6]|"
                         r"strong|em|br|svg|figure|caption|details|summary|nav|form|input|label|button)\b",
                         re.IGNORECASE)
INLINE_CODE = re.compile(r"<style\b[^>]*>|<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]+\son(click|change|submit|load|input|keydown|keyup|focus|blur)\s*=", re.IGNORECASE)
HREF = re.compile(r'href="(/t/[^"#]*)"')
SKIP = re.compile(r"/(sign-out|export\.jsonl|report\.(pdf|zip))\b")  # downloads are checked elsewhere
PAGE_LIMIT = 400


@pytest.fixture(scope="module")
def demo_app(database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    with throwaway_app(database.engine, tmp_path_factory, DEMO_PASSWORD_FILE=str(folder / "password.txt")) as app:
        with app.app_context():
            demo.load()
            tenant = commands.tenant_by_slug(demo.SLUG)
            with tenant_context(tenant.id):
                # a service with nothing recorded yet: every page's empty state is crawled too
                commands.create_service("New Outreach Team", "community_team", "")
                for role in ROLES:
                    user = commands.create_user(f"every-page-{role}@demo.example", f"Every page {role}", PASSWORD)
                    commands.add_member(user, role)
            db.session.commit()
        yield app


def _signed_in(app, role):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": f"every-page-{role}@demo.example", "password": PASSWORD})
    assert response.status_code in (302, 303)
    return client


def _route_urls(app, seen_values: dict) -> list[str]:
    """Every GET page route, filled with the ids and values met while crawling."""
    urls = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/t/"):
            continue
        choices = [sorted(seen_values.get(arg, ()))[:2] for arg in sorted(rule.arguments)]
        if any(not c for c in choices):
            continue
        for combo in product(*choices):
            try:
                urls.append(adapter.build(rule.endpoint, dict(zip(sorted(rule.arguments), combo))))
            except BuildError:
                continue
    return urls


def _values_of(app, path: str, seen_values: dict) -> None:
    try:
        _endpoint, values = app.url_map.bind("localhost").match(path.split("?")[0], method="GET")
    except HTTPException:
        return
    for name, value in values.items():
        seen_values.setdefault(name, set()).add(value)


def crawl(app, client, start: str):
    """(path, response) for each page reached: links first, then the URL map filled in."""
    seen: set[str] = set()
    seen_values: dict = {}
    queue = deque([start])
    routes_added = False
    while len(seen) < PAGE_LIMIT:
        if not queue:
            if routes_added:
                break
            queue.extend(_route_urls(app, seen_values))
            routes_added = True
            continue
        path = queue.popleft()
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        response = client.get(path)
        yield path, response
        _values_of(app, path, seen_values)
        if response.mimetype == "text/html":
            for href in HREF.findall(response.get_data(as_text=True)):
                queue.append(href.replace("&amp;", "&"))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_shows_markup_as_markup(demo_app, role):
    client = _signed_in(demo_app, role)
    problems, pages = [], 0
    for path, response in crawl(demo_app, client, f"/t/{demo.SLUG}/"):
        pages += 1
        if response.status_code >= 500:
            problems.append(f"{path}: status {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", response.headers.get("Content-Security-Policy", ""))
        for tag in INLINE_CODE.findall(body):  # the policy would block it: it must carry this response's nonce
            if nonce is None or f'nonce="{nonce.group(1)}"' not in tag:
                problems.append(f"{path}: inline code the Content-Security-Policy blocks: {tag[:80]}")
        if HANDLER.search(body):
            problems.append(f"{path}: an inline event handler: {HANDLER.search(body).group(0)}")
        for match in ESCAPED_TAG.finditer(body):
            start = max(match.start() - 60, 0)
            problems.append(f"{path}: markup shown as text: ...{body[start:match.end() + 40]}...")
            break
    assert pages > 10, f"only {pages} pages were reached as {role}"
    assert not problems, "\n".join(problems)
