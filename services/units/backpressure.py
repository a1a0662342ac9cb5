"""How far behind the services that follow the registry are: the most events waiting in any
of their queues for units' events (RabbitMQ counts them; a passive declare reads the count).

An import job checks it before each batch and waits while a queue holds more than
IMPORT_MAX_BACKLOG events and is draining: the consumers (disclosure scheduling each new
unit's obligations, notify, feedback, supervision) then work as the events come instead of
through a backlog, which would take the CPU (and, with every service in one process as
`make run` runs them, the one event loop) from the directory's reads. A queue that does not
drain (its service is down) does not hold the import up: its events wait for it.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

from kombu import Connection

from services.common.contract import CATALOGUE, SUBSCRIPTIONS, queue_name

log = logging.getLogger(__name__)

STALL_SECONDS = 5.0  # a backlog that has not shrunk for this long is not waited for


def unit_event_queues() -> list[str]:
    produced = {t for t, entry in CATALOGUE.items() if entry.producer == "units"}
    return sorted(queue_name(service, t) for service, types in SUBSCRIPTIONS.items() for t in types if t in produced)


class QueueBacklog:
    """Callable: the largest count of ready events in the queues of units' events (0 when the
    broker cannot be asked: the pace and the pauses still hold)."""

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.queues = unit_event_queues()
        self._connection: Connection | None = None
        self._channel: Any = None

    def __call__(self) -> int:
        deepest = 0
        try:
            for name in self.queues:
                if self._channel is None:
                    self._connection = self._connection or Connection(self.amqp_uri, connect_timeout=5)
                    self._channel = self._connection.channel()
                try:
                    deepest = max(deepest, self._channel.queue_declare(queue=name, passive=True).message_count)
                except Exception as exc:  # not declared yet: the broker closes the channel
                    if getattr(exc, "code", None) != 404:
                        raise
                    self._channel = None
        except Exception:
            log.warning("could not read the event queues' backlog; importing at the set pace", exc_info=True)
            self.close()
        return deepest

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # already gone
                pass
        self._connection = self._channel = None


def wait_for_consumers(backlog: Callable[[], int], limit: int, sleep: Callable[[float], Any],
                       clock: Callable[[], float] = time.monotonic) -> float:
    """Wait while the backlog is over `limit` and shrinking; returns the seconds waited."""
    started = clock()
    depth = backlog()
    best, best_at = depth, started
    while depth > limit:
        if depth < best:
            best, best_at = depth, clock()
        elif clock() - best_at > STALL_SECONDS:
            log.info("an event queue holds %d events and is not draining; importing on", depth)
            break
        sleep(0.5)
        depth = backlog()
    return clock() - started
