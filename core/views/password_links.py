"""A new member sets their own password from the one-time link an admin had e-mailed to them.

The link names the Trust and a secret of which only the hash is kept. It works once and until it
expires (``PASSWORD_LINK_DAYS``); a used, expired or unknown link gets a plain page saying what to
do, and changes nothing. Wrong, used and expired links are counted per address like other guesses
(``PASSWORD_LINK_LIMITS``).
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, url_for

from .. import commands, throttle
from ..auth import without_account
from ..commands import CommandError
from ..db import db
from ..events import Conflict
from ..forms import SetPasswordForm, show_command_error
from ..mail import Letter
from ..models import User
from ..reminders import public_url

bp = Blueprint("password_links", __name__, url_prefix="/t/<slug>")

LIMITS = "PASSWORD_LINK_LIMITS"
NOT_FOUND = ("This link does not work. Check that you copied the whole link from the e-mail, "
             "or ask your Trust admin for a new link.")


def letter(tenant, user, secret: str, days: int) -> Letter:
    """The e-mail with the link: why it came, what to do, and for how long it works."""
    link = public_url().rstrip("/") + url_for("password_links.set_password", slug=tenant.slug, secret=secret)
    body = (f"Hello {user.display_name},\n\n"
            f"{tenant.name} has added you to Changing Lives, where staff and service users work together to "
            "involve service users in shaping services.\n\n"
            f"Choose your password here (the link works once, for {days} day{'s' if days != 1 else ''}):\n\n"
            f"{link}\n\n"
            f"Then sign in with this e-mail address ({user.email}) and your new password.\n\n"
            "If the link has expired, ask your Trust admin for a new one. If you did not expect this e-mail, "
            "you can ignore it.\n")
    return Letter(to=user.email, subject=f"{tenant.name}: set your password for Changing Lives", body=body)


def _gone(message: str, status: int):
    throttle.count_failure(LIMITS, throttle.address_key("password-link"))
    response = make_response(render_template("auth/set_password_gone.html", message=message, no_account=True), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/set-password/<secret>", methods=["GET", "POST"])
@without_account
def set_password(secret):
    throttle.refuse_when_over(LIMITS, throttle.address_key("password-link"))
    link = commands.password_link(secret)
    if link is None:
        g.pop("tenant", None)  # a link that does not work tells a visitor nothing, not even whose it would be
        return _gone(NOT_FOUND, 404)
    if not link.usable():
        return _gone(commands.LINK_GONE, 410)
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = commands.use_password_link(link, form.new_password.data)
            email = user.email
            db.session.commit()
        except Conflict as err:  # used or expired while the form was open
            db.session.rollback()
            return _gone(err.message, 410)
        except CommandError as err:
            db.session.rollback()
            show_command_error(form, err, aliases={"password": "new_password"})
            status = err.status
        else:
            current_app.logger.info("Password set from a link for user %s", link.user_id)
            flash(f"Your password is set. Sign in with {email} and your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    elif form.errors:
        status = 400
    user_email = db.session.get(User, link.user_id).email
    response = make_response(render_template("auth/set_password.html", form=form, email=user_email,
                                             no_account=True), status)
    response.headers["Cache-Control"] = "no-store"
    return response
