"""The outbox relay: publishes committed events in commit order, with publisher confirms,
persistent messages and mandatory routing, then marks them published.

A batch is published at once and its confirms are awaited together (RabbitMQ's confirms
are cumulative: one `basic.ack` with `multiple` covers every delivery tag up to its own).
A row is marked published only once the broker has confirmed its message; a message the
broker returned as unroutable or refused (`basic.nack`) stays pending, and if the
connection drops mid-batch every row not yet confirmed stays pending too.

A crash between a commit and its publication loses nothing (the row waits); a crash
between publication and marking repeats the publication, which idempotent consumers
absorb. With PostgreSQL, replicas of a service take turns through an advisory lock,
so rows are published in order and by one relay at a time.
"""
from __future__ import annotations

import logging
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import amqp
import sqlalchemy as sa
from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY, PERSISTENT
from sqlalchemy.orm import sessionmaker

from . import metrics, tracing
from .contract import subscribed_types
from .records import OutboxRecord, utcnow
from .topology import declare_topology, events_exchange, queue_type

log = logging.getLogger(__name__)

BATCH = 200
IDLE_POLL_SECONDS = 1.0
YIELD_SECONDS = 0.02
CONFIRM_TIMEOUT_SECONDS = 10.0
UNROUTABLE_RETRY = timedelta(seconds=30)
PURGE_EVERY = timedelta(hours=1)


class ConfirmTimeout(ConnectionError):
    """The broker did not confirm a batch in time: its unconfirmed rows stay pending."""


@dataclass
class Outcome:
    """What the broker said about one batch, by position in the batch."""
    confirmed: set[int] = field(default_factory=set)
    returned: set[int] = field(default_factory=set)
    refused: set[int] = field(default_factory=set)


class ConfirmingPublisher:
    """One channel in confirm mode, publishing a batch and then waiting for its confirms."""

    def __init__(self, amqp_uri: str, timeout: float = CONFIRM_TIMEOUT_SECONDS):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self._conn: Connection | None = None
        self._channel = None
        self._next_tag = 1
        self._pending: dict[int, int] = {}   # delivery tag -> position in the batch
        self._by_id: dict[str, int] = {}     # message id -> position, for basic.return
        self._outcome = Outcome()

    def _connect(self):
        if self._channel is None:
            self._conn = Connection(self.amqp_uri, heartbeat=0)
            self._conn.connect()
            channel = self._conn.connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
            self._channel, self._next_tag = channel, 1
        return self._channel

    def close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # already broken: nothing to release
                pass

    def _settle(self, tag: int, multiple: bool, into: set[int]) -> None:
        tags = [t for t in self._pending if t <= tag] if multiple else [tag]
        for t in tags:
            position = self._pending.pop(t, None)
            if position is not None:
                into.add(position)

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, self._outcome.confirmed)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, self._outcome.refused)

    def _on_return(self, exc, exchange, routing_key, message) -> None:
        # a returned message is still acked afterwards (RabbitMQ sends basic.return first)
        position = self._by_id.get(message.properties.get("message_id"))
        if position is not None:
            self._outcome.returned.add(position)

    def publish_batch(self, messages: list[dict[str, Any]]) -> Outcome:
        """Publish every message, then wait until the broker has confirmed or refused each.
        Raises (leaving the connection closed) when the connection fails or confirms stop coming."""
        self._outcome, self._pending, self._by_id = Outcome(), {}, {}
        try:
            channel = self._connect()
            for position, m in enumerate(messages):
                msg = amqp.Message(m["body"], content_type="application/json", content_encoding="utf-8",
                                   delivery_mode=PERSISTENT, message_id=m["message_id"],
                                   correlation_id=m["correlation_id"], type=m["type"],
                                   application_headers=m["headers"])
                self._pending[self._next_tag] = position
                self._by_id[m["message_id"]] = position
                self._next_tag += 1
                channel.basic_publish(msg, exchange=m["exchange"], routing_key=m["routing_key"],
                                      mandatory=m["mandatory"])
            deadline = time.monotonic() + self.timeout
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConfirmTimeout(f"{len(self._pending)} message(s) not confirmed in {self.timeout} s")
                try:
                    self._conn.drain_events(timeout=min(left, 1.0))
                except TimeoutError:  # socket.timeout: keep waiting until the deadline
                    continue
        except Exception:
            self.close()
            raise
        outcome = self._outcome
        outcome.confirmed -= outcome.returned
        return outcome


