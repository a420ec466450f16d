"""Optimistic concurrency for the API: GET gives an ETag, a write names the version it was made from.

The ETag of a record is its version in quotes (``"7"``). A write sends it back
in ``If-Match`` (or the same number as a ``version`` field in the body); the
command compares it with the stored version under the Trust's lock, so a write
made from an older copy is refused and nothing is overwritten: 412 for
``If-Match``, 409 for ``version`` (see ``core.events.Stale``). A write that
names no version is not checked.
"""
from __future__ import annotations

import re

import marshmallow as ma
from flask import abort, request

from . import ErrorSchema

_TAG = re.compile(r'\s*(?:W/)?"(\d{1,9})"\s*')

ETAG_HEADER = {"ETag": {"description": "The record's version, to send back in If-Match when changing it",
                        "schema": {"type": "string", "example": '"7"'}}}
IF_MATCH = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
            "description": "The ETag from GET. If the record has changed since, nothing is saved and the "
                           "answer is 412 with both version numbers in error.fields.version."}


def version_field(what: str) -> ma.fields.Integer:
    """The body's alternative to If-Match; a stale one gets 409."""
    return ma.fields.Integer(load_only=True, strict=True, validate=ma.validate.Range(min=0, max=10**9),
                             metadata={"description": f"The {what}'s version this change was made from "
                                                      "(as GET returned it). If it has changed since, nothing "
                                                      "is saved and the answer is 409."})


def etag(version: int) -> dict:
    """Response headers carrying a record's version."""
    return {"ETag": f'"{version}"'}


def expected_version(body_version: int | None = None) -> int | None:
    """The version a write was made from: If-Match when sent (``*`` matches any), else the body's."""
    header = request.headers.get("If-Match")
    if header is None:
        return body_version
    if header.strip() == "*":
        return None
    match = _TAG.fullmatch(header)
    if match is None:
        abort(412, 'If-Match must be the ETag that GET returned, like "7".')
    return int(match.group(1))


def document(blp, conflict: str | None = None):
    """Document a write's If-Match header and its 412 answer on ``blp``, and its 409 when ``conflict``
    says when it comes (else the route documents it)."""
    def decorate(view):
        if conflict:
            view = blp.alt_response(409, schema=ErrorSchema, description=conflict)(view)
        view = blp.alt_response(412, schema=ErrorSchema,
                                description="If-Match names an older version: someone else saved first, "
                                            "and nothing was saved")(view)
        return blp.doc(parameters=[IF_MATCH])(view)
    return decorate
