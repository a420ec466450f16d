"""What people and operators do to the core, each as one or more events.

Views, the API and the CLI all call these, so the rules live in one place.
Each raises ``CommandError`` (or ``EventError``) with a plain message and
changes nothing on bad input; the caller commits. A rule that depends on the
Trust's current state is checked under ``events.locked()`` and refused with a
``Conflict`` (409).
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from . import events, sessions
from .auth import ROLES, hash_password, new_token, password_problem
from .db import db, utcnow, written_in
from .events import Conflict, EventError, ensure_version, locked, record
from .models import (ApiToken, MemberInvitation, Membership, PasswordLink, Service, Tenant, TenantPlugin, TrustContact,
                     User)
from .plugins import BUILT_IN, forget_plugin_states, host, plugin_states
from .tenancy import tenant_context

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


class CommandError(EventError):
    """Bad input for a command: a plain message, optionally per field."""


def normalise_email(email: str) -> str:
    from email_validator import EmailNotValidError, validate_email  # imported when first used, not at start

    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise CommandError("Enter an e-mail address in the right format, like name@example.nhs.uk.",
                           {"email": ["Enter an e-mail address in the right format."]}) from None


# --- tenants -------------------------------------------------------------------

def create_tenant(slug: str, name: str) -> Tenant:
    slug = (slug or "").strip()
    name = (name or "").strip()
    if not SLUG.match(slug):
        raise CommandError("The short name may use only lower-case letters, numbers and hyphens "
                           "(up to 40), like north-trust.", {"slug": ["Use a-z, 0-9 and hyphens."]})
    if not name or len(name) > 200:
        raise CommandError("Enter the Trust's name (up to 200 characters).", {"name": ["Enter a name."]})
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise CommandError(f"A Trust with the short name {slug!r} already exists.", {"slug": ["Already taken."]})
    tenant = Tenant(slug=slug, name=name)
    db.session.add(tenant)
    db.session.flush()
    with tenant_context(tenant.id):
        record("tenant.created", {"slug": slug, "name": name}, stream=f"tenant:{tenant.id}")
        for plugin in BUILT_IN:
            if plugin in host().installed:
                enable_plugin(tenant, plugin)
    return tenant


def tenant_by_slug(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise CommandError(f"There is no Trust with the short name {slug!r}.")
    return tenant


# --- plugins (tenant in context) --------------------------------------------------

def _installed(plugin: str) -> None:
    if plugin not in host().installed:
        raise CommandError(f"There is no installed plugin called {plugin!r}.")


def _plugin_row(plugin: str) -> TenantPlugin | None:
    return db.session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == plugin))


def _tell_others(tenant: Tenant, plugin: str, was_on: bool) -> None:
    """Tell the plugins that are on when ``plugin`` has gone on or off for the Trust."""
    forget_plugin_states()
    now = plugin_states().enabled
    if (plugin in now) == was_on:
        return
    given = {"tenant": tenant, "plugin": plugin, "enabled": plugin in now}
    for impl in host().pm.hook.plugin_switched.get_hookimpls():
        if impl.plugin_name in now and impl.plugin_name != plugin:
            # an implementation may take fewer arguments than the spec names
            impl.function(**{name: given[name] for name in impl.argnames})


@locked()
def enable_plugin(tenant: Tenant, plugin: str) -> bool:
    """Switch a plugin on; returns False when it was on already. Only a plugin available to the Trust."""
    _installed(plugin)
    states = plugin_states()
    if plugin not in states.available:
        raise CommandError(f"The plugin {plugin!r} is not available to {tenant.name}. The operator can allow "
                           f"it with: flask --app core plugins allow {tenant.slug} {plugin}")
    row = _plugin_row(plugin)
    if row is not None and row.enabled:
        return False
    record("plugin.enabled", stream=f"plugin:{plugin}")
    for name, hook in host().impls("plugin_enabled"):
        if name == plugin:
            hook(tenant=tenant)
    _tell_others(tenant, plugin, False)
    return True


@locked()
def disable_plugin(tenant: Tenant, plugin: str) -> bool:
    _installed(plugin)
    row = _plugin_row(plugin)
    if row is None or not row.enabled:
        return False
    was_on = plugin in plugin_states().enabled
    record("plugin.disabled", stream=f"plugin:{plugin}")
    _tell_others(tenant, plugin, was_on)
    return True


@locked()
def allow_plugin(tenant: Tenant, plugin: str) -> bool:
    """The operator lets the Trust use a plugin; returns False when it could already."""
    _installed(plugin)
    row = _plugin_row(plugin)
    if plugin in BUILT_IN or (row is not None and row.allowed):
        return False
    was_on = plugin in plugin_states().enabled
    record("plugin.allowed", stream=f"plugin:{plugin}")
    _tell_others(tenant, plugin, was_on)
    return True


@locked()
def disallow_plugin(tenant: Tenant, plugin: str) -> bool:
    """The operator stops the Trust using a plugin (its records are kept); False when it was already."""
    _installed(plugin)
    if plugin in BUILT_IN:
        raise CommandError(f"The guide's sections are available to every Trust; switch {plugin!r} off "
                           f"instead: flask --app core plugins disable {tenant.slug} {plugin}")
    row = _plugin_row(plugin)
    if row is not None and row.allowed is False:
        return False
    was_on = plugin in plugin_states().enabled
    record("plugin.disallowed", stream=f"plugin:{plugin}")
    _tell_others(tenant, plugin, was_on)
    return True


# --- services (tenant in context) -------------------------------------------------

def _ensure_name_free(name: str, service_id: int | None = None) -> None:
    """Two services of one Trust never share a name: a form sent twice adds one service."""
    same = db.session.execute(select(Service.name, Service.archived).where(  # two columns, not a whole row
        func.lower(Service.name) == name.lower(), Service.id != (service_id or 0)).limit(written_in(1))).first()
    if same is not None:
        where = " in the archive: bring it back instead" if same.archived else ""
        raise Conflict(f"There is already a service called {same.name}{where}.",
                       {"name": ["Use a name no other service of this Trust has."]})


SERVICE_CODE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,18}[A-Za-z0-9])?$")
CODE_RULE = ("Use up to 20 letters, numbers and hyphens for the code, starting and ending with a letter "
             "or number, like OAK or NCT-2.")


def clean_service_code(code) -> str:
    """A service code as typed, checked: "" means no code."""
    if code is None:
        return ""
    if not isinstance(code, str):
        raise CommandError("Enter the code as text.", {"code": ["Enter the code as text."]})
    code = code.strip()
    if code and not SERVICE_CODE.match(code):
        raise CommandError(CODE_RULE, {"code": [CODE_RULE]})
    return code


def _ensure_code_free(code: str, service_id: int | None = None) -> None:
    """Codes name services for good (in lists and packages), so no two services of a Trust share one."""
    same = db.session.scalar(select(Service).where(func.lower(Service.code) == code.lower(),
                                                   Service.id != (service_id or 0)).limit(written_in(1)))
    if same is not None:
        raise Conflict(f"{same.name} already has the code {same.code}.",
                       {"code": ["Use a code no other service of this Trust has."]})


def _set_code(service: Service, code: str) -> None:
    if code == (service.code or ""):
        return
    if code:
        _ensure_code_free(code, service.id)
    record("service.coded", {"code": code}, stream=f"service:{service.id}", service_id=service.id)


@locked()
def create_service(name: str, kind: str, description: str = "", code: str | None = None) -> Service:
    name = (name or "").strip()
    code = clean_service_code(code)
    if name:
        _ensure_name_free(name)
    ev = record("service.created", {"name": name, "kind": kind, "description": (description or "").strip()})
    service = db.session.get(Service, int(ev.entity_id))
    _set_code(service, code)
    return service


STALE_SERVICE = ("Someone else changed this service while you were editing it. Nothing was saved: "
                 "check the details below, then save again.")


@locked()
def update_service(service: Service, *, name=None, kind=None, description=None, archived=None, code=None,
                   expected_version: int | None = None) -> Service:
    """Rename, re-describe, archive or restore; records only what changed.

    ``expected_version``: the service's version (``events.stream_version``) the change was made from.
    ``code``: None leaves the code as it is; "" takes it off.
    """
    stream = f"service:{service.id}"
    ensure_version(events.stream_version(stream), expected_version, STALE_SERVICE)
    if code is not None:
        _set_code(service, clean_service_code(code))
    if name is not None and name.strip() != service.name:
        _ensure_name_free(name.strip(), service.id)
        record("service.renamed", {"name": name.strip()}, stream=stream, service_id=service.id)
    new_kind = kind if kind is not None else service.kind
    new_description = (description if description is not None else service.description).strip()
    if (new_kind, new_description) != (service.kind, service.description):
        record("service.described", {"kind": new_kind, "description": new_description},
               stream=stream, service_id=service.id)
    if archived is not None and archived != service.archived:
        record("service.archived" if archived else "service.restored", stream=stream, service_id=service.id)
    return service


@locked()
def set_archived(service: Service, archived: bool) -> Service:
    """Archive or bring back a service; doing it twice is refused (409)."""
    if service.archived == archived:
        raise Conflict(f"{service.name} is {'archived' if archived else 'not archived'} already.")
    return update_service(service, archived=archived)


# --- accounts and members -----------------------------------------------------------

def create_user(email: str, display_name: str, password: str, temporary_days: int | None = None) -> User:
    """An account. ``temporary_days``: the password was set by an admin, so it lasts that many days
    and must be changed at the first sign-in."""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise CommandError(f"There is already an account for {email}.", {"email": ["Already has an account."]})
    problem = password_problem(password)
    if problem:
        raise CommandError(problem, {"password": [problem]})
    display_name = (display_name or "").strip() or email.split("@")[0]
    user = User(email=email, display_name=display_name[:120], password_hash=hash_password(password))
    if temporary_days is not None:
        user.must_change_password = True
        user.password_expires_at = utcnow() + timedelta(days=temporary_days)
    db.session.add(user)
    db.session.flush()
    return user


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise CommandError(f"Choose a role: {', '.join(ROLES)}.", {"role": ["Choose a role."]})


@locked()
def add_member(user: User, role: str) -> Membership:
    _check_role(role)
    existing = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    if existing is not None and existing.active:
        raise Conflict(f"{user.email} is already a member of this Trust.", {"email": ["Already a member."]})
    stream = f"membership:{existing.id}" if existing else None
    ev = record("member.added", {"user_id": user.id, "role": role}, stream=stream)
    return db.session.get(Membership, int(ev.entity_id))


INVITATION_DAYS = 14


@locked()
def invite_member(user: User, role: str, days: int = INVITATION_DAYS) -> MemberInvitation | None:
    """Invite someone who already has an account; they accept or decline when they sign in.

    Nothing about the account is told to the admin, so an invitation already waiting is simply
    kept (None). Someone already an active member is refused, as the admin can see them anyway.
    """
    _check_role(role)
    existing = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    if existing is not None and existing.active:
        raise Conflict(f"{user.email} is already a member of this Trust.", {"email": ["Already a member."]})
    now = utcnow()
    waiting = [i for i in db.session.scalars(select(MemberInvitation).where(
        MemberInvitation.user_id == user.id, MemberInvitation.status == "waiting")) if i.open(now)]
    if waiting:
        return None
    ev = record("member.invited", {"user_id": user.id, "role": role,
                                   "expires_at": events.iso(now + timedelta(days=days))})
    return db.session.get(MemberInvitation, int(ev.entity_id))


@locked()
def answer_invitation(invitation: MemberInvitation, accept: bool) -> Membership | None:
    """The invited person's answer. Answering again changes nothing; an expired invitation is refused."""
    if invitation.status != "waiting":
        if accept and invitation.status == "accepted":
            return db.session.scalar(select(Membership).where(Membership.user_id == invitation.user_id))
        raise Conflict("This invitation has already been answered.")
    if not invitation.open():
        raise Conflict("This invitation has expired. Ask the Trust's admin to invite you again.")
    stream = f"member_invitation:{invitation.id}"
    if not accept:
        record("member.invitation_declined", stream=stream)
        return None
    record("member.invitation_accepted", stream=stream)
    existing = db.session.scalar(select(Membership).where(Membership.user_id == invitation.user_id))
    if existing is not None and existing.active:
        return existing  # made a member some other way meanwhile
    return add_member(db.session.get(User, invitation.user_id), invitation.role)


