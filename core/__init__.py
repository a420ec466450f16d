"""Changing Lives: a thin Flask core of tenants, accounts, an event log and a plugin host."""
from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemBytecodeCache, PackageLoader

from . import config as settings
from .db import db
from .plugins import PluginHost


def create_app(config: dict | None = None, plugins: dict | None = None) -> Flask:
    """The only app factory. ``config`` overrides the environment (tests pass one);
    ``plugins`` registers extra plugin modules by name, beside the installed ones."""
    app = Flask(__name__, instance_relative_config=True)
    from .inputs import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    # The NHS.UK frontend macros expect lenient undefined values, and their
    # component templates end in .jinja, which must be autoescaped too.
    app.jinja_options = {**app.jinja_options, "undefined": ChainableUndefined, "bytecode_cache": template_cache()}
    app.select_jinja_autoescape = lambda filename: filename is None or filename.endswith(
        (".html", ".htm", ".xml", ".xhtml", ".svg", ".jinja"))
    from .components import ComponentLoader

    app.jinja_loader = ChoiceLoader([app.jinja_loader, ComponentLoader(PackageLoader("nhsuk_frontend_jinja"))])
    app.config.update(settings.DEFAULTS)
    app.config.update(config if config is not None else settings.from_environment(app.instance_path))

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    app.extensions["changing_lives"] = PluginHost(extra=plugins)
    from .db import TRANSACTION_POOLING, readers_take_no_lock

    if app.config.get("DATABASE_TRANSACTION_POOLING"):  # readers begin transactions too (core.db)
        engine = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **engine, "execution_options": {**engine.get("execution_options", {}), TRANSACTION_POOLING: True}}
    db.init_app(app)
    readers_take_no_lock(app)

    from . import api, cli, components, errors, frame, headers, inputs, serving, views, web

    components.init_app(app)
    headers.init_app(app)
    frame.init_app(app)
    web.init_app(app)
    inputs.init_app(app)  # after sign-in and role checks: who may not act hears that first
    views.init_app(app)
    api.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    serving.settle(app)
    return app


class TemplateCache(FileSystemBytecodeCache):
    """Templates compiled once and kept on disk (Jinja's per-user temporary folder), so a new
    worker does not compile the layout and the NHS.UK components again: that was most of its
    first page. Each is kept with a checksum of its source, so a changed template is compiled
    afresh. One that cannot be written is simply not kept."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_cache() -> TemplateCache | None:
    try:
        return TemplateCache()
    except (OSError, RuntimeError):  # no safe folder of this user's own: compile each time, as before
        return None
