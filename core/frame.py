"""The header and footer around every page, each made once per set of what it shows and kept.

Building the header's parameters in the layout (the navigation, the account links, a URL for
each) cost more than the rest of a simple page. What they show depends on a handful of plain
values, the Trust, whether someone is signed in, the navigation and which item is the
current one, so the markup is kept per worker under those values, in the same store as the
NHS.UK components (``core.components``). What is per person or per request, their name and the
sign-out form's CSRF token, goes in afterwards in place of placeholders.
"""
from __future__ import annotations

from flask import current_app, request
from jinja2 import pass_context
from markupsafe import Markup, escape

from .components import kept_markup

NAME = "app-person-name-goes-here"
CSRF = "app-csrf-token-goes-here"


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
    key = ("header", request.script_root, tenant.slug if tenant else None, values["tenant_name"], signed_in, values["no_account"],
           values["offer_change_organisation"], navigation)
    markup = kept_markup(key, lambda: _render("frame/header.html", values))
    if signed_in:
        markup = markup.replace(CSRF, current_app.jinja_env.globals["csrf_token"]())
        markup = markup.replace(NAME, escape(user.display_name or "Signed in"))  # Markup.replace escapes a str
    return Markup(markup)


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


def init_app(app) -> None:
    app.add_template_global(page_header)
    app.add_template_global(page_footer)
