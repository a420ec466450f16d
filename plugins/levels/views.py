"""The levels plugin's pages, mounted by core at /t/<slug>/levels/.

Everyone in the Trust reads where services stand (service users included: the
guide is about sharing it); staff teams, admins and user facilitators fill in
assessments (the ``facilitate`` action).
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from core.auth import require
from core.db import db
from core.draft_pages import DraftPages, service_or_404
from core.drafts import long_time_iso
from core.models import Service
from core.plugins import enabled_plugins

from . import charts, commands, grid
from .answers import load_flat
from .commands import WRITE
from .forms import AmendForm, AssessmentForm, CompareForm
from .levels import (
    AREAS, AREAS_AFTERWARDS, AREAS_INTRODUCTION, INTRODUCTION, LEVELS, TITLE, flat_key, label_of, level_title,
)
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
    return str(value)


def _page_context(**extra) -> dict:
    from core.reports import long_time

    return {"levels": LEVELS, "areas": AREAS, "title": TITLE, "introduction": INTRODUCTION,
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
    done = grid.submitted(assessments)
    latest, previous = grid.latest_two(assessments)
    compare_form = CompareForm(formdata=None)
    _compare_choices(compare_form, done)
    if previous is not None:
        compare_form.a.data, compare_form.b.data = str(previous.id), str(latest.id)
    grid_chart = grid.chart(assessments)
    return render_template("levels/service.html", **_page_context(
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
    return render_template("levels/assessment.html", **_page_context(
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


pages = DraftPages(
    thing="assessment", path="assessments", noun="assessment", permission=WRITE,
    form=AssessmentForm, amend_form=AmendForm, load=load_flat, find=commands.assessment_by_id,
    start=commands.start_assessment, save=commands.save_draft, submit=commands.submit_assessment,
    amend=commands.amend_assessment, render=_render, templates="levels", refuse_blank=True,
    submitted="The assessment is submitted. The grid below shows where the service is and what it is aiming for.",
)
pages.register(bp)
