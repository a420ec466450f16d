"""The indicators' pages, mounted by core at /t/<slug>/indicators/.

A round goes through the guide's four steps: both groups evaluate the service
with the seven indicators, share their views, agree one or two targets for
change, and review progress on the date they set. Staff, facilitators and
viewers see both groups' views at once; service users see their own group's
until the views have been shared. The invitation pages, for people without an
account, are in plugins.indicators.invite.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response as HttpResponse, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from core import submissions
from core.auth import can, require
from core.commands import CommandError
from core.evidence import from_form as evidence_from_form
from core.db import db
from core.models import Service
from core.reports import london_day, london_today, long_date

from . import commands, handover, summary
from .forms import (ConfirmForm, InvitationForm, MemberAnswersForm, ReviewForm, RoundForm, SettingsForm,
                    SharingForm, TargetForm, apply_errors)
from .indicators import ANSWERS, CHAIRS, GROUPS, HAPPENED, INDICATORS, LEVEL_NAMES, LEVELS, MAX_TARGETS, \
    PLAIN_ANSWERS, SETTINGS, TEXTS, plain
from .models import Invitation, Response, Round, Target

bp = Blueprint("indicators", __name__, template_folder="templates")

EVIDENCE_ROWS = 2  # rows of links and notes offered on a target's review; more through the API

FAILED = 422  # a form sent back to be corrected


def _round(round_id: int) -> Round:
    round_ = commands.round_by_id(round_id)
    if round_ is None:
        abort(404)
    return round_


def _service(service_id: int) -> Service:
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    return service


def _role() -> str | None:
    membership = g.get("membership")
    return membership.role if membership is not None else None


def _round_context(round_: Round, **extra) -> dict:
    """What every page of a round shows: the round, its service and the words for choices."""
    return {"round": round_, "service": _service(round_.service_id), "title": summary.round_title(round_),
            "groups": GROUPS, "answers": ANSWERS, "levels": LEVELS, "level_names": LEVEL_NAMES,
            "texts": TEXTS, "indicators": INDICATORS, "settings": SETTINGS, "chairs": CHAIRS,
            "happened": HAPPENED, "long_date": long_date, "london_day": london_day, "today": london_today(),
            "review_state": summary.review_state, "status_words": summary.STATUS_WORDS,
            "plain_answers": PLAIN_ANSWERS, "plain_words": plain, **extra}


def _responses(round_: Round) -> list[Response]:
    return db.session.scalars(select(Response).where(Response.round_id == round_.id)
                              .order_by(Response.id)).all()


# --- all rounds -----------------------------------------------------------------------------------

@bp.get("/")
@require("read")
def index():
    services = db.session.scalars(select(Service).order_by(Service.name, Service.id)).all()
    only = request.args.get("service_id", "")
    if only.isdigit():
        services = [s for s in services if s.id == int(only)]
    rounds = db.session.scalars(select(Round).order_by(Round.started_at.desc(), Round.id.desc())).all()
    targets = db.session.scalars(select(Target).order_by(Target.id)).all()
    counts_by_round = commands.responses_by_round()
    today = london_today()
    rows_by_service = {}
    for round_ in rounds:
        own_targets = [t for t in targets if t.round_id == round_.id]
        counts = counts_by_round.get(round_.id, dict.fromkeys(GROUPS, 0))
        steps = summary.steps(round_, counts, own_targets, today)
        rows_by_service.setdefault(round_.service_id, []).append(
            {"round": round_, "title": summary.round_title(round_), "current": summary.current_step(steps)})
    round_by_id = {r.id: r for r in rounds}
    shown = {s.id for s in services}
    due = [{"target": t, "round": round_by_id[t.round_id], "title": summary.round_title(round_by_id[t.round_id]),
            "state": summary.review_state(t, today)}
           for t in summary.awaiting_review(targets, today) if round_by_id[t.round_id].service_id in shown]
    return render_template(
        "indicators/index.html", services=services, rows_by_service=rows_by_service, due=due,
        indicators=INDICATORS, long_date=long_date, status_words=summary.STATUS_WORDS,
        filtered=only.isdigit())


@bp.get("/services/<int:service_id>/over-time")
@require("read")
def over_time(service_id):
    """One service's indicators round after round: each group's views and the targets."""
    from . import over_time as history

    service = _service(service_id)
    data = history.service_over_time(service, _role())
    shown = [group for group in GROUPS if any(group in r["groups_shown"] for r in data["rounds"])]
    return render_template(
        "indicators/over_time.html", service=service, data=data,
        met_charts=[history.met_chart(data, group) for group in shown],
        targets_chart=history.targets_chart(data),
        heatmaps=[history.indicator_heatmap(data, i) for i in range(len(data["indicators"]))],
        day_words=lambda iso: long_date(date.fromisoformat(iso)))


@bp.route("/rounds/new", methods=["GET", "POST"])
@require("facilitate")
def new_round():
    form = RoundForm()
    open_services = db.session.scalars(
        select(Service).where(Service.archived.is_(False)).order_by(Service.name, Service.id)).all()
    form.service_id.choices = [SelectChoice("", "Choose a service")] + [
        SelectChoice(str(s.id), s.name) for s in open_services]
    if request.method == "GET" and request.args.get("service_id", "").isdigit():
        form.service_id.data = request.args["service_id"]
    if form.validate_on_submit():
        try:
            form.claim()
            round_ = commands.start_round(form.chosen_service(), form.title.data, form.share_planned_on.parsed)
        except submissions.Resent as done:
            return submissions.answer(done, url_for(".round_page", round_id=done.entity_id))
        except CommandError as err:
            db.session.rollback()
            apply_errors(form, err)
        else:
            db.session.commit()
            flash("The round has started. Begin with step 1: ask both groups for their views.", "success")
            return redirect(url_for(".round_page", round_id=round_.id))
    status = FAILED if form.errors else 200
    return render_template("indicators/new_round.html", form=form), status


# --- one round -------------------------------------------------------------------------------------

@bp.get("/rounds/<int:round_id>")
@require("read")
def round_page(round_id):
    round_ = _round(round_id)
    counts = commands.responses_by_group(round_.id)
    targets = commands.round_targets(round_.id)
    today = london_today()
    steps = summary.steps(round_, counts, targets, today)
    member_draft = None
    if can("contribute"):
        member_draft = commands.member_draft(round_, g.membership.id)
    return render_template(
        "indicators/round.html", **_round_context(
            round_, counts=counts, targets=targets, steps=steps, current=summary.current_step(steps),
            due=summary.awaiting_review(targets, today), draft=member_draft,
            visible=summary.visible_groups(round_, _role())))


SENT_THANKS = "Thank you. Your answers have been sent to your group's evaluation."


@bp.route("/rounds/<int:round_id>/evaluate", methods=["GET", "POST"])
@require("contribute")
def evaluate(round_id):
    """Step one, for members: one person's answers, with their group chosen by their role."""
    round_ = _round(round_id)
    sent = commands.member_response(round_, g.membership.id)
    if sent is not None:
        return _already_sent(round_, sent)
    role = g.membership.role
    fixed_group = {"service_user": "service_users", "staff": "staff"}.get(role)
    draft = commands.member_draft(round_, g.membership.id)
    form = MemberAnswersForm()
    if fixed_group:
        del form.group
    if request.method == "GET" and draft is not None:
        form.fill(draft.answers)
        if not fixed_group:
            form.group.data = draft.group
    group = fixed_group or (form.group.data if form.group.data in GROUPS else None)
    form.word_for(group)
    status = 200
    if form.validate_on_submit():
        sending = request.form.get("action") == "send"
        try:
            group = commands.group_for(role, None if fixed_group else form.group.data)
            if sending:
                commands.send_response(round_, group, form.to_answers(), membership_id=g.membership.id,
                                       submission=form.submission.data)
                commands.close_draft(draft, round_)
            else:
                commands.save_member_draft(round_, g.membership.id, group, form.to_answers(),
                                           form.submission.data)
        except commands.AlreadySent:
            # Sent twice at the same moment: the first one is in.
            db.session.rollback()
            flash(SENT_THANKS, "success")
            return redirect(url_for(".round_page", round_id=round_.id))
        except commands.StateConflict as err:
            db.session.rollback()
            sent = commands.member_response(round_, g.membership.id)
            if sent is not None:
                return _already_sent(round_, sent)
            form.form_errors.append(err.message)
            status = 409
        except CommandError as err:
            db.session.rollback()
            apply_errors(form, err)
        else:
            db.session.commit()
            if sending:
                flash(SENT_THANKS, "success")
            else:
                flash("Your answers are saved. Come back to this round when you are ready to finish "
                      "and send them.", "success")
            return redirect(url_for(".round_page", round_id=round_.id))
    if form.errors and status == 200:
        status = FAILED
    form.carry_key(draft, commands.new_submission_key)
    return render_template("indicators/evaluate.html", form=form, group=group, fixed_group=fixed_group,
                           draft=draft, **_round_context(round_)), status


