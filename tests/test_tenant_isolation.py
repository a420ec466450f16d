"""Tenant isolation: the cross-tenant matrix over every route, and the scoping mechanism itself.

The matrix enumerates the URL map, so every new page or API route under
``/t/<slug>/`` or ``/api/v1/t/<slug>/`` joins it without anyone listing it.
Two Trusts, A and B, hold the same kinds of things; A's admin tries every
route and method against B, and against A's own address with B's ids. Each
attempt must answer "not found" (or "not allowed" for an API token), show
nothing of B's, and record nothing.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from core import commands, events
from core.db import db, utcnow
from core.events import Event
from core.models import ApiToken, Membership, Service, Tenant, User
from core.plugins import host
from core.tenancy import TenantScopeError, reset_tenant, set_tenant, tenant_context
from section_seeds import seed_sections

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
PAGE_PREFIX, API_PREFIX = "/t/<slug>/", "/api/v1/t/<slug>/"
# Core and the example plugin alone have more than this; the count only grows as plugins do.
AT_LEAST = {"pages": 20, "api": 8}


# --- two Trusts with one of everything ----------------------------------------------------

@dataclass
class Trust:
    fixture: object
    marker: str  # in every name this Trust has, so a leak is easy to spot
    ids: dict = field(default_factory=dict)  # stream kind -> ids of its rows
    link_tokens: list = field(default_factory=list)
    api_token: str = ""

    @property
    def slug(self):
        return self.fixture.slug


def make_trust(make_tenant, label: str) -> Trust:
    marker = f"{label}{uuid.uuid4().hex[:8]}"
    fixture = make_tenant(name=f"{marker} Trust", roles=(), services=(f"{marker} Day Centre", f"{marker} Ward"))
    admin = fixture.add_person("admin", name=f"{marker} Admin")
    fixture.add_person("staff", name=f"{marker} Staff")
    trust = Trust(fixture, marker)
    with fixture.context(f"user:{admin.user_id}") as session:
        tenant = session.get(Tenant, fixture.id)
        for plugin in host().installed:
            commands.allow_plugin(tenant, plugin)
            commands.enable_plugin(tenant, plugin)
        from cl_example_plugin.events import add_note

        add_note(f"{marker} note")
        commands.create_token(session.get(Membership, admin.membership_id), f"{marker} token")
        trust.link_tokens = seed_sections(fixture.services[f"{marker} Day Centre"], marker)
    trust.api_token = fixture.token("admin")
    with fixture.context() as session:
        for stream in session.scalars(select(Event.stream).distinct()):
            kind, _, key = stream.partition(":")
            if key.isdigit():
                trust.ids.setdefault(kind, set()).add(int(key))
    trust.ids = {kind: sorted(ids) for kind, ids in trust.ids.items()}
    return trust


@pytest.fixture
def trusts(make_tenant):
    return make_trust(make_tenant, "Alpha"), make_trust(make_tenant, "Bravo")


def kind_for(trust: Trust, argument: str) -> str | None:
    """The stream kind a URL argument names: service_id -> "service", review_id -> "healthcheck-review"."""
    name = argument.removesuffix("_id")
    for kind in sorted(trust.ids, key=len):
        if kind == name or re.search(rf"[-._]{re.escape(name)}s?$", kind):
            return kind
    return None


def id_for(trust: Trust, argument: str) -> int:
    """A real id of the Trust's for a URL argument."""
    kind = kind_for(trust, argument)
    if kind is not None:
        return trust.ids[kind][0]
    # A kind the Trust holds none of: any row of the Trust's still must not be found from elsewhere.
    return max(max(ids) for ids in trust.ids.values())


def fill(rule: str, trust_for_ids: Trust, slug: str, link_token: str) -> str:
    def value(match):
        argument = match.group(1)
        if argument == "slug":
            return slug
        if argument.endswith("_id"):
            return str(id_for(trust_for_ids, argument))
        if argument == "token":
            return link_token
        if argument == "name":
            return "example"
        if argument == "number":  # a question's page: 1 of 7
            return "1"
        return "staff"

    return ARGUMENT.sub(value, rule)


