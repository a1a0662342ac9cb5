"""Events to and from the wire: making one, its JSON message, parsing and checking one."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, ValidationError, fields

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


# fields whose loaded value is the dumped one for any value of the right Python type
FLAT = {fields.String: str, fields.Integer: int, fields.Date: date, fields.Boolean: bool}


def new_events(type_name: str, payloads: list[dict[str, Any]],
               correlation_id: str | None = None) -> list[tuple[Event, str]]:
    """Many events of one type with their JSON messages (to_message, as text), for a timer that
    emits thousands at once: what new_event and to_message give each, without running the
    schema for every payload. The first goes through new_event; each other must have the same
    keys, values of the type its field takes (None only where the field allows it) and pass
    the field's validators: for a payload of flat fields (strings, integers, dates, booleans)
    that is the schema's own check. A type with other fields goes through new_event one by one."""
    if not payloads:
        return []
    first = new_event(type_name, payloads[0], correlation_id)
    message = to_message(first)
    made = [(first, json.dumps(message, ensure_ascii=False))]
    schema = CATALOGUE[type_name].payload_schema
    kinds = {name: FLAT.get(type(field)) for name, field in schema.fields.items()}
    if None in kinds.values():
        return made + [(e, json.dumps(to_message(e), ensure_ascii=False))
                       for e in (new_event(type_name, p, correlation_id) for p in payloads[1:])]
    keys, occurred_at = list(message["payload"]), first.occurred_at
    envelope = {name: message[name] for name in ("version", "producer", "correlation_id")}
    stamp = message["occurred_at"]
    for payload in payloads[1:]:
        _check_flat(type_name, schema, kinds, keys, payload)
        event = Event(type=type_name, version=first.version, producer=first.producer, payload=payload,
                      correlation_id=first.correlation_id, occurred_at=occurred_at)
        body = {"event_id": str(event.event_id), "type": type_name, "version": envelope["version"],
                "occurred_at": stamp, "producer": envelope["producer"], "correlation_id": envelope["correlation_id"],
                "payload": {key: payload[key] for key in keys}}
        made.append((event, json.dumps(body, ensure_ascii=False, default=json_default)))
    return made


def _check_flat(type_name: str, schema: Any, kinds: dict[str, type], keys: list[str], payload: dict[str, Any]) -> None:
    if len(payload) != len(keys) or any(key not in payload for key in keys):
        raise ContractError(f"{type_name} payload breaks the contract: its fields are {sorted(payload)}, not {sorted(keys)}")
    for key in keys:
        check_flat_value(type_name, schema.fields[key], kinds[key], key, payload[key])


def check_flat_value(type_name: str, field: Any, kind: type, key: str, value: Any) -> None:
    """One value of a flat field as the schema checks it: its exact type, null only where
    allowed, and the field's validators."""
    if value is None:
        if not field.allow_none:
            raise ContractError(f"{type_name} payload breaks the contract: {key} may not be null")
        return
    if type(value) is not kind:  # exact: a datetime is no date here, a bool no integer
        raise ContractError(f"{type_name} payload breaks the contract: {key} is not a {kind.__name__}")
    try:
        for validator in field.validators:
            validator(value)
    except ValidationError as exc:
        raise ContractError(f"{type_name} payload breaks the contract: {key}: {exc.messages}") from exc


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
