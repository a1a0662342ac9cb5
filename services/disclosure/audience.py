"""Who may read which item: the one place that decides it, for a single item and for a
list query alike, so a page of results never holds what the reader may not see.

The four audiences (公开对象) of the 2017 Regulations:
- society (社会): anyone, signed in or not;
- party (党内): a party member whose own organisation chain (their unit and its
  ancestors) holds the item's unit;
- unit (本单位): the members of the item's unit;
- specific (特定对象): nobody outside the unit's own operators and reviewers and the county
  office, since the system cannot tell who the specific people are.
Outside the unit and the county office, only what was disclosed is readable: published
items and the versions a correction superseded (they stay readable, marked), also after
their year is archived. Drafts, items in review and withdrawn items stay inside the unit
and the county office. The unit and the county office get the full view with the author
and the trail (ItemView); everyone else the public view (PublicItemView).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor

from . import units_copy
from .actors import COUNTY_ROLES
from .models import Item
from .schemas import ItemView, PublicItemView

UNIT_ROLES = ("operator", "reviewer")  # act for their unit: see all its items in any status
MEMBER_ROLES = ("member",) + UNIT_ROLES  # read party and unit items of their own chain
DISCLOSED = ("published", "corrected")  # readable outside the unit


def _is_county(reader: Actor | None) -> bool:
    return reader is not None and reader.role in COUNTY_ROLES


def _is_own_unit(reader: Actor | None, unit_code: str) -> bool:
    return reader is not None and reader.role in UNIT_ROLES and reader.unit == unit_code


def _member_unit(reader: Actor | None) -> str | None:
    return reader.unit if reader is not None and reader.role in MEMBER_ROLES else None


def _disclosed(status: str, archived_from: str | None) -> bool:
    return status in DISCLOSED or (status == "archived" and archived_from in DISCLOSED)


def may_see(session: Session, reader: Actor | None, item: Item) -> bool:
    """Whether the reader (None: the public) may read this item."""
    if _is_county(reader) or _is_own_unit(reader, item.unit_code):
        return True
    if not _disclosed(item.status, item.archived_from):
        return False
    if item.audience == "society":
        return True
    unit = _member_unit(reader)
    if unit is None:
        return False
    if item.audience == "party":
        return item.unit_code in units_copy.chain_of(session, unit)
    return item.audience == "unit" and item.unit_code == unit


def visible(session: Session, reader: Actor | None) -> sa.ColumnElement[bool]:
    """The same rule as may_see, as a WHERE clause on items."""
    if _is_county(reader):
        return sa.true()
    disclosed = sa.or_(Item.status.in_(DISCLOSED),
                       sa.and_(Item.status == "archived", Item.archived_from.in_(DISCLOSED)))
    scopes = [Item.audience == "society"]
    unit = _member_unit(reader)
    if unit is not None:
        scopes.append(sa.and_(Item.audience == "party", Item.unit_code.in_(units_copy.chain_of(session, unit))))
        scopes.append(sa.and_(Item.audience == "unit", Item.unit_code == unit))
    clause = sa.and_(disclosed, sa.or_(*scopes))
    if reader is not None and reader.role in UNIT_ROLES and reader.unit:
        clause = sa.or_(Item.unit_code == reader.unit, clause)
    return clause


def sees_trails(reader: Actor | None) -> bool:
    """Whether some items this reader lists show their trail (their unit's, or all of them)."""
    return reader is not None and reader.role in COUNTY_ROLES | set(UNIT_ROLES)


def view(reader: Actor | None, item: Item) -> dict[str, Any]:
    """The item as this reader sees it; call only after may_see."""
    if _is_county(reader) or _is_own_unit(reader, item.unit_code):
        return ItemView().dump(item)
    return PublicItemView().dump(item)
