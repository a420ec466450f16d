"""Server-rendered pages: each module is one blueprint with one job."""


def init_app(app):
    from . import actions, audit, auth, changes, exports, password_links, reminders, reports, site, tenant, trends

    for module in (auth, tenant, audit, reports, exports, changes, trends, reminders, actions, site, password_links):
        app.register_blueprint(module.bp)
    from ..short_address import bp as short_address

    app.register_blueprint(short_address)
    app.before_request(auth.choose_a_new_password_first)
