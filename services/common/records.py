"""The tables every service keeps for reliable messaging, beside its own domain tables:
the outbox (events committed with the state change that caused them), the processed
events (so a redelivered event has no second effect) and event failures (retries and
dead letters). Each service's first migration creates them with `create_tables()`."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC: the only kind of timestamp Gongkai stores."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Timestamps stored as UTC and always read back timezone-aware, on SQLite too. A value with
    another offset (an "as of" the end of a county day, 23:59:59+08:00) is turned to UTC first:
    SQLite keeps and compares the wall time alone, so 23:59:59+08:00 was taken for 23:59:59 UTC."""
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use UTC-aware datetimes")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class OutboxRecord(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    type: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int] = mapped_column(sa.Integer)
    routing_key: Mapped[str] = mapped_column(sa.String(128))
    correlation_id: Mapped[str] = mapped_column(sa.String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(sa.Text)  # the whole envelope as JSON
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # the W3C traceparent of the work that emitted it, sent as the message's header (tracing.py)
    traceparent: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)

    __table_args__ = (sa.Index("ix_outbox_pending", "published_at", "id"),)


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    consumer: Mapped[str] = mapped_column(sa.String(128), primary_key=True)  # the queue
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventFailure(Base):
    """A received message whose handling failed: retried with backoff, then dead.

    `id` is the dead letter's own key: a message without a usable event_id (NULL here) is
    kept in a row of its own. `body` is the message exactly as received: its UTF-8 text, or
    base64 of its bytes (`body_encoding`) when they are not UTF-8 or hold a NUL, which no
    PostgreSQL text column can store."""
    __tablename__ = "event_failures"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    queue: Mapped[str] = mapped_column(sa.String(128))
    event_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    event_type: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    body: Mapped[str] = mapped_column(sa.Text)
    body_encoding: Mapped[str] = mapped_column(sa.String(8), server_default="utf-8")  # utf-8 | base64
    body_bytes: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    body_sha256: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    content_type: Mapped[str | None] = mapped_column(sa.String(128), nullable=True)
    status: Mapped[str] = mapped_column(sa.String(16))  # retrying | dead | replayed
    attempts: Mapped[int] = mapped_column(sa.Integer)
    last_error: Mapped[str] = mapped_column(sa.Text)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (sa.Index("ix_event_failures_due", "status", "next_attempt_at"),
                      sa.Index("ix_event_failures_event", "queue", "event_id"))


def create_tables(op) -> None:
    """Create the messaging tables from an Alembic migration (`op` is alembic.op)."""
    bind = op.get_bind()
    Base.metadata.create_all(bind, checkfirst=False)


def _failure_body_columns() -> list[sa.Column]:
    """EventFailure's body_* and content_type columns, as a migration adds them."""
    return [sa.Column("body_encoding", sa.String(8), nullable=False, server_default="utf-8"),
            sa.Column("body_bytes", sa.Integer, nullable=True),
            sa.Column("body_sha256", sa.String(64), nullable=True),
            sa.Column("content_type", sa.String(128), nullable=True)]


def add_failure_body_columns(op) -> None:
    """Migration step: the columns that keep a dead letter's body as received. A database
    whose first migration already created them (create_tables builds today's tables) is
    left as it is; rows kept before hold UTF-8 text."""
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(EventFailure.__tablename__)}
    missing = [column for column in _failure_body_columns() if column.name not in present]
    if missing:
        with op.batch_alter_table(EventFailure.__tablename__) as batch:
            for column in missing:
                batch.add_column(column)


def drop_failure_body_columns(op) -> None:
    with op.batch_alter_table(EventFailure.__tablename__) as batch:
        for column in _failure_body_columns():
            batch.drop_column(column.name)


def add_outbox_traceparent(op) -> None:
    """Migration step: the outbox's traceparent column (a database created since has it)."""
    if "traceparent" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(OutboxRecord.__tablename__)}:
        with op.batch_alter_table(OutboxRecord.__tablename__) as batch:
            batch.add_column(sa.Column("traceparent", sa.String(64), nullable=True))


def drop_outbox_traceparent(op) -> None:
    with op.batch_alter_table(OutboxRecord.__tablename__) as batch:
        batch.drop_column("traceparent")


def drop_tables(op) -> None:
    Base.metadata.drop_all(op.get_bind(), checkfirst=False)
