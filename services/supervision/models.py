"""supervision's tables: the checklist (考核细则) by year, inspections with their records,
findings, photos and rectifications, commitments and comments, the reports, and the facts it
learns from other services' events (each with when it occurred and when it arrived, so a
score "as of" an instant is the same whenever it is asked)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from services.common.records import NAMING, UTCDateTime

from .record_sums import dimension_sums


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class UnitCopy(Base):
    """supervision's copy of the unit tree, kept by the units service's events."""
    __tablename__ = "unit_copies"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[str] = mapped_column(sa.String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True, index=True)
    town_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True, index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    demonstration: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    revision: Mapped[int] = mapped_column(sa.Integer)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)  # registered (the event's occurred_at)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # merged or dissolved


class Checklist(Base):
    """One version of a year's checklist: dimensions with weights, criteria with maxima."""
    __tablename__ = "checklists"
    __table_args__ = (sa.UniqueConstraint("year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    version: Mapped[int] = mapped_column(sa.Integer)
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Inspection(Base):
    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(16))
    window_opens: Mapped[date] = mapped_column(sa.Date)
    window_closes: Mapped[date] = mapped_column(sa.Date, index=True)
    unit_codes: Mapped[list[str]] = mapped_column(sa.JSON)
    inspectors: Mapped[list[str]] = mapped_column(sa.JSON)
    assignments: Mapped[dict[str, list[str]]] = mapped_column(sa.JSON)  # unit → its inspectors
    seed: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    draw: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)  # what a re-run needs
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklists.id"))
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class InspectionRecord(Base):
    """An inspector's record of one unit: a draft until submitted, then final; a correction
    is a new revision with a reason and the old one is kept (superseded)."""
    __tablename__ = "inspection_records"
    __table_args__ = (sa.UniqueConstraint("inspection_id", "unit_code", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    revision: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16))  # draft | submitted | superseded
    inspector: Mapped[str] = mapped_column(sa.String(64))
    inspected_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    scores: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)  # [{criterion, score, note}]
    dimension_sums: Mapped[dict[str, float] | None] = mapped_column(sa.JSON, nullable=True)  # kept from scores
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)

    @validates("scores")
    def _keep_sums(self, _key: str, scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.dimension_sums = dimension_sums(scores)
        return scores


class Finding(Base):
    """One problem (问题清单) of a record; submitting the record opens its rectification."""
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_records.id"), index=True)
    dimension: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    deduction: Mapped[float] = mapped_column(sa.Float)  # points off the dimension until put right
    deadline_days: Mapped[int] = mapped_column(sa.Integer)  # working days to put it right
    # the rectification it opened, or kept from the revision a correction replaced (no foreign key:
    # rectifications already point at the finding that opened them)
    rectification_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True, index=True)


class Photo(Base):
    """Evidence (a photo of a notice board, say), stored by its SHA-256 per record or rectification."""
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(40), index=True)  # "record:<id>" or "rectification:<id>"
    sha256: Mapped[str] = mapped_column(sa.String(64))
    media_type: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.Integer)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    added_by: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Rectification(Base):
    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id"), unique=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    dimension: Mapped[str] = mapped_column(sa.String(16))
    finding: Mapped[str] = mapped_column(sa.Text)
    deduction: Mapped[float] = mapped_column(sa.Float)
    deadline: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RectificationStep(Base):
    """Every move of a rectification with who, when and what (the state as of any instant)."""
    __tablename__ = "rectification_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(sa.ForeignKey("rectifications.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor: Mapped[str] = mapped_column(sa.String(64))
    note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ObligationFact(Base):
    """One obligation event from disclosure: fulfilled (on time or late), overdue, waived."""
    __tablename__ = "obligation_facts"
    __table_args__ = (sa.Index("ix_obligation_facts_due", "due_on", "unit_code"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    obligation_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # fulfilled | overdue | waived
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    entry_code: Mapped[str] = mapped_column(sa.String(32))
    matter: Mapped[str] = mapped_column(sa.String(320))
    period: Mapped[str] = mapped_column(sa.String(16))
    due_on: Mapped[date] = mapped_column(sa.Date)
    on_time: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedbackFact(Base):
    """One feedback event: received, answered (on time or not), rated, overdue."""
    __tablename__ = "feedback_facts"
    __table_args__ = (sa.Index("ix_feedback_facts_day", "day", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    feedback_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # received | answered | rated | overdue
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    day: Mapped[date] = mapped_column(sa.Date)  # the county date it happened
    on_time: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    rating: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ItemFact(Base):
    """A published item (for the annual report's items by matter and audience)."""
    __tablename__ = "item_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    item_id: Mapped[int] = mapped_column(sa.Integer)
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    audience: Mapped[str] = mapped_column(sa.String(16))
    obligation_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DesignationFact(Base):
    """A designation's change (示范点 / 典型): designated, expired, revoked."""
    __tablename__ = "designation_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    designation_id: Mapped[int] = mapped_column(sa.Integer)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    change: Mapped[str] = mapped_column(sa.String(16))  # designated | expired | revoked
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Commitment(Base):
    """A unit's public commitment (公开承诺) for a year: what it promises, by when."""
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    text: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date] = mapped_column(sa.Date)
    # [{title, due_on, status: pending | done, done_on, note, by}], each within the year
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list, server_default="[]")
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # its progress as the unit last reported it (shown on the unit's page), and the day it was kept
    progress: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)


class Comment(Base):
    """A leader's comment (领导点评) on a unit at a period's end, with a grade."""
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    period: Mapped[str] = mapped_column(sa.String(8))
    grade: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    author: Mapped[str] = mapped_column(sa.String(64))
    role: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScoreRun(Base):
    """The scores of a period computed once it ended (the timer claims it by inserting)."""
    __tablename__ = "score_runs"

    period: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    totals: Mapped[dict[str, float]] = mapped_column(sa.JSON)  # unit → total
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Report(Base):
    """The monthly 通报 or the annual 工作报告: a draft to edit, then issued and sealed."""
    __tablename__ = "reports"
    __table_args__ = (sa.UniqueConstraint("kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    period: Mapped[str] = mapped_column(sa.String(8))
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16))  # draft | issued
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    text: Mapped[str] = mapped_column(sa.Text)
    published: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Backfill(Base):
    """How far the backfill from a producer's event history got, and when it finished."""
    __tablename__ = "backfill"

    producer: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_id: Mapped[int] = mapped_column(sa.BigInteger)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# the draw's registers and scheduled draws, and the obligation marks, in their own modules (on this Base)
from .mark_models import ObligationMark, ObligationTally  # noqa: F401
from .register_models import DrawSchedule, RegisterInspector, RegisterUnit  # noqa: F401
from .keep_models import KeptFact  # noqa: F401
