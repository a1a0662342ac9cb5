"""Keeping disclosure's copy of the unit registry from the units service's events."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import UnitCopy


def apply_unit_state(session: Session, state: dict[str, Any]) -> None:
    unit = session.get(UnitCopy, state["code"]) or UnitCopy(code=state["code"])
    unit.name, unit.sector = state["name"], state["sector"]
    unit.parent_code, unit.status = state["parent_code"], state["status"]
    session.add(unit)
