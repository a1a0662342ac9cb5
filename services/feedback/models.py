from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    target_kind: Mapped[str] = mapped_column(sa.String(8))
    target_id: Mapped[str] = mapped_column(sa.String(32))
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    source: Mapped[str] = mapped_column(sa.String(8))  # public | member
    content: Mapped[str] = mapped_column(sa.Text)
    contact: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)  # never shown or sent
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledge_due: Mapped[date] = mapped_column(sa.Date)
    answer_due: Mapped[date] = mapped_column(sa.Date)
