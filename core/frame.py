"""The header and footer around every page, kept; and what is per request put into a page last.

Building the header's parameters in the layout (the navigation, the account links, a URL for
each) cost more than the rest of a simple page. What they show depends on a handful of plain
values, the Trust, whether someone is signed in, the navigation and which item is the current
one, so the markup is kept per worker under those values, in the same store as the NHS.UK
components (``core.components``).

What is per request or per person, the CSP nonce, the sign-out form's CSRF token and the
person's name, is never rendered into markup: templates write a placeholder (``csp_nonce()``
returns one; the header holds the others), and ``fill_in`` puts the real values into each HTML
response as it leaves. So any markup, a whole page included, can be kept and served to whoever
may see it. The placeholders are random per worker, so no one can type one into a page.
"""
from __future__ import annotations

import secrets
import threading

from cachetools import LRUCache
from flask import current_app, request, session
from jinja2 import pass_context
from markupsafe import Markup, escape

from .components import kept_markup

_WORKER = secrets.token_hex(6)
NONCE = f"app-nonce-{_WORKER}"
CSRF = f"app-csrf-{_WORKER}"
NAME = f"app-name-{_WORKER}"


def _given(ctx, name):
    value = ctx.get(name)
    return value if value else None  # missing or undefined: None


@pass_context
def page_header(ctx) -> Markup:
    tenant = _given(ctx, "current_tenant")
    user = _given(ctx, "current_user")
    signed_in = bool(user and user.is_authenticated)
    path = request.path
    navigation = tuple(
        (str(item.label), item.href, path == item.href, item.href != "/" and path.startswith(f"{item.href}/"))
        for item in (_given(ctx, "nav_items") or ()))
    values = {
        "tenant_name": tenant.name if tenant else None,
        "signed_in": signed_in,
        "no_account": bool(_given(ctx, "no_account")),
        "offer_change_organisation": bool(tenant and not _given(ctx, "no_change_organisation")),
        "navigation": tuple({"text": escape(label), "href": href, "current": current, "active": active}
                            for label, href, current, active in navigation),
    }
    key = ("header", request.script_root, tenant.slug if tenant else None, values["tenant_name"], signed_in,
           values["no_account"], values["offer_change_organisation"], navigation)
    return kept_markup(key, lambda: _render("frame/header.html", values))


@pass_context
def page_footer(ctx) -> Markup:
    tenant = _given(ctx, "current_tenant")
    inside = bool(tenant and _given(ctx, "membership"))
    values = {"inside": inside, "tenant_name": tenant.name if tenant else None}
    key = ("footer", request.script_root, tenant.slug if tenant else None, inside, values["tenant_name"])
    return kept_markup(key, lambda: _render("frame/footer.html", values))


def _render(template: str, values: dict) -> Markup:
    return Markup(current_app.jinja_env.get_template(template).render(
        name_placeholder=NAME, csrf_placeholder=CSRF, **values))


def nonce_placeholder() -> str:
    """``csp_nonce()`` in templates: the request's nonce goes in when the page leaves (``fill_in``)."""
    return NONCE


def fill_in(response):
    """``after_request``: the request's own values in place of the placeholders of an HTML page.

    One pass: the page is cut at the worker's mark, which ends every placeholder, and joined again
    with each placeholder's value (each worked out once, and only if the page holds it)."""
    if response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed:
        return response
    pieces = response.get_data().split(_MARK)
    if len(pieces) == 1:
        return response
    values: dict = {}
    page = []
    for piece in pieces[:-1]:
        for prefix, value in _PLACEHOLDERS:
            if piece.endswith(prefix):
                page += (piece[:-len(prefix)], values[prefix] if prefix in values
                         else values.setdefault(prefix, value()))
                break
        else:  # the mark outside a placeholder (it cannot be typed in, but never change what is not ours)
            page += (piece, _MARK)
    page.append(pieces[-1])
    response.set_data(b"".join(page))
    return response


def _nonce() -> bytes:
    return getattr(request, "csp_nonce", "").encode()


def _csrf() -> bytes:
    """The sign-out form's token. Signing one costs more than the rest of filling in a page, and with
    no time limit on tokens (``WTF_CSRF_TIME_LIMIT``) one signed earlier for the session's own secret
    is as good as a new one: each worker keeps what it signed, per secret."""
    sign = current_app.jinja_env.globals["csrf_token"]  # flask-wtf's generate_csrf
    config = current_app.config
    own = session.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not isinstance(own, str) or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return sign().encode()
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, own)
    with _SIGNED_LOCK:
        signed = _SIGNED.get(key)
    if signed is None:
        signed = sign().encode()
        with _SIGNED_LOCK:
            _SIGNED[key] = signed
    return signed


# A store of its own: one token per session in core.cache's would push the kept reports out.
_SIGNED: LRUCache = LRUCache(maxsize=4096)
_SIGNED_LOCK = threading.Lock()  # gthread workers share it


def _name() -> bytes:
    from flask_login import current_user

    name = current_user.display_name if current_user.is_authenticated else ""
    return str(escape(name or "Signed in")).encode()


_MARK = _WORKER.encode()
# Each placeholder is its kind's prefix and then the mark.
_PLACEHOLDERS = tuple((text[:-len(_WORKER)].encode(), value) for text, value in ((NONCE, _nonce), (CSRF, _csrf), (NAME, _name)))


def kept_page(name: str, parts: tuple, render):
    """``render()`` (a view's answer), kept whole per member and address until the Trust records
    anything (``core.cache.derived``: the log head, the sections on, the day and the role are in
    the key already), since what is per request goes in as the page leaves (``fill_in``). Not while
    a message waits to be shown once; and whatever ``render`` raises is never kept."""
    from flask import g, session

    from .cache import derived

    if "_flashes" in session:
        return render()
    membership = g.membership

    def render_unless_personal():
        answer = render()
        page = answer[0] if isinstance(answer, tuple) else answer
        if str(page).count('name="csrf_token"') != str(page).count(CSRF):
            raise _NotKept(answer)  # a form holds this session's own token: made afresh every time
        return answer

    try:
        return derived("page:" + name, (request.path, request.query_string, request.script_root, membership.id,
                                        offers_change_organisation(membership), *parts), render_unless_personal)
    except _NotKept as made:
        return made.answer


class _NotKept(Exception):
    def __init__(self, answer):
        super().__init__("not kept")
        self.answer = answer


def offers_change_organisation(membership) -> bool:
    """What the header shows that is not in the Trust's log: a service user of one Trust is not
    offered "Change organisation" (the page itself is still there for anyone who types it)."""
    if membership.role != "service_user":
        return True
    from .views.auth import one_trust_only

    return not one_trust_only()


def init_app(app) -> None:
    app.add_template_global(page_header)
    app.add_template_global(page_footer)
    app.jinja_env.globals["csp_nonce"] = nonce_placeholder
    app.after_request(fill_in)
