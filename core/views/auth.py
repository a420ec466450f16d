"""Signing in and out, choosing a Trust, and changing one's own password.

Failed sign-ins are throttled twice (see core.throttle): per account from one
network address, and per address more loosely. Only failures count, and once a
limit is reached even the right password is refused from there until the limit
resets, so guessing gains nothing; the owner signing in from elsewhere is not
refused, so nobody can lock them out by typing their e-mail address.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, func, select

from .. import commands, frame, sessions, throttle
from ..auth import ROLES, check_password, hash_password
from ..commands import CommandError, normalise_email
from ..cache import for_person
from ..components import kept_markup
from ..db import db, utcnow
from ..events import EventError, acting_as
from ..forms import ChangePasswordForm, SignInForm, add_error
from ..models import MemberInvitation, Membership, Tenant, User
from ..tenancy import own_memberships, tenant_context

bp = Blueprint("auth", __name__)

WRONG_DETAILS = "Enter a correct e-mail address and password"
TEMPORARY_EXPIRED = ("Your temporary password has expired. Ask your Trust's admin to add you again "
                     "with a new one.")
TOO_MANY = throttle.TOO_MANY
# A whole ward or office may reach us from one address, so it gets more room than one account.
DEFAULT_ADDRESS_LIMITS = "20 per minute; 100 per hour"


# --- throttling --------------------------------------------------------------------------

def _account_limits() -> str:
    return current_app.config["SIGN_IN_LIMITS"]


def _address_limits() -> str:
    return current_app.config.get("SIGN_IN_ADDRESS_LIMITS", DEFAULT_ADDRESS_LIMITS)


def _account_key() -> str:
    typed = request.form.get("email", "")
    try:
        email = normalise_email(typed)
    except CommandError:
        email = typed.strip().lower()
    return throttle.pair_key("sign-in", email)


def _address_key() -> str:
    return throttle.address_key("sign-in")


def _signed_in_user_key() -> str:
    return throttle.pair_key("password-check", str(current_user.get_id()))


_throttled = throttle.failures


# --- helpers ---------------------------------------------------------------------------

def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no other sites, no tricks)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil" or "/\t/evil" leave the site.
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _dummy_hash() -> str:
    """A hash to check against when no account matches, so both answers take as long."""
    cached = current_app.extensions.get("changing_lives_dummy_hash")
    if cached is None:
        cached = current_app.extensions["changing_lives_dummy_hash"] = hash_password(secrets.token_hex(16))
    return cached


def _user_for(email: str, password: str) -> User | None:
    """The account these details sign in to, or None."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        check_password(_dummy_hash(), password)
        return None
    return user if check_password(user.password_hash, password) else None


def _my_tenants() -> list[Tenant]:
    """The Trusts the signed-in person is an active member of.

    The one request that looks across Trusts, and only at the person's own memberships.
    """
    query = (select(Tenant).join(Membership, Membership.tenant_id == Tenant.id)
             .where(Membership.user_id == current_user.id, Membership.active)
             .order_by(Tenant.name, Tenant.id)
             .execution_options(**own_memberships(current_user.id)))
    return list(db.session.scalars(query).all())


# --- pages -------------------------------------------------------------------------------

@bp.route("/sign-in", methods=["GET", "POST"])
@_throttled(_account_limits, _account_key)
@_throttled(_address_limits, _address_key)
def sign_in():
    if request.method == "GET" and not current_user.is_authenticated and not _messages_waiting():
        return _sign_in_page(safe_next(request.args.get("next")) or "")
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("auth.choose_tenant"))
    if form.validate_on_submit():
        try:
            email = normalise_email(form.email.data)
        except CommandError as err:
            add_error(form.email, err.message)
        else:
            user = _user_for(email, form.password.data)
            if user is None:
                throttle.failed()
                add_error(form.email, WRONG_DETAILS)
            elif temporary_password_expired(user):
                add_error(form.password, TEMPORARY_EXPIRED)
            else:
                next_page = safe_next(form.next.data)
                sessions.start(user.id)
                login_user(user)
                db.session.commit()
                return redirect(next_page or url_for("auth.choose_tenant"))
    if session.pop("ended_idle", False):
        flash(f"You were signed out because nothing happened for "
              f"{current_app.config.get('SESSION_IDLE_MINUTES', 30)} minutes. Anything you saved is kept.", "info")
    return render_template("auth/sign_in.html", form=form)


def _messages_waiting() -> bool:
    return "_flashes" in session or "ended_idle" in session


def _sign_in_page(next_page: str):
    """The empty sign-in page is the same for everyone who comes to it from the same address, so
    it is made once and kept; its CSRF token and nonce go in as it leaves (core.frame)."""
    def render():
        form = SignInForm()
        form.next.data = next_page
        if "csrf_token" in form:  # unless CSRF protection is off (tests)
            form.csrf_token.current_token = frame.CSRF
        return render_template("auth/sign_in.html", form=form)

    protected = current_app.config.get("WTF_CSRF_ENABLED", True)  # with the token's field or without
    return kept_markup(("sign-in page", request.script_root, next_page, protected), render)


@bp.post("/sign-out")
def sign_out():
    sessions.end_this()
    logout_user()
    db.session.commit()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of one's own, on every device, this one included."""
    sessions.end_all(current_user.id, "signed out everywhere")
    logout_user()
    db.session.commit()
    flash("You have signed out on every device.", "success")
    return redirect(url_for("auth.sign_in"))


