"""The indicators' tables: projections of the events in plugins.indicators.events.

Each row's id is the id of the event that created it, so replaying the log
rebuilds the same rows. Only the projectors write these tables.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db
from core.history import Stepped
from core.tenancy import TenantScoped


class Round(TenantScoped, db.Model):
    """One evaluation of a service with the indicators: evaluate, share, agree targets, review."""

    __tablename__ = "indicators_rounds"
    __stream__ = "indicators.round"
    # Step two counts from the day the views were shared; other steps from the day recorded.
    __history__ = Stepped(lambda row, ev: row.shared_on if ev.type == "indicators.views_shared" else None)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Step two, once the groups have shared their views.
    shared_on: Mapped[date | None] = mapped_column(Date)
    shared_setting: Mapped[str | None] = mapped_column(String(30))
    shared_chair: Mapped[str | None] = mapped_column(String(40))
    shared_chair_name: Mapped[str | None] = mapped_column(String(200))
    shared_notes: Mapped[str | None] = mapped_column(Text)
    shared_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Step two's ideas for change, one a line as the groups listed them; targets are chosen from these.
    ideas: Mapped[list | None] = mapped_column(JSON)
    # When the groups plan to share their views: told to people when they finish answering.
    share_planned_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_indicators_rounds_tenant_service", "tenant_id", "service_id"),)

    @property
    def shared(self) -> bool:
        return self.shared_on is not None


class Invitation(TenantScoped, db.Model):
    """A link that lets someone answer for one group without an account.

    Only the SHA-256 of the link's token is kept; the link is shown once. Links made
    since short addresses came also have one (``/i/ABCD-2345``, core.short_address):
    ``short_hash`` is the SHA-256 of its code. That address names no Trust, so the
    code finds the invitation in any Trust: on PostgreSQL the read-only policy
    ``short_address`` lets through the row whose hash the statement names
    (core.tenancy.found_by_hash), and nothing else.
    """

    __tablename__ = "indicators_invitations"
    __stream__ = "indicators.invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    round_id: Mapped[int] = mapped_column(ForeignKey("indicators_rounds.id"))
    group: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    short_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("uq_indicators_invitations_tenant_token", "tenant_id", "token_hash", unique=True),
        Index("ix_indicators_invitations_tenant_round", "tenant_id", "round_id"),
        Index("ix_indicators_invitations_tenant_short", "tenant_id", "short_hash"),
        {"info": {"row_policies": {"short_address": (
            "FOR SELECT USING (short_hash = NULLIF(current_setting('app.lookup_hash', true), ''))")}}},
    )


class Response(TenantScoped, db.Model):
    """One person's answers, as part of their group's evaluation.

    A member answers once per round (``membership_id``; none for answers sent
    through an invitation link). ``submission`` is the one-time key of the form
    or API call that sent them, so sending the same form twice records it once.
    ``answers`` maps an indicator key to its choices and words:
    ``{"individual": "met", "service": "partly_met", "how": "...", "barriers": "...", "change": "..."}``.
    """

    __tablename__ = "indicators_responses"
    __stream__ = "indicators.response"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    round_id: Mapped[int] = mapped_column(ForeignKey("indicators_rounds.id"))
    group: Mapped[str] = mapped_column(String(20))
    via: Mapped[str] = mapped_column(String(20))  # "member" or "invitation"
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("indicators_invitations.id"))
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    submission: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[dict] = mapped_column(JSON)
    words_erased: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_indicators_responses_tenant_round", "tenant_id", "round_id"),
        # The database itself refuses a member's second response, or a form sent twice.
        Index("uq_indicators_responses_tenant_round_member", "tenant_id", "round_id", "membership_id", unique=True),
        Index("uq_indicators_responses_tenant_submission", "tenant_id", "submission", unique=True),
    )


class Draft(TenantScoped, db.Model):
    """Answers saved to finish later, so nothing is lost if someone stops halfway.

    A member's draft is found by their membership; someone answering through an
    invitation finds theirs with a resume code, of which only the SHA-256 is kept.
    """

    __tablename__ = "indicators_drafts"
    __stream__ = "indicators.draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    round_id: Mapped[int] = mapped_column(ForeignKey("indicators_rounds.id"))
    group: Mapped[str] = mapped_column(String(20))
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("indicators_invitations.id"))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    # The one-time key the form carries when the saved answers are finally sent.
    submission: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    open: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        Index("ix_indicators_drafts_tenant_code", "tenant_id", "code_hash"),
        Index("ix_indicators_drafts_tenant_round_member", "tenant_id", "round_id", "membership_id"),
    )


class Target(TenantScoped, db.Model):
    """A target for change agreed by both groups (step three) and its review (step four)."""

    __tablename__ = "indicators_targets"
    __stream__ = "indicators.target"
    # A review counts from the target's review date, even when typed in later.
    __history__ = Stepped(lambda row, ev: row.review_on if ev.type == "indicators.target_reviewed" else None)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    round_id: Mapped[int] = mapped_column(ForeignKey("indicators_rounds.id"))
    indicator: Mapped[str] = mapped_column(String(30))
    change: Mapped[str] = mapped_column(Text)
    service_users_do: Mapped[str] = mapped_column(Text)
    staff_do: Mapped[str] = mapped_column(Text)
    review_on: Mapped[date] = mapped_column(Date)
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    happened: Mapped[str | None] = mapped_column(String(10))
    outcomes: Mapped[str | None] = mapped_column(Text)
    working_together: Mapped[str | None] = mapped_column(Text)
    build_on: Mapped[str | None] = mapped_column(Text)
    # Targets are agreed jointly: who agreed for each group (names or roles, erasable words).
    agreed_for_service_users: Mapped[str | None] = mapped_column(String(200))
    agreed_for_staff: Mapped[str | None] = mapped_column(String(200))
    # Who recorded the review, for each group, on the day.
    reviewed_for_service_users: Mapped[str | None] = mapped_column(String(200))
    review_evidence: Mapped[list | str | None] = mapped_column(JSON)  # core.evidence items ("[erased]" once erased)
    reviewed_for_staff: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_indicators_targets_tenant_round", "tenant_id", "round_id"),)

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


class Settings(TenantScoped, db.Model):
    """A Trust's choices for the indicators: one row per Trust, changed by its admins.

    ``support_contact`` is the Trust's own contact shown on every invitation page beside
    the national lines; ``min_answers`` is how many service users must answer in a round
    before their words and breakdowns are shown (never below ``MIN_ANSWERS``).
    """

    __tablename__ = "indicators_settings"
    __stream__ = "indicators.settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    support_contact: Mapped[str] = mapped_column(Text, default="")
    min_answers: Mapped[int] = mapped_column(Integer, default=3)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_indicators_settings_tenant", "tenant_id", unique=True),)
