"""The resources pages, mounted by core at /t/<slug>/resources/.

Everyone in the Trust reads them, service users included: the guide's point is
to connect people with these organisations. Staff, user facilitators and
admins add and change resources; only admins archive them, bring them back and
refresh the resources that come from the Trust's packages.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from core import submissions
from core.auth import can, require
from core.db import db, utcnow
from core.events import EventError
from core.forms import show_command_error
from core.reports import london_day, london_today

from . import commands, packages, queries, spreadsheet
from .commands import Stale
from .forms import FIELD_ALIASES, FilterForm, ResourceForm
from .models import Resource
from .rules import KINDS, SCOPES

bp = Blueprint("resources", __name__, template_folder="templates")


@bp.record_once
def _teach_hookspecs(state) -> None:
    """The app learns the ``local_resources`` hook as the section is mounted, before any request."""
    packages.ensure_hookspecs(state.app.extensions["changing_lives"].pm)


def _resource(resource_id: int) -> Resource:
    resource = commands.resource_by_id(resource_id)
    if resource is None:
        abort(404)
    return resource


def _labels(*actors) -> dict:
    from core.views.audit import actor_labels

    return actor_labels(a for a in actors if a)


# --- the list ------------------------------------------------------------------------------

def _filters(active: list[Resource]):
    services = queries.services()
    form = FilterForm(formdata=request.args)
    # Archived services too: their pages still link here.
    form.service.choices = [SelectChoice("", "All services")] + [
        SelectChoice(str(s.id), s.name if not s.archived else f"{s.name} (archived)") for s in services]
    form.tag.choices = [SelectChoice("", "All tags")] + [SelectChoice(t, t) for t in queries.tags_in_use(active)]
    form.validate()
    form.check_choices()
    if form.q.errors:
        form.q.data = ""
    return form, {s.id: s for s in services}


@bp.get("/")
@require("read")
def index():
    active = queries.resources()
    form, services = _filters(active)
    service = services.get(int(form.service.data)) if form.service.data else None
    shown = queries.matching(active, service_id=service.id if service else None, tag=form.tag.data or None,
                             text=form.q.data)
    groups = [(scope, label, [r for r in shown if r.scope == scope]) for scope, label in SCOPES.items()]
    work = packages.plan(g.tenant) if can("manage") else None
    return render_template("resources/index.html", form=form, groups=groups, service=service,
                           filtered=bool(service or form.tag.data or form.q.data), total=len(active),
                           work=work)


@bp.get("/archived")
@require("manage")
def archived():
    return render_template("resources/archived.html", resources=queries.resources(archived=True))


# --- one resource ----------------------------------------------------------------------------

@bp.get("/<int:resource_id>")
@require("read")
def resource(resource_id):
    item = _resource(resource_id)
    names = queries.service_names()
    return render_template("resources/resource.html", resource=item,
                           labels=_labels(item.added_by, item.updated_by, item.checked_by),
                           services=[(sid, names.get(sid, f"Service {sid}")) for sid in item.service_ids or []],
                           checked=commands.checked_text(item), overdue=item.unchecked_since(utcnow()), day=london_day)


# --- checking the list is still right -----------------------------------------------------------

@bp.get("/unchecked")
@require("manage")
def unchecked():
    """Entries nobody has checked for a year, each with "Still right" and "Retire"."""
    rows = queries.unchecked(queries.resources())
    return render_template("resources/unchecked.html", resources=rows,
                           labels=_labels(*(r.checked_by for r in rows)), checked=commands.checked_text,
                           day=london_day)


def _back(resource_id: int):
    """Back to the list of unchecked entries when the button was pressed there, else to the entry."""
    if request.form.get("back") == "unchecked":
        return redirect(url_for("resources.unchecked"))
    return redirect(url_for("resources.resource", resource_id=resource_id))


@bp.post("/<int:resource_id>/check")
@require("manage")
def check(resource_id):
    item = _resource(resource_id)
    name = item.name
    # Someone confirmed it a moment ago (the same list open twice): a 409 page that says so.
    commands.check_resource(item, seen=request.form.get("checked", ""))
    db.session.commit()
    flash(f"{name} is marked as checked today.", "success")
    return _back(resource_id)


# --- a printable list per service -----------------------------------------------------------------

@bp.get("/print")
@require("read")
def printable():
    """The resources for one service (or, without one, every resource) on plain A4 pages."""
    service = None
    raw = request.args.get("service", "")
    if raw:
        service = next((s for s in queries.services() if str(s.id) == raw), None)
        if service is None:
            abort(404)
    shown = queries.matching(queries.resources(), service_id=service.id if service else None)
    groups = [(scope, label, [r for r in shown if r.scope == scope]) for scope, label in SCOPES.items()]
    return render_template("resources/print.html", service=service, groups=groups, kinds=KINDS,
                           today=london_today())


def _service_choices(form: ResourceForm, chosen: list[int]) -> None:
    """Open services, plus any archived one the resource is already for."""
    form.services.choices = [SelectChoice(s.id, s.name if not s.archived else f"{s.name} (archived)")
                             for s in queries.services() if not s.archived or s.id in chosen]


@bp.route("/new", methods=["GET", "POST"])
@require("facilitate")
def new():
    form = ResourceForm()
    _service_choices(form, [])
    if form.validate_on_submit():
        try:
            form.claim()
            item = commands.add_resource(form.rule_fields())
            resource_id, name = item.id, item.name
            db.session.commit()
        except EventError as err:
            db.session.rollback()
            show_command_error(form, err, FIELD_ALIASES)
        except submissions.Resent as done:
            return submissions.answer(done, url_for("resources.resource", resource_id=done.entity_id))
        else:
            flash(f"{name} has been added.", "success")
            return redirect(url_for("resources.resource", resource_id=resource_id))
    return render_template("resources/form.html", form=form, resource=None)


@bp.route("/<int:resource_id>/edit", methods=["GET", "POST"])
@require("facilitate")
def edit(resource_id):
    item = _resource(resource_id)
    if item.package:
        flash(f"{item.name} comes from the {item.package} package, so it is changed there.", "info")
        return redirect(url_for("resources.resource", resource_id=resource_id))
    if request.method == "GET":
        form = ResourceForm(data={**item.words(), "kind": item.kind, "scope": item.scope,
                                  "consent_on": item.consent_on.isoformat() if item.consent_on else "",
                                  "tags": ", ".join(item.tags or []),
                                  "services": list(item.service_ids or []), "version": str(item.version)})
    else:
        form = ResourceForm()
    _service_choices(form, list(item.service_ids or []))
    if form.validate_on_submit():
        expected = int(form.version.data) if (form.version.data or "").isdigit() else -1
        try:
            changed = commands.change_resource(item, form.rule_fields(), expected_version=expected)
            name = item.name
            db.session.commit()
        except Stale as err:
            db.session.rollback()
            form.form_errors.append(err.message)
            # What was typed stays on the form; saving again now applies it over the newer copy.
            form.version.data = str(err.current)
            return render_template("resources/form.html", form=form, resource=item), 409
        except EventError as err:
            db.session.rollback()
            show_command_error(form, err, FIELD_ALIASES)
            return render_template("resources/form.html", form=form, resource=item), err.status
        else:
            flash(f"The details of {name} have been saved." if changed else "Nothing was changed.",
                  "success" if changed else "info")
            return redirect(url_for("resources.resource", resource_id=resource_id))
    return render_template("resources/form.html", form=form, resource=item)


def _set_archived(resource_id: int, archive: bool):
    item = _resource(resource_id)
    name = item.name
    # Done already (by someone else at the same moment, perhaps): a 409 page that says so.
    commands.archive_resource(item) if archive else commands.restore_resource(item)
    db.session.commit()
    flash(f"{name} has been archived. You can bring it back at any time." if archive
          else f"{name} has been brought back from the archive.", "success")
    return _back(resource_id)


@bp.post("/<int:resource_id>/archive")
@require("manage")
def archive(resource_id):
    return _set_archived(resource_id, True)


@bp.post("/<int:resource_id>/restore")
@require("manage")
def restore(resource_id):
    return _set_archived(resource_id, False)


# --- the Trust's packages --------------------------------------------------------------------

@bp.get("/update")
@require("manage")
def update():
    """What updating from the Trust's packages would record: added, changed and retired, not yet recorded."""
    from .commands import current_fields
    from .events import FIELD_WORDS

    def changed_fields(resource, offer) -> list[str]:
        before = current_fields(resource)
        return [FIELD_WORDS.get(key, key) for key, value in offer.values.items() if before.get(key) != value]

    return render_template("resources/update.html", work=packages.plan(g.tenant), fields=FIELD_WORDS,
                           changed_fields=changed_fields)


