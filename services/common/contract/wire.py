"""Events to and from the wire: making one, its JSON message, parsing and checking one."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, ValidationError

from .base import ContractError, Envelope, Event, EventType, _schema_instance
from .catalogue import CATALOGUE


def _spec(type_name: str, version: int) -> EventType:
    spec = CATALOGUE.get(type_name)
    if spec is None:
        raise ContractError(f"unknown event type {type_name!r}")
    if spec.version != version:
        raise ContractError(f"{type_name} version {version} is not supported (known: {spec.version})")
    return spec


def new_event(type_name: str, payload: dict[str, Any], correlation_id: str | None = None) -> Event:
    """Make an event, validating its payload strictly against the contract."""
    spec = CATALOGUE.get(type_name)
    if spec is None:
        raise ContractError(f"unknown event type {type_name!r}")
    schema = spec.payload_schema
    try:
        loaded = schema.load(schema.dump(payload))
    except ValidationError as exc:
        raise ContractError(f"{type_name} payload breaks the contract: {exc.messages}") from exc
    return Event(type=type_name, version=spec.version, producer=spec.producer,
                 payload=loaded, correlation_id=correlation_id or str(uuid.uuid4()))


def to_message(event: Event) -> dict[str, Any]:
    """The JSON body of an event, as it goes on the wire and into the outbox."""
    spec = _spec(event.type, event.version)
    return _schema_instance(Envelope).dump({
        "event_id": event.event_id, "type": event.type, "version": event.version,
        "occurred_at": event.occurred_at, "producer": event.producer,
        "correlation_id": event.correlation_id, "payload": spec.payload_schema.dump(event.payload),
    })


def from_message(body: Any) -> Event:
    """Parse and validate a received message; anything off the contract is a ContractError."""
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except ValueError as exc:
            raise ContractError(f"message is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ContractError("message is not a JSON object")
    try:
        envelope = _schema_instance(Envelope).load(body)
    except ValidationError as exc:
        raise ContractError(f"bad envelope: {exc.messages}") from exc
    spec = _spec(envelope["type"], envelope["version"])
    try:
        payload = spec.payload_schema.load(envelope["payload"], unknown=EXCLUDE)
    except ValidationError as exc:
        raise ContractError(f"{spec.name} payload breaks the contract: {exc.messages}") from exc
    return Event(type=spec.name, version=spec.version, producer=envelope["producer"],
                 payload=payload, correlation_id=envelope["correlation_id"],
                 event_id=envelope["event_id"], occurred_at=envelope["occurred_at"])


def json_default(value: Any) -> Any:
    """For json.dumps of payloads that hold dates and UUIDs."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