def _my_invitations() -> list[tuple[MemberInvitation, Tenant]]:
    """Invitations waiting for the signed-in person's answer, with the Trust that sent each (their own only)."""
    query = (select(MemberInvitation, Tenant).join(Tenant, Tenant.id == MemberInvitation.tenant_id)
             .where(MemberInvitation.user_id == current_user.id, MemberInvitation.status == "waiting")
             .order_by(MemberInvitation.invited_at).execution_options(**own_memberships(current_user.id)))
    now = utcnow()
    return [(invitation, tenant) for invitation, tenant in db.session.execute(query) if invitation.open(now)]


def one_trust_only() -> bool:
    """Whether the signed-in person belongs to one Trust only, with no invitation waiting.

    Asked on every page a service user sees (core.frame): kept for the person until their
    memberships or invitations change in any Trust, or the first waiting invitation runs out
    (``core.cache.for_person``); worked out with one query of two counts, built once."""
    me = current_user._get_current_object()

    def work_out():
        memberships, waiting, first_to_run_out = db.session.execute(
            _TRUSTS_AND_WAITING, {"me": me.id, "now": utcnow()}, execution_options=own_memberships(me.id)).one()
        return memberships == 1 and waiting == 0, first_to_run_out

    return for_person("one_trust_only", me, work_out)


_WAITING = (MemberInvitation.user_id == bindparam("me"), MemberInvitation.status == "waiting",
            MemberInvitation.expires_at > bindparam("now"))
_TRUSTS_AND_WAITING = select(
    select(func.count()).select_from(Membership)
    .where(Membership.user_id == bindparam("me"), Membership.active).scalar_subquery(),
    select(func.count()).select_from(MemberInvitation).where(*_WAITING).scalar_subquery(),
    select(func.min(MemberInvitation.expires_at)).where(*_WAITING).scalar_subquery())


@bp.get("/")
def choose_tenant():
    if not current_user.is_authenticated:
        # What the platform is and who it is for, then the way in.
        return render_template("site/welcome.html")
    tenants, invitations = _my_tenants(), _my_invitations()
    if len(tenants) == 1 and not invitations:
        return redirect(url_for("tenant.home", slug=tenants[0].slug))
    return render_template("auth/choose_tenant.html", tenants=tenants, invitations=invitations, roles=ROLES)


@bp.post("/invitations/<int:invitation_id>/<any(accept, decline):answer>")
@login_required
def answer_invitation(invitation_id, answer):
    """Accept or decline an invitation to a Trust: only one's own, otherwise not found."""
    invitation = db.session.scalar(select(MemberInvitation).where(
        MemberInvitation.id == invitation_id, MemberInvitation.user_id == current_user.id)
        .execution_options(**own_memberships(current_user.id)))
    if invitation is None:
        abort(404)
    tenant = db.session.get(Tenant, invitation.tenant_id)
    with tenant_context(tenant.id), acting_as(f"user:{current_user.id}"):
        invitation = db.session.get(MemberInvitation, invitation_id)
        try:
            commands.answer_invitation(invitation, answer == "accept")
            db.session.commit()
        except EventError as err:
            db.session.rollback()
            flash(err.message, "error")
            return redirect(url_for("auth.choose_tenant"))
    if answer == "accept":
        flash(f"You are now a member of {tenant.name}.", "success")
        return redirect(url_for("tenant.home", slug=tenant.slug))
    flash(f"You have declined the invitation from {tenant.name}.", "success")
    return redirect(url_for("auth.choose_tenant"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@_throttled(_account_limits, _signed_in_user_key)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user.password_hash, form.current_password.data):
            throttle.failed()
            add_error(form.current_password, "Your current password is not right. Check it and try again.")
        else:
            # Identity, not Trust history: the account row changes directly, outside the event log.
            current_user.password_hash = hash_password(form.new_password.data)
            current_user.must_change_password, current_user.password_expires_at = False, None
            # anyone signed in with the old password, on any other device, is signed out now
            sessions.end_all(current_user.id, "password changed", keep_this=True)
            db.session.commit()
            flash("Your password has been changed.", "success")
            return redirect(url_for("auth.choose_tenant"))
    return render_template("auth/change_password.html", form=form,
                           choosing=current_user.must_change_password)


# Pages someone with a temporary password may still open: to choose a new one, or to leave.
TEMPORARY_ALLOWED = {"auth.change_password", "auth.sign_out", "auth.sign_out_everywhere", "static"}


def temporary_password_expired(user: User) -> bool:
    return bool(user.must_change_password and user.password_expires_at is not None
                and utcnow() >= user.password_expires_at)


def choose_a_new_password_first():
    """``before_request``: with a temporary password, "Choose a new password" comes before anything else."""
    if request.endpoint in TEMPORARY_ALLOWED or not current_user.is_authenticated:
        return None
    if not current_user.must_change_password:
        return None
    if temporary_password_expired(current_user):
        sessions.end_this("temporary password expired")
        logout_user()
        db.session.commit()
        flash(TEMPORARY_EXPIRED, "error")
        return redirect(url_for("auth.sign_in"))
    if request.path.startswith("/api/"):
        return None  # tokens are made on pages, which come after the new password
    return redirect(url_for("auth.change_password"))
