"""The broker objects of the event contract, declared the same way by producers and consumers."""
from __future__ import annotations

from kombu import Connection, Exchange, Queue

from .contract import EVENTS_EXCHANGE, SUBSCRIPTIONS, queue_name

events_exchange = Exchange(EVENTS_EXCHANGE, type="topic", durable=True, auto_delete=False)


def subscription_queue(service: str, event_type: str) -> Queue:
    """The durable queue through which `service` receives `event_type` from any producer."""
    return Queue(queue_name(service, event_type), exchange=events_exchange,
                 routing_key=f"*.{event_type}", durable=True, auto_delete=False)


def declare_topology(amqp_uri: str) -> None:
    """Declare the exchange and every internal subscriber's queue, so an event published
    before its consumer first starts waits in the consumer's queue instead of vanishing."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        events_exchange(channel).declare()
        for service, types in SUBSCRIPTIONS.items():
            for event_type in types:
                subscription_queue(service, event_type)(channel).declare()
