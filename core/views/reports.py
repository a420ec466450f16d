"""Report pages: the Trust's, and one service's, as they stood on a chosen day.

Each page shows core's fragment and those of the Trust's enabled plugins, in
order, each under its own heading, ready to print.
"""
from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import select
from wtforms import Form, StringField, ValidationError

from .. import reports
from ..auth import require
from ..db import db
from ..models import Service

bp = Blueprint("reports", __name__)


def _past_day(form, field):
    if field.data:
        try:
            reports.parse_as_of(field.data)
        except ValueError as err:
            raise ValidationError(str(err)) from None


class AsOfForm(Form):
    """Choose the day. A GET form: it changes nothing, so it carries no CSRF token."""

    as_of = StringField("Show the report as it stood at the end of", default="", validators=[_past_day],
                        description="Leave empty to see it as it is now.")


def _as_of():
    """The form and the moment it names (None: now; also None while the date needs correcting)."""
    form = AsOfForm(request.args)
    if not form.validate() or not form.as_of.data:
        return form, None, None
    day = reports.parse_day(form.as_of.data)
    return form, day, reports.parse_as_of(form.as_of.data)


def _when(day) -> str:
    return f"at the end of {reports.long_date(day)}" if day else "now"


@bp.get("/t/<slug>/report")
@require("read")
def tenant_report():
    form, day, as_of = _as_of()
    fragments = [] if form.errors else reports.tenant_report(g.tenant, as_of)
    return render_template("reports/report.html", form=form, fragments=fragments, when=_when(day),
                           heading=f"Report for {g.tenant.name}", missing=None)


@bp.get("/t/<slug>/services/<int:service_id>/report")
@require("read")
def service_report(service_id):
    # The tenant scope makes another Trust's service unknown here: 404.
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    form, day, as_of = _as_of()
    then = None if form.errors else reports.service_as_of(service.id, as_of)
    missing, fragments = None, []
    if then is not None:
        fragments = reports.service_report(service, as_of)
    elif day is not None:
        missing = (f"{service.name} had not been added to Changing Lives yet at the end of "
                   f"{reports.long_date(day)}. It was added on "
                   f"{reports.long_date(reports.london_day(service.created_at))}.")
    name = then.name if then is not None else service.name
    return render_template("reports/report.html", form=form, fragments=fragments, when=_when(day),
                           heading=f"Report for {name}", missing=missing, service=service)
