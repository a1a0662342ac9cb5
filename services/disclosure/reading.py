"""Reading items: one, its versions, a page of them, each as the reader may see it
(audience.py) and with the actions they may take now (items.actions)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from services.common.actor import Actor
from services.common.errors import InvalidInput, NotFound, validated
from services.common.shapes.disclosure import ItemFilters

from . import audience
from .items import load, seen_by, year_bounds
from .models import Item

MAX_VERSIONS = 1000  # longer than any real chain of corrections; stops a loop in bad data


def get_item(session: Session, actor: Actor | None, item_id: int) -> dict[str, Any]:
    """An item as the caller may see it (audience.py); NotFound when they may not."""
    reader, item = actor, load(session, item_id)
    if not audience.may_see(session, reader, item):
        raise NotFound(f"no item {item_id}")
    return seen_by(session, reader, item)


def chain(session: Session, item: Item) -> list[Item]:
    """Every version of the item, oldest first."""
    first, steps = item, 0
    while first.previous_id is not None and steps < MAX_VERSIONS:
        earlier = session.get(Item, first.previous_id)
        if earlier is None:
            break
        first, steps = earlier, steps + 1
    found = [first]
    while len(found) < MAX_VERSIONS:
        later = session.scalars(sa.select(Item).where(Item.previous_id == found[-1].id).limit(1)).first()
        if later is None:
            break
        found.append(later)
    return found


def versions(session: Session, actor: Actor | None, item_id: int) -> list[dict[str, Any]]:
    """Every version of the item's chain the caller may see, oldest first, each as they may see it."""
    reader, item = actor, load(session, item_id)
    if not audience.may_see(session, reader, item):
        raise NotFound(f"no item {item_id}")
    return [seen_by(session, reader, v) for v in chain(session, item) if audience.may_see(session, reader, v)]


def list_items(session: Session, actor: Actor | None, filters: dict[str, Any] | None,
               limit: int = 50, after: int | None = None) -> dict[str, Any]:
    """The items the caller may see, newest first; `next` is the cursor for `after`.

    Without a status filter only current versions are listed: a version superseded by a
    correction is reached through its successor (versions) or with status=corrected."""
    reader = actor
    filters = validated(ItemFilters(), filters, "the filters")
    limit = int(limit)
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    query = (sa.select(Item).where(audience.visible(session, reader))
             .options(selectinload(Item.attachments))
             .order_by(Item.id.desc()).limit(limit + 1))
    if filters.get("unit"):
        query = query.where(Item.unit_code == filters["unit"])
    if filters.get("q"):
        query = query.where(Item.title.icontains(filters["q"], autoescape=True))
    if filters.get("status"):
        query = query.where(Item.status == filters["status"])
    else:
        query = query.where(Item.superseded_by_id.is_(None))
    if filters.get("audience"):
        query = query.where(Item.audience == filters["audience"])
    if filters.get("year"):
        start, end = year_bounds(filters["year"])
        query = query.where(Item.published_at >= start, Item.published_at < end)
    if after is not None:
        query = query.where(Item.id < int(after))
    if audience.sees_trails(reader):  # the public view has no trail: do not load it for the public
        query = query.options(selectinload(Item.trail))
    items = session.scalars(query).all()
    page = items[:limit]
    return {"items": [seen_by(session, reader, item) for item in page],
            "next": page[-1].id if len(items) > limit else None}