def tenant_routes(app) -> list[tuple[str, str, str]]:
    """(kind, rule, method) for every route under a tenant's address, pages and API."""
    found = []
    for rule in app.url_map.iter_rules():
        if "slug" not in rule.arguments:
            continue
        kind = "api" if rule.rule.startswith(API_PREFIX) else "pages" if rule.rule.startswith(PAGE_PREFIX) else None
        assert kind, f"{rule.rule} takes a tenant but lives outside /t/<slug>/ and /api/v1/t/<slug>/"
        for method in sorted(set(METHODS) & rule.methods):
            found.append((kind, rule.rule, method))
    return sorted(set(found))


def event_count(trust: Trust) -> int:
    with trust.fixture.context() as session:
        return session.scalar(select(func.count(Event.id)))


# --- a well-formed body for any API route, read from the OpenAPI document -------------------------
# An empty body would be refused (422) before the view looks anything up, and prove nothing.

_OPENAPI: dict[int, dict] = {}


def openapi(app) -> dict:
    if id(app) not in _OPENAPI:
        _OPENAPI[id(app)] = app.test_client().get("/api/v1/openapi.json").json
    return _OPENAPI[id(app)]


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        merged = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = _resolve(part, spec)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return merged
    return schema


def example_value(schema: dict, spec: dict, marker: str):
    schema = _resolve(schema, spec)
    if "enum" in schema:
        return schema["enum"][0]
    kind, form = schema.get("type"), schema.get("format")
    if kind == "string":
        if form == "date":
            return (date.today() + timedelta(days=30)).isoformat()
        if form == "date-time":
            return datetime.now(timezone.utc).isoformat()
        return f"{marker} words"[: schema.get("maxLength", 200)]
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "array":
        items = [example_value(schema.get("items", {}), spec, marker)]
        return items * max(1, schema.get("minItems", 1))
    properties = schema.get("properties", {})
    return {name: example_value(properties.get(name, {}), spec, marker) for name in schema.get("required", [])}


def api_body(app, rule: str, method: str, marker: str):
    if method not in ("POST", "PATCH", "PUT"):
        return None
    spec = openapi(app)
    path = ARGUMENT.sub(lambda m: "{" + m.group(1) + "}", rule)
    operation = spec["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return example_value(content["schema"], spec, marker) if content else {}


def send(client, kind: str, rule: str, method: str, url: str, token: str | None, marker: str = "Matrix"):
    if kind == "api":
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(url, method=method, headers=headers, json=api_body(client.application, rule, method, marker))
    return client.open(url, method=method, data={} if method != "GET" else None)


def run_matrix(app, routes, attempt) -> tuple[list[str], int]:
    problems, tried = [], 0
    for kind, rule, method in routes:
        outcome = attempt(kind, rule, method)
        if outcome is None:
            continue
        tried += 1
        if outcome:
            problems.append(f"{method} {rule}: {outcome}")
    return problems, tried


def judge(response, allowed: set[int], trusts_unchanged: list[tuple[Trust, int]], foreign: Trust) -> str:
    body = response.get_data(as_text=True)
    wrong = []
    if response.status_code not in allowed:
        wrong.append(f"status {response.status_code}")
    if foreign.marker in body:
        wrong.append(f"shows {foreign.marker}'s names")
    for trust, before in trusts_unchanged:
        if event_count(trust) != before:
            wrong.append(f"changed {trust.marker}'s log")
    return ", ".join(wrong)


# --- the matrix ---------------------------------------------------------------------------------

def test_the_matrix_covers_every_tenant_route(app):
    routes = tenant_routes(app)
    counts = {kind: len({rule for k, rule, _ in routes if k == kind}) for kind in AT_LEAST}
    assert all(counts[kind] >= minimum for kind, minimum in AT_LEAST.items()), counts
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "slug" in rule.arguments}
    for expected in ("tenant.home", "tenant.service", "tenant.edit_service", "tenant.change_role",
                     "tenant.revoke_token", "audit.index", "reports.service_report", "example.index",
                     "api_services.read_service", "api_events.list_events", "example_api.create_note"):
        assert expected in endpoints


