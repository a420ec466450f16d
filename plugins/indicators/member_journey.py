"""Members with accounts answer as an invitation does: one indicator a page (journey.py).

/t/<slug>/indicators/rounds/<id>/answer: a page about what to expect (and, for
facilitators and admins, which group they answer with), one page per indicator
("3 of 7") with Back, Continue and "Save and come back later", "Check your
answers", then a confirmation. Each Continue keeps the answers so far as the
member's saved answers (``save_member_draft``: an ``indicators.draft_saved``
event), so they are there on any device the member signs in on. A member
answers once per round: after sending, these pages show what they sent.
The one-page form (``/evaluate``) stays, for typing in answers given on paper.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for

from core.auth import require
from core.commands import CommandError
from core.db import db
from core.reports import long_date

from . import commands, journey
from .forms import MemberGroupForm, OneAnswerForm, SendForm, apply_errors
from .indicators import GROUP_WORDS, GROUPS, KEYS, LEVEL_QUESTIONS
from .support import support
from .views import FAILED, _already_sent, _round, _round_context, bp

CHOSEN = "indicators_member_group"  # session: round id -> the group a facilitator or admin chose


def pages(round_id: int) -> journey.Pages:
    return journey.Pages(
        question=lambda number: url_for("indicators.member_question", round_id=round_id, number=number),
        check=url_for("indicators.member_check", round_id=round_id),
        saved=url_for("indicators.round_page", round_id=round_id),  # the answers are kept with the member
        start=url_for("indicators.member_start", round_id=round_id),
        finished=url_for("indicators.round_page", round_id=round_id))


def _fixed_group() -> str | None:
    return {"service_user": "service_users", "staff": "staff"}.get(g.membership.role)


def _group(round_, draft) -> str | None:
    """The group this member answers with: their own, the saved answers', or the one they chose."""
    if draft is not None:
        return draft.group
    return _fixed_group() or (session.get(CHOSEN) or {}).get(str(round_.id))


def _choose(round_, group: str) -> None:
    chosen = dict(session.get(CHOSEN) or {})
    chosen[str(round_.id)] = group
    session[CHOSEN] = chosen


def _render(template, round_, **context):
    return render_template(template, pages=pages(round_.id), total=len(KEYS), support=support(),
                           service_name=_round_context(round_)["service"].name, **_round_context(round_, **context))


def _sent_or_none(round_):
    """Once sent, the questions lead to what was sent (a form sent again is refused there, 409)."""
    sent = commands.member_response(round_, g.membership.id)
    if sent is None:
        return None
    if request.method == "GET":
        return redirect(url_for(".evaluate", round_id=round_.id))
    return _already_sent(round_, sent)


@bp.route("/rounds/<int:round_id>/answer", methods=["GET", "POST"])
@require("contribute")
def member_start(round_id):
    round_ = _round(round_id)
    done = _sent_or_none(round_)
    if done is not None:
        return done
    draft = commands.member_draft(round_, g.membership.id)
    fixed = _fixed_group()
    form = MemberGroupForm(formdata=None) if request.method == "GET" else MemberGroupForm()
    status = 200
    if request.method == "POST" and draft is None and not fixed:
        if form.validate_on_submit() and form.group.data in GROUPS:
            _choose(round_, form.group.data)
            return redirect(url_for(".member_question", round_id=round_.id, number=1))
        form.group.errors = list(form.group.errors) + ["Choose whether you are answering with service users or staff."]
        status = FAILED
    elif request.method == "POST":
        return redirect(url_for(".member_question", round_id=round_.id, number=1))
    group = _group(round_, draft)
    if group and request.method == "GET":
        form.group.data = group
    return _render("indicators/member_start.html", round_, form=form, draft=draft, fixed_group=fixed,
                   group=group), status


@bp.route("/rounds/<int:round_id>/answer/q/<int:number>", methods=["GET", "POST"])
@require("contribute")
def member_question(round_id, number):
    round_ = _round(round_id)
    if not journey.in_range(number):
        abort(404)
    done = _sent_or_none(round_)
    if done is not None:
        return done
    draft = commands.member_draft(round_, g.membership.id)
    group = _group(round_, draft)
    if group is None:
        return redirect(url_for(".member_start", round_id=round_.id))
    key = KEYS[number - 1]
    form = OneAnswerForm()
    status = 200
    if request.method == "GET":
        form.fill((draft.answers if draft else {}).get(key))
    elif not form.validate_on_submit():
        status = FAILED
    else:
        saving = request.form.get("action") == "save"
        answers = journey.answers_after(draft.answers if draft else None, key, form)
        if (draft.answers if draft else {}) != answers or (saving and draft is None):
            try:
                commands.save_member_draft(round_, g.membership.id, group, answers,
                                           draft.submission if draft and draft.submission
                                           else commands.new_submission_key())
            except commands.StateConflict:
                db.session.rollback()
                done = _sent_or_none(round_)
                if done is not None:
                    return done
                raise
            except CommandError as err:
                db.session.rollback()
                journey.per_question_errors(form, err, key)
                status = FAILED
            else:
                db.session.commit()
        if status == 200:
            if saving:
                flash("Your answers are saved. Come back to this round when you are ready to finish and send "
                      "them.", "success")
            return redirect(journey.next_page(pages(round_.id), number, saving))
    form.word_for(group)
    context = journey.question_context(pages(round_.id), number)
    context.pop("pages"), context.pop("total")
    return _render("indicators/invite_question.html", round_, form=form, group=group, **context), status


@bp.route("/rounds/<int:round_id>/answer/check", methods=["GET", "POST"])
@require("contribute")
def member_check(round_id):
    round_ = _round(round_id)
    sent = commands.member_response(round_, g.membership.id)
    form = SendForm()
    if sent is not None:
        if request.method == "POST" and sent.submission and request.form.get("submission") == sent.submission:
            return redirect(url_for(".member_sent", round_id=round_.id))  # sent twice: the first is in
        return _sent_or_none(round_)
    draft = commands.member_draft(round_, g.membership.id)
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = FAILED
        elif draft is None:
            form.form_errors.append("There are no saved answers to send. Go back to the questions.")
            status = 409
        else:
            try:
                commands.send_response(round_, draft.group, draft.answers, membership_id=g.membership.id,
                                       submission=draft.submission)
                commands.close_draft(draft, round_)
            except commands.AlreadySent:
                db.session.rollback()
                return redirect(url_for(".member_sent", round_id=round_.id))
            except CommandError as err:
                db.session.rollback()
                apply_errors(form, err)
                status = err.status
            else:
                db.session.commit()
                return redirect(url_for(".member_sent", round_id=round_.id))
    if draft is not None and not form.submission.data:
        form.submission.data = draft.submission
    group = _group(round_, draft)
    return _render("indicators/invite_check.html", round_, form=form, draft=draft, group=group,
                   rows=journey.rows(draft.answers if draft else {}),
                   questions=LEVEL_QUESTIONS.get(group) or LEVEL_QUESTIONS["staff"]), status


@bp.get("/rounds/<int:round_id>/answer/sent")
@require("contribute")
def member_sent(round_id):
    round_ = _round(round_id)
    sent = commands.member_response(round_, g.membership.id)
    if sent is None:
        return redirect(url_for(".member_start", round_id=round_.id))
    return _render("indicators/invite_sent.html", round_, group_words=GROUP_WORDS[sent.group],
                   share_on=round_.share_planned_on and long_date(round_.share_planned_on))
