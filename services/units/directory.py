"""The public directory of units: a page of it (by sector, parent, town, status or text), and
one unit with its officials' contacts when asked. Reads only; what changes the registry is
registry.py and tree.py."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Unit
from .registry import load_unit, unit_state
from .schemas import DirectoryEntry
from .tree import subtree_codes


def list_units(session: Session, *, sector: str | None = None, parent: str | None = None,
               town: str | None = None, status: str | None = None, q: str | None = None,
               limit: int = 50, after: str | None = None) -> dict[str, Any]:
    """A page of the public directory ordered by code; `next` is the cursor for the next page.
    `town` keeps the units in that unit's subtree (the town itself included)."""
    query = sa.select(Unit).order_by(Unit.code).limit(limit + 1)
    if sector:
        query = query.where(Unit.sector == sector)
    if parent:
        query = query.where(Unit.parent_code == parent)
    if town:
        query = query.where(Unit.code.in_(subtree_codes(town)))
    if status:
        query = query.where(Unit.status == status)
    if q:
        pattern = f"%{q}%"
        query = query.where(sa.or_(Unit.name.like(pattern), Unit.code.like(pattern)))
    if after:
        query = query.where(Unit.code > after)
    units = session.scalars(query).all()
    page = units[:limit]
    return {"items": DirectoryEntry(many=True).dump(page),
            "next": page[-1].code if len(units) > limit else None}


def get_unit(session: Session, code: str, with_contacts: bool = False) -> dict[str, Any]:
    unit = load_unit(session, code)
    entry = DirectoryEntry().dump(unit)
    if with_contacts:
        entry["officials"] = unit_state(unit)["officials"]
    return entry
