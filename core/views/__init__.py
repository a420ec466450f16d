"""Server-rendered pages: each module is one blueprint with one job."""


def init_app(app):
    from . import audit, auth, changes, exports, reports, tenant

    for module in (auth, tenant, audit, reports, exports, changes):
        app.register_blueprint(module.bp)
