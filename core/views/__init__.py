"""Server-rendered pages: each module is one blueprint with one job."""


def init_app(app):
    from . import actions, audit, auth, changes, exports, password_links, reminders, reports, site, tenant, trends

    for module in (auth, tenant, audit, reports, exports, changes, trends, reminders, actions, site, password_links):
        app.register_blueprint(module.bp)
    app.before_request(auth.choose_a_new_password_first)
