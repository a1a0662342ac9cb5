"""Typed domain errors. Each carries the HTTP status and the stable code the gateway answers
with, so the gateway maps the hierarchy (``isinstance(exc, DomainError)``), not names.

Every subclass is registered with nameko's exception registry as it is defined: an RPC
caller that imports this module gets the very class back (``NotFound`` raised in a service
is a ``NotFound`` in the gateway), with its message and details, instead of a RemoteError.
"""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError
from nameko.exceptions import deserialize_to_instance


class DomainError(Exception):
    """A request the domain refuses; the message is for a person to read."""
    status = 400
    code = "invalid_input"

    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(*((message, details) if details else (message,)))
        self.message, self.details = message, details or {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        deserialize_to_instance(cls)

    def __str__(self) -> str:
        return self.message


deserialize_to_instance(DomainError)


class InvalidInput(DomainError):
    status, code = 400, "invalid_input"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Gone(DomainError):
    """The record was there and was deleted for good: what, when and by whom are in the message
    and the details (services/common/tombstones.py), never a bare 404."""
    status, code = 410, "gone"


class Conflict(DomainError):
    """The thing is not in a state that allows this (e.g. approving a draft)."""
    status, code = 409, "conflict"


class Unprocessable(DomainError):
    """Well-formed, but it names things that are not there (an unknown parent, say)."""
    status, code = 422, "unprocessable"


class SignInSlowed(DomainError):
    """Wrong passwords in a row: the account takes no attempt for a few seconds
    (details: retry_after_seconds)."""
    status, code = 429, "sign_in_slowed"


class AccountLocked(DomainError):
    """Too many wrong passwords: the account is locked for a while, or until the admin
    unlocks it (details: retry_after_seconds)."""
    status, code = 429, "account_locked"


class TooLarge(DomainError):
    """An upload over its size limit."""
    status, code = 413, "too_large"


class UnsupportedMediaType(DomainError):
    """An upload whose bytes are not one of the kinds taken there."""
    status, code = 415, "unsupported_media_type"


class NotReady(DomainError):
    """The service is up but cannot answer yet (supervision filling itself from the event history)."""
    status, code = 503, "service_unavailable"


class PasswordChangeRequired(DomainError):
    """The password was right but is a one-time one: change it first (no session before)."""
    status, code = 403, "password_change_required"


class SecondFactorRequired(DomainError):
    """The password was right; the account's role signs in with a second factor too (details:
    `challenge`, the token the second step presents, and `step`: `enrol` while the account has no
    factor yet, else `code`)."""
    status, code = 401, "second_factor_required"


DOMAIN_ERRORS = (DomainError,)


def validated(schema: Schema, data: Any, what: str) -> dict[str, Any]:
    """`data` through an input schema; a refusal names every field that is wrong."""
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as exc:
        raise InvalidInput(f"{what} is not valid: {exc.messages}", {"fields": exc.messages}) from exc
