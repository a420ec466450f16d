"""Request plumbing: the tenant from the URL, who is asking, and plugin mounting.

Pages live under ``/t/<slug>/``, the API under ``/api/v1/t/<slug>/``. Before any
view runs the tenant is resolved and put in context (core.tenancy scopes every
query to it), the caller is identified (session cookie for pages, Bearer token
for the API) and must be an active member: otherwise 404, so nobody learns
what another tenant holds.
"""
from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import bindparam, select, true
from sqlalchemy.orm import lazyload

from . import events, sessions, throttle
from .auth import can, login_manager, token_hash
from .cache import kept, note_log_head
from .db import db, written_in
from .events import GENESIS, Event
from .models import ApiToken, Membership, Tenant, User
from .sessions import UserSession
from .plugins import enabled_plugins, host, tenant_items
from .tenancy import built_once, reset_tenant, set_tenant

csrf = CSRFProtect()
limiter = throttle.limiter

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX + "/")


def init_app(app):
    login_manager.init_app(app)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(_protect_forms)
    limiter.init_app(app)
    throttle.init_app(app)
    app.url_value_preprocessor(_pull_tenant)
    app.url_defaults(_add_tenant)
    app.before_request(_authorise)
    app.teardown_request(_forget_tenant)
    app.context_processor(_template_context)
    from .reports import render as render_fragment

    app.add_template_global(render_fragment, "render_fragment")
    from .dashboard import render as render_panel
    from .reports import long_date

    app.add_template_global(render_panel, "render_panel")
    app.add_template_global(long_date, "long_date")
    from .views.audit import in_sentence

    app.add_template_filter(in_sentence)
    app.extensions["changing_lives_blueprint_owners"] = {}


def _protect_forms():
    """Every form needs its CSRF token. The API is exempt: browsers never send Bearer tokens."""
    if (request.method in ("POST", "PUT", "PATCH", "DELETE") and not is_api_request()
            and current_app.config.get("WTF_CSRF_ENABLED", True)):
        csrf.protect()


def _pull_tenant(endpoint, values):
    if not values or "slug" not in values:
        return
    slug = values.pop("slug")
    tenant = None
    if len(slug) <= 40 and slug.isascii() and "\x00" not in slug:  # else no Trust could have that name
        tenant = _trust_named(slug)
    if tenant is None:
        _unknown_trust()
    g.tenant = tenant


# A Trust's id never changes, so each worker remembers which id a name had; only names found are kept.
_known_ids: dict[str, int] = {}

# Built once: making a statement costs as much as running a small one. (Scoped per run, as any query.)
_LAST_EVENT = select(Event.seq, Event.hash).order_by(Event.seq.desc()).limit(written_in(1)).subquery()
_TRUST_AND_HEAD = built_once(select(Tenant, _LAST_EVENT.c.seq, _LAST_EVENT.c.hash)
                             .outerjoin(_LAST_EVENT, true()).where(Tenant.id == bindparam("tenant_id")))
# A page request with a session cookie reads the session, its person and their membership in the
# same query (core.sessions takes them from there): one round trip to the database, not two.
_TRUST_HEAD_AND_SESSION = built_once(
    select(Tenant, _LAST_EVENT.c.seq, _LAST_EVENT.c.hash, UserSession, User, Membership)
    .select_from(Tenant)
    .outerjoin(_LAST_EVENT, true())
    .outerjoin(UserSession, UserSession.key_hash == bindparam("key_hash"))
    .outerjoin(User, User.id == UserSession.user_id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .options(lazyload(Membership.user))  # the person is loaded already
    .where(Tenant.id == bindparam("tenant_id")))
# An API request with a Bearer token reads the token (and its membership) in the same query.
_TRUST_HEAD_AND_TOKEN = built_once(
    select(Tenant, _LAST_EVENT.c.seq, _LAST_EVENT.c.hash, ApiToken)
    .select_from(Tenant)
    .outerjoin(_LAST_EVENT, true())
    .outerjoin(ApiToken, ApiToken.token_hash == bindparam("token_hash"))
    .where(Tenant.id == bindparam("tenant_id")))
_TRUST_NAMED = select(Tenant).where(Tenant.slug == bindparam("slug"))
_TOKEN = built_once(select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash")))


def _trust_named(slug: str) -> Tenant | None:
    """The Trust, put in context, and its log's head in the same query when its id is known already
    (the head is what every cached answer is keyed by). Otherwise found by name first."""
    tenant_id = _known_ids.get(slug)
    if tenant_id is not None:
        g._tenant_token = set_tenant(tenant_id)
        statement, values, read_caller = _with_the_caller()
        found = db.session.execute(statement, {"tenant_id": tenant_id, **values}).first()
        if found is not None and found.Tenant.slug == slug:
            note_log_head(tenant_id, (found.seq, found.hash) if found.seq is not None else (0, GENESIS))
            read_caller(found)
            return found.Tenant
        reset_tenant(g.pop("_tenant_token"))
    tenant = db.session.scalar(_TRUST_NAMED, {"slug": slug})
    if tenant is not None:
        _known_ids[slug] = tenant.id
        g._tenant_token = set_tenant(tenant.id)
    return tenant


def _with_the_caller():
    """(statement, its values, what to do with the row): the Trust and its head, and in the same
    query whoever the request says is asking: a page's session or the API's token."""
    if is_api_request():
        token = _bearer_token()
        if token is None:
            return _TRUST_AND_HEAD, {}, _nothing
        hashed = token_hash(token)
        return _TRUST_HEAD_AND_TOKEN, {"token_hash": hashed}, lambda found: _token_read(hashed, found.ApiToken)
    key_hash = sessions.cookie_key_hash()
    if key_hash is None:
        return _TRUST_AND_HEAD, {}, _nothing
    return _TRUST_HEAD_AND_SESSION, {"key_hash": key_hash}, lambda found: sessions.read_already(
        key_hash, found.UserSession, found.User, found.Membership)


def _nothing(found) -> None:
    pass


def _token_read(hashed: str, row) -> None:
    g._token_read = (hashed, row)


def _unknown_trust():
    """Answer exactly as for a Trust the caller does not belong to, so no one can learn which names exist."""
    if is_api_request():
        _api_membership(None)  # always 401: no token, or one never valid for a Trust that is not there
    if not current_user.is_authenticated and not _allows_anonymous():
        abort(redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?"))))
    abort(404)


def _add_tenant(endpoint, values):
    if "slug" in values or not g.get("tenant"):
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "slug"):
        values["slug"] = g.tenant.slug


def _forget_tenant(exc=None):
    token = g.pop("_tenant_token", None)
    if token is not None:
        reset_tenant(token)
    actor = g.pop("_actor_token", None)
    if actor is not None:
        events.reset_actor(actor)


def _authorise():
    """Identify the caller and refuse anyone who is not an active member of the tenant."""
    tenant = g.get("tenant")
    if tenant is None:
        return None
    membership = _api_membership(tenant) if is_api_request() else _page_membership()
    if membership is not None and membership.active:
        g.membership = membership
        g._actor_token = events.set_actor(f"user:{membership.user_id}")
    elif not _allows_anonymous():  # an invitation link checks its own token
        if not is_api_request() and not current_user.is_authenticated:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        _refuse()
    owner = app_blueprint_owner(request.blueprint)
    if owner is not None and owner not in enabled_plugins():
        abort(404) if g.get("membership") else _refuse()
    # The role first: someone who may not act hears that, not what was wrong with what they sent.
    action = getattr(current_app.view_functions.get(request.endpoint), "required_action", None)
    if action is not None and g.get("membership") is not None and not can(action):
        abort(403)
    return None


def _refuse():
    """404 for a Trust the caller does not belong to; the page must not even show its name."""
    g.pop("tenant", None)
    abort(404)


def _allows_anonymous() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "without_account", False))