def _active_admins() -> int:
    return len(db.session.scalars(
        select(Membership.id).where(Membership.active, Membership.role == "admin")).all())


@locked()
def change_role(member: Membership, role: str) -> None:
    _check_role(role)
    if role == member.role:
        return
    if member.role == "admin" and _active_admins() <= 1:
        raise Conflict("A Trust needs at least one admin. Make someone else an admin first.")
    record("member.role_changed", {"role": role}, stream=f"membership:{member.id}")


@locked()
def remove_member(member: Membership) -> None:
    if not member.active:
        raise Conflict("This person is no longer a member.")
    if member.role == "admin" and _active_admins() <= 1:
        raise Conflict("A Trust needs at least one admin. Make someone else an admin first.")
    record("member.removed", stream=f"membership:{member.id}")
    sessions.end_all(member.user_id, "removed from a Trust")  # signed out at once, everywhere
    for token in db.session.scalars(select(ApiToken).where(
            ApiToken.membership_id == member.id, ApiToken.revoked.is_(False))):
        revoke_token(token)


# --- tokens --------------------------------------------------------------------------

def create_token(member: Membership, name: str = "API token") -> tuple[ApiToken, str]:
    """Returns the token row and the token itself, which is shown once and never kept."""
    token, digest = new_token()
    ev = record("token.created", {"membership_id": member.id, "name": (name or "").strip(),
                                  "token_hash": digest})
    return db.session.get(ApiToken, int(ev.entity_id)), token


