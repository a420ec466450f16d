"""A member's own e-mail reminders: on or off, for this Trust."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for

from ..auth import require
from ..db import db
from ..forms import RemindersForm
from ..reminders import switch

bp = Blueprint("reminders", __name__, url_prefix="/t/<slug>")


@bp.route("/account/reminders", methods=["GET", "POST"])
@require("read")
def settings():
    form = RemindersForm()
    if form.validate_on_submit():
        on = form.reminders.data == "on"
        switch(g.membership, on)
        db.session.commit()
        flash("You will get e-mail reminders." if on else "You will not get e-mail reminders.", "success")
        return redirect(url_for(".settings"))
    if form.reminders.data is None:
        form.reminders.data = "on" if g.membership.reminders else "off"
    return render_template("tenant/reminders.html", form=form), 422 if form.errors else 200
