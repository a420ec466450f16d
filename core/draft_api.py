"""The JSON API of a record people fill in over time (``core.drafts``).

The health check's reviews and the levels' assessments answer the same six
routes: start one, list them, read one (its version is the ETag), save more of
a draft (with If-Match), submit it, amend it. A plugin describes its record
once (``DraftApi``) with its own schemas and commands and registers the routes
on its blueprint; its other routes (compare, grid, overview...) stay its own.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import marshmallow as ma
from flask import abort
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from core.api import ErrorSchema, versions
from core.auth import require
from core.db import db
from core.drafts import STATUSES
from core.events import Conflict, EventError
from core.models import Service

# Messages under these keys belong to the request, not to one answer.
OWN_FIELDS = ("reason", "changes", "service_id")


def service_or_404(service_id: int, noun: str = "service") -> Service:
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404, f"There is no such {noun} in this Trust.")
    return service


def list_query_schema(name: str, thing: str) -> type[ma.Schema]:
    """``?service_id=&status=`` for a plugin's list of records (named for the OpenAPI document)."""
    return ma.Schema.from_dict({
        "service_id": fields.Integer(metadata={"description": f"Only this service's {thing}s"}),
        "status": fields.String(validate=validate.OneOf(STATUSES, error="Use draft or submitted.")),
    }, name=name)


@dataclass(frozen=True)
class DraftSchemas:
    create: type[ma.Schema]  # the content plus service_id and submit
    update: type[ma.Schema]  # the content plus version
    amend: type[ma.Schema]  # changes, reason, version
    record: type[ma.Schema]  # one record as answered
    listing: type[ma.Schema]  # {<path>: [record, ...]}
    query: type[ma.Schema]  # see list_query_schema


