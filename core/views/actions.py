"""Pages for actions: one list per Trust and per service, an action's page to move it on, and the
"Your actions" panel on the Trust's home page.

Everyone in the Trust reads actions; staff, admins and user facilitators (the
``facilitate`` action) change them. Filters are a GET form (no CSRF token); a
date that cannot be read gets a plain message beside its field and a 400.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import Form, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from .. import actions
from ..auth import can, require
from ..dates import DateInputField, problems_on
from ..db import db
from ..events import EventError, Stale
from ..models import Membership, Service
from ..reports import long_date, london_today

bp = Blueprint("actions", __name__)

STALE = ("Someone else changed this action since you opened it. It is shown below as it is now: "
         "check it, then save your change again.")
OUTSIDE = "outside"
NOBODY = ""
PANEL_SHOWN = 10


def _members() -> list[Membership]:
    members = db.session.scalars(select(Membership).where(Membership.active.is_(True))).all()
    return sorted(members, key=lambda m: (m.user.display_name.lower(), m.id))


def _day(text: str | None) -> date | None:
    """An ISO date (YYYY-MM-DD, from a date field) -> a date; ValueError with a plain message otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("Enter a real date, for example 15 3 2027.") from None


class FilterForm(Form):
    """Choose which actions to list. A GET form: it changes nothing, so it carries no CSRF token."""

    status = SelectField("Status", choices=[SelectChoice("", "Any status"),
                                            *(SelectChoice(k, v) for k, v in actions.STATUSES.items())],
                         validate_choice=False)
    owner = SelectField("Who leads it", validate_choice=False)
    due_before = DateInputField("Due before", description="Leave empty for any date.")


class ChangeForm(FlaskForm):
    status = RadioField("Status", choices=[SelectChoice(k, v) for k, v in actions.STATUSES.items()],
                        validate_choice=False)
    reason = TextAreaField("Why is it dropped?", description="Needed when you drop an action.")
    lead = SelectField("Who leads it?", validate_choice=False)
    lead_name = StringField("Name of the person outside Changing Lives who leads it",
                            description="For example: Sam Jones, user group chair.")
    due_on = DateInputField("Due by", check=False, description="Today or a later date. Leave empty for no date.")
    version = HiddenField()


def _listing(service: Service | None):
    form = FilterForm(request.args)
    form.owner.choices = [SelectChoice("", "Anyone"), SelectChoice("me", "Me"),
                          *(SelectChoice(str(m.id), m.user.display_name) for m in _members())]
    status, status_code = form.status.data or None, 200
    if status not in actions.STATUSES:
        status = None
    try:
        if problems_on(form):
            raise ValueError(form.due_before.problem)
        due_before = _day(form.due_before.data)
    except ValueError as err:
        form.due_before.errors = [str(err)]
        due_before, status_code = None, 400
    owner = form.owner.data or None
    lead = g.membership.id if owner == "me" else (int(owner) if owner and owner.isdigit() else None)
    found = [] if status_code == 400 else actions.listing(
        service_id=service.id if service else None, status=status, lead_member_id=lead, due_before=due_before)
    services = {s.id: s.name for s in db.session.scalars(select(Service))}
    page = render_template("actions/list.html", form=form, service=service, found=found, services=services,
                           names=actions.lead_names(found), today=london_today(), statuses=actions.STATUSES,
                           lead_of=actions.lead_of, source_href=actions.source_href, long_date=long_date,
                           filtered=any((form.status.data, form.owner.data, form.due_before.data, form.due_before.problem)))
    return page, status_code


@bp.get("/t/<slug>/actions")
@require("read")
def tenant_actions():
    return _listing(None)


@bp.get("/t/<slug>/services/<int:service_id>/actions")
@require("read")
def service_actions(service_id):
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    return _listing(service)


def _show(form: ChangeForm, action) -> None:
    form.status.data = action.status
    form.reason.data = action.reason if action.status == "dropped" else ""
    form.lead.data = str(action.lead_member_id) if action.lead_member_id else (OUTSIDE if action.lead_name else NOBODY)
    form.lead_name.data = action.lead_name or ""
    form.due_on.data = action.due_on.isoformat() if action.due_on else ""
    form.version.data = str(action.version)


