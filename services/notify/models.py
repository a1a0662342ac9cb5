from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from services.common.crypto import Sealed, blind_index
from services.common.records import NAMING, UTCDateTime


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class KnownUnit(Base):
    """The newest revision of each unit notify has applied, so older events lose; its parent
    and sector, so the town's secretary above a village can be found."""
    __tablename__ = "known_units"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16))
    parent_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    sector: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    name: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)


class KnownAccount(Base):
    """An account as units announced it (AccountCreated/Changed/Disabled): who reads the
    in-app inbox and whose preferences apply. No password hash ever reaches notify."""
    __tablename__ = "known_accounts"

    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(16))
    unit_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True, index=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
    revision: Mapped[int] = mapped_column(sa.Integer)


class ItemAuthor(Base):
    """Who submitted an item (from ItemSubmitted), so its rejection reaches its author."""
    __tablename__ = "item_authors"

    item_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(sa.String(64))
    unit_code: Mapped[str] = mapped_column(sa.String(32))


class Preference(Base):
    """Channels on or off for one account, with its quiet hours and digest choice; the row of
    username '*' holds the county office's defaults. `channels` maps a channel to true/false; a
    channel not named follows the default."""
    __tablename__ = "preferences"

    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    channels: Mapped[dict] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the person's own quiet hours ("22:00-07:30"; "" for none) and digest choice (yellow warnings
    # bundled into the morning digest, or sent as they come); None follows the county's ('*' row,
    # then config NOTIFY QUIET_HOURS and the rules' `digest`)
    quiet_hours: Mapped[str | None] = mapped_column(sa.String(11), nullable=True)
    digest: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)


class InboxMessage(Base):
    """One message in an account's in-app inbox; written in the handler's transaction, once
    per (event, account)."""
    __tablename__ = "inbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    cause_event_id: Mapped[str] = mapped_column(sa.String(36))
    cause_type: Mapped[str] = mapped_column(sa.String(64))
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    urgency: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (sa.UniqueConstraint("cause_event_id", "username", name="uq_inbox_once"),
                      sa.Index("ix_inbox_reader", "username", "id"))


class Contact(Base):
    """An official's channels, copied from the units service's events."""
    __tablename__ = "contacts"

    unit_code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(Sealed("contacts.email"), nullable=True)  # sealed at rest
    phone: Mapped[str | None] = mapped_column(Sealed("contacts.phone"), nullable=True)


class Delivery(Base):
    """One message to one recipient on one channel, because of one event."""
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_event_id: Mapped[str] = mapped_column(sa.String(36))
    cause_type: Mapped[str] = mapped_column(sa.String(64))
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    recipient: Mapped[str] = mapped_column(Sealed("deliveries.recipient"))  # an address: sealed at rest
    recipient_index: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)  # its keyed hash, for "once"
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # pending | sending | delivered | failed
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # (event, recipient, channel) once: `delivery_key` is unique; `message_id` is fixed per
    # delivery (email Message-ID, webhook-id, the SMS OutId) so a resend is the same message
    delivery_key: Mapped[str | None] = mapped_column(sa.String(300), nullable=True, unique=True)
    message_id: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    destination: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)  # robot name, webhook id
    webhook_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True, index=True)
    urgency: Mapped[str] = mapped_column(sa.String(8), default="normal")
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    digest_on: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)  # county date of its digest
    bundled_into: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    link: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    quiet_hours: Mapped[str | None] = mapped_column(sa.String(11), nullable=True)  # the recipient's, for retries
    # the W3C traceparent of the work that handled the event it tells: its outcome events carry it
    traceparent: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    # pending | sending | delivered | failed (permanent) | dead (out of attempts) | held (for the digest) | bundled

    __table_args__ = (sa.UniqueConstraint("cause_event_id", "channel", "recipient_index", name="uq_deliveries_once"),
                      sa.Index("ix_deliveries_due", "status", "next_attempt_at"))

    @validates("recipient")
    def _index_recipient(self, _key: str, value: str) -> str:
        self.recipient_index = blind_index(value, "deliveries.recipient")
        return value


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
    consecutive_failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    disabled_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookAttempt(Base):
    """One POST to a subscriber: what it answered, how long it took."""
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    delivery_id: Mapped[int] = mapped_column(sa.Integer)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(sa.String(16))  # delivered | retry | failed
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(sa.Integer)


class RobotMinute(Base):
    """How many messages a robot (named by its URL's hash) was sent in one UTC minute, counted
    by every replica: the platforms' 20-a-minute limit holds across them (robots.py)."""
    __tablename__ = "robot_minutes"

    robot: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    minute: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # 2026-12-01T06:00
    sent: Mapped[int] = mapped_column(sa.Integer)
