"""The item workflow: draft → submitted (提出) → reviewed (审核) → approved (审批) →
published (实施). A reviewer may reject a submitted or reviewed item back to draft with
a reason. Every step is kept in the item's trail.

Who may do what: an operator (党务干事) drafts and submits for their own unit; a reviewer
(书记 or supervising leader) of that unit reviews, approves or rejects, never for an
item they wrote themselves.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import Session, selectinload

from services.common.db import UnitOfWork
from services.common.records import utcnow
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound

from .models import Item, ItemTransition, UnitCopy
from .schemas import Actor, ItemView, NewItem, PublicItemView

SUMMARY_CHARS = 200



def _actor(raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return Actor().load(raw, unknown="exclude")
    except ValidationError as exc:
        raise InvalidInput(f"actor is incomplete: {exc.messages}") from exc


def _require(actor: dict[str, Any], role: str, unit_code: str) -> None:
    if actor["role"] != role:
        raise Forbidden(f"only a {role} may do this; you are {actor['role']}")
    if actor["unit"] != unit_code:
        raise Forbidden(f"you act for unit {actor['unit']}, not {unit_code}")


def _step(item: Item, to_status: str, actor: dict[str, Any], reason: str | None = None) -> None:
    item.trail.append(ItemTransition(from_status=item.status, to_status=to_status, actor=actor["username"],
                                     role=actor["role"], reason=reason, at=utcnow()))
    item.status = to_status


def _load(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id, options=[selectinload(Item.trail)])
    if item is None:
        raise NotFound(f"no item {item_id}")
    return item


def _ref(item: Item) -> dict[str, Any]:
    return {"item_id": item.id, "unit_code": item.unit_code, "title": item.title,
            "version": item.version, "audience": item.audience}


def create_item(uow: UnitOfWork, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    actor = _actor(actor)
    try:
        data = NewItem().load(data)
    except ValidationError as exc:
        raise InvalidInput(f"the item is not valid: {exc.messages}") from exc
    _require(actor, "operator", data["unit_code"])
    unit = uow.session.get(UnitCopy, data["unit_code"])
    if unit is None or unit.status != "active":
        raise InvalidInput(f"unit {data['unit_code']} is not an active unit")
    item = Item(**data, version=1, author=actor["username"], created_at=utcnow())
    _step(item, "draft", actor)
    uow.session.add(item)
    uow.session.flush()
    return ItemView().dump(item)


def submit(uow: UnitOfWork, actor: dict[str, Any], item_id: int) -> dict[str, Any]:
    """提出: the operator sends the draft for review."""
    actor, item = _actor(actor), _load(uow.session, item_id)
    _require(actor, "operator", item.unit_code)
    if item.status != "draft":
        raise Conflict(f"only a draft can be submitted; item {item.id} is {item.status}")
    _step(item, "submitted", actor)
    uow.emit("ItemSubmitted", {**_ref(item), "submitted_by": actor["username"], "submitted_at": utcnow()})
    return ItemView().dump(item)


def _reviewer_step(uow: UnitOfWork, actor: dict[str, Any], item_id: int, allowed_from: tuple[str, ...],
                   verb: str) -> tuple[dict[str, Any], Item]:
    actor, item = _actor(actor), _load(uow.session, item_id)
    _require(actor, "reviewer", item.unit_code)
    if item.author == actor["username"]:
        raise Forbidden(f"you wrote item {item.id}; someone else must {verb} it")
    if item.status not in allowed_from:
        raise Conflict(f"an item must be {' or '.join(allowed_from)} to {verb} it; item {item.id} is {item.status}")
    return actor, item


def review(uow: UnitOfWork, actor: dict[str, Any], item_id: int) -> dict[str, Any]:
    """审核: the reviewer checks secrecy and accuracy."""
    actor, item = _reviewer_step(uow, actor, item_id, ("submitted",), "review")
    _step(item, "reviewed", actor)
    return ItemView().dump(item)


def approve(uow: UnitOfWork, actor: dict[str, Any], item_id: int) -> dict[str, Any]:
    """审批 then 实施: approval publishes the item to its audience."""
    actor, item = _reviewer_step(uow, actor, item_id, ("reviewed",), "approve")
    _step(item, "approved", actor)
    uow.emit("ItemApproved", {**_ref(item), "approved_by": actor["username"], "approved_at": utcnow()})
    _step(item, "published", actor)
    item.published_at = utcnow()
    uow.emit("ItemPublished", {**_ref(item), "summary": item.body[:SUMMARY_CHARS], "carriers": item.carriers,
                               "obligation_id": item.obligation_id, "published_by": actor["username"],
                               "published_at": item.published_at})
    return ItemView().dump(item)


def reject(uow: UnitOfWork, actor: dict[str, Any], item_id: int, reason: str) -> dict[str, Any]:
    if not reason or not reason.strip():
        raise InvalidInput("a rejection needs a reason")
    actor, item = _reviewer_step(uow, actor, item_id, ("submitted", "reviewed"), "reject")
    _step(item, "draft", actor, reason.strip())
    uow.emit("ItemRejected", {**_ref(item), "rejected_by": actor["username"], "rejected_at": utcnow(),
                              "reason": reason.strip()})
    return ItemView().dump(item)


def get_item(session: Session, actor: dict[str, Any] | None, item_id: int) -> dict[str, Any]:
    """An item as the caller may see it: the public sees published society items only."""
    item = _load(session, item_id)
    if actor and (actor.get("role") == "inspector" or actor.get("unit") == item.unit_code):
        return ItemView().dump(item)
    if item.status == "published" and item.audience == "society":
        return PublicItemView().dump(item)
    raise NotFound(f"no item {item_id}")


def list_published(session: Session, *, unit: str | None = None, q: str | None = None,
                   limit: int = 50, after: int | None = None) -> dict[str, Any]:
    """The public list: published, society-scope items, newest first; `next` is the cursor."""
    query = (sa.select(Item).where(Item.status == "published", Item.audience == "society")
             .order_by(Item.id.desc()).limit(limit + 1))
    if unit:
        query = query.where(Item.unit_code == unit)
    if q:
        query = query.where(Item.title.like(f"%{q}%"))
    if after:
        query = query.where(Item.id < after)
    items = session.scalars(query).all()
    page = items[:limit]
    return {"items": PublicItemView(many=True).dump(page),
            "next": page[-1].id if len(items) > limit else None}
