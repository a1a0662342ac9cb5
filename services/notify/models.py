from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.records import NAMING, UTCDateTime


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class KnownUnit(Base):
    """The newest revision of each unit notify has applied, so older events lose."""
    __tablename__ = "known_units"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16))


class Contact(Base):
    """An official's channels, copied from the units service's events."""
    __tablename__ = "contacts"

    unit_code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)


class Delivery(Base):
    """One message to one recipient on one channel, because of one event."""
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_event_id: Mapped[str] = mapped_column(sa.String(36))
    cause_type: Mapped[str] = mapped_column(sa.String(64))
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    recipient: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # pending | sending | delivered | failed
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (sa.UniqueConstraint("cause_event_id", "channel", "recipient", name="uq_deliveries_once"),
                      sa.Index("ix_deliveries_due", "status", "next_attempt_at"))


class Webhook(Base):
    """A subscriber's request to have events POSTed to its URL, signed with `secret`
    (kept in clear: signing needs it; shown to the owner once, at creation)."""
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(100), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    event_types: Mapped[list[str]] = mapped_column(sa.JSON)
    secret: Mapped[str] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
