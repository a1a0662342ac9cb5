"""The event contract: one envelope and one marshmallow schema per event type.

Other county systems subscribe to these events, so this module is a public API. Every
event travels on one durable topic exchange, ``gongkai.events``, with the routing key
``<producer>.<Type>`` (for example ``disclosure.ItemPublished``); a subscriber binds
``*.ItemPublished`` for one type or ``disclosure.#`` for one producer. docs/asyncapi.yaml
is generated from this module (``python -m services.common.asyncapi``) and a test fails
when the two drift apart.

Payload schemas are strict when an event is produced (a producer that breaks its own
contract fails loudly) and tolerant when consumed (unknown fields are ignored), so a
producer may add optional fields without a new version.
"""
from .base import (  # noqa: F401
    AUDIENCES, CHANNELS, EVENTS_EXCHANGE, FEEDBACK_KINDS, FEEDBACK_TARGETS, OFFICIAL_ROLES, ORG_TYPES, SECTORS,
    ContractError, Envelope, Event, EventType, Payload, Provisional)
from .catalogue import CATALOGUE, SUBSCRIPTIONS, UNIT_EVENTS, queue_name, subscribed_types, unit_state_of  # noqa: F401
from .wire import from_message, json_default, new_event, new_events, to_message  # noqa: F401
