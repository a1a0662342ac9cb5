"""supervision's maintained aggregate of the obligation facts: one row per obligation (and the
due date its facts name), with the instant each kind of fact about it became known here."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.common.records import UTCDateTime

from .models import Base


class ObligationMark(Base):
    """When the obligation was first known fulfilled, fulfilled on time, overdue and waived: for
    each kind, the earliest max(occurred_at, received_at) of its facts (a fact counts as of T when
    it occurred and arrived by T, so the kind is known as of T exactly when this instant ≤ T)."""
    __tablename__ = "obligation_marks"
    __table_args__ = (sa.UniqueConstraint("obligation_id", "unit_code", "due_on"),
                      sa.Index("ix_obligation_marks_due", "due_on", "unit_code"))

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    obligation_id: Mapped[int] = mapped_column(sa.Integer)
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    due_on: Mapped[date] = mapped_column(sa.Date)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    on_time_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ObligationTally(Base):
    """The marks of one unit's obligations due in one month, counted as of every instant from
    settled_at on: judged (fulfilled or overdue, not waived) and fulfilled on time (not waived).
    settled_at is the latest instant any of those marks holds, so the counts as of an instant
    from then on are these; as of an earlier one they are counted from the marks."""
    __tablename__ = "obligation_tallies"

    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)  # the first day of the month due
    unit_code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    judged: Mapped[int] = mapped_column(sa.Integer)
    on_time: Mapped[int] = mapped_column(sa.Integer)
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime)
