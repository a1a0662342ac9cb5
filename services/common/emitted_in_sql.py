"""Events made by the database (PostgreSQL), for a batch whose rows never need to come to
Python: each outbox row's body is built in SQL as the text contract.new_events writes for the
same payload (the same envelope, the same keys in the same order, the same JSON), and each
payload is checked against the contract in SQL as new_events checks it in Python.

A payload maps each field of the event type either to a column of the rows (of the Python
type the field takes) or to a constant, checked here once. Only flat fields (strings,
integers, dates, booleans) whose validators are OneOf or Range can be checked by the
database; any other type is refused before a statement is made."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from marshmallow import validate

from .contract import CATALOGUE, ContractError, Envelope, json_default
from .contract.base import _schema_instance
from .contract.wire import FLAT, check_flat_value

_MARK = uuid.UUID(int=0)  # where each row's event id goes in the envelope's text


def _fields(type_name: str, payload: dict[str, Any]) -> list[tuple[str, Any, Any, type]]:
    """The payload's fields in the order the schema writes them: (key, field, value, type),
    constants checked; refused if the type or a column cannot be checked in SQL."""
    spec = CATALOGUE.get(type_name)
    if spec is None:
        raise ContractError(f"unknown event type {type_name!r}")
    schema = spec.payload_schema
    if set(payload) != set(schema.dump_fields):
        raise ContractError(f"{type_name} payload breaks the contract: its fields are {sorted(payload)}, "
                            f"not {sorted(schema.dump_fields)}")
    made = []
    for key, field in schema.dump_fields.items():
        kind, value = FLAT.get(type(field)), payload[key]
        if kind is None or any(not isinstance(v, (validate.OneOf, validate.Range)) for v in field.validators):
            raise ContractError(f"{type_name}.{key} cannot be checked by the database")
        if isinstance(value, sa.ColumnElement):
            if value.type.python_type is not kind:
                raise ContractError(f"{type_name} payload breaks the contract: {key} is not a {kind.__name__}")
        else:
            check_flat_value(type_name, field, kind, key, value)
        made.append((key, field, value, kind))
    return made


def on_contract(type_name: str, payload: dict[str, Any]) -> sa.ColumnElement[bool]:
    """True for a row whose payload is on the contract (never null)."""
    checks = []
    for key, field, value, _ in _fields(type_name, payload):
        if not isinstance(value, sa.ColumnElement):
            continue
        holds = [_validator(value, v) for v in field.validators]
        if field.allow_none:
            checks.append(sa.or_(value.is_(None), *holds) if holds else sa.true())
        else:
            checks.append(sa.and_(value.is_not(None), *holds))
    return sa.and_(sa.true(), *checks)


def _validator(column: Any, validator: Any) -> sa.ColumnElement[bool]:
    if isinstance(validator, validate.OneOf):
        return column.in_(list(validator.choices))
    low, high = validator.min, validator.max
    return sa.and_(sa.true(),
                   *([] if low is None else [column >= low if validator.min_inclusive else column > low]),
                   *([] if high is None else [column <= high if validator.max_inclusive else column < high]))


def message_body(type_name: str, payload: dict[str, Any], event_id: Any, correlation_id: str,
                 occurred_at: datetime) -> sa.ColumnElement[str]:
    """The row's message as text: what new_events writes for its payload, `event_id` its id."""
    fields, spec = _fields(type_name, payload), CATALOGUE[type_name]
    envelope = json.dumps(_schema_instance(Envelope).dump({
        "event_id": _MARK, "type": type_name, "version": spec.version, "occurred_at": occurred_at,
        "producer": spec.producer, "correlation_id": correlation_id, "payload": {}}), ensure_ascii=False)
    head, tail = envelope.split(str(_MARK))
    parts: list[Any] = [head, event_id, tail[:-len("{}}")] + "{"]
    for n, (key, _, value, _) in enumerate(fields):
        parts.append(("" if n == 0 else ", ") + json.dumps(key, ensure_ascii=False) + ": ")
        if isinstance(value, sa.ColumnElement):
            parts.append(sa.func.coalesce(sa.cast(sa.func.to_json(value), sa.Text), "null"))
        else:
            parts.append(json.dumps(value, ensure_ascii=False, default=json_default))
    parts.append("}}")
    return sa.func.concat(*[sa.literal(p, sa.Text) if isinstance(p, str) else p for p in parts])