def _already_sent(round_: Round, sent: Response):
    """A member answers once per round. The same form sent again (a double click) is the
    first send again; anything else is refused in plain words, and shows what they sent."""
    if request.method == "POST":
        same_form = sent.submission is not None and request.form.get("submission") == sent.submission
        if same_form and request.form.get("action") == "send":
            flash(SENT_THANKS, "success")
            return redirect(url_for(".round_page", round_id=round_.id))
    when = long_date(london_day(sent.sent_at))
    status = 409 if request.method == "POST" else 200
    return render_template("indicators/evaluate_sent.html", sent=sent, when=when,
                           refused=request.method == "POST", **_round_context(round_)), status


@bp.get("/rounds/<int:round_id>/groups/<group>")
@require("read")
def group_views(round_id, group):
    """One group's evaluation: the set of its responses, per indicator."""
    round_ = _round(round_id)
    if group not in GROUPS:
        abort(404)
    if group not in summary.visible_groups(round_, _role()):
        abort(403, "Each group's views are shown to the other group once the two groups have shared them "
                   "(step 2).")
    responses = [r for r in _responses(round_) if r.group == group]
    return render_template(
        "indicators/group.html", group=group, responses=responses,
        summary=summary.summarise(responses, (group,)), **_round_context(round_))


@bp.get("/rounds/<int:round_id>/comparison")
@require("read")
def comparison(round_id):
    """Both groups' views side by side, per indicator (service users' only, for them, until shared)."""
    round_ = _round(round_id)
    visible = summary.visible_groups(round_, _role())
    responses = _responses(round_)
    return render_template(
        "indicators/comparison.html", visible=visible,
        counts=summary.count_by_group(responses),
        summary=summary.summarise(responses, visible), **_round_context(round_))


