"""Keeping disclosure's copy of the unit registry from the units service's events. Each
event carries the unit's whole state and its revision; an older revision never overwrites
a newer one, whatever order events of different types arrive in."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import UnitCopy


def apply_unit_state(session: Session, state: dict[str, Any]) -> None:
    unit = session.get(UnitCopy, state["code"])
    if unit is not None and unit.revision >= state["revision"]:
        return
    unit = unit or UnitCopy(code=state["code"])
    unit.name, unit.sector, unit.revision = state["name"], state["sector"], state["revision"]
    unit.parent_code, unit.status, unit.merged_into = state["parent_code"], state["status"], state["merged_into"]
    session.add(unit)
