"""Report pages: the Trust's, and one service's, as they stood on a chosen day.

Each page shows core's fragment and those of the Trust's enabled plugins, in
order, each under its own heading, ready to print. Two dates choose the
question: ``as_of`` (where things stood on a day) and ``known_on`` (using only
what had been recorded by a day); the page says in words which it answers.
"""
from flask import Blueprint, abort, g, render_template, request
from markupsafe import Markup
from sqlalchemy import select
from wtforms import Form

from .. import reports
from ..auth import require
from ..cache import derived
from ..dates import PAST_EXAMPLE, DateInputField, problems_on
from ..db import db
from ..history import When
from ..models import Service

bp = Blueprint("reports", __name__)


class WhenForm(Form):
    """Choose the question. A GET form: it changes nothing, so it carries no CSRF token."""

    as_of = DateInputField("Where things stood at the end of", example=PAST_EXAMPLE,
                        description="Leave empty for today. Things count from the day they happened, "
                                    "even if they were recorded later.")
    known_on = DateInputField("Using only what had been recorded by the end of", example=PAST_EXAMPLE,
                           description="Leave empty to use everything recorded up to now. Give a date to see "
                                       "what the records said on that day.")


def chosen_when():
    """The form and the question it asks (``When()``, now, while a date needs correcting)."""
    form = WhenForm(request.args)
    if problems_on(form):
        return form, When(), True
    try:
        when = reports.parse_when(form.as_of.data, form.known_on.data)
    except reports.DateError as err:
        getattr(form, err.field).errors = [err.message]
        return form, When(), True
    return form, when, False


@bp.get("/t/<slug>/report")
@require("read")
def tenant_report():
    form, when, bad = chosen_when()

    def body():
        fragments = [] if bad else reports.tenant_report(g.tenant, when)
        return _body(f"Report for {g.tenant.name}", form=form, bad=bad, fragments=fragments, when=when,
                     missing=None)

    return _page(form, bad, None, body)


@bp.get("/t/<slug>/services/<int:service_id>/report")
@require("read")
def service_report(service_id):
    # The tenant scope makes another Trust's service unknown here: 404.
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    form, when, bad = chosen_when()

    def body():
        then = None if bad else reports.service_as_of(service.id, when)
        missing, fragments = None, []
        if then is not None:
            fragments = reports.service_report(service, when)
        elif not bad:
            missing = (f"{service.name} had not been added to Changing Lives yet at the end of "
                       f"{reports.long_date(when.day)}. It was added on "
                       f"{reports.long_date(reports.london_day(service.created_at))}.")
        name = then.name if then is not None else service.name
        return _body(f"Report for {name}", form=form, bad=bad, fragments=fragments, when=when, missing=missing,
                     service=service)

    return _page(form, bad, service.id, body)


def _body(heading: str, **context) -> tuple[str, Markup]:
    return heading, Markup(render_template("reports/report_body.html", heading=heading, **context))


def _page(form, bad: bool, service_id: int | None, body):
    """The page around the report's body. A body that answers a question is the same for every
    reader of the same role until the Trust records anything, so it is kept (``core.cache``) under
    the address's query as typed; one whose dates need correcting is made each time."""
    if bad:
        heading, markup = body()
    else:
        heading, markup = derived("report_page", (service_id, request.query_string, request.script_root), body)
    return render_template("reports/report.html", form=form, heading=heading, body=markup), 400 if bad else 200
