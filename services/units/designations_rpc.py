"""Units' entrypoints for demonstration sites and models (示范点、典型): nominated, designated,
kept on review or revoked, and expired by a timer. Mixed into UnitsService (service.py); the rules
are in designations.py."""
from __future__ import annotations

from typing import Any

from services.common.actor import Actor
from services.common.entrypoints import command, query
from services.common.timers import timer

from . import designations


class DesignationsRpc:
    """Mixed into UnitsService; needs its `db`."""

    @command
    def nominate(self, actor: Actor, code: str, kind: str, reason: str) -> dict[str, Any]:
        return designations.nominate(self.db, actor.username, code, kind, reason)

    @command
    def designate(self, actor: Actor, designation_id: int, term_years: int = 3) -> dict[str, Any]:
        return designations.designate(self.db, actor.username, designation_id, term_years)

    @command
    def set_experience(self, actor: Actor, designation_id: int, experience: str | None) -> dict[str, Any]:
        return designations.set_experience(self.db, actor.username, designation_id, experience)

    @command
    def revoke_designation(self, actor: Actor, designation_id: int, reason: str) -> dict[str, Any]:
        return designations.revoke(self.db, actor.username, designation_id, reason)

    @query
    def list_designations(self, code: str | None = None, status: str | None = None, limit: int = 100,
                          after_id: int = 0) -> dict[str, Any]:
        return designations.list_designations(self.db.session, code, status, min(int(limit), 500), int(after_id))

    @timer(interval=3600)
    def expire_designations(self) -> None:
        designations.expire_due(self.db)
        self.db.commit()

    @command
    def keep_designation(self, actor: Actor, designation_id: int, period: str, reason: str) -> dict[str, Any]:
        """A model reviewed for `period`'s score and kept, with the reason."""
        return designations.keep(self.db, actor.username, designation_id, period, reason)
