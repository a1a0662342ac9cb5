"""An item as the rules hold it: loading one (locked for a change), moving it a step and
keeping the step in its trail, the year it is recorded in, whether it can still change, and
the view of it with the actions the reader may take now (states.py). Shared by the workflow,
attachments, the archive and reading."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Conflict, NotFound
from services.common.records import utcnow
from services.common.workdays import COUNTY_TIMEZONE, county_date

from . import audience, states
from .actors import require_role, require_unit
from .models import Item, ItemTransition, SealedYear
from .schemas import ItemView


def load(session: Session, item_id: Any, lock: bool = False) -> Item:
    """The item with its trail and attachments; `lock` for a change, so two concurrent steps
    on one item (two reviewers approving, two corrections) wait for each other."""
    try:
        item = session.get(Item, int(item_id), options=[selectinload(Item.trail), selectinload(Item.attachments)],
                           with_for_update=lock or None)
    except (TypeError, ValueError):
        item = None
    if item is None:
        raise NotFound(f"no item {item_id}")
    return item


def step(item: Item, to_status: str, actor: Actor | None, reason: str | None = None) -> None:
    """Move the item and keep the move in its trail (the actor None: the system, sealing a year)."""
    who, role = (actor.username, actor.role) if actor is not None else ("system", "system")
    item.trail.append(ItemTransition(from_status=item.status, to_status=to_status, actor=who,
                                     role=role, reason=reason, at=utcnow()))
    item.status = to_status


def record_year(item: Item) -> int:
    """The year an item version is recorded in: of its publication, or of its creation
    if it was never published."""
    return county_date(item.published_at or item.created_at).year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """A county year as UTC instants [start, end) (stored timestamps are UTC)."""
    return (datetime(year, 1, 1, tzinfo=COUNTY_TIMEZONE).astimezone(timezone.utc),
            datetime(year + 1, 1, 1, tzinfo=COUNTY_TIMEZONE).astimezone(timezone.utc))


def in_record_year(year: int) -> sa.ColumnElement[bool]:
    """record_year(item) == year, as a WHERE clause."""
    start, end = year_bounds(year)
    return sa.or_(sa.and_(Item.published_at >= start, Item.published_at < end),
                  sa.and_(Item.published_at.is_(None), Item.created_at >= start, Item.created_at < end))


def require_changeable(session: Session, item: Item) -> None:
    """An item disclosed in a sealed year (登记归档) no longer changes."""
    if item.status == "archived":
        raise Conflict(f"item {item.id} is archived with its year {record_year(item)}; it can no longer change")
    if item.published_at is not None and session.get(SealedYear, record_year(item)) is not None:
        raise Conflict(f"year {record_year(item)} is sealed; item {item.id} can no longer change")


def operator_item(uow: UnitOfWork, actor: Actor, item_id: Any) -> tuple[Actor, Item]:
    """The acting operator of the item's unit and the item, which must still be changeable."""
    item = load(uow.session, item_id, lock=True)
    require_role(actor, "operator")
    require_unit(actor, item.unit_code)
    require_changeable(uow.session, item)
    return actor, item


def require_draft(item: Item, verb: str) -> None:
    if item.status != "draft":
        raise Conflict(f"only a draft can be {verb}; item {item.id} is {item.status}")


def changeable(session: Session, item: Item) -> bool:
    """require_changeable, as a question."""
    try:
        require_changeable(session, item)
    except Conflict:
        return False
    return True


def correcting(session: Session, item: Item) -> int | None:
    """The id of the correction of this item in progress, if there is one."""
    return session.scalar(sa.select(Item.id).where(Item.previous_id == item.id).limit(1))


def actions(session: Session, actor: Actor | None, item: Item) -> list[str]:
    """What the actor may do to the item now (states.py), for the buttons of a page."""
    possible = states.actions(actor, item.status, item.unit_code, item.author, item.display_until,
                              county_date(utcnow()))
    if not possible or not changeable(session, item):
        return []
    if "correct" in possible and correcting(session, item) is not None:
        possible.remove("correct")
    return possible


def present(session: Session, actor: Actor | None, item: Item) -> dict[str, Any]:
    """The item as the acting member of its unit (or the county office) sees it, with their actions."""
    return {**ItemView().dump(item), "actions": actions(session, actor, item)}


def seen_by(session: Session, reader: Actor | None, item: Item) -> dict[str, Any]:
    """The item as this reader sees it (audience.py), with their actions; call only after may_see."""
    return {**audience.view(reader, item), "actions": actions(session, reader, item)}
