"""The county tree: reading subtrees and ancestors, and moving, merging and dissolving
units. A merged or dissolved unit keeps its history; no change may make a cycle."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, InvalidInput

from . import designations, officials
from .models import Unit
from .registry import emit_change, load_unit
from .schemas import DirectoryEntry


def subtree_codes(code: str) -> sa.Select:
    """The codes of a unit and everything below it, as one recursive query."""
    tree = sa.select(Unit.code).where(Unit.code == code).cte("subtree", recursive=True)
    tree = tree.union_all(sa.select(Unit.code).where(Unit.parent_code == tree.c.code))
    return sa.select(tree.c.code)


def children(session: Session, code: str) -> list[dict[str, Any]]:
    load_unit(session, code)
    units = session.scalars(sa.select(Unit).where(Unit.parent_code == code).order_by(Unit.code))
    return DirectoryEntry(many=True).dump(units)


def subtree(session: Session, code: str) -> list[dict[str, Any]]:
    """The unit and all below it, each with its parent, so a client can draw the tree."""
    load_unit(session, code)
    units = session.scalars(sa.select(Unit).where(Unit.code.in_(subtree_codes(code))).order_by(Unit.code))
    return DirectoryEntry(many=True).dump(units)


def ancestors(session: Session, code: str) -> list[dict[str, Any]]:
    """From the unit's parent up to the root."""
    chain, unit = [], load_unit(session, code)
    while unit.parent_code:
        unit = session.get(Unit, unit.parent_code)
        chain.append(unit)
    return DirectoryEntry(many=True).dump(chain)


def _active(session: Session, code: str) -> Unit:
    unit = load_unit(session, code)
    if unit.status != "active":
        raise Conflict(f"unit {code} is {unit.status}")
    return unit


def _in_subtree(session: Session, root: str, code: str) -> bool:
    return session.scalar(sa.select(sa.func.count()).where(sa.literal(code).in_(subtree_codes(root)))) > 0


def move(uow: UnitOfWork, actor: str, code: str, new_parent: str) -> dict[str, Any]:
    session = uow.session
    unit, parent = _active(session, code), _active(session, new_parent)
    if unit.parent_code == parent.code:
        raise Conflict(f"unit {code} is already under {new_parent}")
    if _in_subtree(session, code, new_parent):
        raise Conflict(f"moving {code} under {new_parent} would put it below itself")
    old_parent, unit.parent_code = unit.parent_code, parent.code
    emit_change(uow, unit, [(names.UNIT_MOVED, {"from_parent_code": old_parent, "to_parent_code": parent.code})], actor)
    return DirectoryEntry().dump(unit)


def merge(uow: UnitOfWork, actor: str, code: str, into_code: str) -> dict[str, Any]:
    """Merge `code` into `into_code`: its children move under the surviving unit, its
    officials leave office, its designations end; its history stays, marked merged."""
    session = uow.session
    if code == into_code:
        raise InvalidInput("a unit cannot be merged into itself")
    unit, survivor = _active(session, code), _active(session, into_code)
    if _in_subtree(session, code, into_code):
        raise Conflict(f"{into_code} is below {code}; merge it upwards instead")
    today = date.today()
    moved = []
    for child in session.scalars(sa.select(Unit).where(Unit.parent_code == code, Unit.status == "active")):
        child.parent_code = survivor.code
        emit_change(uow, child, [(names.UNIT_MOVED, {"from_parent_code": code, "to_parent_code": survivor.code})],
                    actor)
        moved.append(child.code)
    facts = _close(session, unit, today, f"merged into {into_code}", actor)
    unit.status, unit.merged_into, unit.closed_on = "merged", survivor.code, today
    facts.append((names.UNIT_MERGED, {"into_code": survivor.code, "children_moved": moved, "merged_on": today}))
    emit_change(uow, unit, facts, actor)
    return DirectoryEntry().dump(unit)


def dissolve(uow: UnitOfWork, actor: str, code: str, reason: str) -> dict[str, Any]:
    if not reason or not reason.strip():
        raise InvalidInput("dissolving a unit needs a reason")
    session = uow.session
    unit = _active(session, code)
    active_children = session.scalar(sa.select(sa.func.count()).where(Unit.parent_code == code,
                                                                     Unit.status == "active"))
    if active_children:
        raise Conflict(f"unit {code} still has {active_children} active unit(s) below it; move or merge them first")
    today = date.today()
    facts = _close(session, unit, today, "unit dissolved", actor)
    unit.status, unit.closed_on = "dissolved", today
    facts.append((names.UNIT_DISSOLVED, {"reason": reason.strip(), "dissolved_on": today}))
    emit_change(uow, unit, facts, actor)
    return DirectoryEntry().dump(unit)


def _close(session: Session, unit: Unit, today: date, why: str, actor: str) -> list[tuple[str, dict]]:
    facts = officials.set_officials(session, unit, [], today)
    facts += designations.end_all(session, unit, why, actor)
    return facts
