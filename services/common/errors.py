"""Typed domain errors. Services raise them; nameko carries their class name to the
caller as RemoteError.exc_type, and the gateway maps each to one HTTP status, once."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError


class DomainError(Exception):
    """A request the domain refuses; the message is for a person to read."""


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class Conflict(DomainError):
    """The thing is not in a state that allows this (e.g. approving a draft)."""


class Forbidden(DomainError):
    pass


DOMAIN_ERRORS = (NotFound, InvalidInput, Conflict, Forbidden)


def validated(schema: Schema, data: Any, what: str) -> dict[str, Any]:
    """`data` through an input schema; a refusal names every field that is wrong."""
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as exc:
        raise InvalidInput(f"{what} is not valid: {exc.messages}") from exc