def _page_membership():
    if not current_user.is_authenticated:
        return None
    tenant_id, membership = g.get("_session_membership", (None, None))
    if tenant_id == g.tenant.id and (membership is None or membership.user_id == current_user.id):
        return membership  # read with the session (core.sessions)
    return db.session.scalar(select(Membership).where(Membership.user_id == current_user.id))


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _api_membership(tenant):
    token = _bearer_token()
    if token is None:
        abort(401, "Send an API token as 'Authorization: Bearer <token>'.")
    # Tokens cannot be guessed, but trying them by the million costs us: bad ones are counted per address.
    key = throttle.address_key("api-token")
    throttle.refuse_when_over("API_TOKEN_ADDRESS_LIMITS", key)
    row = None
    if tenant is not None:  # scoped like every query: another Trust's token is simply not found here
        hashed = token_hash(token)
        read = g.pop("_token_read", None)  # read with the Trust (``_with_the_caller``), for this token
        row = read[1] if read is not None and read[0] == hashed else db.session.scalar(_TOKEN, {"token_hash": hashed})
    if row is None or row.revoked:
        throttle.count_failure("API_TOKEN_ADDRESS_LIMITS", key)
        abort(401, "This API token is not valid for this Trust. It may have been revoked.")
    return row.membership


def app_blueprint_owner(blueprint_name):
    if not blueprint_name:
        return None
    root = blueprint_name.split(".")[0]
    return current_app.extensions["changing_lives_blueprint_owners"].get(root)


def mount_plugin_blueprints(app, api):
    """Mount every installed plugin's pages and API under the tenant's prefixes."""
    owners = app.extensions["changing_lives_blueprint_owners"]
    for plugin, page_blueprint in host_impls(app, "page_blueprint"):
        bp = page_blueprint()
        if bp is not None:
            app.register_blueprint(bp, url_prefix=f"/t/<slug>/{plugin}")
            owners[bp.name] = plugin
    for plugin, api_blueprint in host_impls(app, "api_blueprint"):
        bp = api_blueprint()
        if bp is not None:
            api.register_blueprint(bp, url_prefix=f"{API_PREFIX}/t/<slug>/{plugin}")
            owners[bp.name] = plugin


def host_impls(app, hook_name):
    return [(p, f) for p, f in app.extensions["changing_lives"].impls(hook_name) if p != "core"]


def _template_context():
    tenant = g.get("tenant")
    membership = g.get("membership")
    context = {"current_tenant": tenant, "membership": membership}
    if tenant is not None and membership is not None:
        context["nav_items"] = kept("navigation", (membership.id, membership.role, request.script_root),
                                    lambda: tuple(tenant_items("navigation", tenant=tenant, membership=membership)))
        # A service user of one Trust has nowhere to change to: the header leaves the link out
        # (the page itself is still there for anyone who types it).
        if membership.role == "service_user":
            from .frame import offers_change_organisation

            context["no_change_organisation"] = not offers_change_organisation(membership)
    from .auth import can

    context["can"] = can
    return context


__all__ = ["csrf", "limiter", "host", "mount_plugin_blueprints"]