@locked()
def revoke_token(token: ApiToken) -> None:
    if not token.revoked:
        record("token.revoked", stream=f"token:{token.id}")


__all__ = ["CommandError", "events"]


# --- the Trust's contact ------------------------------------------------------------

CONTACT_LIMITS = {"name": (200, "the name"), "phone": (60, "the telephone number"),
                  "email": (254, "the e-mail address"), "when": (500, "when to get in touch")}


def trust_contact() -> TrustContact | None:
    """The Trust's contact (the Trust in context), or None when its admins have not set one."""
    return db.session.scalar(select(TrustContact))


@locked()
def set_trust_contact(name="", phone="", email="", when="") -> TrustContact:
    """An admin sets who people can contact at the Trust. Empty fields are allowed; bad ones change nothing."""
    given = {"name": name, "phone": phone, "email": email, "when": when}
    problems: dict[str, list[str]] = {}
    words = {}
    for key, value in given.items():
        limit, what = CONTACT_LIMITS[key]
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems[key] = [f"Enter {what} as words."]
            continue
        value = " ".join(value.split()) if key != "when" else value.strip()
        if len(value) > limit:
            problems[key] = [f"Enter {what} in {limit} characters or fewer."]
        words[key] = value
    if not problems and words["email"]:
        try:
            words["email"] = normalise_email(words["email"])
        except CommandError:
            problems["email"] = ["Enter an e-mail address in the right format, like help@example.nhs.uk."]
    if not problems and words["phone"] and not re.fullmatch(r"[0-9 +()\-]{3,60}", words["phone"]):
        problems["phone"] = ["Enter a telephone number using numbers and spaces, like 0121 496 0000."]
    if problems:
        first = next(iter(problems.values()))[0]
        raise CommandError(first, problems)
    existing = trust_contact()
    ev = record("trust.contact_set", {}, personal=words,
                stream=f"{TrustContact.__stream__}:{existing.id}" if existing else None)
    return db.session.get(TrustContact, int(ev.entity_id))