# --- invitation links -----------------------------------------------------------------------------

def _invitations(round_: Round) -> list[Invitation]:
    return db.session.scalars(select(Invitation).where(Invitation.round_id == round_.id)
                              .order_by(Invitation.id.desc())).all()


def _answers_by_invitation(round_: Round) -> dict[int, int]:
    counts: dict[int, int] = {}
    for response in _responses(round_):
        if response.invitation_id is not None:
            counts[response.invitation_id] = counts.get(response.invitation_id, 0) + 1
    return counts


@bp.route("/rounds/<int:round_id>/invitations", methods=["GET", "POST"])
@require("facilitate")
def invitations(round_id):
    round_ = _round(round_id)
    form = InvitationForm()
    if request.method == "GET":
        form.group.data = "service_users"
    if form.validate_on_submit():
        try:
            form.claim()
            invitation, token = commands.create_invitation(
                round_, form.group.data, form.expires_on.parsed, form.label.data)
        except submissions.Resent as done:
            # The link was shown once, to the first sending; it is in the list, and can be stopped there.
            return submissions.answer(done, url_for(".invitations", round_id=round_.id))
        except CommandError as err:
            db.session.rollback()
            apply_errors(form, err)
        else:
            db.session.commit()
            # Shown once, here; only its hash is kept. The QR code is made now, from the token.
            link = url_for("indicators.invite.answer", token=token, _external=True)
            service = _service(round_.service_id)
            short = handover.short_link(token)
            return render_template(
                "indicators/invitation_created.html", invitation=invitation, link=link, token=token,
                short=short, qr=handover.qr_svg(link),
                text_message=handover.text_message(service.name, link, invitation.expires_on, short),
                contact=getattr(current_user, "display_name", ""), confirm=ConfirmForm(),
                **_round_context(round_))
    status = FAILED if form.errors else 200
    return render_template(
        "indicators/invitations.html", form=form, invitations=_invitations(round_),
        answered=_answers_by_invitation(round_), usable=commands.invitation_usable,
        confirm=ConfirmForm(), **_round_context(round_)), status


