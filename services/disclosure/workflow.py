"""The item workflow: draft → submitted (提出) → reviewed (审核) → approved (审批) →
published (实施) → corrected (整改: a new version replaced it; it stays readable) |
withdrawn (撤回, with a reason) → archived (归档, when its year is sealed). A reviewer may
reject a submitted or reviewed item back to draft with a reason. Every step is kept in the
item's trail with who, when and why.

Who may do what: an operator (党务干事) drafts, edits, submits and corrects for their own
unit; a reviewer (书记 or supervising leader) of that unit reviews, approves, rejects and
withdraws, never an item they wrote themselves.

Publishing fulfils the obligation the item names (late when past due) and, for a prior
disclosure (预公开), fixes the date before which the item may not be withdrawn. A correction
fulfils nothing again and keeps the display period of the version it corrects.

An item disclosed in a sealed year no longer changes. Work not yet published when its year
ends is not part of that year's record: it carries on and belongs to the year it is
published in (see archive.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.disclosure import ItemChanges, ItemFilters, NewItem
from services.common.workdays import COUNTY_TIMEZONE, county_date

from . import audience, obligations
from .actors import actor_of, require_role, require_unit
from .models import Attachment, Item, ItemTransition, SealedYear, UnitCopy
from .schemas import ItemView

SUMMARY_CHARS = 200
MAX_VERSIONS = 1000  # longer than any real chain of corrections; stops a loop in bad data


# --- helpers shared with attachments.py and archive.py -------------------------------------

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


def step(item: Item, to_status: str, actor: dict[str, Any], reason: str | None = None) -> None:
    """Move the item and keep the move in its trail."""
    item.trail.append(ItemTransition(from_status=item.status, to_status=to_status, actor=actor["username"],
                                     role=actor["role"], reason=reason, at=utcnow()))
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


def operator_item(uow: UnitOfWork, raw_actor: dict[str, Any], item_id: Any) -> tuple[dict[str, Any], Item]:
    """The acting operator of the item's unit and the item, which must still be changeable."""
    actor, item = actor_of(raw_actor), load(uow.session, item_id, lock=True)
    require_role(actor, "operator")
    require_unit(actor, item.unit_code)
    require_changeable(uow.session, item)
    return actor, item


def require_draft(item: Item, verb: str) -> None:
    if item.status != "draft":
        raise Conflict(f"only a draft can be {verb}; item {item.id} is {item.status}")


# --- the workflow ----------------------------------------------------------------------------

def _ref(item: Item) -> dict[str, Any]:
    return {"item_id": item.id, "unit_code": item.unit_code, "title": item.title,
            "version": item.version, "audience": item.audience}


def _reason(reason: Any, required_by: str | None = None) -> str | None:
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("a reason must be text")
    reason = (reason or "").strip() or None
    if reason is None and required_by:
        raise InvalidInput(f"{required_by} needs a reason")
    return reason


