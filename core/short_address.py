"""Short addresses a person can type from paper: ``/i/ABCD-2345``.

A code is 8 characters from an alphabet without the look-alikes 0, O, 1 and I
(32 characters: 40 bits), shown in two groups of four. Only a hash of
it is kept, as for a link's token. What a person types is tidied first: small
letters, dashes and spaces do not matter. ``/i/<code>`` names no Trust, so
plugins find their row from the code (hook ``short_address``); wrong guesses are
counted per network address (core.throttle) and answered with a plain page.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, current_app, redirect, render_template

from . import throttle
from .plugins import host

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0 O 1 I
LENGTH = 8
NOT_FOUND = "We could not find that address"

bp = Blueprint("short_address", __name__)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def tidy(typed: str) -> str | None:
    """The code a person meant, or None when it cannot be one (wrong length or letters)."""
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    code = "".join(ch for ch in typed.upper() if ch not in " -\u2013\u2014_.\t")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def shown(code: str) -> str:
    """ABCD-2345: two groups of four are easier to read out and copy."""
    return f"{code[:4]}-{code[4:]}"


def path(code: str) -> str:
    return f"/i/{shown(code)}"


def _key() -> str:
    return throttle.address_key("short-address")


@bp.get("/i/<path:typed>")
def follow(typed):
    throttle.refuse_when_over("SHORT_ADDRESS_LIMITS", _key())
    code = tidy(typed)
    target = None
    if code is not None:
        for answer in host().pm.hook.short_address(code=code):
            if answer:
                target = answer
                break
    if target is None:
        throttle.count_failure("SHORT_ADDRESS_LIMITS", _key())
        response = current_app.make_response((render_template(
            "errors/error.html", code=404, title=NOT_FOUND,
            message="Check the letters and numbers. The address is on the sheet or message you were "
                    "given; small letters, capitals and dashes all work."), 404))
        response.headers["Cache-Control"] = "no-store"
        return response
    response = redirect(target)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
