"""Where someone answering can get support now: the one place the invitation pages take it from.

The Trust's own contact is set by its admins in core (``/t/<slug>/contact/edit``); the
national lines below are shown with it on every invitation page. Trusts that wrote a
support contact in the indicators' settings before the Trust's contact existed keep it
(``indicators.settings_changed`` still projects it): it is shown until a Trust contact is set.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    name: str
    how: str


NATIONAL = (
    Line("NHS 111", "Call 111 and choose option 2 for mental health support, day or night."),
    Line("Samaritans", "Call 116 123, free, day or night, to talk about anything that is troubling you."),
)
EMERGENCY = "If you or someone else is in danger now, call 999."


def support() -> dict:
    from core.commands import trust_contact

    from .commands import support_contact

    trust = trust_contact()
    trust = trust if trust is not None and not trust.empty else None
    return {"trust": trust, "contact": "" if trust else support_contact(), "lines": NATIONAL, "emergency": EMERGENCY}
