"""The outbox relay: publishes committed events in commit order, with publisher confirms,
persistent messages and mandatory routing, then marks them published.

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
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from kombu.exceptions import OperationalError
from nameko.amqp.publish import Publisher, UndeliverableMessage
from nameko.constants import AMQP_URI_CONFIG_KEY, PERSISTENT
from sqlalchemy.orm import sessionmaker

from . import metrics
from .contract import subscribed_types
from .records import OutboxRecord, utcnow
from .topology import declare_topology, events_exchange

log = logging.getLogger(__name__)

BATCH = 200
IDLE_POLL_SECONDS = 1.0
YIELD_SECONDS = 0.02
UNROUTABLE_RETRY = timedelta(seconds=30)
PURGE_EVERY = timedelta(hours=1)



class OutboxRelay:
    def __init__(self, service: str, sessions: sessionmaker, config: dict[str, Any]):
        self.service = service
        self.sessions = sessions
        self.amqp_uri = config[AMQP_URI_CONFIG_KEY]
        self.retention = timedelta(days=int(config.get("EVENTS", {}).get("OUTBOX_RETENTION_DAYS", 90)))
        self.publisher = Publisher(self.amqp_uri, use_confirms=True, delivery_mode=PERSISTENT)
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
                    declare_topology(self.amqp_uri)
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

    def relay_batch(self) -> int:
        """Publish one batch of pending rows; returns how many were handled."""
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
            error = None
            for row in rows:
                try:
                    self._publish(row)
                except UndeliverableMessage:
                    row.attempts += 1
                    row.next_attempt_at = utcnow() + UNROUTABLE_RETRY
                    row.last_error = "unroutable: no queue is bound for this event"
                    metrics.EVENTS_UNROUTABLE.labels(self.service, row.type).inc()
                    log.warning("event %s (%s) was unroutable; will retry", row.event_id, row.type)
                    continue
                except (OperationalError, OSError) as exc:
                    error = exc
                    break
                row.published_at = utcnow()
                row.last_error = None
                metrics.EVENTS_PUBLISHED.labels(self.service, row.type).inc()
        if error is not None:
            raise error
        return len(rows)

    def _publish(self, row: OutboxRecord) -> None:
        self.publisher.publish(
            row.body.encode("utf-8"),
            exchange=events_exchange,
            routing_key=row.routing_key,
            mandatory=row.type in self._subscribed,
            content_type="application/json",
            content_encoding="utf-8",
            message_id=row.event_id,
            correlation_id=row.correlation_id,
            type=row.type,
            headers={"gongkai-version": row.version},
        )

    def purge_published(self) -> int:
        """Forget published events older than the retention period."""
        cutoff = utcnow() - self.retention
        with self.sessions() as session, session.begin():
            result = session.execute(sa.delete(OutboxRecord).where(OutboxRecord.published_at < cutoff))
            return result.rowcount or 0
