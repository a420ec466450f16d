"""Security headers on every response.

A Content-Security-Policy that runs only the app's own scripts (no inline
script; inline ``<style>`` only with the request's nonce), no framing by other
sites, no sniffing, no referrer (invitation links carry tokens), HTTPS and HSTS
in production, and ``Cache-Control: no-store`` on everything but static files,
so a shared computer's cache never keeps a signed-in page or an API answer.

The headers are written once, when the app is made; only the nonce is new for
each request. (flask-talisman rebuilt the policy from its parts and looked its
options up again several times on every response: a tenth of what a kept page
cost to serve.)
"""
from __future__ import annotations

import secrets

from flask import redirect, request
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
NONCE_IN = ("script-src", "style-src")  # the directives that also allow what carries the request's nonce
NO_DEVICE_FEATURES = {feature: "()" for feature in ("camera", "microphone", "geolocation", "payment", "usb")}
HSTS = "max-age=31556926; includeSubDomains"  # a year


def init_app(app) -> None:
    production = bool(app.config.get("PRODUCTION"))
    # The policy's text cut where the request's nonce goes: ``nonce.join(around_nonce)`` is the header.
    around_nonce = _policy(" 'nonce-\0'").split("\0")
    without_nonce = _policy("")
    fixed = (
        ("Permissions-Policy", ", ".join(f"{feature}={allowed}" for feature, allowed in NO_DEVICE_FEATURES.items())),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    )

    @app.before_request
    def _https_and_nonce():
        if production and not app.debug and not _secure():
            if request.url.startswith("http://"):
                return redirect(request.url.replace("http://", "https://", 1), code=302)
        request.csp_nonce = secrets.token_urlsafe(24)
        return None

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        for name, value in fixed:
            headers[name] = value
        nonce = getattr(request, "csp_nonce", None)
        headers["Content-Security-Policy"] = nonce.join(around_nonce) if nonce else without_nonce
        if production and _secure():
            headers["Strict-Transport-Security"] = HSTS
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response

    app.add_template_filter(with_style_nonce)


def _policy(nonce_source: str) -> str:
    return "; ".join(f"{directive} {sources}{nonce_source if directive in NONCE_IN else ''}"
                     for directive, sources in POLICY.items())


def _secure() -> bool:
    return request.is_secure or request.headers.get("X-Forwarded-Proto", "http") == "https"


def with_style_nonce(svg) -> Markup:
    """An inline drawing's own ``<style>`` element, allowed by the response's nonce (put in as the
    page leaves, so the drawing can be kept; see core.frame)."""
    from .frame import NONCE

    return Markup(str(svg).replace("<style", f'<style nonce="{NONCE}"'))
