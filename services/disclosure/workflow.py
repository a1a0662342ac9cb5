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
The table of states and actions, and who takes each, is states.py; the item views
carry the actions their reader may take now (items.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, InvalidInput, validated
from services.common.records import utcnow
from services.common.shapes.disclosure import ItemChanges, NewItem
from services.common.workdays import county_date

from . import learning, obligations, search, states
from .actors import require_role, require_unit
from .items import correcting, load, operator_item, present, require_changeable, require_draft, step
from .models import Attachment, Item, UnitCopy

SUMMARY_CHARS = 200


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


def create_item(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A new draft for the operator's own unit, possibly naming the obligation it fulfils."""
    data = validated(NewItem(), data, "the item")
    require_role(actor, "operator")
    require_unit(actor, data["unit_code"])
    unit = uow.session.get(UnitCopy, data["unit_code"])
    if unit is None or unit.status != "active":
        raise InvalidInput(f"unit {data['unit_code']} is not an active unit")
    if data["obligation_id"] is not None:
        obligations.check_fulfillable(uow.session, data["obligation_id"], data["unit_code"])
    item = Item(**data, version=1, author=actor.username, created_at=utcnow())
    step(item, states.after("draft", "edit"), actor)
    uow.session.add(item)
    uow.session.flush()
    return present(uow.session, actor, item)


def update_item(uow: UnitOfWork, actor: Actor, item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Edit a draft (a new one, one returned by the reviewer, or a correction)."""
    actor, item = operator_item(uow, actor, item_id)
    require_draft(item, "edited")
    for name, value in validated(ItemChanges(), changes, "the changes").items():
        setattr(item, name, value)
    uow.session.flush()
    return present(uow.session, actor, item)


def submit(uow: UnitOfWork, actor: Actor, item_id: int, reason: str | None = None) -> dict[str, Any]:
    """提出: the operator sends the draft for review."""
    actor, item = operator_item(uow, actor, item_id)
    require_draft(item, "submitted")
    step(item, states.after(item.status, "submit"), actor, _reason(reason))
    uow.emit(names.ITEM_SUBMITTED, {**_ref(item), "submitted_by": actor.username, "submitted_at": utcnow()})
    return present(uow.session, actor, item)


def _reviewer_item(uow: UnitOfWork, actor: Actor, item_id: int, verb: str) -> tuple[Actor, Item]:
    """The item a reviewer of its unit (not its author) takes the action `verb` on (states.py)."""
    allowed_from = states.sources(verb)
    item = load(uow.session, item_id, lock=True)
    require_role(actor, "reviewer")
    require_unit(actor, item.unit_code)
    if item.author == actor.username:
        raise Forbidden(f"you wrote item {item.id}; someone else must {verb} it")
    require_changeable(uow.session, item)
    if item.status not in allowed_from:
        raise Conflict(f"an item must be {' or '.join(allowed_from)} to {verb} it; item {item.id} is {item.status}")
    return actor, item


def review(uow: UnitOfWork, actor: Actor, item_id: int, reason: str | None = None) -> dict[str, Any]:
    """审核: the reviewer checks secrecy and accuracy."""
    actor, item = _reviewer_item(uow, actor, item_id, "review")
    step(item, states.after(item.status, "review"), actor, _reason(reason))
    uow.emit(names.ITEM_REVIEWED, {**_ref(item), "reviewed_by": actor.username, "reviewed_at": utcnow()})
    return present(uow.session, actor, item)


def approve(uow: UnitOfWork, actor: Actor, item_id: int, reason: str | None = None) -> dict[str, Any]:
    """审批 then 实施: approval publishes the item to its audience."""
    actor, item = _reviewer_item(uow, actor, item_id, "approve")
    now = utcnow()
    step(item, states.after(item.status, "approve"), actor, _reason(reason))
    uow.emit(names.ITEM_APPROVED, {**_ref(item), "approved_by": actor.username, "approved_at": now})
    _publish(uow, actor, item, now)
    return present(uow.session, actor, item)


def _publish(uow: UnitOfWork, actor: Actor, item: Item, now: datetime) -> None:
    step(item, states.after(item.status, "publish"), actor)
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
                               "obligation_id": item.obligation_id, "published_by": actor.username,
                               "published_at": now})
    search.index(uow.session, item)
    if previous is not None and previous.status == "published":
        search.remove(uow.session, previous.id)
        step(previous, "corrected", actor, f"corrected by version {item.version} (item {item.id})")
        previous.superseded_by_id = item.id
        learning.item_corrected(uow.session, previous, item)  # its 范例 marks follow the version in force
        uow.emit(names.ITEM_CORRECTED, {**_ref(item), "previous_item_id": previous.id,
                                   "previous_version": previous.version, "corrected_by": actor.username,
                                   "corrected_at": now})


def reject(uow: UnitOfWork, actor: Actor, item_id: int, reason: str | None) -> dict[str, Any]:
    """退回: back to draft, with the reviewer's reason."""
    reason = _reason(reason, "a rejection")
    actor, item = _reviewer_item(uow, actor, item_id, "reject")
    step(item, states.after(item.status, "reject"), actor, reason)
    uow.emit(names.ITEM_REJECTED, {**_ref(item), "rejected_by": actor.username, "rejected_at": utcnow(),
                              "reason": reason})
    return present(uow.session, actor, item)


def withdraw(uow: UnitOfWork, actor: Actor, item_id: int, reason: str | None) -> dict[str, Any]:
    """撤回: a published item is taken down, with a reason; a prior disclosure (预公开) not
    before its minimum display period has run."""
    reason = _reason(reason, "a withdrawal")
    actor, item = _reviewer_item(uow, actor, item_id, "withdraw")
    today = county_date(utcnow())
    if item.display_until is not None and today < item.display_until:
        raise Conflict(f"item {item.id} is a prior disclosure shown until {item.display_until.isoformat()}; "
                       f"it cannot be withdrawn before then")
    step(item, states.after(item.status, "withdraw"), actor, reason)
    search.remove(uow.session, item.id)
    learning.item_withdrawn(uow, item, actor)  # its 范例 marks end
    uow.emit(names.ITEM_WITHDRAWN, {**_ref(item), "withdrawn_by": actor.username, "withdrawn_at": utcnow(),
                               "reason": reason})
    return present(uow.session, actor, item)


ACTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "submit": submit, "review": review, "approve": approve, "reject": reject, "withdraw": withdraw}


def transition(uow: UnitOfWork, actor: Actor, item_id: int, action: str,
               reason: str | None = None) -> dict[str, Any]:
    """One workflow step by name: submit, review, approve (publishes), reject, withdraw."""
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    return ACTIONS[action](uow, actor, item_id, reason)


def correct(uow: UnitOfWork, actor: Actor, item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """整改: a new draft version of a published item, with its attachments; it goes through
    review and approval again and, once published, supersedes the version it corrects."""
    actor, old = operator_item(uow, actor, item_id)
    if (old.status, "correct") not in states.TRANSITIONS:
        raise Conflict(f"only a published item can be corrected; item {old.id} is {old.status}")
    pending = correcting(uow.session, old)
    if pending is not None:
        raise Conflict(f"only a published item can be corrected, once at a time: item {old.id} already has "
                       f"a correction in progress (item {pending})")
    changes = validated(ItemChanges(), changes, "the correction")
    now = utcnow()
    new = Item(unit_code=old.unit_code, title=old.title, body=old.body, audience=old.audience,
               carriers=list(old.carriers), obligation_id=old.obligation_id, version=old.version + 1,
               previous_id=old.id, author=actor.username, created_at=now)
    for name, value in changes.items():
        setattr(new, name, value)
    step(new, "draft", actor, f"correction of version {old.version} (item {old.id})")
    new.attachments = [Attachment(sha256=a.sha256, filename=a.filename, media_type=a.media_type, size=a.size,
                                  added_by=actor.username, added_at=now) for a in old.attachments]
    uow.session.add(new)
    uow.session.flush()
    return present(uow.session, actor, new)
