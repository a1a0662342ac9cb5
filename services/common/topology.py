"""The broker objects of the event contract, declared the same way by producers and consumers.

Subscription queues are classic or quorum queues by config (EVENTS.QUEUE_TYPE, from
EVENT_QUEUE_TYPE): the relay and every consumer declare them with the same arguments, so
whichever starts first creates them as the other expects. RabbitMQ refuses to redeclare a
queue with another type (PRECONDITION_FAILED), so moving from one to the other is a
migration (README, "Quorum queues"), not a restart.
"""
from __future__ import annotations

from typing import Any

from kombu import Connection, Exchange, Queue

from .contract import CATALOGUE, EVENTS_EXCHANGE, SUBSCRIPTIONS, queue_name

events_exchange = Exchange(EVENTS_EXCHANGE, type="topic", durable=True, auto_delete=False)

QUEUE_TYPES = ("classic", "quorum")


def queue_type(config: dict[str, Any]) -> str:
    """The configured type of the subscription queues; anything else is a configuration error."""
    value = str(config.get("EVENTS", {}).get("QUEUE_TYPE") or "classic").strip().lower()
    if value not in QUEUE_TYPES:
        raise ValueError(f"EVENTS.QUEUE_TYPE is {value!r}; it must be one of {', '.join(QUEUE_TYPES)}")
    return value


def queue_arguments(kind: str) -> dict[str, Any]:
    # classic queues are declared without the argument, as they were before the switch
    # existed, so the queues of a running installation are redeclared as they are
    return {"x-queue-type": "quorum"} if kind == "quorum" else {}


def subscription_queue(service: str, event_type: str, kind: str = "classic") -> Queue:
    """The durable queue through which `service` receives `event_type` from any producer."""
    return Queue(queue_name(service, event_type), exchange=events_exchange,
                 routing_key=f"*.{event_type}", durable=True, auto_delete=False,
                 queue_arguments=queue_arguments(kind))


def declare_topology(amqp_uri: str, kind: str = "classic", producer: str | None = None) -> None:
    """Declare the exchange and the internal subscribers' queues, so an event published
    before its consumer first starts waits in the consumer's queue instead of vanishing.
    A `producer` declares only the queues of the events it produces (its relay needs no
    others, and five relays declaring all 105 queues made most of a start's broker work)."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        events_exchange(channel).declare()
        for service, types in SUBSCRIPTIONS.items():
            for event_type in types:
                if producer is None or CATALOGUE[event_type].producer == producer:
                    subscription_queue(service, event_type, kind)(channel).declare()
