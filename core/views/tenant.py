"""A Trust's own pages: its services, its members, its sections (plugins) and one's API tokens.

core.web has already found the Trust from the URL and checked that the person
is an active member. Every query here is scoped to that Trust, so an id from
another Trust is simply not found (404). Every change goes through
core.commands, which records it as events; bad input changes nothing.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import (Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import Form

from .. import commands, dashboard, events, sessions, submissions
from ..auth import ROLE_HINTS, ROLES, password_problem, require, role_can
from ..builtin import SERVICE_KINDS
from ..cache import derived
from ..dates import PAST_EXAMPLE, DateInputField, problems_on
from ..db import db
from ..events import EventError
from ..frame import kept_page
from ..forms import (AddMemberForm, PluginSwitchForm, RoleForm, ServiceForm, TokenForm, add_error,
                     show_command_error)
from ..models import ApiToken, Membership, Service
from ..plugins import available_plugins, enabled_plugins, host, tenant_items
from ..reports import DateError, london_today, long_time

bp = Blueprint("tenant", __name__, url_prefix="/t/<slug>")


# --- finding things (scoped to the Trust in context) ---------------------------------------

def _service_or_404(service_id: int) -> Service:
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    return service


def _member_or_404(membership_id: int) -> Membership:
    member = db.session.scalar(select(Membership).where(Membership.id == membership_id))
    if member is None:
        abort(404)
    return member


def _kind_label(kind: str) -> str:
    return SERVICE_KINDS.get(kind, kind)


def _plugin_title(name: str) -> str:
    return host().plugin_title(name)


# --- services ------------------------------------------------------------------------------

@bp.get("/")
@require("read")
def home():
    """What's next for this person first; then the dashboard (staff-side roles) and the services.

    Each part follows from the Trust's log, the reader and the day, so it is rendered once and kept
    (core.cache) until the Trust records anything: what's next and the dashboard are the member's
    own (their id is in the key), the services the same for everyone of a role; and the whole page
    is kept per member (core.frame.kept_page).
    """
    return kept_page("home", (), _home)


def _home():
    from .. import home as whats_next

    member, today = g.membership, london_today()
    next_html = derived("home.whats_next", (member.id, today), lambda: Markup(render_template(
        "tenant/_whats_next.html", next_items=whats_next.next_for(g.tenant, member, today), kinds=whats_next.KINDS)))
    service_tables = derived("home.services", (), _service_tables)
    board, bad = None, False
    if role_can(member.role, "read_staff_views"):
        # the query string holds the day typed for "what moved", so it is part of the question
        board, bad = derived("home.dashboard", (member.id, tuple(request.args.items(multi=True))), _dashboard)
    return render_template("tenant/home.html", whats_next=next_html, service_tables=service_tables,
                           dashboard=board), 400 if bad else 200


def _service_tables() -> Markup:
    services = db.session.execute(select(Service.id, Service.name, Service.kind, Service.archived)
                                  .order_by(Service.name, Service.id)).all()
    return Markup(render_template("tenant/_services.html", services=[s for s in services if not s.archived],
                                  archived=[s for s in services if s.archived], kind_label=_kind_label))


class SinceForm(Form):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    since = DateInputField("Show what moved since", example=PAST_EXAMPLE,
                        description="Leave empty for the last three months.")


def _dashboard() -> tuple[Markup, bool]:
    """The dashboard for staff, facilitators, viewers and admins, rendered: each section's panel and what
    moved; and whether the day typed needs correcting."""
    form = SinceForm(request.args)
    try:
        if problems_on(form):
            raise DateError("since", form.since.problem)
        since, bad = dashboard.parse_since(form.since.data), False
    except DateError as err:
        form.since.errors, since, bad = [err.message], None, True
    panels = dashboard.panels(g.tenant, g.membership, since)
    today = london_today()
    board = {"form": form, "since": since, "bad": bad, "today": today, "panels": panels,
             "moved": dashboard.moved(panels), "shown": dashboard.MOVED_SHOWN,
             "changes_href": (f"{url_for('tenant.home')}changes?"
                              + urlencode({"from": since.isoformat(), "to": today.isoformat()})) if since else None}
    return Markup(render_template("tenant/_dashboard.html", board=board)), bad


@bp.route("/services/new", methods=["GET", "POST"])
@require("manage")
def new_service():
    form = ServiceForm()
    status = 200
    if form.validate_on_submit():
        try:
            form.claim()
            service = commands.create_service(form.name.data, form.kind.data, form.description.data or "",
                                              code=form.code.data or "")
            service_id, name = service.id, service.name
            db.session.commit()
        except submissions.Resent as done:
            return submissions.answer(done, url_for("tenant.service", service_id=done.entity_id))
        except EventError as err:
            db.session.rollback()
            show_command_error(form, err)
            status = err.status
        else:
            flash(f"{name} has been added.", "success")
            return redirect(url_for("tenant.service", service_id=service_id))
    return render_template("tenant/service_form.html", form=form, service=None), status


@bp.get("/services/<int:service_id>", endpoint="service")
@require("read")
def service_page(service_id):
    service = _service_or_404(service_id)
    links = tenant_items("service_links", service=service, membership=g.membership)
    return render_template("tenant/service.html", service=service, links=links,
                           kind=_kind_label(service.kind))


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@require("manage")
def edit_service(service_id):
    service = _service_or_404(service_id)
    # Filled from the service to start with; a submitted form must then say everything itself.
    form = ServiceForm(obj=service) if request.method == "GET" else ServiceForm()
    if request.method == "GET":
        form.seen.data = str(events.stream_version(f"service:{service.id}"))
        form.code.data = service.code or ""
    if form.validate_on_submit():
        wanted = (form.name.data, form.kind.data, form.description.data or "", form.code.data or "")
        changed = wanted != (service.name, service.kind, service.description, service.code or "")
        seen = int(form.seen.data) if (form.seen.data or "").isdigit() else -1
        try:
            commands.update_service(service, name=wanted[0], kind=wanted[1], description=wanted[2],
                                    code=wanted[3], expected_version=seen)
            db.session.commit()
        except events.Stale as err:
            # Someone saved in between: keep what this person typed, and say so.
            db.session.rollback()
            form.seen.data = str(err.current)
            form.form_errors.append(err.message)
            return render_template("tenant/service_form.html", form=form, service=service), 409
        except EventError as err:
            db.session.rollback()
            show_command_error(form, err)
            return render_template("tenant/service_form.html", form=form, service=service), err.status
        else:
            flash(f"The details of {wanted[0]} have been saved." if changed else "Nothing was changed.",
                  "success" if changed else "info")
            return redirect(url_for("tenant.service", service_id=service_id))
    return render_template("tenant/service_form.html", form=form, service=service)


def _set_archived(service_id: int, archived: bool):
    service = _service_or_404(service_id)
    name = service.name
    commands.set_archived(service, archived)  # done already: a 409 page that says so
    db.session.commit()
    flash(f"{name} has been archived. You can bring it back at any time." if archived
          else f"{name} has been brought back from the archive.", "success")
    return redirect(url_for("tenant.service", service_id=service_id))


@bp.post("/services/<int:service_id>/archive")
@require("manage")
def archive_service(service_id):
    return _set_archived(service_id, True)


@bp.post("/services/<int:service_id>/restore")
@require("manage")
def restore_service(service_id):
    return _set_archived(service_id, False)


# --- members -------------------------------------------------------------------------------

def _by_name(member: Membership):
    return member.user.display_name.lower(), member.user.email


@bp.get("/members")
@require("manage")
def members():
    everyone = db.session.scalars(select(Membership)).all()
    return render_template("tenant/members.html", roles=ROLES,
                           active=sorted((m for m in everyone if m.active), key=_by_name),
                           removed=sorted((m for m in everyone if not m.active), key=_by_name))


INVITED = ("We have invited them as {role}. If they are new here, their account is ready: give them their "
           "e-mail address and the temporary password, which they must change when they first sign in "
           "(it stops working after {days} days). If they already have an account, they will find the "
           "invitation when they next sign in, and can accept or decline it.")
LINKED = ("We have invited them as {role}. If they are new here, we have e-mailed them a link to set their own "
          "password: it works once, for {days} days. If they already have an account, they will find the "
          "invitation when they next sign in, and can accept or decline it.")
NOT_SENT = ("We could not send the e-mail, so nobody was added: {error}. Try again in a few minutes, or make up a "
            "temporary password and give it to them yourself.")


def _add_member(form: AddMemberForm) -> str | None:
    """Add or invite the person the form names; returns the message to show, or None with errors on the form.

    The admin gets the same answer whether or not the e-mail address has an account, and never
    learns the account's name or other Trusts: someone new gets an account and joins at once (with a
    temporary password the admin gives them, or a one-time link e-mailed to them to set their own);
    someone with an account is invited, and joins when they accept.
    """
    import secrets

    from ..mail import MailError, mailer
    from .password_links import letter as password_letter

    try:
        email = commands.normalise_email(form.email.data)
    except EventError as err:
        show_command_error(form, err)
        return None
    by_link = form.how.data == "link"
    # Asked of everyone alike, so the questions do not tell whether the address has an account.
    if not form.display_name.data:
        add_error(form.display_name, "Enter their full name.")
    if by_link:
        pass  # no password to check: they choose their own
    elif not form.password.data:
        add_error(form.password, "Enter a temporary password for them. Or choose to e-mail them a link instead.")
    elif problem := password_problem(form.password.data):
        add_error(form.password, problem)
    if form.display_name.errors or form.password.errors:
        return None
    days = current_app.config.get("TEMPORARY_PASSWORD_DAYS", 7)
    link_days = current_app.config.get("PASSWORD_LINK_DAYS", 3)
    try:
        form.claim()
        user = commands.user_by_email(email)
        letter = None
        if user is None:
            if by_link:
                # A password nobody knows until they set their own from the link.
                user = commands.create_user(email, form.display_name.data, secrets.token_urlsafe(32))
                _, secret = commands.issue_password_link(user, link_days)
                letter = password_letter(g.tenant, user, secret, link_days)
            else:
                user = commands.create_user(email, form.display_name.data, form.password.data, temporary_days=days)
            commands.add_member(user, form.role.data)
        else:
            commands.invite_member(user, form.role.data)
        if letter is not None:
            mailer(current_app.config).send(letter)  # before committing: not sent, nothing added
        db.session.commit()
    except MailError as err:
        db.session.rollback()
        current_app.logger.warning("Set-password link for a new member of %s not sent: %s", g.tenant.slug, err)
        form.form_errors.append(NOT_SENT.format(error="the mail server did not accept it"))
        return None
    except EventError as err:
        db.session.rollback()
        show_command_error(form, err)
        return None
    role = ROLES.get(form.role.data, form.role.data)
    return LINKED.format(role=role, days=link_days) if by_link else INVITED.format(role=role, days=days)


@bp.route("/members/new", methods=["GET", "POST"])
@require("manage")
def add_member():
    form = AddMemberForm()
    if form.validate_on_submit():
        try:
            message = _add_member(form)
        except submissions.Resent as done:
            return submissions.answer(done, url_for("tenant.members"))
        if message:
            flash(message, "success")
            return redirect(url_for("tenant.members"))
    return render_template("tenant/add_member.html", form=form, role_hints=ROLE_HINTS,
                           link_days=current_app.config.get("PASSWORD_LINK_DAYS", 3),
                           temporary_days=current_app.config.get("TEMPORARY_PASSWORD_DAYS", 7))


def _no_longer_member(member: Membership):
    flash(f"{member.user.display_name} is no longer a member of this Trust.", "error")
    return redirect(url_for("tenant.members"))


def _after_change_to(member: Membership):
    """Back to the members page, unless the admin has just taken away their own right to see it."""
    if member.user_id == current_user.id and not (member.active and role_can(member.role, "manage")):
        return redirect(url_for("tenant.home") if member.active else url_for("auth.choose_tenant"))
    return redirect(url_for("tenant.members"))


@bp.route("/members/<int:membership_id>/role", methods=["GET", "POST"])
@require("manage")
def change_role(membership_id):
    member = _member_or_404(membership_id)
    if not member.active:
        return _no_longer_member(member)
    form = RoleForm(obj=member) if request.method == "GET" else RoleForm()
    if form.validate_on_submit():
        name = member.user.display_name
        try:
            commands.change_role(member, form.role.data)
            db.session.commit()
        except EventError as err:
            db.session.rollback()
            flash(err.message, "error")
            return redirect(url_for("tenant.members"))
        flash(f"{name} is now {ROLES[form.role.data]}.", "success")
        return _after_change_to(member)
    return render_template("tenant/change_role.html", form=form, member=member, role_hints=ROLE_HINTS)


@bp.route("/members/<int:membership_id>/remove", methods=["GET", "POST"])
@require("manage")
def remove_member(membership_id):
    member = _member_or_404(membership_id)
    if not member.active:
        return _no_longer_member(member)
    if request.method == "GET":
        return render_template("tenant/remove_member.html", member=member)
    name = member.user.display_name
    try:
        commands.remove_member(member)
        db.session.commit()
    except EventError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("tenant.members"))
    flash(f"{name} has been removed from the Trust.", "success")
    return _after_change_to(member)


@bp.post("/members/<int:membership_id>/sign-out")
@require("manage")
def sign_member_out(membership_id):
    member = _member_or_404(membership_id)
    ended = sessions.end_all(member.user_id, "signed out by a Trust admin")
    db.session.commit()
    name = member.user.display_name
    flash(f"{name} has been signed out on every device." if ended else f"{name} was not signed in anywhere.",
          "success")
    return redirect(url_for("tenant.members"))


# --- sections (plugins) --------------------------------------------------------------------

@bp.get("/plugins")
@require("manage")
def plugins():
    switched_on, available = enabled_plugins(), available_plugins()
    # Only what this Trust may use: another Trust's own package is not even named here.
    sections = [{"name": name, "title": _plugin_title(name), "enabled": name in switched_on,
                 "description": host().plugin_description(name)}
                for name in host().installed if name in available]
    return render_template("tenant/plugins.html", sections=sections)


@bp.post("/plugins/<name>")
@require("manage")
def switch_plugin(name):
    if name not in available_plugins():
        abort(404)
    form = PluginSwitchForm()
    if not form.validate():
        abort(400, "Choose whether to switch the section on or off, then try again.")
    switch_on = form.enabled.data == "1"
    title = _plugin_title(name)
    try:
        if switch_on:
            commands.enable_plugin(g.tenant, name)
        else:
            commands.disable_plugin(g.tenant, name)
        db.session.commit()
    except EventError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(f"Switched {'on' if switch_on else 'off'}: {title}.", "success")
    return redirect(url_for("tenant.plugins"))


# --- one's own API tokens -------------------------------------------------------------------

def _my_tokens() -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.membership_id == g.membership.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all())


@bp.route("/account/tokens", methods=["GET", "POST"])
@require("read")
def tokens():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            form.claim()
            row, token = commands.create_token(g.membership, form.name.data)
            name = row.name
            db.session.commit()
        except submissions.Resent:
            # The token was shown once, to the first sending; it cannot be shown again.
            db.session.rollback()
            flash("This form had already been sent, so no second token was made. Its token was shown once, "
                  "on the page that answered the first sending: if you did not copy it, revoke it below and "
                  "make another.", "info")
            return redirect(url_for("tenant.tokens"))
        except EventError as err:
            db.session.rollback()
            show_command_error(form, err)
        else:
            # Shown this once and never kept: the page must not be cached either.
            response = make_response(render_template("tenant/token_created.html", token=token, name=name))
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("tenant/tokens.html", form=form, tokens=_my_tokens(), long_time=long_time)


@bp.post("/account/tokens/<int:token_id>/revoke")
@require("read")
def revoke_token(token_id):
    # Only one's own: someone else's token is not found here.
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id,
                                                     ApiToken.membership_id == g.membership.id))
    if token is None:
        abort(404)
    name = token.name
    commands.revoke_token(token)
    db.session.commit()
    flash(f"The token {name} has been revoked. Programs using it can no longer reach the API.", "success")
    return redirect(url_for("tenant.tokens"))
