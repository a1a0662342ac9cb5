"""The audit trail of the gateway: who changed what through the API, and what they got.

Entries are only ever appended (no RPC edits or deletes them). Each stores the hash of the
entry before it and its own hash = SHA-256(prev_hash + canonical JSON of its fields), so
editing an entry, or deleting one in the middle, breaks the chain at that point and
`verify` names it. Removing the newest entries leaves a shorter valid chain: compare the
last hash with one kept elsewhere to notice that.

Appenders are serialised (an advisory lock on PostgreSQL; SQLite has a single writer) so
two entries never claim the same predecessor; the unique prev_hash enforces it anyway.

    python -m services.units.audit_archive verify    # exits 1 when the chain is broken
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.errors import InvalidInput
from services.common.records import utcnow

from .models import AuditArchive, AuditEntry

GENESIS = "0" * 64
FIELDS = ("actor", "role", "unit", "action", "target", "result", "at", "request_id")
LOCK_KEY = 0x6175646974  # "audit": one advisory lock for all appenders of this database
MAX_LIMIT = 200


def _at_text(at: datetime) -> str:
    """One spelling of a time, whatever the database gives back (PostgreSQL may answer in
    the session's zone, SQLite without one)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _fields(row: AuditEntry) -> dict[str, Any]:
    return {"actor": row.actor, "role": row.role, "unit": row.unit, "action": row.action,
            "target": row.target, "result": row.result, "at": _at_text(row.at), "request_id": row.request_id}


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def as_dict(row: AuditEntry) -> dict[str, Any]:
    return {"id": row.id, **_fields(row), "entry_id": row.entry_id, "prev_hash": row.prev_hash, "hash": row.hash}


def lock(session: Session) -> None:
    """Serialise appenders and archivers until the transaction ends (SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _lock_and_last_hash(session: Session) -> str:
    lock(session)
    last = session.scalar(sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return last or archived_head(session)


def archived_head(session: Session) -> str:
    """The chain's hash at the end of the newest sealed archive; GENESIS before any."""
    head = session.scalar(sa.select(AuditArchive.head).order_by(AuditArchive.last_id.desc()).limit(1))
    return head or GENESIS


def append(session: Session, entry: dict[str, Any], prev_hash: str | None = None) -> dict[str, Any]:
    """Add one entry at the end of the chain (the caller commits, which frees the lock).
    `at` is an ISO time; when absent it is now. `entry_id`, when given, is the sender's
    id for the entry (see append_batch). `prev_hash` is the chain's last hash when the
    caller holds the lock already."""
    try:
        at = datetime.fromisoformat(entry["at"]) if entry.get("at") else utcnow()
        at = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        row = AuditEntry(actor=str(entry["actor"])[:100], role=str(entry["role"])[:16],
                         unit=(str(entry["unit"])[:32] if entry.get("unit") else None),
                         action=str(entry["action"])[:300], target=str(entry["target"])[:2000],
                         result=int(entry["result"]), at=at, request_id=str(entry["request_id"])[:64],
                         entry_id=(str(entry["entry_id"])[:64] if entry.get("entry_id") else None))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"审计记录需要 {', '.join(FIELDS)} 各项：{exc}") from None
    row.prev_hash = prev_hash if prev_hash is not None else _lock_and_last_hash(session)
    row.hash = entry_hash(row.prev_hash, _fields(row))
    session.add(row)
    session.flush()
    return as_dict(row)


def append_batch(session: Session, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Append entries in the order given, skipping those whose entry_id is in the chain
    already: a sender that retries a batch (its answer was lost, the call timed out and
    was carried out later) appends each entry once, and in its order, as long as it
    always sends its oldest unconfirmed entries first."""
    prev_hash = _lock_and_last_hash(session)
    ids = [str(e["entry_id"]) for e in entries if e.get("entry_id")]
    present = set(session.scalars(sa.select(AuditEntry.entry_id).where(AuditEntry.entry_id.in_(ids))))
    appended = 0
    for entry in entries:
        entry_id = str(entry.get("entry_id") or "")
        if entry_id and entry_id in present:
            continue
        prev_hash = append(session, entry, prev_hash)["hash"]
        present.add(entry_id)
        appended += 1
    return {"appended": appended, "skipped": len(entries) - appended, "last_hash": prev_hash}


def verify(session: Session) -> dict[str, Any]:
    """Walk the online chain in id order, from the newest archive's head (services.units.
    audit_archive checks the archives); the first entry whose link or hash is wrong is named."""
    expected_prev, count = archived_head(session), 0
    rows = session.execute(sa.select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=500))
    for row in rows.scalars():
        count += 1
        if row.prev_hash != expected_prev:
            return {"ok": False, "entries": count, "first_bad_id": row.id,
                    "reason": "prev_hash does not match the entry before it (one was removed or changed)"}
        if entry_hash(row.prev_hash, _fields(row)) != row.hash:
            return {"ok": False, "entries": count, "first_bad_id": row.id,
                    "reason": "hash does not match the entry's fields (it was edited)"}
        expected_prev = row.hash
    return {"ok": True, "entries": count, "first_bad_id": None, "reason": None, "last_hash": expected_prev}


def query(session: Session, actor: str | None = None, action: str | None = None, after_id: int = 0,
          limit: int = 100) -> dict[str, Any]:
    """A page of entries in id order; `action` matches the whole action or its beginning
    (e.g. "POST" or "POST /api/v1/units"). `next` is the id to continue after, or None."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    stmt = sa.select(AuditEntry).where(AuditEntry.id > int(after_id or 0)).order_by(AuditEntry.id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    rows = session.scalars(stmt.limit(limit + 1)).all()
    items = [as_dict(row) for row in rows[:limit]]
    return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}
