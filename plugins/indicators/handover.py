"""Handing a new invitation link over: its QR code (SVG and PNG), a printable sheet, words for a text.

Only the SHA-256 of a link's token is kept, so all of these are made from the
token while someone holds it: on the page that shows a new link, and when that
page sends the token back (a POST) for the PNG or the sheet. ``token_matches``
checks the token sent back belongs to the invitation; nothing is stored.
"""
from __future__ import annotations

import hmac
import io
import re

import segno
from markupsafe import Markup

from core.auth import token_hash
from core.reports import long_date

QR_ALT = "QR code for the invitation. Point a phone's camera at it to open the questions."


def token_matches(invitation, token) -> bool:
    if not isinstance(token, str) or not token or len(token) > 200:
        return False
    return hmac.compare_digest(token_hash(token), invitation.token_hash)


def short_link(token: str) -> str | None:
    """The link's short address to type from paper (https://host/i/ABCD-2345), or None for a
    link made before short addresses."""
    from flask import url_for

    from core.short_address import shown

    from .commands import short_code_of

    code = short_code_of(token)
    return url_for("short_address.follow", typed=shown(code), _external=True) if code else None


def _code(link: str):
    # Error correction "M" survives a crease or a smudge on a printed sheet.
    return segno.make(link, error="m", micro=False)


def qr_svg(link: str, scale: int = 4) -> Markup:
    """The QR code as inline SVG with its text alternative (a title the SVG is labelled by)."""
    svg = _code(link).svg_inline(scale=scale, border=2, title=QR_ALT, svgclass="app-qr", dark="#000",
                                 light="#fff")
    # A viewBox, so that a style may size the code (the printed sheet's is 90 mm) without cutting it off.
    found = re.match(r'<svg width="(\d+)" height="(\d+)"', svg)
    view_box = f'viewBox="0 0 {found.group(1)} {found.group(2)}" ' if found else ""
    return Markup(svg.replace("<svg ", f"<svg {view_box}role=\"img\" aria-label=\"{QR_ALT}\" focusable=\"false\" ", 1))


def qr_png(link: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _code(link).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def text_message(service_name: str, link: str, expires_on, short: str | None = None) -> str:
    """Suggested words for a text message: short, plain, and saying names are not needed."""
    # The link on a line of its own, so a phone does not take the next word or a full stop into it.
    # The short address when there is one: easier to read on a small screen, and to type if need be.
    until = f"\nIt works until the end of {long_date(expires_on)}." if expires_on else ""
    return (f"Hello. We would like to know what you think of {service_name}. It takes about 10 minutes "
            f"and you do not need to give your name. Open this link to answer:\n{short or link}{until}")
