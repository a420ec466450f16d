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
from ..frame import kept_page
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
    def body():
        form, when, bad = chosen_when()
        fragments = [] if bad else reports.tenant_report(g.tenant, when)
        return _body(f"Report for {g.tenant.name}", form=form, bad=bad, fragments=fragments, when=when,
                     missing=None)

    return _page(None, body)


@bp.get("/t/<slug>/services/<int:service_id>/report")
@require("read")
def service_report(service_id):
    def body():
        # The tenant scope makes another Trust's service unknown here: 404.
        service = db.session.scalar(select(Service).where(Service.id == service_id))
        if service is None:
            abort(404)
        form, when, bad = chosen_when()
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

    return _page(service_id, body)


class _DatesToCorrect(Exception):
    """A body whose dates need correcting: answered, never kept."""

    def __init__(self, form, heading: str, markup: Markup):
        super().__init__(heading)
        self.form, self.heading, self.markup = form, heading, markup


def _body(heading: str, **context) -> tuple[str, Markup]:
    markup = Markup(render_template("reports/report_body.html", heading=heading, **context))
    if context["bad"]:
        raise _DatesToCorrect(context["form"], heading, markup)
    return heading, markup


def _page(service_id: int | None, body):
    """The report page. Its body is a function of the Trust's log, the reader's role, the day and
    the address's query as typed, so it is kept (``core.cache``) under those: a repeat view neither
    reads the service again nor parses the dates. The service is in the key with its Trust, so
    another Trust's service is never found there. The whole page is kept too, per member
    (``core.frame.kept_page``). A body whose dates need correcting is made each time and answered
    with 400."""
    question = (service_id, request.query_string, request.script_root)
    try:
        return kept_page("report", (service_id,), lambda: _around(*derived("report_body", question, body)))
    except _DatesToCorrect as bad:
        return render_template("reports/report.html", form=bad.form, heading=bad.heading, body=bad.markup), 400


def _around(heading: str, markup: Markup) -> str:
    return render_template("reports/report.html", heading=heading, body=markup)
