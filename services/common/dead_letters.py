"""Dead letters: a received message kept whole, listed for an operator and put back on its
queue once the cause is fixed.

Nothing about a message is trusted to file it. Its body is kept as received, byte for byte
(UTF-8 text as it came, or base64 when the bytes are not UTF-8 or hold a NUL), with its size,
SHA-256 and content type, so a replay publishes exactly what arrived. A message is matched
to an earlier failure only by a well-formed event_id *and* the same body; one without a
usable event_id (missing, not a string, not a UUID, not JSON at all) is always a row of its
own, with its row id as its only key: two such messages are never merged.
"""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .records import EventFailure, utcnow

JSON = "application/json"
UNTYPED = "application/data"  # what kombu calls a message published without a content type


@dataclass(frozen=True)
class Received:
    """A message's body as it arrived, and how to store and send it again."""
    data: bytes
    content_type: str | None = JSON

    @classmethod
    def of(cls, message) -> Received:
        """From a kombu message: its raw body, before any decoding."""
        body = message.body
        data = body if isinstance(body, bytes) else str(body).encode("utf-8")
        content_type = message.content_type
        return cls(data, content_type if content_type and content_type != UNTYPED else None)

    @classmethod
    def stored(cls, row: EventFailure) -> Received:
        if row.body_encoding == "base64":
            return cls(base64.b64decode(row.body), row.content_type)
        return cls(row.body.encode("utf-8"), row.content_type if row.body_sha256 else JSON)

    @property
    def publish_options(self) -> dict[str, str]:
        """content_type and content_encoding that send these bytes unchanged."""
        return {"content_type": self.content_type or UNTYPED,
                "content_encoding": "utf-8" if self.text is not None else "binary"}

    @property
    def text(self) -> str | None:
        """The body as text when a text column can hold it exactly, else None."""
        try:
            text = self.data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return None if "\x00" in text else text

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def columns(self) -> dict[str, Any]:
        """The EventFailure columns that keep this body."""
        text = self.text
        return {"body": text if text is not None else base64.b64encode(self.data).decode("ascii"),
                "body_encoding": "utf-8" if text is not None else "base64",
                "body_bytes": len(self.data), "body_sha256": self.sha256,
                "content_type": (self.content_type or "")[:128] or None}

    def is_body_of(self, row: EventFailure) -> bool:
        if row.body_sha256 is not None:
            return row.body_sha256 == self.sha256
        return row.body_encoding != "base64" and row.body == self.text  # kept before hashes were

    def event_id(self) -> str | None:
        """The message's event_id when it is a UUID in a JSON object, canonical; else None."""
        text = self.text
        if text is None:
            return None
        try:
            value = json.loads(text).get("event_id")
            return str(uuid.UUID(value)) if isinstance(value, str) else None
        except (ValueError, AttributeError, TypeError, RecursionError):
            return None


def matching_failure(session: Session, queue: str, event_id: str | None,
                     received: Received) -> EventFailure | None:
    """The earlier failure of this same message on this queue, if there is one."""
    if event_id is None:
        return None
    rows = session.scalars(sa.select(EventFailure).where(EventFailure.queue == queue,
                                                         EventFailure.event_id == event_id)
                           .order_by(EventFailure.id))
    return next((row for row in rows if received.is_body_of(row)), None)


def clear_resolved(session: Session, queue: str, event_id: str, received: Received | None) -> None:
    """Once an event is processed, forget its failures; a different body that claimed the
    same event_id stays a dead letter."""
    query = sa.delete(EventFailure).where(EventFailure.queue == queue, EventFailure.event_id == event_id)
    if received is not None:
        query = query.where(sa.or_(EventFailure.body_sha256 == received.sha256,
                                   EventFailure.body_sha256.is_(None)))
    session.execute(query)


def describe_failure(row: EventFailure) -> dict[str, Any]:
    return {"id": row.id, "queue": row.queue, "event_id": row.event_id, "event_type": row.event_type,
            "status": row.status, "attempts": row.attempts, "last_error": row.last_error,
            "first_failed_at": row.first_failed_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "body": row.body, "body_encoding": row.body_encoding, "body_bytes": row.body_bytes,
            "body_sha256": row.body_sha256, "content_type": row.content_type}


def list_dead(session: Session, event_type: str | None = None, limit: int = 100,
              after_id: int = 0) -> list[dict[str, Any]]:
    query = (sa.select(EventFailure).where(EventFailure.status == "dead", EventFailure.id > after_id)
             .order_by(EventFailure.id).limit(limit))
    if event_type:
        query = query.where(EventFailure.event_type == event_type)
    return [describe_failure(row) for row in session.scalars(query)]


def replay_dead(session: Session, requeue: Callable[[EventFailure], None],
                failure_ids: list[int] | None = None, event_type: str | None = None) -> int:
    """Put dead letters back on their queues (in the caller's transaction) and mark them."""
    query = sa.select(EventFailure).where(EventFailure.status == "dead")
    if failure_ids is not None:
        query = query.where(EventFailure.id.in_(failure_ids))
    if event_type:
        query = query.where(EventFailure.event_type == event_type)
    rows = session.scalars(query.order_by(EventFailure.id).with_for_update()).all()
    for row in rows:
        requeue(row)
        row.status, row.updated_at = "replayed", utcnow()
    return len(rows)
