"""Keeping disclosure's copy of the unit registry from the units service's events, with the
tree every service's copy shares (services.common.unit_tree).

The copy knows each unit's town (镇街), so obligations can be counted per town
without walking the tree, and each unit's chain up to the county, for what a party
member may read (items disclosed inside the Party reach the member's own chain)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.common.unit_tree import UnitTree

from .models import UnitCopy

TREE = UnitTree(UnitCopy)
chain_of = TREE.chain_of


def apply_unit_state(session: Session, state: dict[str, Any]) -> bool:
    """Apply the state if it is newer than the copy's; True when it was applied."""
    def fill(unit: UnitCopy, created: bool) -> None:
        unit.status, unit.merged_into = state["status"], state["merged_into"]
    return TREE.apply(session, state, fill)
