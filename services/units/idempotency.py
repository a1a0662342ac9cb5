"""Idempotency keys of the gateway's creating POSTs (`Idempotency-Key`), kept here beside the
gateway's other durable state (sessions, API keys, the audit trail) so that every gateway
replica sees one record per key.

A record is (caller, key): the fingerprint of the request that first used the key (method,
path and body, hashed by the gateway), and once that request is answered its status and body.
Claiming is one INSERT on that primary key that does nothing when the row is there, so of two
requests with one key, on two gateways at once, exactly one claims it and does the work; the
other finds it pending (and waits or is told to retry), then finds the first answer. A key is
kept 24 hours; after that it is free again. A request that failed on our side (5xx) releases
its key, so that its retry runs."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.db import upsert_into
from services.common.errors import Unprocessable
from services.common.records import utcnow

from .models import IdempotencyKey

KEPT = timedelta(hours=24)
KEY_MAX = 200
REUSED = "这个 Idempotency-Key 已用于另一个不同的请求（地址或内容不同）：同一个键只能用于重试同一个请求，新的请求请换一个新键。"


def claim(session: Session, caller: str, key: str, fingerprint: str, now: datetime | None = None) -> dict[str, Any]:
    """{"state": "claimed"}: this request is the first with the key, do it and `complete` (or
    `release`) the key; {"state": "pending"}: another request with it is at work;
    {"state": "done", "status", "body"}: the first answer, to give again. The same key with a
    different request is refused (422)."""
    now = now or utcnow()
    session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.caller == caller, IdempotencyKey.key == key,
                                                    IdempotencyKey.created_at < now - KEPT))
    values = {"caller": caller, "key": key, "fingerprint": fingerprint, "created_at": now}
    claimed = session.execute(upsert_into(session, IdempotencyKey.__table__).values(**values).on_conflict_do_nothing(
        index_elements=["caller", "key"])).rowcount == 1
    if claimed:
        return {"state": "claimed"}
    row = session.get(IdempotencyKey, (caller, key), populate_existing=True)
    if row.fingerprint != fingerprint:
        raise Unprocessable(REUSED)
    if row.status is None:
        return {"state": "pending"}
    return {"state": "done", "status": row.status, "body": row.body}


def complete(session: Session, caller: str, key: str, fingerprint: str, status: int, body: str) -> None:
    """Keep the answer of the request that claimed the key."""
    session.execute(sa.update(IdempotencyKey).where(
        IdempotencyKey.caller == caller, IdempotencyKey.key == key, IdempotencyKey.fingerprint == fingerprint,
        IdempotencyKey.status.is_(None)).values(status=status, body=body, completed_at=utcnow()))


def release(session: Session, caller: str, key: str, fingerprint: str) -> None:
    """Free a key whose request failed on our side, so that a retry does it."""
    session.execute(sa.delete(IdempotencyKey).where(
        IdempotencyKey.caller == caller, IdempotencyKey.key == key, IdempotencyKey.fingerprint == fingerprint,
        IdempotencyKey.status.is_(None)))


def purge(session: Session, now: datetime | None = None) -> int:
    """Forget the keys older than 24 hours."""
    cutoff = (now or utcnow()) - KEPT
    return session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount
