"""What every Gongkai service has: its database, its metrics, a health answer for the
gateway's readiness check, and its dead letters for operators."""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import passed_deadlines
from .actor import Actor
from .database import Database
from .entrypoints import command, query
from .metrics import WorkerMetrics
from .production import ProductionGuard
from .records import OutboxRecord


class ServiceBase:
    """Import it as `base.ServiceBase` in a service module: `nameko run` takes every
    top-level class with entrypoints for a service."""
    production = ProductionGuard()  # GONGKAI_ENV=production: no development secrets, no guest broker
    db = Database()
    metrics = WorkerMetrics()

    @query
    def health(self) -> dict[str, Any]:
        """Answers when the service's workers run and its database responds."""
        self.db.session.execute(sa.text("SELECT 1"))
        return {"service": self.name, "status": "ok"}

    @query
    def list_dead_letters(self, event_type: str | None = None, limit: int = 100,
                          after_id: int = 0) -> list[dict[str, Any]]:
        return self.db.inbox.dead_letters(event_type, min(int(limit), 500), int(after_id))

    @command
    def replay_dead_letters(self, ids: list[int] | None = None, event_type: str | None = None) -> int:
        """Put dead letters back on their queues; returns how many."""
        return self.db.inbox.replay(ids, event_type)

    @query
    def event_history(self, after_id: int = 0, types: list[str] | None = None,
                      limit: int = 100) -> list[dict[str, Any]]:
        """This service's published events after `after_id`, for the gateway's event feed."""
        return event_history(self.db.session, int(after_id), types, min(int(limit), 500))


def event_history(session: Session, after_id: int = 0, types: list[str] | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    """Published outbox rows after `after_id`, in id order, as {"id", "event"}.

    A row with a lower id may still be unpublished (its relay retries it), so the history
    stops below the lowest unpublished id: a reader that remembers the last id it took
    then never skips it. Rows are purged OUTBOX_RETENTION_DAYS after publication."""
    first_pending = session.scalar(
        sa.select(sa.func.min(OutboxRecord.id)).where(OutboxRecord.published_at.is_(None)))
    query = (sa.select(OutboxRecord.id, OutboxRecord.body)
             .where(OutboxRecord.published_at.is_not(None), OutboxRecord.id > after_id)
             .order_by(OutboxRecord.id).limit(limit))
    if first_pending is not None:
        query = query.where(OutboxRecord.id < first_pending)
    if types:
        query = query.where(OutboxRecord.type.in_(list(types)))
    return [{"id": row.id, "event": json.loads(row.body)} for row in session.execute(query)]


class PassedDeadlinesRpc:
    """The deadlines a calendar version did not move because they had passed
    (services/common/passed_deadlines.py), for the county office to read and decide: the same
    two calls in every service that keeps them. Mix it in as `base.PassedDeadlinesRpc`."""

    @query
    def calendar_passed(self, year: int) -> list[dict[str, Any]]:
        """This service's deadlines the year's calendar versions left for the office."""
        return passed_deadlines.listing(self.db.session, int(year))

    @command
    def decide_calendar_passed(self, actor: Actor, year: int, kind: str, record_id: int, note: str) -> dict[str, Any]:
        """The county office's decision on one of them, with its note."""
        return passed_deadlines.decide(self.db.session, actor, int(year), kind, int(record_id), note)
