"""The resources' JSON API, mounted by core at /api/v1/t/<slug>/resources/.

The same rules as the pages (``plugins.resources.rules``): bad input answers
422 with a plain message per field and stores nothing; a resource that cannot
change that way (already archived, kept by a package) answers 409; another
Trust's resource or service is not found (404 and 422).
"""
from __future__ import annotations

import marshmallow as ma
from flask import Response, g, request
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import IntegrityError

from core.api import ErrorDetail, ErrorSchema, versions
from core.auth import require
from core.db import db

from . import commands, packages, queries, spreadsheet
from .models import Resource
from .rules import KINDS, LIMITS, MAX_SERVICES, MAX_TAGS, SCOPES, TAG_LENGTH

blp = Blueprint("api_resources", __name__, description=(
    "Local and national organisations a Trust's services can draw on for resources and expertise "
    "in involving service users, including those a Trust ships in its own package."))

UNKNOWN = "This is not a detail a resource has."


def _text(field: str, what: str, *, required: bool = False, description: str = ""):
    messages = {"invalid": f"Enter the {what} as text.", "null": f"Enter the {what} as text."}
    if required:
        messages["required"] = f"Enter the {what}."
    return ma.fields.String(
        required=required, allow_none=not required, error_messages=messages,
        validate=ma.validate.Length(max=LIMITS[field], error=f"Keep the {what} to {LIMITS[field]} characters or fewer."),
        metadata={"description": description or f"The {what}"})


class Strict(ma.Schema):
    error_messages = {"unknown": UNKNOWN, "type": "Send the details as a JSON object, like {\"name\": \"Mind\"}."}


class ResourceIn(Strict):
    name = _text("name", "organisation's or person's name", required=True)
    kind = ma.fields.String(validate=ma.validate.OneOf(
        KINDS, error="Choose whether it is an organisation or an individual: organisation or individual."),
        error_messages={"invalid": "Choose organisation or individual.", "null": "Choose organisation or individual."},
        metadata={"description": "organisation (the default) or individual"})
    consent_by = _text("consent_by", "name of who gave consent", description=(
        "An individual's consent for their contact details: who gave it. Without it (and consent_on) "
        "an individual's contact details are refused"))
    consent_on = ma.fields.Date(allow_none=True, error_messages={
        "invalid": "Enter the day consent was given as year-month-day, like 2026-03-27."},
        metadata={"description": "The day the individual gave consent (YYYY-MM-DD)"})
    scope = ma.fields.String(required=True, validate=ma.validate.OneOf(
        SCOPES, error="Choose whether the organisation is local or national: local or national."),
        error_messages={"required": "Choose whether the organisation is local or national.",
                        "null": "Choose whether the organisation is local or national."},
        metadata={"description": "local or national"})
    description = _text("description", "description", description="What it does (optional)")
    address = _text("address", "address", description="Postal address (optional)")
    phone = _text("phone", "telephone number", description="Telephone number (optional)")
    email = _text("email", "e-mail address", description="E-mail address (optional)")
    website = _text("website", "website", description="Web address (optional); https:// is added when missing")
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=TAG_LENGTH, error=f"Keep each tag to {TAG_LENGTH} characters.")),
        validate=ma.validate.Length(max=MAX_TAGS, error=f"Give {MAX_TAGS} tags or fewer."),
        error_messages={"invalid": "Give the tags as a list of words.", "null": "Give the tags as a list of words."},
        metadata={"description": "Short words such as user-led, advocacy, training"})
    service_ids = ma.fields.List(
        ma.fields.Integer(strict=True, error_messages={"invalid": "Give each service as its number."}),
        validate=ma.validate.Length(max=MAX_SERVICES, error=f"Choose {MAX_SERVICES} services or fewer."),
        error_messages={"invalid": "Give the services as a list of service numbers.",
                        "null": "Give the services as a list of service numbers; an empty list means every service."},
        metadata={"description": "The services it is for; empty: every service in the Trust"})


class ResourcePatch(ResourceIn):
    """Any of the details; those left out stay as they are (loaded with ``partial=True``)."""

    version = versions.version_field("resource")


class ResourceOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "organisation or individual"})
    scope = ma.fields.String(metadata={"description": "local or national"})
    description = ma.fields.String()
    address = ma.fields.String()
    phone = ma.fields.String()
    email = ma.fields.String()
    website = ma.fields.String()
    consent_by = ma.fields.String(metadata={"description": "An individual's consent: who gave it"})
    consent_on = ma.fields.Date(allow_none=True, metadata={"description": "An individual's consent: the day"})
    tags = ma.fields.List(ma.fields.String())
    service_ids = ma.fields.List(ma.fields.Integer(), metadata={"description": "Empty: every service"})
    archived = ma.fields.Boolean()
    source = ma.fields.String(metadata={"description": "people, guide (the guide's national organisations) "
                                                      "or package (a Trust's local-resource package)"})
    package = ma.fields.String(allow_none=True, metadata={"description": "The package it comes from, if any"})
    package_key = ma.fields.String(allow_none=True, metadata={"description": "Its key within that package"})
    version = ma.fields.Integer(metadata={"description": "Changes applied so far"})
    added_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    checked_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When someone last confirmed the details (adding or changing it counts)"})


class ResourceList(ma.Schema):
    resources = ma.fields.List(ma.fields.Nested(ResourceOut))


class ResourceQuery(Strict):
    service_id = ma.fields.Integer(metadata={"description": "Only resources for this service (and those for every service)"},
                                   error_messages={"invalid": "Give the service as its number."})
    scope = ma.fields.String(validate=ma.validate.OneOf(SCOPES, error="Choose local or national."))
    tag = ma.fields.String(validate=ma.validate.Length(max=TAG_LENGTH))
    q = ma.fields.String(validate=ma.validate.Length(max=200), metadata={"description": "Words to search for"})
    archived = ma.fields.Boolean(load_default=False, error_messages={"invalid": "Answer true or false."},
                                 metadata={"description": "List archived resources instead"})
    unchecked = ma.fields.Boolean(load_default=False, error_messages={"invalid": "Answer true or false."},
                                  metadata={"description": "Only those not checked for a year"})


class RefreshOut(ma.Schema):
    added = ma.fields.Integer()
    updated = ma.fields.Integer()
    restored = ma.fields.Integer()
    archived = ma.fields.Integer(metadata={"description": "Archived because their package no longer offers them"})
    problems = ma.fields.List(ma.fields.String(), metadata={"description": "What could not be brought in, and why"})


def _resource(resource_id: int) -> Resource:
    resource = commands.resource_by_id(resource_id)
    if resource is None:
        abort(404, message="There is no resource with that number in this Trust.")
    return resource


@blp.get("/resources")
@blp.arguments(ResourceQuery, location="query")
@blp.response(200, ResourceList)
@require("read")
def list_resources(query):
    """The Trust's resources, by name; filter by service, scope, tag or words."""
    service_id = query.get("service_id")
    if service_id is not None and service_id not in queries.service_names():
        abort(404, message="There is no service with that number in this Trust.")
    rows = queries.matching(queries.resources(archived=query["archived"]), service_id=service_id,
                            scope=query.get("scope"), tag=query.get("tag"), text=query.get("q"))
    if query["unchecked"]:
        rows = queries.unchecked(rows)
    return {"resources": rows}


@blp.post("/resources")
@blp.arguments(ResourceIn)
@blp.response(201, ResourceOut)
@require("facilitate")
def create_resource(data):
    """Add a resource."""
    resource = commands.add_resource(data)
    db.session.commit()
    return resource


@blp.get("/resources/<int:resource_id>")
@blp.response(200, ResourceOut, headers=versions.ETAG_HEADER)
@require("read")
def read_resource(resource_id):
    """One resource; its version is the ETag."""
    resource = _resource(resource_id)
    return resource, 200, versions.etag(resource.version)


@blp.patch("/resources/<int:resource_id>")
@blp.arguments(ResourcePatch(partial=True))
@blp.response(200, ResourceOut, headers=versions.ETAG_HEADER)
@blp.alt_response(409, schema=ErrorSchema, description="Kept by a package, or the version sent is older than "
                                                        "the resource's: nothing was saved")
@versions.document(blp)
@require("facilitate")
def update_resource(data, resource_id):
    """Change some details of a resource (not one kept by a package). Send If-Match (or version) so that
    a change made from an older copy is refused, not saved over."""
    resource = _resource(resource_id)
    expected = versions.expected_version(data.pop("version", None))
    commands.change_resource(resource, data, expected_version=expected)  # a Conflict answers 409 (or 412)
    db.session.commit()
    return resource, 200, versions.etag(resource.version)


