"""supervision's tables for the 双随机 draw's standing registers (检查人员名录、检查对象名录),
each entry in force from a date until an optional last date, and the draws planned for a stated
later time (the seed made and committed to at planning, kept secret until the draw runs)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.common.records import UTCDateTime

from .models import Base


class RegisterInspector(Base):
    """An inspector of the register, with the unit they belong to (recused from it and below it)."""
    __tablename__ = "register_inspectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    unit_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    effective_from: Mapped[date] = mapped_column(sa.Date)
    effective_until: Mapped[date | None] = mapped_column(sa.Date, nullable=True)  # the last day in force
    added_by: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RegisterUnit(Base):
    """A unit the draws may pick."""
    __tablename__ = "register_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    effective_from: Mapped[date] = mapped_column(sa.Date)
    effective_until: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    added_by: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DrawSchedule(Base):
    """A random inspection whose draw runs by itself at `draw_at`: scheduled → drawn | failed."""
    __tablename__ = "draw_schedules"

    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), primary_key=True)
    draw_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    seed: Mapped[str] = mapped_column(sa.String(64))  # secret until drawn
    commitment: Mapped[str] = mapped_column(sa.String(64))
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sample: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # scope, scope_value, share, count
    inspectors_per_unit: Mapped[int] = mapped_column(sa.Integer)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    problem: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # why a draw failed
