"""Answering through an invitation link, with no account: /t/<slug>/indicators/i/<token>.

Core lets these pages through without a membership (``without_account``); the
tenant still comes from the URL, so looking the token up is a scoped query and
another Trust's link is simply not found. A made-up or altered link answers 404;
a stopped or expired one 410, with a page saying why and what became of the
answers. What people send is recorded as the invitation's doing.

The journey: a page about what to expect, one page per indicator ("3 of 7"),
"Check your answers", then a confirmation. Each "Continue" keeps the answers so
far as saved answers under a resume code (kept in this browser's session and
shown on "Save and come back later"), so nothing is lost and the code brings
them back on any device.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from core.auth import without_account
from core.commands import CommandError
from core.db import db
from core.events import acting_as
from core import throttle
from core.reports import long_date

from . import commands, handover, journey, summary
from .forms import PRESENTATIONS, ConfirmForm, OneAnswerForm, PresentationForm, ResumeForm, SendForm
from .indicators import GROUP_WORDS, KEYS, LEVEL_QUESTIONS, TEXTS
from .models import Invitation
from .support import support

bp = Blueprint("invite", __name__)

CODES = "indicators_resume_codes"  # session: invitation id -> resume code
PRESENTATION = "indicators_presentation"  # session: how this visitor chose to see the pages
SENT = "indicators_sent"  # session: invitation ids this browser has sent answers through
BODY_CLASSES = {"large_print": "app-large-print", "easy_read": "app-large-print app-easy-read"}


@bp.after_request
def _keep_link_private(response):
    # The token is in the address: never send it on to other sites, never cache the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _invitation(token: str):
    invitation = commands.invitation_by_token(token)
    if invitation is None:
        # A link that does not work tells a visitor nothing, not even whose it would have been.
        g.pop("tenant", None)
        abort(404)
    round_ = commands.round_by_id(invitation.round_id)
    if round_ is None:
        abort(404)
    if not commands.invitation_usable(invitation):
        abort(_closed(token, invitation, round_))
    return invitation, round_


def short_address_target(code: str) -> str | None:
    """Where a short address (/i/ABCD-2345, core.short_address) leads: the invitation's own link,
    in the Trust that made it. Found across Trusts by the code's hash alone; a code that no longer
    makes the link's token (the app's secret key was changed) leads nowhere."""
    from core.models import Tenant

    invitation = commands.invitation_by_short_code(code)
    if invitation is None:
        return None
    token = commands.link_token_for(code)
    if not handover.token_matches(invitation, token):
        return None
    tenant = db.session.get(Tenant, invitation.tenant_id)
    return url_for("indicators.invite.answer", slug=tenant.slug, token=token)


def _closed(token, invitation, round_):
    """The 410 page for a link that was stopped or has passed its last day."""
    draft = commands.invitation_draft(invitation, _saved_code(invitation))
    body = _render("indicators/invite_closed.html", token, round_, invitation=invitation,
                   stopped=invitation.revoked, expires_words=invitation.expires_on and long_date(invitation.expires_on),
                   unsent_draft=draft is not None,
                   sent_here=str(invitation.id) in (session.get(SENT) or []))
    return _response(body, 410)


def _response(body, status):
    from flask import make_response

    response = make_response(body, status)
    return _keep_link_private(response)


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


def _remember_sent(invitation: Invitation) -> None:
    session[SENT] = sorted(set(session.get(SENT) or []) | {str(invitation.id)})


def _actor(invitation: Invitation) -> str:
    return f"invitation:{invitation.id}"


def _presentation() -> str:
    chosen = session.get(PRESENTATION)
    return chosen if chosen in PRESENTATIONS else "standard"


def pages(token: str) -> journey.Pages:
    """Where an invitation's pages are, for the journey's shared templates."""
    return journey.Pages(
        question=lambda number: url_for("indicators.invite.question", token=token, number=number),
        check=url_for("indicators.invite.check", token=token), saved=url_for("indicators.invite.saved", token=token),
        start=url_for("indicators.invite.answer", token=token),
        presentation=url_for("indicators.invite.presentation", token=token),
        again=url_for("indicators.invite.answer", token=token))


def _render(template, token, round_, **context):
    """Every invitation page: no account links, the chosen presentation, and support now."""
    presentation = _presentation()
    context.setdefault("group", context["invitation"].group if context.get("invitation") else None)
    return render_template(
        template, token=token, round=round_, service_name=_service_name(round_), no_account=True,
        presentation=presentation, body_class=BODY_CLASSES.get(presentation, ""), support=support(),
        total=len(KEYS), pages=pages(token), **context)


def _draft(invitation):
    return commands.invitation_draft(invitation, _saved_code(invitation))


# --- before starting --------------------------------------------------------------------------

@bp.get("/<token>")
@without_account
def answer(token):
    invitation, round_ = _invitation(token)
    choose = PresentationForm(formdata=None, presentation=_presentation())
    return _render("indicators/invite_start.html", token, round_, invitation=invitation,
                   group_words=GROUP_WORDS[invitation.group], draft=_draft(invitation),
                   resume_form=ResumeForm(formdata=None), choose=choose, confirm=ConfirmForm(),
                   share_on=round_.share_planned_on and long_date(round_.share_planned_on))


@bp.post("/<token>/presentation")
@without_account
def presentation(token):
    """Large print or easy read (Accessible Information Standard), kept for this visit."""
    _invitation(token)
    form = PresentationForm()
    if form.validate_on_submit() and form.presentation.data in PRESENTATIONS:
        session[PRESENTATION] = form.presentation.data
    back = request.form.get("back", "")
    if back.isdigit() and 1 <= int(back) <= len(KEYS):
        return redirect(url_for(".question", token=token, number=int(back)))
    return redirect(url_for(".answer", token=token))


# --- one indicator a page -----------------------------------------------------------------------

def _question_page(token, invitation, round_, number, form, status=200):
    form.word_for(invitation.group)
    context = journey.question_context(pages(token), number)
    context.pop("pages"), context.pop("total")
    return _render("indicators/invite_question.html", token, round_, invitation=invitation, form=form,
                   choose=PresentationForm(formdata=None, presentation=_presentation()), **context), status


@bp.route("/<token>/q/<int:number>", methods=["GET", "POST"])
@without_account
def question(token, number):
    invitation, round_ = _invitation(token)
    if not journey.in_range(number):
        abort(404)
    key = KEYS[number - 1]
    draft = _draft(invitation)
    form = OneAnswerForm()
    if request.method == "GET":
        form.fill((draft.answers if draft else {}).get(key))
        return _question_page(token, invitation, round_, number, form)
    if not form.validate_on_submit():
        return _question_page(token, invitation, round_, number, form, 422)
    saving = request.form.get("action") == "save"
    answers = journey.answers_after(draft.answers if draft else None, key, form)
    unchanged = (draft.answers if draft else {}) == answers
    if not unchanged or (saving and draft is None):
        try:
            with acting_as(_actor(invitation)):
                _, code = commands.save_invitation_draft(
                    invitation, round_, answers, _saved_code(invitation),
                    (draft.submission if draft and draft.submission else commands.new_submission_key()))
        except CommandError as err:
            db.session.rollback()
            journey.per_question_errors(form, err, key)
            return _question_page(token, invitation, round_, number, form, 422)
        db.session.commit()
        _remember_code(invitation, code)
    return redirect(journey.next_page(pages(token), number, saving))


# --- check, send, and after -------------------------------------------------------------------


@bp.route("/<token>/check", methods=["GET", "POST"])
@without_account
def check(token):
    invitation, round_ = _invitation(token)
    draft = _draft(invitation)
    form = SendForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            earlier = commands.response_for_submission(form.submission.data, invitation)
            if earlier is not None:
                # Sent twice (a double click, the page sent again): the answers are in.
                return _sent(invitation, token)
            if draft is None:
                form.form_errors.append("There are no saved answers to send. Go back to the questions.")
                status = 409
            else:
                try:
                    with acting_as(_actor(invitation)):
                        commands.send_response(round_, invitation.group, draft.answers, invitation=invitation,
                                               submission=draft.submission)
                        commands.close_draft(draft, round_)
                except commands.AlreadySent:
                    db.session.rollback()
                    return _sent(invitation, token)
                except CommandError as err:
                    db.session.rollback()
                    form.form_errors.append(err.message)
                    status = err.status
                else:
                    db.session.commit()
                    return _sent(invitation, token)
        else:
            status = 422
    if draft is not None and not form.submission.data:
        form.submission.data = draft.submission
    return _render("indicators/invite_check.html", token, round_, invitation=invitation, draft=draft, form=form,
                   rows=journey.rows(draft.answers if draft else {}), questions=LEVEL_QUESTIONS[invitation.group],
                   texts=TEXTS), status


def _sent(invitation, token):
    _remember_code(invitation, None)
    _remember_sent(invitation)
    return redirect(url_for(".sent", token=token))


@bp.post("/<token>/resume")
@without_account
@throttle.failures(lambda: current_app.config["RESUME_CODE_LIMITS"], lambda: throttle.pair_key(
    "resume-code", request.view_args.get("token", "")[:100]))
@throttle.failures(lambda: current_app.config["RESUME_CODE_ADDRESS_LIMITS"],
                   lambda: throttle.address_key("resume-code"))
def resume(token):
    """Come back to saved answers with the resume code, on this or any other device."""
    invitation, round_ = _invitation(token)
    resume_form = ResumeForm()
    if resume_form.validate_on_submit():
        draft = commands.invitation_draft(invitation, resume_form.code.data)
        if draft is not None:
            _remember_code(invitation, resume_form.code.data.upper())
            return redirect(url_for(".check", token=token))
        throttle.failed()
        resume_form.code.errors = list(resume_form.code.errors) + [
            "We could not find answers saved with that code. Check the code and try again."]
    return _render("indicators/invite_start.html", token, round_, invitation=invitation,
                   group_words=GROUP_WORDS[invitation.group], draft=None, resume_form=resume_form,
                   choose=PresentationForm(formdata=None, presentation=_presentation()), confirm=ConfirmForm(),
                   share_on=round_.share_planned_on and long_date(round_.share_planned_on)), 422


@bp.post("/<token>/forget")
@without_account
def forget(token):
    """Start afresh on a shared computer: this browser forgets the saved code (the answers stay
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
    return _render("indicators/invite_saved.html", token, round_, code=code,
                   expires_on=invitation.expires_on and long_date(invitation.expires_on))


@bp.get("/<token>/sent")
@without_account
def sent(token):
    invitation, round_ = _invitation(token)
    return _render("indicators/invite_sent.html", token, round_, group_words=GROUP_WORDS[invitation.group],
                   share_on=round_.share_planned_on and long_date(round_.share_planned_on),
                   title=summary.round_title(round_))
