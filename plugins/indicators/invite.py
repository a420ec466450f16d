"""Answering through an invitation link, with no account: /t/<slug>/indicators/i/<token>.

Core lets these pages through without a membership (``without_account``); the
tenant still comes from the URL, so looking the token up is a scoped query and
another Trust's link is simply not found. Unknown, stopped and expired links
answer 404. What people send is recorded as the invitation's doing.

Nothing is lost if someone stops halfway: "Save and come back later" keeps the
answers under a resume code, shown to the person and kept in their session,
so the same link brings them back (on another device, with the code).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from core.auth import without_account
from core.commands import CommandError
from core.db import db
from core.events import acting_as
from core import throttle

from . import commands, summary
from .forms import AnswersForm, ConfirmForm, ResumeForm, apply_errors
from .indicators import ANSWERS, GROUP_WORDS, TEXTS
from .models import Invitation

bp = Blueprint("invite", __name__)

CODES = "indicators_resume_codes"  # session: invitation id -> resume code


@bp.after_request
def _keep_link_private(response):
    # The token is in the address: never send it on to other sites, never cache the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _invitation(token: str):
    invitation = commands.invitation_for_link(token)
    if invitation is None:
        # A link that does not work tells a visitor nothing, not even whose it would have been.
        g.pop("tenant", None)
        abort(404)
    round_ = commands.round_by_id(invitation.round_id)
    if round_ is None:
        abort(404)
    return invitation, round_


def _service_name(round_) -> str:
    from sqlalchemy import select

    from core.models import Service

    return db.session.scalar(select(Service.name).where(Service.id == round_.service_id)) or "the service"


def _saved_code(invitation: Invitation) -> str | None:
    return (session.get(CODES) or {}).get(str(invitation.id))


def _remember_code(invitation: Invitation, code: str | None) -> None:
    codes = dict(session.get(CODES) or {})
    if code:
        codes[str(invitation.id)] = code
    else:
        codes.pop(str(invitation.id), None)
    session[CODES] = codes


def _actor(invitation: Invitation) -> str:
    return f"invitation:{invitation.id}"


def _page(invitation, round_, form, resume_form, draft, status=200):
    form.carry_key(draft, commands.new_submission_key)
    return render_template(
        "indicators/invite_answer.html", invitation=invitation, round=round_, form=form,
        resume_form=resume_form, draft=draft, service_name=_service_name(round_),
        group_words=GROUP_WORDS[invitation.group], answers=ANSWERS, texts=TEXTS,
        title=summary.round_title(round_)), status


@bp.route("/<token>", methods=["GET", "POST"])
@without_account
def answer(token):
    invitation, round_ = _invitation(token)
    draft = commands.invitation_draft(invitation, _saved_code(invitation))
    form = AnswersForm()
    form.word_for(invitation.group)
    if request.method == "GET" and draft is not None:
        form.fill(draft.answers)
    if form.validate_on_submit():
        sending = request.form.get("action") == "send"
        try:
            with acting_as(_actor(invitation)):
                if sending:
                    commands.send_response(round_, invitation.group, form.to_answers(), invitation=invitation,
                                           submission=form.submission.data)
                    commands.close_draft(draft, round_)
                else:
                    _, code = commands.save_invitation_draft(invitation, round_, form.to_answers(),
                                                             _saved_code(invitation), form.submission.data)
        except commands.AlreadySent:
            # The same form sent twice (a double click, a resent page): the answers are in.
            db.session.rollback()
            _remember_code(invitation, None)
            return redirect(url_for(".sent", token=token))
        except CommandError as err:
            db.session.rollback()
            apply_errors(form, err)
        else:
            db.session.commit()
            if sending:
                _remember_code(invitation, None)
                return redirect(url_for(".sent", token=token))
            _remember_code(invitation, code)
            return redirect(url_for(".saved", token=token))
    return _page(invitation, round_, form, ResumeForm(formdata=None), draft, 422 if form.errors else 200)


@bp.post("/<token>/resume")
@without_account
@throttle.failures(lambda: current_app.config["RESUME_CODE_LIMITS"], lambda: throttle.pair_key(
    "resume-code", request.view_args.get("token", "")[:100]))
@throttle.failures(lambda: current_app.config["RESUME_CODE_ADDRESS_LIMITS"],
                   lambda: throttle.address_key("resume-code"))
def resume(token):
    """Come back to saved answers with the resume code (for example on another device)."""
    invitation, round_ = _invitation(token)
    resume_form = ResumeForm()
    if resume_form.validate_on_submit():
        draft = commands.invitation_draft(invitation, resume_form.code.data)
        if draft is not None:
            _remember_code(invitation, resume_form.code.data.upper())
            return redirect(url_for(".answer", token=token))
        throttle.failed()
        resume_form.code.errors = list(resume_form.code.errors) + [
            "We could not find answers saved with that code. Check the code and try again."]
    form = AnswersForm(formdata=None)
    form.word_for(invitation.group)
    return _page(invitation, round_, form, resume_form, None, 422)


@bp.post("/<token>/forget")
@without_account
def forget(token):
    """Start afresh on a shared computer: this device forgets the saved code (the answers stay
    saved, and whoever has the code can still go back to them)."""
    invitation, _ = _invitation(token)
    if not ConfirmForm().validate_on_submit():
        abort(400, "This form has expired. Go back, reload the page and try again.")
    _remember_code(invitation, None)
    return redirect(url_for(".answer", token=token))


@bp.get("/<token>/saved")
@without_account
def saved(token):
    invitation, round_ = _invitation(token)
    code = _saved_code(invitation)
    if commands.invitation_draft(invitation, code) is None:
        return redirect(url_for(".answer", token=token))
    return render_template("indicators/invite_saved.html", code=code, token=token,
                           service_name=_service_name(round_))


@bp.get("/<token>/sent")
@without_account
def sent(token):
    invitation, round_ = _invitation(token)
    return render_template("indicators/invite_sent.html", token=token, service_name=_service_name(round_),
                           group_words=GROUP_WORDS[invitation.group])
