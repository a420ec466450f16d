"""The JSON API under /api/v1, documented at /api/v1/openapi.json by flask-smorest."""
import marshmallow as ma
from flask import current_app
from flask_smorest import Api as SmorestApi

from ..cache import derived
from ..web import mount_plugin_blueprints


class ErrorDetail(ma.Schema):
    code = ma.fields.String(metadata={"description": "A short machine-readable code, e.g. not_found"})
    message = ma.fields.String(metadata={"description": "What went wrong, in plain words"})
    fields = ma.fields.Dict(metadata={"description": "Per-field messages, when input was wrong"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetail)


class Api(SmorestApi):
    """flask-smorest, with core's JSON error shape and without its app-wide error handler
    (core.errors answers for pages and API alike)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


def kept_json(name: str, parts: tuple, schema: ma.Schema, compute):
    """The answer ``schema`` makes of ``compute()``, kept as JSON text until the Trust records
    anything (``core.cache.derived``): a repeat is neither read nor dumped through the schema
    again. Returned as a response, which flask-smorest passes on as it is; the view's
    ``@blp.response`` still documents the schema."""
    text = derived(name, parts, lambda: current_app.json.dumps(schema.dump(compute()), separators=(",", ":")))
    return current_app.response_class(text + "\n", mimetype=current_app.json.mimetype)


def init_app(app):
    from . import actions, changes, events, reports, services, trends

    api = Api(app)
    app.extensions["changing_lives_api"] = api
    for bp in (services.blp, events.blp, reports.blp, changes.blp, trends.blp, actions.blp):
        api.register_blueprint(bp)
    mount_plugin_blueprints(app, api)
