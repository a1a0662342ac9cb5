"""Keeping disclosure's copy of the unit registry from the units service's events. Each
event carries the unit's whole state and its revision; an older revision never overwrites
a newer one, whatever order events of different types arrive in.

The copy also knows each unit's town (镇街), so obligations can be counted per town
without walking the tree, and each unit's chain up to the county, for what a party
member may read (items disclosed inside the Party reach the member's own chain)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import UnitCopy

MAX_DEPTH = 32  # deeper than any county tree; stops a loop in a half-applied copy


def apply_unit_state(session: Session, state: dict[str, Any]) -> bool:
    """Apply the state if it is newer than the copy's; True when it was applied."""
    unit = session.get(UnitCopy, state["code"])
    if unit is not None and unit.revision >= state["revision"]:
        return False
    moved = unit is None or unit.parent_code != state["parent_code"] or unit.sector != state["sector"]
    unit = unit or UnitCopy(code=state["code"])
    unit.name, unit.sector, unit.revision = state["name"], state["sector"], state["revision"]
    unit.parent_code, unit.status, unit.merged_into = state["parent_code"], state["status"], state["merged_into"]
    session.add(unit)
    if moved:
        session.flush()
        _refresh_towns(session, unit)
    return True


def chain_of(session: Session, code: str) -> list[str]:
    """The unit and its ancestors, nearest first."""
    chain: list[str] = []
    current = session.get(UnitCopy, code)
    while current is not None and current.code not in chain and len(chain) < MAX_DEPTH:
        chain.append(current.code)
        current = session.get(UnitCopy, current.parent_code) if current.parent_code else None
    return chain


def _town_of(session: Session, unit: UnitCopy) -> str | None:
    for code in chain_of(session, unit.code):
        ancestor = session.get(UnitCopy, code)
        if ancestor is not None and ancestor.sector == "town":
            return code
    return None


def _refresh_towns(session: Session, unit: UnitCopy) -> None:
    """The unit's town, and its descendants' (a town that moves or changes sector takes
    its villages along)."""
    pending = [unit]
    seen: set[str] = set()
    while pending:
        current = pending.pop()
        if current.code in seen:
            continue
        seen.add(current.code)
        current.town_code = _town_of(session, current)
        pending.extend(session.scalars(sa.select(UnitCopy).where(UnitCopy.parent_code == current.code)))
