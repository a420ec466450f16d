"""A report read at one head of the log, and what every export of it says about itself.

The head (the latest event's seq and hash) ties a copy to the log: anyone can
later check that the log still ends at, or passes through, that hash
(``events verify --expect-head``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask import abort
from sqlalchemy import select

from .. import events, reports
from ..db import db
from ..history import When
from ..models import Service
from ..reports import Fragment

# Reading the head and then the report is not one snapshot on PostgreSQL (READ
# COMMITTED): a change committed in between shows as a new head, and the report
# is read again.
ATTEMPTS = 3


@dataclass
class Report:
    """A Trust's or a service's report as one question sees it, with the facts that tie it to the log."""

    trust: str
    trust_slug: str
    when: When
    fragments: list[Fragment]
    service: dict | None  # id, name (on the report's day), kind, archived; None for the Trust's report
    made_at: datetime
    head_seq: int
    head_hash: str

    @property
    def heading(self) -> str:
        return f"Report for {self.service['name'] if self.service else self.trust}"

    @property
    def made_words(self) -> str:
        return reports.long_time(self.made_at)

    def about(self) -> dict[str, Any]:
        """The facts about this copy as JSON-able values, in the order a reader wants them."""
        return {
            "trust": self.trust,
            "trust_slug": self.trust_slug,
            "service_id": self.service["id"] if self.service else None,
            "service": self.service["name"] if self.service else None,
            "as_of": self.when.day.isoformat(),
            "known_on": self.when.known_on.isoformat() if self.when.known_on else None,
            "question": self.when.words(),
            "made_at": self.made_at.isoformat(timespec="seconds"),
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
        }


def service_in_trust(service_id: int) -> Service:
    """The service, or 404: the tenant scope makes another Trust's service unknown here."""
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    return service


class NotYetAdded(LookupError):
    """The service had not been added by the report's day: there is nothing to export."""

    def __init__(self, service: Service, when: When):
        self.added_on = reports.london_day(service.created_at)
        self.words = (f"{service.name} had not been added to Changing Lives yet at the end of "
                      f"{reports.long_date(when.day)}. It was added on {reports.long_date(self.added_on)}.")
        super().__init__(self.words)


def read_report(tenant, when: When, service: Service | None = None) -> Report:
    """The report, and the head of the log it was read at; NotYetAdded for a service not added by then."""
    seq, digest = events.head(tenant.id)
    for _ in range(ATTEMPTS):
        made_at = datetime.now(timezone.utc)
        if service is None:
            about_service, fragments = None, reports.tenant_report(tenant, when)
        else:
            then = reports.service_as_of(service.id, when)
            if then is None:
                raise NotYetAdded(service, when)
            about_service = {"id": service.id, "name": then.name, "kind": then.kind, "archived": then.archived}
            fragments = reports.service_report(service, when)
        latest = events.head(tenant.id)
        if latest == (seq, digest):
            break
        seq, digest = latest
    return Report(tenant.name, tenant.slug, when, fragments, about_service, made_at, seq, digest)


def as_json(report: Report) -> dict:
    """The report as the API gives it, with the facts about this copy at the top."""
    about = {key: value for key, value in report.about().items() if key not in ("service_id", "service")}
    body = {**about, "fragments": [{"plugin": f.plugin, "title": f.title, "data": f.data}
                                   for f in report.fragments]}
    if report.service is not None:
        body["service"] = report.service
    return body
