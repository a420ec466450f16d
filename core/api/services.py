"""Services of a Trust: list, create, read, rename, re-describe, archive."""
import marshmallow as ma
from flask import abort
from flask_smorest import Blueprint
from sqlalchemy import select

from .. import commands, events
from ..auth import require
from ..builtin import SERVICE_KINDS
from ..db import db
from ..models import Service
from ..tenancy import built_once
from . import ErrorSchema, kept_json, versions

blp = Blueprint("api_services", __name__, url_prefix="/api/v1/t/<slug>/services",
                description="Teams and settings inside a Trust.")


NAME = ma.validate.Length(min=1, max=200, error="Enter a name of 1 to 200 characters.")
KIND = ma.validate.OneOf(SERVICE_KINDS, error="Choose one of: " + ", ".join(SERVICE_KINDS) + ".")
DESCRIPTION = ma.validate.Length(max=2000, error="Enter a description of 2,000 characters or fewer.")
CODE = ma.validate.Length(max=20, error="Enter a code of 20 characters or fewer.")
CODE_HELP = ("A short code the Trust chooses (letters, numbers and hyphens), by which lists of resources "
             "can name the service; empty: no code")


class ServiceSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=NAME, error_messages={"required": "Enter a name."})
    kind = ma.fields.String(required=True, validate=KIND, error_messages={"required": "Choose a kind of service."},
                            metadata={"description": "One of: " + ", ".join(SERVICE_KINDS)})
    description = ma.fields.String(load_default="", validate=DESCRIPTION)
    code = ma.fields.String(load_default="", allow_none=True, validate=CODE, metadata={"description": CODE_HELP})
    archived = ma.fields.Boolean(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


SERVICE_FIELDS = tuple(ServiceSchema().fields)


class ServicePatchSchema(ma.Schema):
    name = ma.fields.String(validate=NAME)
    kind = ma.fields.String(validate=KIND)
    description = ma.fields.String(validate=DESCRIPTION)
    code = ma.fields.String(validate=CODE, metadata={"description": CODE_HELP})
    archived = ma.fields.Boolean()
    version = versions.version_field("service")


class ServiceVersionedSchema(ServiceSchema):
    version = ma.fields.Integer(dump_only=True, metadata={
        "description": "The service's version (also its ETag): send it back to change the service"})


class ServiceListSchema(ma.Schema):
    services = ma.fields.List(ma.fields.Nested(ServiceSchema))


class ServiceQuery(ma.Schema):
    archived = ma.fields.Boolean(load_default=False, metadata={"description": "Include archived services"})


def get_service(service_id: int) -> Service:
    """The service in the tenant in context, or 404 (another tenant's id included)."""
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    return service


@blp.get("")
@blp.arguments(ServiceQuery, location="query")
@blp.response(200, ServiceListSchema)
@require("read")
def list_services(query):
    """List the Trust's services."""
    # Kept until the Trust records anything: the list is the log's alone.
    return kept_json("api:services", (query["archived"],), _LIST, lambda: {
        "services": db.session.scalars(_ALL if query["archived"] else _CURRENT).all()})


_LIST = ServiceListSchema()
_ALL = built_once(select(Service).order_by(Service.name))  # scoped to the Trust when run
_CURRENT = built_once(_ALL.where(Service.archived.is_(False)))


@blp.post("")
@blp.arguments(ServiceSchema)
@blp.response(201, ServiceSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The Trust already has a service with that name")
@require("manage")
def create_service(data):
    """Add a service."""
    service = commands.create_service(data["name"], data["kind"], data["description"], code=data["code"] or "")
    # read before the commit, which expires the row: answering from it after would load it again
    created = {name: getattr(service, name) for name in SERVICE_FIELDS}
    db.session.commit()
    return created


def _versioned(service: Service):
    version = events.stream_version(f"service:{service.id}")
    data = {name: getattr(service, name) for name in SERVICE_FIELDS} | {"version": version}
    return data, 200, versions.etag(version)


@blp.get("/<int:service_id>")
@blp.response(200, ServiceVersionedSchema, headers=versions.ETAG_HEADER)
@require("read")
def read_service(service_id):
    """One service, with its version as the ETag."""
    return _versioned(get_service(service_id))


@blp.patch("/<int:service_id>")
@blp.arguments(ServicePatchSchema)
@blp.response(200, ServiceVersionedSchema, headers=versions.ETAG_HEADER)
@blp.alt_response(409, schema=ErrorSchema, description="Another service has that name, or the version sent "
                                                        "is older than the service's: nothing was saved")
@versions.document(blp)
@require("manage")
def update_service(data, service_id):
    """Rename, re-describe, archive or restore a service. Send If-Match (or version) to refuse
    overwriting someone else's change."""
    expected = versions.expected_version(data.pop("version", None))
    service = commands.update_service(get_service(service_id), **data, expected_version=expected)
    db.session.commit()
    return _versioned(service)
