"""What a resource may hold, checked the same way for pages, the API and Trusts' packages.

``clean(data)`` returns every field of a resource, tidied, or raises
``CommandError`` naming each field that is wrong in plain words. Nothing is
stored by this module.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select

from core.commands import CommandError
from core.db import db
from core.models import Service

SCOPES = {"local": "Local", "national": "National"}
# The guide: "add other national organisations and individuals that you find helpful".
KINDS = {"organisation": "Organisation", "individual": "Individual"}
ORGANISATION, INDIVIDUAL = KINDS

# Words people type: kept apart from the hashed payload, so they can be erased.
WORD_FIELDS = ("name", "description", "address", "phone", "email", "website", "consent_by")
CONTACT_FIELDS = ("website", "phone", "email", "address")
FIELDS = (*WORD_FIELDS, "kind", "consent_on", "scope", "tags", "service_ids")

LIMITS = {"name": 200, "description": 4000, "address": 1000, "phone": 40, "email": 254, "website": 500,
          "consent_by": 200}
LABELS = {"name": "name", "description": "description", "address": "address", "phone": "telephone number",
          "email": "e-mail address", "website": "website", "consent_by": "name of who gave consent"}
TAG_LENGTH = 40
MAX_TAGS = 12
MAX_SERVICES = 500

# Offered as examples on the form; any tag of the same shape is accepted.
SUGGESTED_TAGS = ("user-led", "advocacy", "peer-support", "training", "research", "employment",
                  "volunteering", "carers", "publications", "charity")

TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHONE = re.compile(r"^[0-9+()\-. ]+$")
HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)

NO_CONTACT = ("Give at least one way to reach the organisation: a website, a telephone number, "
              "an e-mail address or an address.")
NO_CONSENT = ("A person's contact details are kept only with their consent: say who gave consent and on "
              "what day, or leave the website, telephone number, e-mail address and address empty.")


def _words(field: str, value, errors: dict) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = [f"Enter the {LABELS[field]} as text."]
        return ""
    value = value.strip()
    if len(value) > LIMITS[field]:
        errors[field] = [f"Keep the {LABELS[field]} to {LIMITS[field]} characters or fewer "
                         f"(this one has {len(value)})."]
    return value


def _email(value: str, errors: dict) -> str:
    if not value or "email" in errors:
        return value
    from email_validator import EmailNotValidError, validate_email  # imported when first used, not at start

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = ["Enter an e-mail address in the right format, like info@example.org.uk."]
        return value


def _website(value: str, errors: dict) -> str:
    """A web address, with https:// added when someone types www.example.org.uk."""
    if not value or "website" in errors:
        return value
    address = value if SCHEME.match(value) else f"https://{value}"
    problem = "Enter a web address in the right format, like https://www.example.org.uk."
    try:
        parts = urlsplit(address)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        errors["website"] = [problem]
        return value
    if (parts.scheme.lower() not in ("http", "https") or not HOST.match(host) or parts.username
            or parts.password or any(ch.isspace() for ch in address)):
        errors["website"] = [problem]
        return value
    return address


def _phone(value: str, errors: dict) -> str:
    if not value or "phone" in errors:
        return value
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE.match(value) or not 6 <= digits <= 15:
        errors["phone"] = ["Enter a telephone number using numbers and spaces, like 0121 496 0000."]
    return value


def tags_from_text(text: str) -> list[str]:
    """``"User led, advocacy"`` -> ``["user-led", "advocacy"]`` (checked later by ``clean``)."""
    return [part for part in (re.sub(r"[\s_]+", "-", p.strip().lower()) for p in (text or "").split(","))
            if part]


def _tags(value, errors: dict) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = tags_from_text(value)
    if not isinstance(value, (list, tuple)) or not all(isinstance(t, str) for t in value):
        errors["tags"] = ["Give the tags as a list of words, like user-led and advocacy."]
        return []
    tags = []
    for tag in (re.sub(r"[\s_]+", "-", t.strip().lower()) for t in value):
        if tag and tag not in tags:
            tags.append(tag)
    bad = [t for t in tags if not TAG.match(t) or len(t) > TAG_LENGTH]
    if bad:
        errors["tags"] = [f"Tags may use letters, numbers and hyphens, up to {TAG_LENGTH} characters each, "
                          f"like user-led. Check: {', '.join(bad[:3])}."]
    elif len(tags) > MAX_TAGS:
        errors["tags"] = [f"Give {MAX_TAGS} tags or fewer."]
    return tags


