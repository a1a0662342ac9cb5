from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.crypto import Sealed
from services.common.records import NAMING, UTCDateTime


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Target(Base):
    """What feedback may be about (a unit, a published item, the year's plan while in
    consultation), copied from events, with the unit that must answer."""
    __tablename__ = "targets"

    kind: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # unit | item | plan
    target_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(sa.Boolean)
    revision: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # units only
    open_until: Mapped[date | None] = mapped_column(sa.Date, nullable=True)  # plans: the last day of consultation
    is_root: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)  # units: the county's root (县委)
    parent_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)  # units: for the town (镇街)
    sector: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)  # units


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (sa.Index("ix_feedback_deadlines", "status", "answer_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    secret_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)  # SHA-256 of the sender's PIN
    target_kind: Mapped[str] = mapped_column(sa.String(8))
    target_id: Mapped[str] = mapped_column(sa.String(32))
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    source: Mapped[str] = mapped_column(sa.String(8))  # public | member
    content: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, index=True)  # duplicates
    # the answering unit and the office only; sealed at rest (services/common/crypto.py)
    contact: Mapped[str | None] = mapped_column(Sealed("feedback.contact"), nullable=True)
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # 个人信息 deleted
    public: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # the sender allows a public answer (公开答复)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    held_reason: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledge_due: Mapped[date] = mapped_column(sa.Date)
    answer_due: Mapped[date] = mapped_column(sa.Date)
    # the answer deadline's start and length, so a new calendar counts it again: the day the
    # round began (received, or reopened) and its working days (an extension's added)
    answer_counted_from: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    answer_working_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    round: Mapped[int] = mapped_column(sa.Integer, default=1)  # answer rounds: 1, then 2 and 3 after reopening
    reopen_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    extension_status: Mapped[str | None] = mapped_column(sa.String(12), nullable=True)  # requested | granted | refused
    extension_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    extension_reason: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    extension_requested_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    rating: Mapped[str | None] = mapped_column(sa.String(24), nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the deadline warnings, each claimed once per answer deadline (cleared when the deadline moves)
    due_soon_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalated_1_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalated_2_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # a public answer reported as abusive by readers: hidden after enough reports until reviewed
    reports: Mapped[int] = mapped_column(sa.Integer, default=0)
    answer_hidden: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    answer_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Answer(Base):
    """A drafted answer (one per round at a time): the operator drafts, the unit's reviewer
    approves it before the sender sees it, or returns it with a reason."""
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id"), index=True)
    round: Mapped[int] = mapped_column(sa.Integer)
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(12))  # review | approved | returned
    drafted_by: Mapped[str] = mapped_column(sa.String(64))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_note: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    on_time: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)  # approved by the deadline it had


class Step(Base):
    """Every step of a feedback's handling: who, when, why."""
    __tablename__ = "feedback_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(sa.String(24))
    actor: Mapped[str] = mapped_column(sa.String(64))  # a username, "sender", "system"
    role: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    unit_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)  # the unit answering after it


class Report(Base):
    """A reader's report of a public answer as abusive; one per reader and answer."""
    __tablename__ = "answer_reports"

    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id"), primary_key=True)
    reporter: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # a hash of the client
    at: Mapped[datetime] = mapped_column(UTCDateTime)
