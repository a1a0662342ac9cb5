"""Receiving events reliably: idempotent handlers, durable failures, bounded retries with
exponential backoff, dead letters that an operator can list and replay.

nameko acknowledges a message even when its handler raises, so a failure is written to
`event_failures` before the ack, and the retrier re-queues it when its backoff is due.
A malformed message, or one of an unknown type or version, is parked at once with its
reason; it never reaches a handler and never holds up the messages behind it. Every failure
keeps the message's body whole, in a row of its own unless it is the same message again
(services/common/dead_letters.py, which also lists and replays them).

Use it as::

    @event_subscriber(names.UNIT_REGISTERED, names.UNIT_UPDATED)
    def on_unit_changed(self, event: Event) -> None:
        copy_unit(self.db.session, event.payload)   # no commit: the inbox commits

"""
from __future__ import annotations

import logging
import sys
import threading
import traceback
from datetime import timedelta
from functools import partial
from typing import Any

import eventlet
import sqlalchemy as sa
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY, PERSISTENT
from nameko.extensions import register_entrypoint
from nameko.messaging import Consumer, QueueConsumer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from . import metrics, tracing
from .contract import SUBSCRIPTIONS, ContractError, Event, from_message, queue_name
from .db import UnitOfWorkProvider
from .dead_letters import (
    Received,
    clear_resolved,
    list_dead,
    matching_failure,
    replay_dead,
)
from .records import EventFailure, ProcessedEvent, utcnow
from .topology import queue_type, subscription_queue

log = logging.getLogger(__name__)

RETRY_POLL_SECONDS = 1.0
REQUEUE_PAUSE_SECONDS = 1.0