def _service_ids(value, errors: dict) -> list[int]:
    """Services of the Trust in context; another Trust's service is simply not found."""
    if value is None:
        return []
    if (not isinstance(value, (list, tuple))
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        errors["service_ids"] = ["Give the services as a list of service numbers."]
        return []
    wanted = sorted(set(value))
    if len(wanted) > MAX_SERVICES:
        errors["service_ids"] = [f"Choose {MAX_SERVICES} services or fewer."]
        return []
    if wanted:
        found = set(db.session.scalars(select(Service.id).where(Service.id.in_(wanted))))
        missing = [str(v) for v in wanted if v not in found]
        if missing:
            errors["service_ids"] = [f"There is no service numbered {', '.join(missing[:5])} in this Trust."]
    return wanted


def _consent_on(value, errors: dict) -> str:
    """The day consent was given, as ISO text ("" when none); never a day still to come."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            errors["consent_on"] = ["Enter the day consent was given as year-month-day, like 2026-03-27."]
            return ""
    else:
        errors["consent_on"] = ["Enter the day consent was given as year-month-day, like 2026-03-27."]
        return ""
    from core.reports import london_today  # the Trust's day, not the server's

    if day > london_today():
        errors["consent_on"] = ["The day consent was given must be today or earlier."]
    return day.isoformat()


def _kind(value, errors: dict) -> str:
    if value is None or value == "":
        return ORGANISATION
    kind = value.strip().lower() if isinstance(value, str) else value
    if kind not in KINDS:
        errors["kind"] = ["Choose whether it is an organisation or an individual."]
        return ORGANISATION
    return kind


def _consent(result: dict, errors: dict) -> None:
    """An individual's contact details need their consent, noted; an organisation needs none."""
    if result["kind"] == ORGANISATION:
        result["consent_by"], result["consent_on"] = "", ""
        return
    if result["consent_by"] and not result["consent_on"] and "consent_on" not in errors:
        errors["consent_on"] = ["Enter the day consent was given."]
    if result["consent_on"] and not result["consent_by"] and "consent_by" not in errors:
        errors["consent_by"] = ["Enter who gave consent."]
    consented = result["consent_by"] and result["consent_on"]
    if (not consented and any(result[f] for f in CONTACT_FIELDS)
            and "consent_by" not in errors and "consent_on" not in errors):
        errors["consent_by"] = [NO_CONSENT]


def clean(data: dict) -> dict:
    """Every field of a resource, tidied; raises CommandError with a message per wrong field."""
    errors: dict = {}
    unknown = sorted(set(data) - set(FIELDS))
    for key in unknown:
        errors[key] = ["This is not a detail a resource has."]
    result = {field: _words(field, data.get(field), errors) for field in WORD_FIELDS}
    result["kind"] = _kind(data.get("kind"), errors)
    result["consent_on"] = _consent_on(data.get("consent_on"), errors)
    individual = result["kind"] == INDIVIDUAL
    if not result["name"] and "name" not in errors:
        errors["name"] = ["Enter the person's name." if individual else "Enter the organisation's name."]
    result["email"] = _email(result["email"], errors)
    result["website"] = _website(result["website"], errors)
    result["phone"] = _phone(result["phone"], errors)
    _consent(result, errors)
    # A person may be listed without contact details (they are reached through the Trust).
    if (not individual and not any(result[f] for f in CONTACT_FIELDS)
            and not any(f in errors for f in CONTACT_FIELDS)):
        errors["contact"] = [NO_CONTACT]
    scope = data.get("scope")
    if scope not in SCOPES:
        errors["scope"] = ["Choose whether the organisation is local or national."]
    result["scope"] = scope
    result["tags"] = _tags(data.get("tags"), errors)
    result["service_ids"] = _service_ids(data.get("service_ids"), errors)
    if errors:
        messages = [m for values in errors.values() for m in values]
        raise CommandError(messages[0] if len(messages) == 1 else "Some details need correcting.", errors)
    return result
