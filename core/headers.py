"""Security headers on every response, with flask-talisman.

A Content-Security-Policy that runs only the app's own scripts (no inline
script; inline ``<style>`` only with the request's nonce), no framing by other
sites, no sniffing, no referrer (invitation links carry tokens), HTTPS and HSTS
in production, and ``Cache-Control: no-store`` on everything but static files,
so a shared computer's cache never keeps a signed-in page or an API answer.
"""
from __future__ import annotations

from flask import request
from flask_talisman import Talisman
from markupsafe import Markup

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",  # SVG charts set a style attribute; attributes cannot run script
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
NO_DEVICE_FEATURES = {feature: "()" for feature in ("camera", "microphone", "geolocation", "payment", "usb")}


def init_app(app) -> None:
    production = bool(app.config.get("PRODUCTION"))
    talisman = Talisman(
        app,
        force_https=production,
        strict_transport_security=production,
        frame_options="DENY",
        content_security_policy=POLICY,
        content_security_policy_nonce_in=["script-src", "style-src"],
        referrer_policy="no-referrer",
        permissions_policy=NO_DEVICE_FEATURES,
        session_cookie_secure=production,
        session_cookie_http_only=True,
    )
    app.extensions["talisman"] = talisman
    app.add_template_filter(with_style_nonce)
    app.after_request(_no_store)


def with_style_nonce(svg) -> Markup:
    """An inline drawing's own ``<style>`` element, allowed by the response's nonce (put in as the
    page leaves, so the drawing can be kept; see core.frame)."""
    from .frame import NONCE

    return Markup(str(svg).replace("<style", f'<style nonce="{NONCE}"'))


def _no_store(response):
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response