class Inbox:
    """A service's record of events received: processed markers and failures."""

    def __init__(self, service: str, sessions: sessionmaker, config: dict[str, Any]):
        events = config.get("EVENTS", {})
        self.service = service
        self.sessions = sessions
        self.max_attempts = int(events.get("MAX_ATTEMPTS", 5))
        self.base_delay = float(events.get("RETRY_BASE_SECONDS", 2))
        self.max_delay = float(events.get("RETRY_MAX_SECONDS", 300))
        self.publisher = Publisher(config[AMQP_URI_CONFIG_KEY], use_confirms=True,
                                   delivery_mode=PERSISTENT)
        self._stopped = threading.Event()

    # --- on receipt -------------------------------------------------------------

    def already_processed(self, event_id: str, consumer: str) -> bool:
        with self.sessions() as session:
            return session.get(ProcessedEvent, (event_id, consumer)) is not None

    def forget_failures(self, event_id: str, consumer: str, received: Received) -> None:
        """The event was processed another way (the backfill, or another replica, got there
        first): a failure kept for it is resolved, not retried for ever."""
        with self.sessions() as session, session.begin():
            clear_resolved(session, consumer, event_id, received)

    def mark_processed(self, session, event: Event, consumer: str, received: Received | None = None) -> None:
        """Add the processed marker to the handler's transaction and clear its failures."""
        session.add(ProcessedEvent(event_id=str(event.event_id), consumer=consumer, processed_at=utcnow()))
        clear_resolved(session, consumer, str(event.event_id), received)

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.base_delay * 2 ** (attempts - 1), self.max_delay))

    def record_failure(self, consumer: str, received: Received, error: str, *, event_id: str | None,
                       event_type: str | None, permanent: bool = False) -> EventFailure:
        """Keep a failed message durably, whole: to be retried later, or dead when attempts run
        out or when retrying cannot help (a malformed message). The same message failing again
        (same event_id, same body) counts on its row; anything else gets a row of its own."""
        now = utcnow()
        with self.sessions() as session, session.begin():
            row = matching_failure(session, consumer, event_id, received)
            if row is None:
                row = EventFailure(queue=consumer, event_id=event_id, event_type=event_type,
                                   **received.columns(), attempts=0, first_failed_at=now, status="retrying")
                session.add(row)
            elif row.status == "replayed":
                row.attempts = 0
            row.attempts += 1
            row.last_error = error[-4000:]
            row.updated_at = now
            if permanent or row.attempts >= self.max_attempts:
                row.status, row.next_attempt_at = "dead", None
            else:
                row.status, row.next_attempt_at = "retrying", now + self.backoff(row.attempts)
        label = event_type or "unknown"
        metrics.EVENTS_FAILED.labels(self.service, label).inc()
        if row.status == "dead":
            metrics.EVENTS_DEAD_LETTERED.labels(self.service, label).inc()
            log.error("event %s on %s is dead letter %s after %d attempt(s): %s", event_id or "(no id)",
                      consumer, row.id, row.attempts, error.splitlines()[-1] if error else "")
        return row

    # --- retries and replay -----------------------------------------------------

    def run_retries(self) -> None:
        while not self._stopped.is_set():
            try:
                self.retry_due()
            except Exception:
                log.exception("retrying failed events of %s failed", self.service)
            self._stopped.wait(RETRY_POLL_SECONDS)

    def stop(self) -> None:
        self._stopped.set()

    def retry_due(self) -> int:
        """Re-queue failures whose backoff has passed. A row is claimed by moving its due
        time forward in a conditional update, so two replicas never re-queue it twice."""
        now = utcnow()
        with self.sessions() as session:
            due = session.execute(sa.select(EventFailure.id, EventFailure.next_attempt_at).where(
                EventFailure.status == "retrying", EventFailure.next_attempt_at <= now)).all()
        count = 0
        for failure_id, due_at in due:
            with self.sessions() as session, session.begin():
                claimed = session.execute(
                    sa.update(EventFailure)
                    .where(EventFailure.id == failure_id, EventFailure.next_attempt_at == due_at)
                    .values(next_attempt_at=now + timedelta(seconds=self.max_delay))
                ).rowcount
                if not claimed:
                    continue
                row = session.get(EventFailure, failure_id)
                self._requeue(row)
                count += 1
        return count

    def _requeue(self, row: EventFailure) -> None:
        """Publish the stored message again, the same bytes with the same content type."""
        received = Received.stored(row)
        self.publisher.publish(received.data, exchange="", routing_key=row.queue, mandatory=True,
                               **received.publish_options, headers={"gongkai-attempt": row.attempts + 1})

    def dead_letters(self, event_type: str | None = None, limit: int = 100,
                     after_id: int = 0) -> list[dict[str, Any]]:
        with self.sessions() as session:
            return list_dead(session, event_type, limit, after_id)

    def replay(self, failure_ids: list[int] | None = None, event_type: str | None = None) -> int:
        """Put dead letters back on their queues (after the cause was fixed)."""
        with self.sessions() as session, session.begin():
            return replay_dead(session, self._requeue, failure_ids, event_type)