def _invitation(round_: Round, invitation_id: int) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.round_id == round_.id))
    if invitation is None:
        abort(404)
    return invitation


def _token_sent_back(invitation: Invitation) -> str:
    """The PNG and the sheet are made from the token the new-link page sends back; it must be this link's."""
    token = request.form.get("token", "")
    if not ConfirmForm().validate_on_submit():
        abort(400, "This form has expired. Make the QR code from the page that showed the new link.")
    if not handover.token_matches(invitation, token):
        abort(400, "That is not this link. The QR code can only be made on the page that shows a new link.")
    return token


@bp.post("/rounds/<int:round_id>/invitations/<int:invitation_id>/qr.png")
@require("facilitate")
def invitation_png(round_id, invitation_id):
    round_ = _round(round_id)
    invitation = _invitation(round_, invitation_id)
    token = _token_sent_back(invitation)
    link = url_for("indicators.invite.answer", token=token, _external=True)
    return HttpResponse(handover.qr_png(link), mimetype="image/png", headers={
        "Content-Disposition": f'attachment; filename="invitation-{invitation.id}-qr.png"',
        "Cache-Control": "no-store"})


@bp.post("/rounds/<int:round_id>/invitations/<int:invitation_id>/sheet")
@require("facilitate")
def invitation_sheet(round_id, invitation_id):
    """A printable A4 sheet: the QR code, the address, the closing date and whom to contact."""
    round_ = _round(round_id)
    invitation = _invitation(round_, invitation_id)
    token = _token_sent_back(invitation)
    link = url_for("indicators.invite.answer", token=token, _external=True)
    contact = (request.form.get("contact") or "").strip()[:200]
    response = HttpResponse(render_template(
        "indicators/invitation_sheet.html", invitation=invitation, link=link, short=handover.short_link(token),
        qr=handover.qr_svg(link, scale=8),
        contact=contact, **_round_context(round_)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/rounds/<int:round_id>/invitations/<int:invitation_id>/revoke")
@require("facilitate")
def confirm_revoke(round_id, invitation_id):
    """"Stop this link" asks first: people part-way through answering lose the use of it."""
    round_ = _round(round_id)
    invitation = _invitation(round_, invitation_id)
    if invitation.revoked:
        return redirect(url_for(".invitations", round_id=round_.id))
    oldest_first = [i.id for i in reversed(_invitations(round_))]
    return render_template("indicators/invitation_stop.html", invitation=invitation, confirm=ConfirmForm(),
                           number=oldest_first.index(invitation.id) + 1,
                           answered=_answers_by_invitation(round_).get(invitation.id, 0),
                           **_round_context(round_))


@bp.post("/rounds/<int:round_id>/invitations/<int:invitation_id>/revoke")
@require("facilitate")
def revoke_invitation(round_id, invitation_id):
    round_ = _round(round_id)
    invitation = _invitation(round_, invitation_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, "This form has expired. Go back, reload the page and try again.")
    try:
        commands.revoke_invitation(invitation, round_)
    except CommandError as err:
        db.session.rollback()
        flash(err.message, "warning")
    else:
        db.session.commit()
        flash("The link has been stopped. Nobody can use it to answer any more.", "success")
    return redirect(url_for(".invitations", round_id=round_.id))


# --- step two: sharing ---------------------------------------------------------------------------

@bp.route("/rounds/<int:round_id>/sharing", methods=["GET", "POST"])
@require("read")
def sharing(round_id):
    round_ = _round(round_id)
    form = SharingForm()
    refused = None
    if request.method == "POST":
        if not can("contribute"):  # a joint step: service users record it too
            abort(403)
        if form.validate_on_submit():
            try:
                commands.share_views(round_, form.shared_on.parsed, form.setting.data, form.chaired_by.data,
                                     form.chair_name.data, form.notes.data, form.ideas.data)
            except CommandError as err:
                db.session.rollback()
                apply_errors(form, err)
                refused = err.status
            else:
                db.session.commit()
                flash("Sharing recorded. Both groups' views are now shown side by side. "
                      "Next, agree one or two targets for change.", "success")
                return redirect(url_for(".comparison", round_id=round_.id))
    status = refused or (FAILED if form.errors else 200)
    return render_template("indicators/sharing.html", form=form,
                           counts=commands.responses_by_group(round_.id), **_round_context(round_)), status


# --- steps three and four: targets and reviews -------------------------------------------------

@bp.route("/rounds/<int:round_id>/targets", methods=["GET", "POST"])
@require("read")
def targets(round_id):
    round_ = _round(round_id)
    form = TargetForm()
    ideas = round_.ideas or []
    form.with_ideas(ideas)
    refused = None
    if request.method == "POST":
        if not can("contribute"):  # a joint step: service users agree targets with staff
            abort(403)
        if form.validate_on_submit():
            try:
                form.claim()
                commands.agree_target(round_, form.indicator.data, form.chosen_change(ideas),
                                      form.service_users_do.data, form.staff_do.data, form.review_on.parsed,
                                      agreed_for_service_users=form.agreed_for_service_users.data,
                                      agreed_for_staff=form.agreed_for_staff.data)
            except submissions.Resent as done:
                return submissions.answer(done, url_for(".targets", round_id=round_.id))
            except CommandError as err:
                db.session.rollback()
                apply_errors(form, err)
                refused = err.status
            else:
                db.session.commit()
                flash("Target agreed. Come back on the review date to talk about how it went.", "success")
                return redirect(url_for(".targets", round_id=round_.id))
    existing = commands.round_targets(round_.id)
    status = refused or (FAILED if form.errors else 200)
    return render_template("indicators/targets.html", form=form, targets=existing, ideas=ideas,
                           max_targets=MAX_TARGETS, left=summary.targets_left(existing),
                           **_round_context(round_)), status


@bp.route("/rounds/<int:round_id>/targets/<int:target_id>/review", methods=["GET", "POST"])
@require("contribute")  # a joint step: service users record the review with staff
def review(round_id, target_id):
    round_ = _round(round_id)
    target = commands.target_by_id(round_, target_id)
    if target is None:
        abort(404)
    form = ReviewForm()
    refused, evidence_errors = None, []
    if form.validate_on_submit():
        try:
            commands.review_target(target, round_, form.happened.data, form.outcomes.data,
                                   form.working_together.data, form.build_on.data,
                                   reviewed_for_service_users=form.reviewed_for_service_users.data,
                                   reviewed_for_staff=form.reviewed_for_staff.data,
                                   evidence=evidence_from_form(request.form, "evidence", EVIDENCE_ROWS))
        except CommandError as err:
            db.session.rollback()
            apply_errors(form, err)
            refused, evidence_errors = err.status, err.fields.get("evidence", [])
        else:
            db.session.commit()
            flash("Review recorded. Think about how you could build on this in other areas of the service.",
                  "success")
            return redirect(url_for(".targets", round_id=round_.id))
    status = refused or (FAILED if form.errors else 200)
    return render_template("indicators/review.html", form=form, target=target, evidence_rows=EVIDENCE_ROWS,
                           typed_evidence=evidence_from_form(request.form, "evidence", EVIDENCE_ROWS),
                           evidence_errors=evidence_errors, **_round_context(round_)), status


# --- the Trust's settings ------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@require("manage")
def settings():
    """The Trust's answer threshold (at least 3). Invitation pages show the Trust's contact, set in core."""
    form = SettingsForm()
    if request.method == "GET":
        form.min_answers.data = str(commands.min_answers())
    status = 200
    if form.validate_on_submit():
        try:
            # The words once kept here stay as they were: the Trust's contact (core) now comes first.
            commands.change_settings(commands.support_contact(), form.min_answers.data)
        except CommandError as err:
            db.session.rollback()
            apply_errors(form, err)
        else:
            db.session.commit()
            flash("Settings saved.", "success")
            return redirect(url_for(".settings"))
    if form.errors:
        status = FAILED
    from .support import support

    return render_template("indicators/settings.html", form=form, support=support()), status


from . import invite  # noqa: E402 - the invitation pages hang off this blueprint

bp.register_blueprint(invite.bp, url_prefix="/i")


from . import member_journey  # noqa: E402,F401 - the members' one-indicator-a-page pages, on this blueprint
