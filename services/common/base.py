"""What every Gongkai service has: its database, its metrics, a health answer for the
gateway's readiness check, and its dead letters for operators."""
from __future__ import annotations

from typing import Any

from nameko.rpc import rpc

from .db import Database
from .metrics import WorkerMetrics


class ServiceBase:
    """Import it as `base.ServiceBase` in a service module: `nameko run` takes every
    top-level class with entrypoints for a service."""
    db = Database()
    metrics = WorkerMetrics()

    @rpc
    def health(self) -> dict[str, Any]:
        """Answers when the service's workers run and its database responds."""
        from sqlalchemy import text
        self.db.session.execute(text("SELECT 1"))
        return {"service": self.name, "status": "ok"}

    @rpc
    def list_dead_letters(self, event_type: str | None = None, limit: int = 100,
                          after_id: int = 0) -> list[dict[str, Any]]:
        return self.db.inbox.dead_letters(event_type, min(int(limit), 500), int(after_id))

    @rpc
    def replay_dead_letters(self, ids: list[int] | None = None, event_type: str | None = None) -> int:
        """Put dead letters back on their queues; returns how many."""
        return self.db.inbox.replay(ids, event_type)
