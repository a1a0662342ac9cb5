"""A service's local copy of the unit tree, kept from the units service's events: the one
piece disclosure (units_copy.py) and supervision (facts.py) share, each over its own table.

Each event carries the unit's whole state and its revision; an older revision never
overwrites a newer one, whatever order events of different types arrive in. The copy keeps
each unit's town (镇街: itself for a town, None for county agencies), so counts per town need
no walk up the tree; a town that moves or changes sector takes its villages along."""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

MAX_DEPTH = 32  # deeper than any county tree; stops a loop in a half-applied copy


class UnitTree:
    """The tree over one service's copy table (a model with code, name, sector, parent_code,
    revision and town_code)."""

    def __init__(self, model: Any):
        self.model = model

    def apply(self, session: Session, state: dict[str, Any],
              fill: Callable[[Any, bool], None] | None = None) -> bool:
        """Apply the unit's state if it is newer than the copy's; True when it was applied.
        `fill(unit, created)` sets the service's own columns (status and what follows from it)."""
        unit = session.get(self.model, state["code"])
        if unit is not None and unit.revision >= state["revision"]:
            return False
        created = unit is None
        moved = created or unit.parent_code != state["parent_code"] or unit.sector != state["sector"]
        unit = unit or self.model(code=state["code"])
        unit.name, unit.sector, unit.revision = state["name"], state["sector"], state["revision"]
        unit.parent_code = state["parent_code"]
        if fill is not None:
            fill(unit, created)
        session.add(unit)
        if moved:
            session.flush()
            self.refresh_towns(session, unit)
        return True

    def chain_of(self, session: Session, code: str) -> list[str]:
        """The unit and its ancestors, nearest first."""
        chain: list[str] = []
        current = session.get(self.model, code)
        while current is not None and current.code not in chain and len(chain) < MAX_DEPTH:
            chain.append(current.code)
            current = session.get(self.model, current.parent_code) if current.parent_code else None
        return chain

    def subtree_of(self, session: Session, code: str) -> list[str]:
        """The unit and every unit below it, level by level."""
        found, level = [code], [code]
        while level:
            level = [c for c in session.scalars(sa.select(self.model.code).where(self.model.parent_code.in_(level)))
                     if c not in found]
            found.extend(level)
        return found

    def town_of(self, session: Session, code: str) -> str | None:
        for ancestor_code in self.chain_of(session, code):
            ancestor = session.get(self.model, ancestor_code)
            if ancestor is not None and ancestor.sector == "town":
                return ancestor_code
        return None

    def refresh_towns(self, session: Session, unit: Any) -> None:
        """The unit's town, and its descendants'."""
        pending, seen = [unit], set()
        while pending:
            current = pending.pop()
            if current.code in seen:
                continue
            seen.add(current.code)
            current.town_code = self.town_of(session, current.code)
            pending.extend(session.scalars(sa.select(self.model).where(self.model.parent_code == current.code)))