@bp.post("/refresh")
@require("manage")
def refresh():
    try:
        work = packages.refresh(g.tenant)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        current_app.logger.warning("two refreshes of local resources met")
        flash("Someone else refreshed the local resources at the same moment. Try again.", "warning")
        return redirect(url_for("resources.index"))
    flash(f"Local resources refreshed: {work.summary()}." if work.pending
          else "The local resources were already up to date.", "success")
    for problem in work.problems:
        flash(problem, "warning")
    return redirect(url_for("resources.index"))


# --- the whole list as CSV ---------------------------------------------------------------------

@bp.get("/export.csv")
@require("manage")
def export_csv():
    return Response(spreadsheet.export_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{g.tenant.slug}-resources.csv"'})


@bp.get("/import")
@require("manage")
def import_form():
    return render_template("resources/import.html", outcome=None, problem=None, text=None)


@bp.post("/import")
@require("manage")
def import_preview():
    """Check an uploaded file and show what it would do; nothing is recorded yet."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("resources/import.html", outcome=None, text=None,
                               problem="Choose a CSV file to upload."), 400
    try:
        text = spreadsheet.decode(upload.read(spreadsheet.MAX_BYTES + 1))
        outcome = spreadsheet.upload(text, dry_run=True)
    except EventError as err:
        return render_template("resources/import.html", outcome=None, text=None, problem=err.message), 400
    finally:
        db.session.rollback()
    return render_template("resources/import.html", outcome=outcome, text=text, problem=None)


@bp.post("/import/confirm")
@require("manage")
def import_confirm():
    text = request.form.get("text", "")
    skip = request.form.get("skip_refused") == "1"
    try:
        outcome = spreadsheet.upload(text, dry_run=False, skip_refused=skip)
        if outcome.errors and not skip:
            db.session.rollback()
            return render_template("resources/import.html", outcome=outcome, text=text, problem=None), 409
        db.session.commit()
    except EventError as err:
        db.session.rollback()
        return render_template("resources/import.html", outcome=None, text=None, problem=err.message), 400
    counts = outcome.as_dict()
    flash(f"Uploaded: {counts['added']} added, {counts['updated']} updated, {counts['retired']} retired"
          + (f"; {len(outcome.errors)} rows skipped." if outcome.errors else "."), "success")
    return redirect(url_for("resources.index"))