@dataclass(frozen=True)
class DraftApi:
    """What the shared routes need to know about one plugin's record.

    ``thing`` names the id argument (``<thing>_id``) and the endpoints
    (``create_<thing>``...); ``path`` is the URL part and the list's key.
    ``flatten``/``nest`` turn the API's shape into the commands' flat keys and
    the commands' messages back; ``as_json`` answers one record.
    """

    blp: Blueprint
    thing: str
    path: str
    noun: str
    permission: str
    model: type
    schemas: DraftSchemas
    find: Callable
    as_json: Callable
    in_order: Callable
    flatten: Callable[[dict], dict]
    nest: Callable[[dict], dict]
    start: Callable
    save: Callable
    submit: Callable
    amend: Callable
    needed_to_submit: str  # what submitting needs, for the route's description

    def record_or_404(self, record_id: int):
        record = self.find(record_id)
        if record is None:
            abort(404, f"There is no such {self.noun} in this Trust.")
        return record

    def run(self, step: Callable, *args, wrap: str | None = None):
        """Run a command and commit: its messages per flat key become the API's nested fields."""
        try:
            result = step(*args)
            db.session.commit()
            return result
        except Conflict:
            db.session.rollback()
            raise  # 409, or 412 for a stale If-Match (core.errors)
        except EventError as err:
            db.session.rollback()
            fields_ = self.nest({k: v for k, v in err.fields.items() if k not in OWN_FIELDS})
            if wrap and fields_:
                fields_ = {wrap: fields_}
            fields_.update({k: v for k, v in err.fields.items() if k in OWN_FIELDS})
            raise EventError(err.message, fields_) from None

    def errors(self, *codes: int):
        """Document the error answers a route may give, in core's error shape."""
        words = {
            403: "Your role may not do this (viewers read only)",
            404: f"No such {self.noun} or service in this Trust",
            409: f"The {self.noun}'s status does not allow this step (the message says why)",
            422: "Some answers need correcting: a message per field in error.fields; nothing was stored",
        }

        def decorate(view):
            for code in reversed(codes):
                view = self.blp.alt_response(code, schema=ErrorSchema, description=words[code])(view)
            return view
        return decorate

    def _versioned(self, record, status: int = 200):
        return self.as_json(record), status, versions.etag(record.version)

    def _route(self, view: Callable, name: str, doc: str) -> Callable:
        view.__name__ = f"{name}_{self.thing}"
        view.__doc__ = doc
        return view

    def register(self) -> None:
        blp, s, noun, one = self.blp, self.schemas, self.noun, f"/{self.path}/<int:{self.thing}_id>"
        allowed = require(self.permission)
        stale = f"The {noun}'s status does not allow it, or the version sent is older than the {noun}'s: " \
                "nothing was saved"

        def create(data):
            service_id, submit = data.pop("service_id"), data.pop("submit")
            return self.as_json(self.run(lambda: self.start(service_id, self.flatten(data), submit=submit)))

        blp.post(f"/{self.path}")(blp.arguments(s.create)(blp.response(201, s.record)(self.errors(403, 422)(
            allowed(self._route(create, "create", f'Start a new {noun}: a draft, or submitted at once with '
                                                   f'"submit": true.'))))))

        def listing(query):
            stmt = select(self.model)
            if "service_id" in query:
                service_or_404(query["service_id"])
                stmt = stmt.where(self.model.service_id == query["service_id"])
            if "status" in query:
                stmt = stmt.where(self.model.status == query["status"])
            return {self.path: [self.as_json(r) for r in self.in_order(db.session.scalars(stmt))]}

        blp.get(f"/{self.path}")(blp.arguments(s.query, location="query")(blp.response(200, s.listing)(
            self.errors(404, 422)(require("read")(self._route(
                listing, "list", f"The Trust's {self.path}, or one service's (service_id=), oldest first."))))))

        def read(**ids):
            return self._versioned(self.record_or_404(ids[f"{self.thing}_id"]))

        blp.get(one)(blp.response(200, s.record, headers=versions.ETAG_HEADER)(self.errors(404)(
            require("read")(self._route(read, "read", f"One {noun}, with its amendments; its version is the "
                                                      "ETag.")))))

        def update(data, **ids):
            record = self.record_or_404(ids[f"{self.thing}_id"])
            expected = versions.expected_version(data.pop("version", None))
            self.run(lambda: self.save(record, self.flatten(data), expected_version=expected))
            return self._versioned(record)

        blp.patch(one)(blp.arguments(s.update)(blp.response(200, s.record, headers=versions.ETAG_HEADER)(
            self.errors(403, 404, 422)(versions.document(blp, conflict=stale)(allowed(self._route(
                update, "update", "Save more of a draft: only the answers sent change (null clears one). 409 "
                                  "once submitted.\nSend If-Match (or version) so that a change made from an "
                                  "older copy is refused, not saved over.")))))))

        def submit(**ids):
            record = self.record_or_404(ids[f"{self.thing}_id"])
            self.run(self.submit, record)
            return self.as_json(record)

        blp.post(f"{one}/submit")(blp.response(200, s.record)(self.errors(403, 404, 409, 422)(allowed(
            self._route(submit, "submit", f"Submit a draft: {self.needed_to_submit} 409 if already "
                                          "submitted.")))))

        def amend(data, **ids):
            record = self.record_or_404(ids[f"{self.thing}_id"])
            expected = versions.expected_version(data.get("version"))
            self.run(lambda: self.amend(record, self.flatten(data["changes"]), data.get("reason"),
                                        expected_version=expected), wrap="changes")
            return self._versioned(record, 201)

        blp.post(f"{one}/amendments")(blp.arguments(s.amend)(blp.response(
            201, s.record, headers=versions.ETAG_HEADER)(self.errors(403, 404, 422)(versions.document(
                blp, conflict=stale)(allowed(self._route(
                    amend, "amend", f"Correct a submitted {noun}. It lists each amendment with who made it and "
                                    "when. 409 for a draft.\nSend If-Match (or version) so that an amendment "
                                    "made from an older copy is refused.")))))))
