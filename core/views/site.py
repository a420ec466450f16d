"""Pages about the site itself: what it is (``/`` before signing in), the accessibility statement,
the privacy notice and whom to contact.

The statement, the notice and the contact page work signed out (``/accessibility``, ``/privacy``,
``/contact``). A member inside a Trust reaches the same pages under ``/t/<slug>/`` from the footer,
where they also show the Trust's own contact, which its admins set (``/t/<slug>/contact/edit``).
The operator's own contact for people outside any Trust comes from ``SITE_CONTACT`` (see README).
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from .. import commands
from ..auth import require
from ..db import db
from ..events import EventError
from ..forms import TrustContactForm, show_command_error

bp = Blueprint("site", __name__)

STATEMENT_PREPARED_ON = "30 November 2026"


def _page(template: str, **context):
    contact = commands.trust_contact() if g.get("tenant") is not None and g.get("membership") is not None else None
    return render_template(template, contact=contact, site_contact=current_app.config.get("SITE_CONTACT") or "",
                           prepared_on=current_app.config.get("STATEMENT_PREPARED_ON") or STATEMENT_PREPARED_ON,
                           **context)


@bp.get("/accessibility")
def accessibility():
    return _page("site/accessibility.html")


@bp.get("/privacy")
def privacy():
    return _page("site/privacy.html")


@bp.get("/contact")
def contact():
    return _page("site/contact.html")


@bp.get("/t/<slug>/accessibility")
@require("read")
def trust_accessibility():
    return _page("site/accessibility.html")


@bp.get("/t/<slug>/privacy")
@require("read")
def trust_privacy():
    return _page("site/privacy.html")


@bp.get("/t/<slug>/contact")
@require("read")
def trust_contact():
    return _page("site/contact.html")


@bp.route("/t/<slug>/contact/edit", methods=["GET", "POST"])
@require("manage")
def edit_trust_contact():
    """The Trust's admins set who people can contact: shown in the footer's pages and on invitation pages."""
    existing = commands.trust_contact()
    form = TrustContactForm()
    if request.method == "GET" and existing is not None:
        form.name.data, form.phone.data = existing.name, existing.phone
        form.email.data, form.when.data = existing.email, existing.when_to_call
    status = 200
    if form.validate_on_submit():
        try:
            commands.set_trust_contact(form.name.data, form.phone.data, form.email.data, form.when.data)
            db.session.commit()
        except EventError as err:
            db.session.rollback()
            show_command_error(form, err)
            status = err.status
        else:
            flash("The Trust's contact details have been saved. The contact page, the footer's pages and "
                  "invitation pages now show them.", "success")
            return redirect(url_for("site.trust_contact"))
    elif form.errors:
        status = 400
    return render_template("site/contact_form.html", form=form), status