# --- "set your password" links ---------------------------------------------------------

LINK_GONE = ("This link has already been used or has expired, so it no longer works. "
             "Ask your Trust admin for a new link.")


def issue_password_link(user: User, days: int) -> tuple[PasswordLink, str]:
    """A one-time link for a new member to set their own password; returns the row and the secret.

    Only the secret's hash is recorded. The caller e-mails the link and commits.
    """
    import secrets as _secrets

    from .auth import token_hash
    from .events import iso

    secret = _secrets.token_urlsafe(32)
    ev = record("member.password_link_sent", {"user_id": user.id, "token_hash": token_hash(secret),
                                             "expires_at": iso(utcnow() + timedelta(days=days))})
    return db.session.get(PasswordLink, int(ev.entity_id)), secret


def password_link(secret: str) -> PasswordLink | None:
    """The link (in the Trust in context) whose secret this is, or None."""
    from .auth import token_hash

    if not isinstance(secret, str) or not (20 <= len(secret) <= 100):
        return None
    return db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == token_hash(secret)))


@locked()
def use_password_link(link: PasswordLink, password: str) -> User:
    """Set the member's password from their link: once, before it expires. Refused with 409 otherwise."""
    db.session.refresh(link)
    if not link.usable():
        raise Conflict(LINK_GONE)
    problem = password_problem(password or "")
    if problem:
        raise CommandError(problem, {"new_password": [problem]})
    user = db.session.get(User, link.user_id)
    # Identity, not Trust history: the account row changes directly; using the link is an event.
    user.password_hash = hash_password(password)
    user.must_change_password, user.password_expires_at = False, None
    record("member.password_link_used", stream=f"{PasswordLink.__stream__}:{link.id}")
    sessions.end_all(user.id, "password set from a link")
    return user
