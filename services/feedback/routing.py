"""Who answers: feedback on an item or a unit goes to that unit, on the plan to the county's
root unit (intake); a merged unit's open feedback follows the survivor, a dissolved unit's
goes to its parent; and the town (镇街) of every unit, for the county office's views."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import names
from services.common.db import UnitOfWork

from . import handling
from .models import Feedback, Target
from .states import OPEN

COUNTY_LEVEL = "县直"  # units under no town: county agencies, schools and hospitals under bureaus
FOLLOWS = ("held", "answered") + OPEN  # what moves with a merged or dissolved unit (answered: it may reopen)


def follow_unit_change(uow: UnitOfWork, event_type: str, payload: dict[str, Any]) -> int:
    """After UnitMerged or UnitDissolved (the unit's new state already applied): its open
    feedback goes to the survivor or the parent. Returns how many moved."""
    if event_type not in (names.UNIT_MERGED, names.UNIT_DISSOLVED):
        return 0
    unit = payload["unit"]
    if event_type == names.UNIT_MERGED:
        successor, cause, reason = payload["into_code"], "unit_merged", f"{unit['name']}已并入 {payload['into_code']}"
    elif event_type == names.UNIT_DISSOLVED and unit.get("parent_code"):
        successor, cause, reason = unit["parent_code"], "unit_dissolved", f"{unit['name']}已撤销：{payload['reason']}"
    else:
        return 0
    moving = list(uow.session.scalars(sa.select(Feedback).where(
        Feedback.unit_code == unit["code"], Feedback.status.in_(FOLLOWS)).order_by(Feedback.id).with_for_update()))
    for feedback in moving:
        if feedback.status == "held":  # not yet the unit's: it simply waits for the new one
            feedback.unit_code = successor
        else:
            handling.transfer_to(uow, feedback, successor, "units", reason, cause)
    _retarget(uow.session, unit["code"], successor)
    return len(moving)


def _retarget(session: Session, old: str, new: str) -> None:
    """Items and plans the old unit answered for are answered by its successor from now on."""
    session.execute(sa.update(Target).where(Target.kind != "unit", Target.unit_code == old).values(unit_code=new))


def towns(session: Session) -> dict[str, str]:
    """Every known unit's town code (itself for a town; COUNTY_LEVEL for units under none)."""
    units = {code: (parent, sector) for code, parent, sector in session.execute(
        sa.select(Target.target_id, Target.parent_code, Target.sector).where(Target.kind == "unit"))}
    found: dict[str, str] = {}
    for code in units:
        seen, current = [], code
        while current is not None and current not in found and current not in seen and current in units:
            seen.append(current)
            parent, sector = units[current]
            if sector == "town":
                found[current] = current
                break
            current = parent
        town = found.get(current, COUNTY_LEVEL) if current is not None else COUNTY_LEVEL
        for visited in seen:
            found.setdefault(visited, town)
    return found


def units_of_town(session: Session, town: str) -> list[str]:
    return [code for code, its_town in towns(session).items() if its_town == town]
