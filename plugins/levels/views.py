"""The levels plugin's pages, mounted by core at /t/<slug>/levels/.

Everyone in the Trust reads where services stand (service users included: the
guide is about sharing it); staff teams, admins and user facilitators fill in
assessments (the ``facilitate`` action).
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from core.auth import require
from core.db import db
from core.draft_pages import DraftPages, service_or_404
from core.drafts import long_time_iso, started_by_names, started_on
from core.events import EventError
from core.models import Service
from core.plugins import enabled_plugins

from . import charts, claims, commands, grid, whose
from .answers import load_flat
from .commands import WRITE
from .forms import AmendForm, AssessmentForm, CompareForm
from .levels import (
    AREAS, AREAS_AFTERWARDS, AREAS_INTRODUCTION, INTRODUCTION, LEVELS, PART_LABELS, TITLE, VIEWS, flat_key,
    label_of,
    level_title, view_title,
)
from .practices import by_key, catalogue
from .rules import missing
from .models import Assessment

bp = Blueprint("levels", __name__, template_folder="templates")

def long_date(day) -> str:
    """``10 January 2026`` from a date or an ISO date string."""
    from core.reports import long_date as format_day

    return format_day(date.fromisoformat(day) if isinstance(day, str) else day)


def show_value(key: str, value) -> str:
    """An answer as people read it."""
    from core.events import ERASED

    if value is None or value == "":
        return "Not given"
    if value == ERASED:
        return "Erased"
    if key == "assessed_on":
        return long_date(value)
    if key.endswith(("_current", "_aim")):
        return level_title(value)
    if key == "view":
        return view_title(value)
    if key.endswith("_practices") and isinstance(value, list):
        known = by_key(catalogue(include_retired=True))
        return "; ".join(known[k].wording if k in known else k for k in value)
    if key.endswith("_how") and isinstance(value, dict):
        return "; ".join(value.values())
    if key.endswith("_evidence") and isinstance(value, list):
        return "; ".join(" ".join(filter(None, (item.get("note"), item.get("url")))) for item in value)
    return str(value)


def _page_context(**extra) -> dict:
    from core.reports import long_time

    from .forms import EVIDENCE_ROWS

    return {"levels": LEVELS, "areas": AREAS, "title": TITLE, "introduction": INTRODUCTION,
            "practices": catalogue(), "evidence_rows": EVIDENCE_ROWS, "views": VIEWS, "view_title": view_title,
            "areas_introduction": AREAS_INTRODUCTION, "areas_afterwards": AREAS_AFTERWARDS,
            "flat_key": flat_key, "label_of": label_of, "level_title": level_title, "show_value": show_value,
            "long_date": long_date, "long_time": long_time, "long_time_iso": long_time_iso, **extra}


def _service(service_id: int) -> Service:
    return service_or_404(service_id)


def _assessment(assessment_id: int) -> Assessment:
    return pages.record_or_404(assessment_id)


def _labels(assessment: Assessment) -> dict:
    from core.views.audit import actor_labels

    return actor_labels(assessment.actors())


def _name(assessment: Assessment) -> str:
    when = long_date(assessment.assessed_on) if assessment.assessed_on else "date not given"
    return when + ("" if assessment.submitted else " (draft)")


# --- reading ----------------------------------------------------------------------------------

@bp.get("/")
@require("read")
def index():
    services = db.session.scalars(
        select(Service).where(Service.archived.is_(False)).order_by(Service.name, Service.id)).all()
    by_service: dict[int, list] = {}
    for assessment in db.session.scalars(select(Assessment)):
        by_service.setdefault(assessment.service_id, []).append(assessment)
    rows = []
    for service in services:
        own = by_service.get(service.id, [])
        latest, _ = grid.latest_two(own)
        rows.append({"service": service, "latest": latest, "levels": grid.area_levels(latest),
                     "drafts": [a for a in own if not a.submitted]})
    return render_template("levels/index.html", **_page_context(rows=rows))


@bp.get("/services/<int:service_id>")
@require("read")
def service_page(service_id):
    service = _service(service_id)
    assessments = grid.service_assessments(service.id)
    view = whose.chosen()
    shown = whose.of_view(assessments, view)  # the grid and change over time: one view, or both
    done = grid.submitted(assessments)
    latest, previous = grid.latest_two(shown)
    compare_form = CompareForm(formdata=None)
    _compare_choices(compare_form, done)
    if previous is not None:
        compare_form.a.data, compare_form.b.data = str(previous.id), str(latest.id)
    grid_chart = grid.chart(shown)
    found_views = whose.latest_views(assessments)
    differences = whose.differences(found_views)
    context = _page_context()
    drafts = [assessment for assessment in assessments if not assessment.submitted]
    return render_template("levels/service.html", **context | dict(
        drafts=drafts, draft_names=started_by_names(drafts), started_on=started_on,
        view=view, view_label=whose.label(view), view_choices=[*VIEWS, whose.BOTH],
        found_views=found_views, differences=differences, views_summary=whose.summary(found_views, differences),
        latest_claims=claims.claims(latest, context["practices"]),
        service=service, assessments=assessments, submitted_assessments=done, latest=latest,
        grid_data=grid.grid(latest), grid_chart=grid_chart, levels_chart=charts.levels_over_time(grid_chart),
        compare_form=compare_form,
        moved=grid.moved_items(grid.compare(previous, latest)) if previous is not None else None,
        previous=previous, aims=grid.aims_reached(previous, latest),
        # The guide's way of getting there: the service user indicators, where that section is on.
        indicators_href=url_for("indicators.index", service_id=service.id)
        if "indicators" in enabled_plugins() else None))


@bp.get("/assessments/<int:assessment_id>")
@require("read")
def view_assessment(assessment_id):
    assessment = _assessment(assessment_id)
    service = _service(assessment.service_id)
    earlier = [a for a in grid.submitted(grid.service_assessments(service.id))
               if a.id != assessment.id and assessment.assessed_on and a.assessed_on <= assessment.assessed_on]
    context = _page_context()
    return render_template("levels/assessment.html", **context | dict(
        claims=claims.claims(assessment, context["practices"]),
        practice_names=by_key(catalogue(include_retired=True)),
        assessment=assessment, service=service, content=assessment.content(), labels=_labels(assessment),
        grid_data=grid.grid(assessment), previous=earlier[-1] if earlier and assessment.submitted else None))


@bp.get("/compare")
@require("read")
def compare_page():
    form = CompareForm(request.args)
    first, second = _assessment_or_none(form.a.data), _assessment_or_none(form.b.data)
    anchor = first or second
    if anchor is None:
        abort(404)
    service = _service(anchor.service_id)
    _compare_choices(form, grid.submitted(grid.service_assessments(service.id)))
    comparison = None
    if first is None or second is None:
        (form.a if first is None else form.b).errors = ["Choose an assessment from the list."]
    elif first.service_id != second.service_id:
        form.b.errors = ["Choose an assessment of the same service."]
    else:
        comparison = grid.compare(first, second)
    page = render_template("levels/compare.html", **_page_context(
        service=service, form=form, comparison=comparison, first=first, second=second))
    return page, 200 if comparison is not None else 422


def _assessment_or_none(value):
    return commands.assessment_by_id(int(value)) if value and str(value).isdigit() else None


def _compare_choices(form, assessments) -> None:
    choices = [SelectChoice(str(a.id), _name(a)) for a in assessments]
    form.a.choices = choices
    form.b.choices = list(choices)


# --- writing ----------------------------------------------------------------------------------

def _render(template: str, **context) -> str:
    return render_template(template, **_page_context(**context))


def _summary(assessment: Assessment) -> list[dict]:
    """Every answer in words, per part of the form, each anchored to its field (core "Check your answers")."""
    def row(key, label, anchor=None):
        value = assessment.get(key)
        words = None if value in (None, [], {}, "") else show_value(key, value)
        return {"key": key, "label": label, "value": words, "anchor": anchor or key}

    sections = [{"heading": "About the assessment", "rows": [
        row("view", "Whose view is this?"), row("assessed_on", "Date of the assessment"),
        row("participants", "Who took part?")]}]
    for area in AREAS:
        key = lambda part: flat_key(area.key, part)  # noqa: E731
        sections.append({"heading": area.name, "rows": [
            row(key("current"), PART_LABELS["current"]), row(key("achieved"), PART_LABELS["achieved"]),
            row(key("practices"), PART_LABELS["practices"], key("practices")),
            row(key("how"), PART_LABELS["how"], key("practices")),
            row(key("evidence"), PART_LABELS["evidence"], f"{area.key}_evidence_url_0"),
            row(key("aim"), PART_LABELS["aim"]), row(key("planned"), PART_LABELS["planned"])]})
    return sections


def _last_submitted(service_id: int) -> Assessment | None:
    latest, _ = grid.latest_two(grid.service_assessments(service_id))
    return latest


pages = DraftPages(
    thing="assessment", path="assessments", noun="assessment", permission=WRITE,
    form=AssessmentForm, amend_form=AmendForm, load=load_flat, find=commands.assessment_by_id,
    start=commands.start_assessment, save=commands.save_draft, submit=commands.submit_assessment,
    amend=commands.amend_assessment, render=_render, templates="levels", refuse_blank=True,
    submitted="The assessment is submitted. The grid below shows where the service is and what it is aiming for.",
    summary=_summary, missing=missing, last_submitted=_last_submitted, date_key="assessed_on",
    not_copied=commands.NOT_COPIED, not_copied_words=commands.NOT_COPIED_WORDS, held="assessed",
)
pages.register(bp)


# --- the Trust's own practices ---------------------------------------------------------------

@bp.route("/practices", methods=["GET", "POST"])
@require("read")
def practices_page():
    from core.auth import can

    from .forms import PracticeForm

    form = PracticeForm()
    status = 200
    if request.method == "POST":
        if not can("manage"):
            abort(403)
        if form.validate_on_submit():
            level = int(form.level.data) if (form.level.data or "").isdigit() else None
            try:
                commands.add_practice(level, form.wording.data)
                db.session.commit()
                flash("The practice is added to the checklist of every area.", "success")
                return redirect(url_for(".practices_page"))
            except EventError as err:
                db.session.rollback()
                for key, messages in err.fields.items():
                    if key in form:
                        form[key].errors = [*(form[key].errors or []), *messages]
                status = 422
        else:
            status = 400
    from .models import LevelsPractice

    own = db.session.scalars(select(LevelsPractice).where(LevelsPractice.retired.is_(False))
                             .order_by(LevelsPractice.level, LevelsPractice.id)).all()
    return render_template("levels/practices.html", **_page_context(form=form, own=own)), status


@bp.post("/practices/<int:practice_id>/retire")
@require("manage")
def retire_practice(practice_id):
    from .models import LevelsPractice

    practice = db.session.scalar(select(LevelsPractice).where(LevelsPractice.id == practice_id))
    if practice is None:
        abort(404)
    try:
        commands.retire_practice(practice)
        db.session.commit()
    except EventError:
        db.session.rollback()
    flash("The practice is taken off the checklist. Assessments that ticked it keep it.", "success")
    return redirect(url_for(".practices_page"))