def create_item(uow: UnitOfWork, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A new draft for the operator's own unit, possibly naming the obligation it fulfils."""
    actor = actor_of(actor)
    data = validated(NewItem(), data, "the item")
    require_role(actor, "operator")
    require_unit(actor, data["unit_code"])
    unit = uow.session.get(UnitCopy, data["unit_code"])
    if unit is None or unit.status != "active":
        raise InvalidInput(f"unit {data['unit_code']} is not an active unit")
    if data["obligation_id"] is not None:
        obligations.check_fulfillable(uow.session, data["obligation_id"], data["unit_code"])
    item = Item(**data, version=1, author=actor["username"], created_at=utcnow())
    step(item, "draft", actor)
    uow.session.add(item)
    uow.session.flush()
    return ItemView().dump(item)


def update_item(uow: UnitOfWork, actor: dict[str, Any], item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Edit a draft (a new one, one returned by the reviewer, or a correction)."""
    actor, item = operator_item(uow, actor, item_id)
    require_draft(item, "edited")
    for name, value in validated(ItemChanges(), changes, "the changes").items():
        setattr(item, name, value)
    uow.session.flush()
    return ItemView().dump(item)


def submit(uow: UnitOfWork, actor: dict[str, Any], item_id: int, reason: str | None = None) -> dict[str, Any]:
    """提出: the operator sends the draft for review."""
    actor, item = operator_item(uow, actor, item_id)
    require_draft(item, "submitted")
    step(item, "submitted", actor, _reason(reason))
    uow.emit(names.ITEM_SUBMITTED, {**_ref(item), "submitted_by": actor["username"], "submitted_at": utcnow()})
    return ItemView().dump(item)


def _reviewer_item(uow: UnitOfWork, raw_actor: dict[str, Any], item_id: int, allowed_from: tuple[str, ...],
                   verb: str) -> tuple[dict[str, Any], Item]:
    actor, item = actor_of(raw_actor), load(uow.session, item_id, lock=True)
    require_role(actor, "reviewer")
    require_unit(actor, item.unit_code)
    if item.author == actor["username"]:
        raise Forbidden(f"you wrote item {item.id}; someone else must {verb} it")
    require_changeable(uow.session, item)
    if item.status not in allowed_from:
        raise Conflict(f"an item must be {' or '.join(allowed_from)} to {verb} it; item {item.id} is {item.status}")
    return actor, item


def review(uow: UnitOfWork, actor: dict[str, Any], item_id: int, reason: str | None = None) -> dict[str, Any]:
    """审核: the reviewer checks secrecy and accuracy."""
    actor, item = _reviewer_item(uow, actor, item_id, ("submitted",), "review")
    step(item, "reviewed", actor, _reason(reason))
    uow.emit(names.ITEM_REVIEWED, {**_ref(item), "reviewed_by": actor["username"], "reviewed_at": utcnow()})
    return ItemView().dump(item)


def approve(uow: UnitOfWork, actor: dict[str, Any], item_id: int, reason: str | None = None) -> dict[str, Any]:
    """审批 then 实施: approval publishes the item to its audience."""
    actor, item = _reviewer_item(uow, actor, item_id, ("reviewed",), "approve")
    now = utcnow()
    step(item, "approved", actor, _reason(reason))
    uow.emit(names.ITEM_APPROVED, {**_ref(item), "approved_by": actor["username"], "approved_at": now})
    _publish(uow, actor, item, now)
    return ItemView().dump(item)


def _publish(uow: UnitOfWork, actor: dict[str, Any], item: Item, now: datetime) -> None:
    step(item, "published", actor)
    item.published_at = now
    previous = uow.session.get(Item, item.previous_id) if item.previous_id else None
    if previous is not None:
        item.display_until = previous.display_until  # a correction continues the display period
    elif item.obligation_id is not None:
        obligations.fulfil(uow, item.obligation_id, item)
        days = obligations.display_days_of(uow.session, item.obligation_id)
        if days:
            item.display_until = county_date(now) + timedelta(days=days)
    uow.emit(names.ITEM_PUBLISHED, {**_ref(item), "summary": item.body[:SUMMARY_CHARS], "carriers": item.carriers,
                               "obligation_id": item.obligation_id, "published_by": actor["username"],
                               "published_at": now})
    if previous is not None and previous.status == "published":
        step(previous, "corrected", actor, f"corrected by version {item.version} (item {item.id})")
        previous.superseded_by_id = item.id
        uow.emit(names.ITEM_CORRECTED, {**_ref(item), "previous_item_id": previous.id,
                                   "previous_version": previous.version, "corrected_by": actor["username"],
                                   "corrected_at": now})


def reject(uow: UnitOfWork, actor: dict[str, Any], item_id: int, reason: str | None) -> dict[str, Any]:
    """退回: back to draft, with the reviewer's reason."""
    reason = _reason(reason, "a rejection")
    actor, item = _reviewer_item(uow, actor, item_id, ("submitted", "reviewed"), "reject")
    step(item, "draft", actor, reason)
    uow.emit(names.ITEM_REJECTED, {**_ref(item), "rejected_by": actor["username"], "rejected_at": utcnow(),
                              "reason": reason})
    return ItemView().dump(item)


def withdraw(uow: UnitOfWork, actor: dict[str, Any], item_id: int, reason: str | None) -> dict[str, Any]:
    """撤回: a published item is taken down, with a reason; a prior disclosure (预公开) not
    before its minimum display period has run."""
    reason = _reason(reason, "a withdrawal")
    actor, item = _reviewer_item(uow, actor, item_id, ("published",), "withdraw")
    today = county_date(utcnow())
    if item.display_until is not None and today < item.display_until:
        raise Conflict(f"item {item.id} is a prior disclosure shown until {item.display_until.isoformat()}; "
                       f"it cannot be withdrawn before then")
    step(item, "withdrawn", actor, reason)
    uow.emit(names.ITEM_WITHDRAWN, {**_ref(item), "withdrawn_by": actor["username"], "withdrawn_at": utcnow(),
                               "reason": reason})
    return ItemView().dump(item)


ACTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "submit": submit, "review": review, "approve": approve, "reject": reject, "withdraw": withdraw}


def transition(uow: UnitOfWork, actor: dict[str, Any], item_id: int, action: str,
               reason: str | None = None) -> dict[str, Any]:
    """One workflow step by name: submit, review, approve (publishes), reject, withdraw."""
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    return ACTIONS[action](uow, actor, item_id, reason)


def correct(uow: UnitOfWork, actor: dict[str, Any], item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """整改: a new draft version of a published item, with its attachments; it goes through
    review and approval again and, once published, supersedes the version it corrects."""
    actor, old = operator_item(uow, actor, item_id)
    if old.status != "published":
        raise Conflict(f"only a published item can be corrected; item {old.id} is {old.status}")
    pending = uow.session.scalar(sa.select(Item.id).where(Item.previous_id == old.id).limit(1))
    if pending is not None:
        raise Conflict(f"only a published item can be corrected, once at a time: item {old.id} already has "
                       f"a correction in progress (item {pending})")
    changes = validated(ItemChanges(), changes, "the correction")
    now = utcnow()
    new = Item(unit_code=old.unit_code, title=old.title, body=old.body, audience=old.audience,
               carriers=list(old.carriers), obligation_id=old.obligation_id, version=old.version + 1,
               previous_id=old.id, author=actor["username"], created_at=now)
    for name, value in changes.items():
        setattr(new, name, value)
    step(new, "draft", actor, f"correction of version {old.version} (item {old.id})")
    new.attachments = [Attachment(sha256=a.sha256, filename=a.filename, media_type=a.media_type, size=a.size,
                                  added_by=actor["username"], added_at=now) for a in old.attachments]
    uow.session.add(new)
    uow.session.flush()
    return ItemView().dump(new)


# --- reading ---------------------------------------------------------------------------------

def get_item(session: Session, actor: dict[str, Any] | None, item_id: int) -> dict[str, Any]:
    """An item as the caller may see it (audience.py); NotFound when they may not."""
    reader, item = audience.reader_of(actor), load(session, item_id)
    if not audience.may_see(session, reader, item):
        raise NotFound(f"no item {item_id}")
    return audience.view(reader, item)


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


def versions(session: Session, actor: dict[str, Any] | None, item_id: int) -> list[dict[str, Any]]:
    """Every version of the item's chain the caller may see, oldest first, each as they may see it."""
    reader, item = audience.reader_of(actor), load(session, item_id)
    if not audience.may_see(session, reader, item):
        raise NotFound(f"no item {item_id}")
    return [audience.view(reader, v) for v in chain(session, item) if audience.may_see(session, reader, v)]


def list_items(session: Session, actor: dict[str, Any] | None, filters: dict[str, Any] | None,
               limit: int = 50, after: int | None = None) -> dict[str, Any]:
    """The items the caller may see, newest first; `next` is the cursor for `after`.

    Without a status filter only current versions are listed: a version superseded by a
    correction is reached through its successor (versions) or with status=corrected."""
    reader = audience.reader_of(actor)
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
    return {"items": [audience.view(reader, item) for item in page],
            "next": page[-1].id if len(items) > limit else None}