def _set_archived(resource_id: int, archive: bool) -> Resource:
    resource = _resource(resource_id)
    commands.archive_resource(resource) if archive else commands.restore_resource(resource)  # done: 409
    db.session.commit()
    return resource


@blp.post("/resources/<int:resource_id>/archive")
@blp.response(200, ResourceOut)
@require("manage")
def archive_resource(resource_id):
    """Archive a resource: it leaves the list, and its history is kept."""
    return _set_archived(resource_id, True)


@blp.post("/resources/<int:resource_id>/check")
@blp.response(200, ResourceOut)
@blp.alt_response(409, schema=ErrorSchema, description="The resource is archived")
@require("manage")
def check_resource(resource_id):
    """Note that the details are still right: only its last-checked time changes."""
    resource = _resource(resource_id)
    commands.check_resource(resource)
    db.session.commit()
    return resource


@blp.post("/resources/<int:resource_id>/restore")
@blp.response(200, ResourceOut)
@require("manage")
def restore_resource(resource_id):
    """Bring an archived resource back into the list."""
    return _set_archived(resource_id, False)


@blp.post("/refresh")
@blp.response(200, RefreshOut)
@require("manage")
def refresh():
    """Record what the Trust's local-resource packages offer now."""
    try:
        work = packages.refresh(g.tenant)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort(409, message="Someone else refreshed the local resources at the same moment. Try again.")
    return {"added": len(work.add), "updated": len(work.change), "restored": len(work.restore),
            "archived": len(work.withdraw), "problems": work.problems}


class ImportQuery(Strict):
    dry_run = ma.fields.Boolean(load_default=False, error_messages={"invalid": "Answer true or false."},
                                metadata={"description": "true: only check the file and say what it would do"})
    skip_refused = ma.fields.Boolean(load_default=False, error_messages={"invalid": "Answer true or false."},
                                     metadata={"description": "true: record the rows that pass, skipping refused ones"})


class ImportError_(ma.Schema):
    row = ma.fields.Integer(metadata={"description": "The row's number in the file; the header is row 1"})
    field = ma.fields.String(metadata={"description": "The column"})
    message = ma.fields.String()


class ImportOut(ma.Schema):
    added = ma.fields.Integer()
    updated = ma.fields.Integer()
    retired = ma.fields.Integer()
    errors = ma.fields.List(ma.fields.Nested(ImportError_))


class ImportRefusedOut(ImportOut):
    """422: rows refused (``errors``), or the request's own options were wrong (``error``, as everywhere)."""

    error = ma.fields.Nested(ErrorDetail)


@blp.get("/resources/export.csv")
@blp.response(200, content_type="text/csv", description="Every resource, one row each (archived too)")
@require("manage")
def export_resources_csv():
    """The Trust's resources as CSV; text a spreadsheet would run as a formula starts with an apostrophe."""
    return Response(spreadsheet.export_csv(), mimetype="text/csv")


@blp.post("/resources/import")
@blp.arguments(ImportQuery, location="query")
@blp.response(200, ImportOut)
@blp.alt_response(422, schema=ImportRefusedOut,
                  description="Some rows were refused, or an option was wrong: nothing was recorded")
@blp.alt_response(400, schema=ErrorSchema, description="The file as a whole cannot be used")
@require("manage")
def import_resources_csv(query):
    """Add, update and retire resources from CSV text (Content-Type: text/csv): every row or none."""
    if request.mimetype != "text/csv":
        abort(415, message="Send the CSV text as the body, with Content-Type: text/csv.")
    try:
        text = spreadsheet.decode(request.get_data(cache=False)[: spreadsheet.MAX_BYTES + 1])
        outcome = spreadsheet.upload(text, dry_run=query["dry_run"], skip_refused=query["skip_refused"])
    except spreadsheet.EventError as err:
        db.session.rollback()
        abort(400, message=err.message, errors={"file": [err.message]})
    refused = bool(outcome.errors) and not query["skip_refused"]
    if query["dry_run"] or refused:
        db.session.rollback()
    else:
        db.session.commit()
    return outcome.as_dict(), 422 if refused and not query["dry_run"] else 200
