"""Core tables. Tenant and User are global; everything else belongs to one tenant.

Tables other than tenants, users and the event log are projections: only the
projectors in core.projections write them, from events (see core.events).
"""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, utcnow
from .tenancy import TenantScoped


class Tenant(db.Model):
    """A Trust. Created by the operator; its name is projected from ``tenant.created``."""

    __tablename__ = "tenants"
    __stream__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Found by slug before any Trust is in context: no tenant policy; never deleted while serving (core.rls).
    __table_args__ = {"info": {"serving_privileges": ("SELECT", "INSERT", "UPDATE")}}


class User(UserMixin, db.Model):
    """A person who signs in. Identity, not history: kept outside the event log."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    # A temporary password an admin set: it must be changed at the first sign-in, and expires.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved by the database whenever this person's memberships or invitations change, in any Trust
    # (triggers, migration 0013): what is worked out from them is kept under it.
    trusts_changed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Identity, never deleted while serving (see core.rls).
    __table_args__ = {"info": {"serving_privileges": ("SELECT", "INSERT", "UPDATE")}}


class Service(TenantScoped, db.Model):
    """A team or setting inside a Trust: a day centre, a ward, an outreach team..."""

    __tablename__ = "services"
    __stream__ = "service"
    __service_attr__ = "id"  # its history rows are filed under itself

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    # A short code the Trust chooses (optional): how its own lists name the service for good.
    code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_services_tenant_name", "tenant_id", "name"),)


class Membership(TenantScoped, db.Model):
    """A user's role in one tenant. Removal keeps the row, inactive, for the record."""

    __tablename__ = "memberships"
    __stream__ = "membership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # e-mail reminders on

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        Index("uq_memberships_tenant_user", "tenant_id", "user_id", unique=True),
        # Choosing a Trust reads a person's own memberships in every Trust, before any Trust
        # is chosen: on PostgreSQL this read-only policy lets those rows through, and only
        # those, for a statement that names the person (core.tenancy.own_memberships).
        {"info": {"row_policies": {"own_memberships": (
            "FOR SELECT USING (user_id = NULLIF(current_setting('app.user_id', true), '')::integer)")}}},
    )


class ApiToken(TenantScoped, db.Model):
    """A personal access token. Only its SHA-256 is kept; the token is shown once."""

    __tablename__ = "api_tokens"
    __stream__ = "token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    membership: Mapped[Membership] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_api_tokens_tenant_membership", "tenant_id", "membership_id"),
        Index("uq_api_tokens_tenant_token_hash", "tenant_id", "token_hash", unique=True),
    )


class TenantPlugin(TenantScoped, db.Model):
    """Whether an installed plugin is switched on for a tenant, and whether the operator allowed it.

    ``allowed`` is the operator's word (``plugins allow`` / ``disallow``): None until they
    say, when the guide's sections are available to every Trust and a package to the
    Trusts it declares (``core.plugins.PluginHost.available``).
    """

    __tablename__ = "tenant_plugins"
    __stream__ = "plugin"
    __stream_key__ = "plugin"

    plugin: Mapped[str] = mapped_column(String(60))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    allowed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    __table_args__ = (PrimaryKeyConstraint("tenant_id", "plugin"),)


class Erasure(TenantScoped, db.Model):
    """A record that the personal words of one event were erased, and on whose authority.

    The database lets an ``event_personal`` row be deleted only once its
    erasure is recorded here (projected from ``personal.erased``).
    """

    __tablename__ = "erasures"
    __stream__ = "erasure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_seq: Mapped[int] = mapped_column(Integer)
    authority: Mapped[str] = mapped_column(Text)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_erasures_tenant_event_seq", "tenant_id", "event_seq"),)


class SentReminder(TenantScoped, db.Model):
    """A reminder e-mailed to a member (``reminder.sent``), so that it is never sent twice."""

    __tablename__ = "sent_reminders"
    __stream__ = "reminder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(200))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_sent_reminders_tenant_key_member", "tenant_id", "key", "membership_id",
                            unique=True),)


class MemberInvitation(TenantScoped, db.Model):
    """An invitation to someone who already has an account to join this Trust, which they accept or decline.

    The admin who sends it learns nothing about the account (not its name, not its other Trusts).
    """

    __tablename__ = "member_invitations"
    __stream__ = "member_invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="waiting")  # waiting, accepted, declined
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_member_invitations_tenant_user", "tenant_id", "user_id", "status"),
        # The invited person sees their own invitations from every Trust, before joining any:
        # on PostgreSQL this read-only policy lets those rows through for a statement that
        # names the person (core.tenancy.own_memberships), and nothing else.
        {"info": {"row_policies": {"own_invitations": (
            "FOR SELECT USING (user_id = NULLIF(current_setting('app.user_id', true), '')::integer)")}}},
    )

    def open(self, now: datetime | None = None) -> bool:
        return self.status == "waiting" and (now or utcnow()) < self.expires_at


class TrustContact(TenantScoped, db.Model):
    """Who people can contact at the Trust (``trust.contact_set``): one row per Trust, set by its admins.

    Shown in the footer's contact page, the accessibility statement, the privacy notice and on every
    invitation page. The words are personal (a name, a telephone number), so they can be erased.
    """

    __tablename__ = "trust_contacts"
    __stream__ = "trust_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    when_to_call: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_trust_contacts_tenant", "tenant_id", unique=True),)

    @property
    def empty(self) -> bool:
        return not (self.name or self.phone or self.email or self.when_to_call)


class PasswordLink(TenantScoped, db.Model):
    """A one-time "set your password" link an admin had e-mailed to a new member (``member.password_link_sent``).

    Only the SHA-256 of the link's secret is kept. It works once (``member.password_link_used``)
    and until ``expires_at``.
    """

    __tablename__ = "password_links"
    __stream__ = "password_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_password_links_tenant_token", "tenant_id", "token_hash"),)

    def usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and (now or utcnow()) < self.expires_at