class InboxQueueConsumer(QueueConsumer):
    """nameko's queue consumer, but a message that cannot even be decoded becomes a dead
    letter instead of raising inside the consumer loop."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._undecodable, provider)
        return consumers

    def _undecodable(self, provider, message, exc):
        self.container.spawn_managed_thread(partial(provider.park_undecodable, message, exc))


class EventSubscriber(Consumer):
    """Entrypoint: handle one event type from the service's own durable queue."""

    queue_consumer = InboxQueueConsumer()
    manages_transaction = True

    def __init__(self, event_type: str, **kwargs):
        self.event_type = event_type
        super().__init__(queue=None, requeue_on_error=False, **kwargs)

    def setup(self) -> None:
        service = self.container.service_name
        if self.event_type not in SUBSCRIPTIONS.get(service, ()):
            raise ContractError(f"{service} subscribes to {self.event_type} but the contract's "
                                f"SUBSCRIPTIONS does not list it")
        databases = [d for d in self.container.dependencies if isinstance(d, UnitOfWorkProvider)]
        if len(databases) != 1:
            raise RuntimeError(f"{service} needs exactly one Database dependency to receive events")
        self.database = databases[0]
        self.consumer = queue_name(service, self.event_type)
        self.queue = subscription_queue(service, self.event_type, queue_type(self.container.config))
        super().setup()

    @property
    def inbox(self) -> Inbox:
        return self.database.inbox

    def park_undecodable(self, message, exc) -> None:
        self._park(f"undecodable message ({message.content_type}): {exc}", message)

    def _park(self, reason: str, message) -> None:
        """A dead letter at once, under the message's event_id only if it is a well-formed one."""
        received = Received.of(message)
        self._settle(message, lambda: self.inbox.record_failure(
            self.consumer, received, reason, event_id=received.event_id(), event_type=self.event_type,
            permanent=True))

    def _settle(self, message, record) -> None:
        """Ack only once the outcome is durable; if it cannot be written, the broker keeps
        the message and delivers it again."""
        try:
            record()
        except Exception:
            log.exception("could not record the outcome of a message on %s; returning it", self.consumer)
            eventlet.sleep(REQUEUE_PAUSE_SECONDS)
            self.queue_consumer.requeue_message(message)
        else:
            self.queue_consumer.ack_message(message)

    def handle_message(self, body, message) -> None:
        try:
            event = from_message(body)
            if event.type != self.event_type:
                raise ContractError(f"{event.type} arrived on the queue for {self.event_type}")
        except (ContractError, RecursionError) as exc:
            self._park(str(exc) or type(exc).__name__, message)
            return
        try:
            seen = self.inbox.already_processed(str(event.event_id), self.consumer)
        except Exception:  # the database away (a restart): this runs in the consumer's own thread,
            # which must not die of it (nameko would stop the service); the broker keeps the message
            log.exception("could not read whether %s was processed on %s; returning it", event.event_id,
                          self.consumer)
            eventlet.sleep(REQUEUE_PAUSE_SECONDS)
            self.queue_consumer.requeue_message(message)
            return
        if seen:
            metrics.EVENTS_CONSUMED.labels(self.inbox.service, event.type, "duplicate").inc()
            self._settle(message, partial(self.inbox.forget_failures, str(event.event_id), self.consumer,
                                          Received.of(message)))
            return
        context = {**self.unpack_message_headers(message), "correlation_id": event.correlation_id,
                   **tracing.context_of(message.headers)}
        handle_result = partial(self.handle_event_result, message, event, Received.of(message))
        self.container.spawn_worker(self, (event,), {}, context_data=context, handle_result=handle_result)

    def handle_event_result(self, message, event: Event, received: Received, worker_ctx, result=None,
                            exc_info=None):
        """Commit the handler's effects with the processed marker, or keep the failure."""
        uow = self.database.unit_of_work(worker_ctx)
        failure = exc_info

        def record() -> None:
            nonlocal failure
            outcome = "processed"
            if failure is None:
                try:
                    self.inbox.mark_processed(uow.session, event, self.consumer, received)
                    uow._commit()
                except IntegrityError:  # processed concurrently by another replica
                    uow.rollback()
                    uow.close()
                    self.inbox.forget_failures(str(event.event_id), self.consumer, received)
                    outcome = "duplicate"
                except Exception:
                    failure = sys.exc_info()
            if failure is None:
                metrics.EVENTS_CONSUMED.labels(self.inbox.service, event.type, outcome).inc()
                return
            uow.rollback()
            uow.close()  # give the connection back before writing the failure
            self.inbox.record_failure(self.consumer, received, "".join(traceback.format_exception(*failure)),
                                      event_id=str(event.event_id), event_type=event.type)

        self._settle(message, record)
        return result, exc_info


def event_subscriber(*event_types: str):
    """Decorate a service method to handle events of these types, each type from its own
    durable queue (so one type's backlog never holds up another's)."""
    def decorate(fn):
        for event_type in event_types:
            register_entrypoint(fn, EventSubscriber(event_type))
        return fn
    return decorate
