"""Which Trusts may use a plugin: a plugin not available to a Trust is not there at all for it.

Every route of every plugin that is not one of the guide's sections, pages and
API alike, taken from the app's URL map, answers 404 for a Trust that may not
use it, even when the Trust had switched it on before the operator took it away.
"""
import re

import pytest

from core import commands
from core.models import Tenant
from core.plugins import BUILT_IN, host
from core.web import app_blueprint_owner

ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def plugin_routes(app) -> list[tuple[str, str, str]]:
    """(plugin, method, rule) for every route of a plugin that is not built in."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else None
            owner = app_blueprint_owner(blueprint)
            if owner is None or owner in BUILT_IN:
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((owner, method, rule.rule))
    return routes


def fill(rule: str, slug: str) -> str:
    return ARGUMENT.sub(lambda m: slug if m.group(1) == "slug" else "1", rule)


def set_access(trust, plugin: str, allowed: bool) -> None:
    with trust.context("cli") as session:
        row = session.get(Tenant, trust.id)
        (commands.allow_plugin if allowed else commands.disallow_plugin)(row, plugin)


def test_the_routes_are_found(app):
    plugins = {plugin for plugin, _, _ in plugin_routes(app)}
    assert "example" in plugins
    methods = {method for _, method, _ in plugin_routes(app)}
    assert {"GET", "POST"} <= methods
    assert any(rule.startswith("/api/v1/") for _, _, rule in plugin_routes(app))


@pytest.mark.parametrize("before", ["never allowed", "allowed, switched on, then disallowed"])
def test_every_route_of_a_plugin_not_available_to_the_trust_is_404(app, make_tenant, signed_in, api_client,
                                                                   before):
    trust = make_tenant(roles=("admin",), services=("Oak Day Centre",))
    if before != "never allowed":
        for plugin in {p for p, _, _ in plugin_routes(app)}:
            set_access(trust, plugin, True)
            with trust.context("cli") as session:
                commands.enable_plugin(session.get(Tenant, trust.id), plugin)
        assert signed_in("admin", target=trust).get(f"/t/{trust.slug}/example/").status_code == 200
        for plugin in {p for p, _, _ in plugin_routes(app)}:
            set_access(trust, plugin, False)
    page, api = signed_in("admin", target=trust), api_client("admin", target=trust)
    answers = {}
    for plugin, method, rule in plugin_routes(app):
        url = fill(rule, trust.slug)
        client = api if rule.startswith("/api/") else page
        response = getattr(client, method.lower())(url)
        answers[(method, rule)] = response.status_code
    assert answers and set(answers.values()) == {404}, answers

    sections = page.get(f"/t/{trust.slug}/plugins").get_data(as_text=True)
    assert "Example notes" not in sections
    assert page.post(f"/t/{trust.slug}/plugins/example", data={"enabled": "1"}).status_code == 404


def test_a_package_that_declares_its_trusts_is_available_to_them_only(app, make_tenant, signed_in):
    from birmingham_resources import TRUSTS

    with app.app_context():
        assert host().declared["birmingham_resources"] == frozenset(TRUSTS)
        assert host().available("birmingham_resources", "birmingham", None)
        assert not host().available("birmingham_resources", "north", None)
        assert not host().available("birmingham_resources", "birmingham", False)  # the operator's word wins
        assert host().available("birmingham_resources", "north", True)
    other = make_tenant(roles=("admin",))
    sections = signed_in("admin", target=other).get(f"/t/{other.slug}/plugins").get_data(as_text=True)
    assert "Birmingham" not in sections
