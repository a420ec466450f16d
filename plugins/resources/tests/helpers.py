"""Small helpers the resources plugin's tests share."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timezone
from html import unescape

import time_machine
from sqlalchemy import func, select

from core.events import Event
from plugins.resources.models import Resource

PACKAGES = {"riverside": "plugins.resources.tests.riverside_package",
            "failing": "plugins.resources.tests.failing_package"}

A_RESOURCE = {"name": "Oak User Forum", "scope": "local", "description": "Service users meet monthly with staff.",
              "website": "https://forum.example.org", "phone": "0121 496 0000", "email": "forum@example.org",
              "address": "1 High Street\nBirmingham", "tags": "user-led, advocacy"}


def event_count(tenant) -> int:
    with tenant.context() as session:
        return session.scalar(select(func.count(Event.id)))


def resources_of(tenant, **where) -> list[Resource]:
    with tenant.context() as session:
        rows = session.scalars(select(Resource).filter_by(**where).order_by(Resource.id)).all()
        session.expunge_all()
        return rows


def by_name(tenant, name: str) -> Resource:
    found = [r for r in resources_of(tenant) if r.name == name]
    assert len(found) == 1, [r.name for r in resources_of(tenant)]
    return found[0]


def text_of(response) -> str:
    """A page's visible words, spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def hidden_value(html: str, name: str) -> str | None:
    """The value of a hidden input, whatever order its attributes come in."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and 'type="hidden"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else ""
    return None


def main_text(response) -> str:
    """The visible words of the page's main content only."""
    html = response.get_data(as_text=True).split('id="maincontent">', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@contextmanager
def at(year, month, day, hour=12):
    """Travel to a moment (UTC); the clock stands still."""
    with time_machine.travel(datetime(year, month, day, hour, tzinfo=timezone.utc), tick=False):
        yield


@contextmanager
def app_with_packages(engine: str, tmp_path_factory):
    """An app with the test packages installed beside the built-in plugins, on its own database."""
    from core.testing import throwaway_app  # imported late: pytest loads core.testing as a plugin first

    with throwaway_app(engine, tmp_path_factory, PACKAGES) as app:
        yield app
