"""The health check's pages, mounted by core at /t/<slug>/healthcheck/.

Everyone in the Trust reads reviews (service users included: the guide is about
sharing them); staff, service users and facilitators fill them in.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from core.auth import require
from core.db import db
from core.draft_pages import DraftPages, service_or_404
from core.drafts import DraftConflict, long_time_iso, started_by_names, started_on
from core.events import EventError
from core.models import Service

from . import charts, commands, events, history
from .answers import load_flat, missing, today
from .compare import compare
from .forms import AmendForm, CompareForm, ReviewForm, SharingForm
from .models import Review
from .questions import (
    AFTERWARDS, ANSWERS, CHANGES_COUNT, FIRST_STEP, GENERAL, INTRODUCTION, QUESTIONS,
    display,
)

bp = Blueprint("healthcheck", __name__, template_folder="templates")

def _service(service_id: int) -> Service:
    return service_or_404(service_id)


def _review(review_id: int) -> Review:
    return pages.record_or_404(review_id)


def _labels(review: Review) -> dict:
    from core.views.audit import actor_labels

    return actor_labels(a for a in review.actors() | {review.sharing_recorded_by} if a)


def long_date(day) -> str:
    """``10 January 2026`` from a date or an ISO date string."""
    from core.reports import long_date as format_day

    return format_day(date.fromisoformat(day) if isinstance(day, str) else day)


def _page_context(**extra) -> dict:
    from core.reports import long_time

    from .forms import EVIDENCE_ROWS

    return {"questions": QUESTIONS, "general": {a.key: a for a in GENERAL}, "answers_by_key": ANSWERS,
            "display": display, "first_step": FIRST_STEP, "introduction": INTRODUCTION,
            "afterwards": AFTERWARDS, "changes_count": CHANGES_COUNT, "long_date": long_date,
            "long_time": long_time, "long_time_iso": long_time_iso, "evidence_rows": EVIDENCE_ROWS, **extra}


# --- reading ----------------------------------------------------------------------------------

@bp.get("/")
@require("read")
def index():
    services = db.session.scalars(
        select(Service).where(Service.archived.is_(False)).order_by(Service.name, Service.id)).all()
    reviews = db.session.scalars(select(Review)).all()
    by_service: dict[int, list] = {}
    for review in reviews:
        by_service.setdefault(review.service_id, []).append(review)
    day = today()
    rows = []
    for service in services:
        own = by_service.get(service.id, [])
        done = history.submitted(own)
        rows.append({
            "service": service,
            "last": done[-1] if done else None,
            "drafts": [r for r in own if not r.submitted],
            "due": history.due_notice(own, day),
        })
    return render_template("healthcheck/index.html", **_page_context(rows=rows))


@bp.get("/services/<int:service_id>")
@require("read")
def service_history(service_id):
    service = _service(service_id)
    reviews = history.service_reviews(service.id)
    done = history.submitted(reviews)
    notice = history.due_notice(reviews, today())
    chart = history.chart_data(reviews)
    compare_form = CompareForm(formdata=None)
    _compare_choices(compare_form, done)
    if len(done) >= 2:
        compare_form.a.data, compare_form.b.data = str(done[-2].id), str(done[-1].id)
    drafts = [review for review in reviews if not review.submitted]
    return render_template(
        "healthcheck/service.html",
        **_page_context(service=service, reviews=reviews, submitted_reviews=done, notice=notice, drafts=drafts,
                        draft_names=started_by_names(drafts), started_on=started_on,
                        due_sentence=history.due_sentence(notice), attendance_chart=charts.attendance(chart),
                        answers_heatmap=charts.answers(chart), compare_form=compare_form))


@bp.get("/reviews/<int:review_id>")
@require("read")
def view_review(review_id):
    review = _review(review_id)
    service = _service(review.service_id)
    done = history.submitted(history.service_reviews(service.id))
    earlier = [r for r in done if r.id != review.id and review.held_on and r.held_on <= review.held_on]
    return _review_page(review, service, earlier)


def _review_page(review, service, earlier, follow_up_errors=None, status=200):
    return render_template(
        "healthcheck/review.html",
        **_page_context(review=review, service=service, content=review.content(), labels=_labels(review),
                        previous=earlier[-1] if earlier and review.submitted else None,
                        earlier=commands.earlier_review(review), happened_words=events.HAPPENED,
                        follow_up_errors=follow_up_errors or {})), status


@bp.post("/reviews/<int:review_id>/follow-up")
@require("contribute")
def follow_up(review_id):
    """"Did it happen?" for each change agreed at the health check before."""
    review = _review(review_id)
    service = _service(review.service_id)
    if not FlaskForm().validate_on_submit():
        abort(400, "This form has expired. Go back, reload the page and try again.")
    answers = {key.removeprefix("happened_"): value for key, value in request.form.items()
               if key.startswith("happened_")}
    try:
        commands.record_follow_up(review, answers)
        db.session.commit()
    except commands.ReviewConflict:
        raise
    except EventError as err:
        db.session.rollback()
        return _review_page(review, service, [], err.fields, 422)
    flash("Saved: whether the changes agreed last time happened.", "success")
    return redirect(url_for(".view_review", review_id=review.id) + "#follow-up")


@bp.get("/compare")
@require("read")
def compare_page():
    form = CompareForm(request.args)
    first = _review_or_none(form.a.data)
    second = _review_or_none(form.b.data)
    anchor = first or second
    if anchor is None:
        abort(404)
    service = _service(anchor.service_id)
    _compare_choices(form, history.service_reviews(service.id))
    comparison = None
    if first is None or second is None:
        (form.a if first is None else form.b).errors = ["Choose a health check from the list."]
    elif first.service_id != second.service_id:
        form.b.errors = ["Choose a health check of the same service."]
    else:
        comparison = compare(first, second)
    page = render_template("healthcheck/compare.html", **_page_context(
        service=service, form=form, comparison=comparison, first=first, second=second))
    return page, 200 if comparison is not None else 422


def _review_or_none(value):
    return commands.review_by_id(int(value)) if value and str(value).isdigit() else None


def _compare_choices(form, reviews) -> None:
    choices = [SelectChoice(str(r.id), _review_name(r)) for r in reviews]
    form.a.choices = choices
    form.b.choices = choices


def _review_name(review: Review) -> str:
    when = long_date(review.held_on) if review.held_on else "date not given"
    return when + ("" if review.submitted else " (draft)")


# --- writing ----------------------------------------------------------------------------------

def _render(template: str, **context) -> str:
    return render_template(template, **_page_context(**context))


def _summary(review: Review) -> list[dict]:
    """Every answer in words, per part of the form, each anchored to its field (core "Check your answers")."""
    def row(key, label=None, anchor=None):
        value = review.get(key)
        words = None if value in (None, [], "") else display(key, value)
        return {"key": key, "label": label or ANSWERS[key].label, "value": words, "anchor": anchor or key}

    sections = [{"heading": "About the health check", "rows": [
        row(key) for key in ("held_on", "staff_count", "service_user_count", "participant_roles", "has_user_group")]}]
    for question in QUESTIONS:
        rows = [row(answer.key) for answer in question.answers]
        rows.append(row(question.text_key))
        rows.append(row(f"{question.key}_evidence", "Evidence", f"{question.key}_evidence_url_0"))
        sections.append({"heading": f"{question.number}. {question.wording}", "rows": rows})
    sections.append({"heading": "What needs to change", "rows": [row("agreed_changes")]})
    sections.append({"heading": "Sharing it with service users", "rows": [row("shared_on"), row("service_user_views")]})
    return sections


def _last_submitted(service_id: int) -> Review | None:
    done = history.submitted(history.service_reviews(service_id))
    return done[-1] if done else None


pages = DraftPages(
    thing="review", path="reviews", noun="health check", permission="contribute",
    form=ReviewForm, amend_form=AmendForm, load=load_flat, find=commands.review_by_id,
    start=commands.start_review, save=commands.save_draft, submit=commands.submit_review,
    amend=commands.amend_review, render=_render, templates="healthcheck",
    submitted=("The health check is submitted. Share it at your next user meeting and record what "
               "service users said."),
    context=lambda form: {"has_group": form.has_user_group.data if "has_user_group" in form else None},
    summary=_summary, missing=missing, last_submitted=_last_submitted, date_key="held_on",
    not_copied=commands.NOT_COPIED, not_copied_words=commands.NOT_COPIED_WORDS, held="held",
)
pages.register(bp)


@bp.route("/reviews/<int:review_id>/sharing", methods=["GET", "POST"])
@require("contribute")
def record_sharing(review_id):
    review = _review(review_id)
    service = _service(review.service_id)
    if review.submitted and review.shared_on is not None:
        if request.method == "GET":
            flash("The sharing step is already recorded. To correct it, amend the health check.", "info")
            return redirect(url_for(".view_review", review_id=review.id))
        abort(409, "The sharing step is already recorded. To correct it, amend the health check.")
    form = SharingForm()
    if request.method == "GET":
        form.show(review.content())
        return pages.render_form(form, service, review, template="sharing.html")
    if not form.validate_on_submit():
        return pages.render_form(form, service, review, status=422, template="sharing.html")
    values, problems = load_flat(form.flat())
    if problems:
        return pages.refuse(form, service, review, problems, template="sharing.html")
    try:
        commands.record_sharing(review, values)
        db.session.commit()
    except DraftConflict:
        raise
    except EventError as err:
        return pages.refuse(form, service, review, err.fields or {"": [err.message]}, template="sharing.html")
    flash("What service users said is recorded.", "success")
    return redirect(url_for(".view_review", review_id=review.id))