def test_another_trusts_admin_finds_nothing_at_its_address(app, trusts, signed_in):
    """A's admin (signed in, or with A's API token) tries every route at B's address with B's ids."""
    a, b = trusts
    pages = signed_in("admin", target=a.fixture)
    api = app.test_client()

    def attempt(kind, rule, method):
        url = fill(rule, b, b.slug, a.link_tokens[0] if a.link_tokens else "no-such-link")
        before = [(a, event_count(a)), (b, event_count(b))]
        response = send(pages if kind == "pages" else api, kind, rule, method, url, a.api_token, a.marker)
        allowed = {404} if kind == "pages" else {401, 403, 404}
        return judge(response, allowed, before, b)

    problems, tried = run_matrix(app, tenant_routes(app), attempt)
    assert problems == []
    assert tried >= sum(AT_LEAST.values())


def test_another_trusts_ids_are_not_found_at_ones_own_address(app, trusts, signed_in):
    """A's admin at A's own address, with B's ids (and B's invitation links) in the URL."""
    a, b = trusts
    pages = signed_in("admin", target=a.fixture)
    api = app.test_client()

    def attempt(kind, rule, method):
        arguments = set(ARGUMENT.findall(rule)) - {"slug"}
        if not any(arg.endswith("_id") or arg == "token" for arg in arguments):
            return None  # nothing of B's to put in this address
        url = fill(rule, b, a.slug, b.link_tokens[0] if b.link_tokens else "no-such-link")
        before = [(a, event_count(a)), (b, event_count(b))]
        response = send(pages if kind == "pages" else api, kind, rule, method, url, a.api_token, a.marker)
        return judge(response, {404}, before, b)

    problems, tried = run_matrix(app, tenant_routes(app), attempt)
    assert problems == []
    assert tried >= 10


def test_ones_own_ids_are_found(app, trusts, signed_in):
    """The control for the matrix: the same addresses with A's own ids do lead somewhere,
    so the 404s above come from the tenant scope, not from wrong addresses."""
    a, _ = trusts
    pages = signed_in("admin", target=a.fixture)
    api = app.test_client()
    lost, found = [], []
    for kind, rule, method in tenant_routes(app):
        ids = [arg for arg in ARGUMENT.findall(rule) if arg.endswith("_id")]
        if method != "GET" or not ids or any(kind_for(a, arg) is None for arg in ids):
            continue
        url = fill(rule, a, a.slug, a.link_tokens[0] if a.link_tokens else "no-such-link")
        response = send(pages if kind == "pages" else api, kind, rule, method, url, a.api_token, a.marker)
        (lost if response.status_code == 404 else found).append(rule)
    assert lost == []
    assert len(found) >= 6
    for rule in ("/t/<slug>/services/<int:service_id>", "/api/v1/t/<slug>/services/<int:service_id>",
                 "/t/<slug>/services/<int:service_id>/report", "/t/<slug>/members/<int:membership_id>/role"):
        assert rule in found


def test_without_signing_in_a_trust_shows_nothing(app, trusts):
    a, b = trusts
    client = app.test_client()

    def attempt(kind, rule, method):
        url = fill(rule, b, b.slug, "no-such-link")
        before = [(b, event_count(b))]
        response = send(client, kind, rule, method, url, None)
        if kind == "pages" and response.status_code == 302:
            assert "/sign-in" in response.headers["Location"]
            response.status_code = 404  # sent to sign in: nothing shown
        return judge(response, {404} if kind == "pages" else {401}, before, b)

    problems, tried = run_matrix(app, tenant_routes(app), attempt)
    assert problems == []
    assert tried >= sum(AT_LEAST.values())