class OutboxRelay:
    def __init__(self, service: str, sessions: sessionmaker, config: dict[str, Any]):
        self.service = service
        self.sessions = sessions
        self.amqp_uri = config[AMQP_URI_CONFIG_KEY]
        self.queue_type = queue_type(config)
        self.retention = timedelta(days=int(config.get("EVENTS", {}).get("OUTBOX_RETENTION_DAYS", 90)))
        self.publisher = ConfirmingPublisher(self.amqp_uri)
        self.lock_key = zlib.crc32(f"gongkai-outbox-{service}".encode())
        self._wake = threading.Event()
        self._stopped = False
        self._subscribed = subscribed_types()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def run(self) -> None:
        """Relay until stopped; woken at once by a commit, polling otherwise."""
        declared = False
        last_purge = datetime.min.replace(tzinfo=timezone.utc)
        failures = 0
        while not self._stopped:
            try:
                if not declared:
                    declare_topology(self.amqp_uri, self.queue_type, producer=self.service)
                    declared = True
                published = self.relay_batch()
                if utcnow() - last_purge > PURGE_EVERY:
                    self.purge_published()
                    last_purge = utcnow()
                failures = 0
            except Exception:  # broker or database down: keep the rows, try again later
                failures += 1
                log.exception("outbox relay of %s failed (attempt %d)", self.service, failures)
                self._wake.wait(min(2 ** failures, 30))
                self._wake.clear()
                continue
            if published < BATCH:
                self._wake.wait(IDLE_POLL_SECONDS)
                self._wake.clear()
            else:
                # a backlog (a registry import's thousands of events): hand the connection to
                # the workers waiting for it before taking the next batch, or they time out
                time.sleep(YIELD_SECONDS)
        self.publisher.close()

    def relay_batch(self) -> int:
        """Publish one batch of pending rows and mark those the broker confirmed; returns
        how many were handled. Raises when the broker failed mid-batch (after marking
        nothing: the confirmed rows are published again, which consumers absorb)."""
        now = utcnow()
        with self.sessions() as session, session.begin():
            postgres = session.bind.dialect.name == "postgresql"
            if postgres and not session.execute(
                    sa.select(sa.func.pg_try_advisory_xact_lock(self.lock_key))).scalar():
                return 0  # another replica is relaying
            rows = session.scalars(
                sa.select(OutboxRecord)
                .where(OutboxRecord.published_at.is_(None))
                .where(sa.or_(OutboxRecord.next_attempt_at.is_(None), OutboxRecord.next_attempt_at <= now))
                .order_by(OutboxRecord.id).limit(BATCH)
            ).all()
            if not rows:
                return 0
            messages, ids = [self._message(row) for row in rows], [row.id for row in rows]
            if postgres:  # the replicas' turn (this transaction's lock) lasts until the rows are marked
                self._mark(rows, self.publisher.publish_batch(messages))
                return len(rows)
        # SQLite: one process to a file, so no replica to take turns with, and one connection for
        # all the service's workers: it goes back to them while the broker confirms the batch
        outcome = self.publisher.publish_batch(messages)
        with self.sessions() as session, session.begin():
            self._mark(session.scalars(sa.select(OutboxRecord).where(OutboxRecord.id.in_(ids))
                                       .order_by(OutboxRecord.id)).all(), outcome)
        return len(ids)

    def _mark(self, rows: list[OutboxRecord], outcome: Outcome) -> None:
        """What the broker said of each row, by its position in the batch: published, unroutable
        (tried again later) or refused (tried again with the next batch)."""
        marked = utcnow()
        for position, row in enumerate(rows):
            if position in outcome.confirmed:
                row.published_at = marked
                row.last_error = None
                metrics.EVENTS_PUBLISHED.labels(self.service, row.type).inc()
            elif position in outcome.returned:
                row.attempts += 1
                row.next_attempt_at = marked + UNROUTABLE_RETRY
                row.last_error = "unroutable: no queue is bound for this event"
                metrics.EVENTS_UNROUTABLE.labels(self.service, row.type).inc()
                log.warning("event %s (%s) was unroutable; will retry", row.event_id, row.type)
            else:  # refused by the broker (basic.nack): try again with the next batch
                row.attempts += 1
                row.last_error = "refused by the broker (basic.nack)"
                log.warning("event %s (%s) was refused by the broker; will retry", row.event_id, row.type)

    def _message(self, row: OutboxRecord) -> dict[str, Any]:
        return {"body": row.body.encode("utf-8"), "exchange": events_exchange.name,
                "routing_key": row.routing_key, "mandatory": row.type in self._subscribed,
                "message_id": row.event_id, "correlation_id": row.correlation_id, "type": row.type,
                "headers": {"gongkai-version": row.version,
                            **({tracing.HEADER: row.traceparent} if row.traceparent else {})}}

    def purge_published(self) -> int:
        """Forget published events older than the retention period."""
        cutoff = utcnow() - self.retention
        with self.sessions() as session, session.begin():
            result = session.execute(sa.delete(OutboxRecord).where(OutboxRecord.published_at < cutoff))
            return result.rowcount or 0
