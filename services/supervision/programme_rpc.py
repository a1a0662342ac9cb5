"""Supervision's entrypoints for the office's programme (典型示范、公开承诺、领导点评): model
candidates and the models to review, commitments and comments. Mixed into SupervisionService
(service.py), which wires the rest; the rules are in programme.py and model_review.py."""
from __future__ import annotations

from typing import Any

from services.common.actor import Actor
from services.common.entrypoints import command, query

from . import backfill, model_review, programme
from .periods import parse_as_of


class ProgrammeRpc:
    """Mixed into SupervisionService; needs its `db`."""

    @command
    def candidates(self, as_of: str | None = None, sector: str | None = None) -> dict[str, Any]:
        backfill.require_ready(self.db)
        return programme.candidates(self.db, parse_as_of(as_of), sector)

    @command
    def add_commitment(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return programme.add_commitment(self.db, actor, data)

    @command
    def report_commitment_progress(self, actor: Actor, commitment_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return programme.report_progress(self.db, actor, commitment_id, data)

    @command
    def list_commitments(self, unit: str | None = None, year: int | None = None,
                         actor: Actor | None = None) -> list[dict[str, Any]]:
        """With `actor`, each milestone carries the actions that reader may take on it."""
        return programme.list_commitments(self.db, unit, year, actor)

    @command
    def get_commitment(self, actor: Actor | None, commitment_id: int) -> dict[str, Any]:
        return programme.get_commitment(self.db, actor, commitment_id)

    @command
    def commitment_progress(self, actor: Actor, commitment_id: int, index: int,
                            data: dict[str, Any]) -> dict[str, Any]:
        return programme.record_progress(self.db, actor, commitment_id, index, data)

    @command
    def add_comment(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return programme.add_comment(self.db, actor, data)

    @command
    def list_comments(self, unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
        return programme.list_comments(self.db, unit, period)

    @query
    def models_to_review(self, as_of: str | None = None) -> dict[str, Any]:
        """The models in their term whose score for the month ended last fell below the pass mark."""
        backfill.require_ready(self.db)
        return model_review.models_to_review(self.db.session, parse_as_of(as_of))

    @query
    def nominable(self, unit_code: str) -> dict[str, Any] | None:
        """The unit's entry on the model candidates' list as of now, or None: the nominate check."""
        backfill.require_ready(self.db)
        return programme.candidate(self.db, parse_as_of(None), unit_code)
