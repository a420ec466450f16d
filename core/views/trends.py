"""The Trust's trends: where its services stood, quarter by quarter, section by section.

Distributions and counts only: services are never ranked against each other.
A GET form chooses ``from``, ``to`` and ``known_on``; a date that cannot be
used gets a plain message and no charts.
"""
from flask import Blueprint, g, render_template, request
from wtforms import Form

from .. import trends
from ..auth import require
from ..dates import PAST_EXAMPLE, DateInputField, problems_on
from ..reports import DateError

bp = Blueprint("trends", __name__)


class TrendsForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    start = DateInputField("From", name="from", example=PAST_EXAMPLE,
                        description="Leave empty to start when the Trust's record begins.")
    end = DateInputField("To", name="to", example=PAST_EXAMPLE, description="Leave empty for today.")
    known_on = DateInputField("Using only what had been recorded by the end of", example=PAST_EXAMPLE,
                           description="Leave empty to use everything recorded up to now.")


FIELDS = {"from": "start", "to": "end", "known_on": "known_on"}


def chosen_timeline():
    """The form, the timeline it asks for (None while a date needs correcting)."""
    form = TrendsForm(request.args)
    if problems_on(form):
        return form, None
    try:
        timeline = trends.parse_timeline(form.start.data, form.end.data, form.known_on.data)
    except DateError as err:
        getattr(form, FIELDS[err.field]).errors = [err.message]
        return form, None
    return form, timeline


@bp.get("/t/<slug>/trends")
@require("read_staff_views")
def tenant_trends():
    form, timeline = chosen_timeline()
    found = trends.tenant_trends(g.tenant, timeline) if timeline is not None else []
    status = 200 if timeline is not None else 400
    return render_template("trends/trends.html", form=form, timeline=timeline, trends=found), status