def test_an_unknown_trust_is_not_found(app, trusts, signed_in):
    a, _ = trusts
    assert signed_in("admin", target=a.fixture).get("/t/no-such-trust/").status_code == 404
    # through the API, as for a Trust that exists but is not the token's: the token is not valid there
    response = app.test_client().get("/api/v1/t/no-such-trust/services",
                                     headers={"Authorization": f"Bearer {a.api_token}"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorised"


# --- the mechanism fails closed -----------------------------------------------------------------

def test_a_query_with_no_tenant_in_context_raises(app, tenant):
    with app.app_context():
        for query in (select(Service), select(Service.id), select(func.count()).select_from(Service),
                      select(User).join(Membership, Membership.user_id == User.id)):
            with pytest.raises(TenantScopeError):
                db.session.execute(query).all()
        with pytest.raises(TenantScopeError):
            db.session.get(Service, tenant.services["Oak Day Centre"])
        db.session.rollback()


def test_a_null_tenant_does_not_drop_the_filter(app, tenant):
    with app.app_context():
        token = set_tenant(None)
        try:
            with pytest.raises(TenantScopeError):
                db.session.scalars(select(Service)).all()
        finally:
            reset_tenant(token)
        db.session.rollback()


def test_global_tables_need_no_tenant(app, tenant):
    with app.app_context():
        assert db.session.get(Tenant, tenant.id).slug == tenant.slug
        assert db.session.scalar(select(func.count(User.id))) >= 1


def test_every_query_is_scoped_with_or_without_a_where_clause(tenant, other_tenant):
    with tenant.context() as session:
        assert {s.tenant_id for s in session.scalars(select(Service))} == {tenant.id}
        assert {s.tenant_id for s in session.scalars(select(Service).where(Service.archived.is_(False)))} == {tenant.id}
        elm = other_tenant.services["Elm Community Team"]
        assert session.get(Service, elm) is None
        assert session.scalar(select(Service).where(Service.id == elm)) is None
        assert session.scalar(select(func.count()).select_from(Service)) == len(tenant.services)


def test_joins_are_scoped_on_every_tenant_owned_side(tenant, other_tenant):
    """A join from a global table still only reaches the tenant's rows."""
    with tenant.context() as session:
        users = set(session.scalars(select(User.id).join(Membership, Membership.user_id == User.id)))
        assert users == {person.user_id for person in tenant.people.values()}
        tokens = session.execute(select(ApiToken.id, Membership.tenant_id)
                                 .join(Membership, ApiToken.membership_id == Membership.id)).all()
        assert {tenant_id for _, tenant_id in tokens} <= {tenant.id}


def test_relationship_loads_are_scoped(tenant, other_tenant):
    """Membership.user is global; ApiToken.membership is the tenant's, even if a row points elsewhere."""
    tenant.token("admin")
    foreign_member = other_tenant.people["admin"].membership_id
    with tenant.context() as session:
        # A forged token of A's naming B's member: the event log allows the id, the scope hides the row.
        ev = events.record("token.created", {"membership_id": foreign_member, "name": "Crossed",
                                             "token_hash": "f" * 64})
        crossed = int(ev.entity_id)
    with tenant.context() as session:
        for token in session.scalars(select(ApiToken)):
            if token.id == crossed:
                assert token.membership is None
            else:
                assert token.membership.tenant_id == tenant.id
                assert token.membership.user.email  # global: loads in any tenant
        loaded = session.scalars(select(Membership).options(selectinload(Membership.user))).all()
        assert {m.user_id for m in loaded} == {person.user_id for person in tenant.people.values()}
        crossed_row = session.scalars(select(ApiToken).where(ApiToken.id == crossed)
                                      .options(selectinload(ApiToken.membership))).one()
        assert crossed_row.membership is None


def test_a_row_for_another_tenant_is_refused_at_flush(app, tenant, other_tenant):
    with app.app_context(), tenant_context(tenant.id):
        db.session.add(Service(id=10**9, tenant_id=other_tenant.id, name="Smuggled", kind="other",
                               description="", archived=False, created_at=utcnow()))
        with pytest.raises(TenantScopeError, match="another tenant"):
            db.session.flush()
        db.session.rollback()
    with app.app_context(), tenant_context(tenant.id):
        service = db.session.get(Service, tenant.services["Oak Day Centre"])
        service.tenant_id = other_tenant.id
        with pytest.raises(TenantScopeError, match="another tenant"):
            db.session.flush()
        db.session.rollback()
    with app.app_context():
        db.session.add(Service(id=10**9 + 1, name="Homeless", kind="other", description="", archived=False,
                               created_at=utcnow()))
        with pytest.raises(TenantScopeError, match="has no tenant"):
            db.session.flush()
        db.session.rollback()


def test_a_new_row_takes_the_tenant_in_context(app, tenant):
    with app.app_context(), tenant_context(tenant.id):
        service = Service(id=10**9 + 2, name="Stamped", kind="other", description="", archived=False,
                          created_at=utcnow())
        db.session.add(service)
        db.session.flush()
        assert service.tenant_id == tenant.id
        db.session.rollback()


def _names(fixture) -> dict[int, tuple[str, str]]:
    with fixture.context() as session:
        return {s.id: (s.name, s.description) for s in session.scalars(select(Service))}


def test_bulk_update_and_delete_stay_in_the_tenant(app, tenant, other_tenant):
    theirs = _names(other_tenant)
    elm = other_tenant.services["Elm Community Team"]
    with app.app_context(), tenant_context(tenant.id):
        changed = db.session.execute(update(Service).values(description="Bulk"),
                                     execution_options={"synchronize_session": False}).rowcount
        assert changed == len(tenant.services)
        aimed = db.session.execute(update(Service).where(Service.id == elm).values(name="Taken"),
                                   execution_options={"synchronize_session": False}).rowcount
        assert aimed == 0
        gone = db.session.execute(delete(Service).where(Service.id == elm),
                                  execution_options={"synchronize_session": False}).rowcount
        assert gone == 0
        with tenant_context(other_tenant.id):
            assert {s.id: (s.name, s.description) for s in db.session.scalars(select(Service))} == theirs
        db.session.rollback()
    assert _names(other_tenant) == theirs


# Reviewed uses of the all-tenants option in request code, each with its reason.
ALL_TENANTS_REVIEWED = {
    "core.views.auth": "choosing a Trust lists the signed-in person's own memberships in every Trust",
}


def test_request_code_uses_no_unscoped_sql(app):
    """Raw SQL and the all-tenants option bypass the scope: views use neither (or a reviewed exception)."""
    import inspect as pyinspect

    modules = {pyinspect.getmodule(view) for view in app.view_functions.values()}
    offenders = []
    for module in filter(None, modules):
        if not module.__name__.startswith(("core.views", "core.api", "plugins.", "cl_example_plugin")):
            continue
        source = pyinspect.getsource(module)
        for pattern in (r"\btext\(", r"exec_driver_sql", r"\.connection\(", r"all_tenants|ALL_TENANTS|own_memberships"):
            if re.search(pattern, source) and not (pattern.startswith("all") and module.__name__ in ALL_TENANTS_REVIEWED):
                offenders.append(f"{module.__name__}: {pattern}")
    assert offenders == []


def test_a_statement_built_once_is_scoped_to_whichever_trust_runs_it(app, make_tenant):
    """core.tenancy.built_once keeps a scoped form per Trust: it never answers for the Trust before."""
    from sqlalchemy import select

    from core.db import db
    from core.models import Service
    from core.tenancy import built_once, tenant_context

    names = built_once(select(Service.name).order_by(Service.name))
    north = make_tenant(name="North Trust", services=("Oak Day Centre",))
    south = make_tenant(name="South Trust", services=("Birch House",))
    with app.app_context():
        for trust, expected in ((north, ["Oak Day Centre"]), (south, ["Birch House"]), (north, ["Oak Day Centre"])):
            with tenant_context(trust.id):
                assert db.session.scalars(names).all() == expected
