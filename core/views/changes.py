"""Pages that compare two dates: what changed for the whole Trust, or for one service, section by section.

Every member may read them. A GET form takes the two dates (and, for the
audit question, ``known_on``); a date that cannot be used gets a plain
message beside its field and a 400, and nothing else is shown.
"""
from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import select
from wtforms import Form

from .. import changes, reports
from ..auth import require
from ..dates import PAST_EXAMPLE, DateInputField, problems_on
from ..db import db
from ..models import Service

bp = Blueprint("changes", __name__)

FIELDS = ("from", "to", "known_on")


class SpanForm(Form):
    """Choose the two dates. A GET form: it changes nothing, so it carries no CSRF token."""

    start = DateInputField("From the end of", name="from", example=PAST_EXAMPLE,
                        description="The first day to compare.")
    end = DateInputField("To the end of", name="to", example=PAST_EXAMPLE,
                      description="The second day to compare: the same day or later, up to today.")
    known_on = DateInputField("Using only what had been recorded by the end of", example=PAST_EXAMPLE,
                           description="Leave empty to use everything recorded up to now.")


def chosen_span():
    """The form, the span it asks for (None while a date is missing or needs correcting), and the status."""
    form = SpanForm(request.args)
    if not any(field.data or field.problem for field in form):
        return form, None, 200  # the page as first opened: the form, nothing to correct yet
    if problems_on(form):
        return form, None, 400
    for field, words in ((form.start, "Enter the first date"), (form.end, "Enter the second date")):
        if not field.data:  # both are needed (the API says so in its own words)
            field.errors = [words]
            return form, None, 400
    try:
        span = changes.parse_span(form.start.data, form.end.data, form.known_on.data)
    except reports.DateError as err:
        field = {"from": form.start, "to": form.end}.get(err.field, form.known_on)
        field.errors = [err.message]
        return form, None, 400
    return form, span, 200


def _page(heading: str, form, span, status, sections, **context):
    report_links = None
    if span is not None:
        report_links = [(day, span.end.known_on) for day in (span.start.as_of, span.end.as_of)]
    return render_template("changes/changes.html", heading=heading, form=form, span=span, sections=sections,
                           report_links=report_links, long_date=reports.long_date, **context), status


@bp.get("/t/<slug>/changes")
@require("read")
def tenant_changes():
    form, span, status = chosen_span()
    sections = changes.tenant_changes(g.tenant, span) if span is not None else []
    return _page(f"What changed across {g.tenant.name}", form, span, status, sections, service=None, missing=None)


@bp.get("/t/<slug>/services/<int:service_id>/changes")
@require("read")
def service_changes(service_id):
    # The tenant scope makes another Trust's service unknown here: 404.
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    form, span, status = chosen_span()
    sections, missing = [], None
    if span is not None:
        if reports.service_as_of(service.id, span.end) is None:
            missing = (f"{service.name} had not been added to Changing Lives yet at the end of "
                       f"{reports.long_date(span.end.as_of)}. It was added on "
                       f"{reports.long_date(reports.london_day(service.created_at))}.")
        else:
            sections = changes.service_changes(service, span)
    return _page(f"What changed at {service.name}", form, span, status, sections, service=service,
                 missing=missing)