@bp.route("/t/<slug>/actions/<int:action_id>", methods=["GET", "POST"])
@require("read")
def action_page(action_id):
    action = actions.by_id(action_id)
    if action is None:
        abort(404)
    form = ChangeForm(formdata=request.form if request.method == "POST" else None)
    form.lead.choices = [SelectChoice(NOBODY, "Nobody yet"),
                         *(SelectChoice(str(m.id), m.user.display_name) for m in _members()),
                         SelectChoice(OUTSIDE, "Someone outside Changing Lives (name them below)")]
    status_code = 200
    if request.method == "GET":
        _show(form, action)
    else:
        if not can("facilitate"):
            abort(403)
        status_code = _change(form, action)
        if status_code is None:
            flash("The action is saved.", "success")
            return redirect(url_for(".action_page", action_id=action.id))
    service = db.session.scalar(select(Service).where(Service.id == action.service_id)) if action.service_id else None
    names = actions.lead_names([action])
    return render_template("actions/action.html", action=action, form=form, service=service,
                           lead=actions.lead_of(action, names), source_href=actions.source_href(action),
                           statuses=actions.STATUSES, today=london_today(), long_date=long_date), status_code


def _change(form: ChangeForm, action) -> int | None:
    """Save the change typed; None when saved, else the status code to show the form with."""
    if not form.validate_on_submit():
        return 400
    if form.version.data != str(action.version):
        db.session.rollback()
        _show(form, action)
        form.form_errors.append(STALE)
        return 409
    kwargs = {}
    if problems_on(form):
        return 422
    try:
        kwargs["due_on"] = _day(form.due_on.data)
    except ValueError as err:
        form.due_on.errors = [str(err)]
        return 422
    lead = form.lead.data or NOBODY
    if lead == OUTSIDE:
        kwargs["lead_name"] = form.lead_name.data or ""
    elif lead.isdigit():
        kwargs["lead_member_id"] = int(lead)
    else:
        kwargs["lead_member_id"], kwargs["lead_name"] = None, None
    try:
        actions.change(action, status=form.status.data or None, reason=form.reason.data,
                       expected_version=int(form.version.data), **kwargs)
        db.session.commit()
    except Stale:
        db.session.rollback()
        _show(form, action)
        form.form_errors.append(STALE)
        return 409
    except EventError as err:
        db.session.rollback()
        targets = {"status": form.status, "reason": form.reason, "due_on": form.due_on,
                   "owner": form.lead_name if lead == OUTSIDE else form.lead}
        for key, messages in err.fields.items():
            if key in targets:
                targets[key].errors = [*(targets[key].errors or []), *messages]
        if not any(f.errors for f in targets.values()):
            form.form_errors.append(err.message)
        return 422
    return None


def your_actions_panel(membership):
    """The open actions the member leads, overdue first, for the Trust's home page."""
    from ..dashboard import Panel

    mine = [a for a in actions.listing(lead_member_id=membership.id) if a.is_open]
    today = london_today()
    services = {s.id: s.name for s in db.session.scalars(select(Service))}
    rows = [{"id": a.id, "what": a.what, "status": actions.STATUSES[a.status],
             "due_on": a.due_on.isoformat() if a.due_on else None, "overdue": a.overdue(today),
             "service": services.get(a.service_id), "href": url_for("actions.action_page", action_id=a.id)}
            for a in sorted(mine, key=lambda a: (not a.overdue(today), a.due_on is None, a.due_on or date.max))]
    return Panel("core", "Your actions", "actions/panel.html",
                 {"actions": rows[:PANEL_SHOWN], "open": len(rows),
                  "overdue": sum(1 for r in rows if r["overdue"])},
                 context={"long_date": long_date, "all_href": url_for("actions.tenant_actions", owner="me"),
                          "date_of": date.fromisoformat, "shown": PANEL_SHOWN}, order=1)
