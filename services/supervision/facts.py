"""What supervision learns from other services' events, kept as facts with the instant each
occurred (the envelope's occurred_at) and the instant it arrived here. A score "as of" T
counts only facts that occurred and arrived by T, so the answer never changes afterwards.

Every handler is idempotent by the event's id (the inbox skips redeliveries; the backfill
may bring an event the live queue brings too)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import calendar_store
from services.common.contract import Event, names, unit_state_of
from services.common.contract.catalogue import UNIT_EVENTS
from services.common.records import utcnow
from services.common.unit_tree import UnitTree
from services.common.workdays import county_date

from . import marks
from .keep_models import KeptFact
from .models import DesignationFact, FeedbackFact, ItemFact, ObligationFact, UnitCopy

TREE = UnitTree(UnitCopy)
chain_of, subtree_of = TREE.chain_of, TREE.subtree_of


def _seen(session: Session, model: Any, event: Event) -> bool:
    return session.scalar(sa.select(model.id).where(model.event_id == str(event.event_id))) is not None


def apply_unit(session: Session, event: Event, received_at: datetime) -> bool:
    """Keep the newest revision of the unit; its town follows the tree."""
    state = unit_state_of(event)

    def fill(unit: UnitCopy, created: bool) -> None:
        if created:
            unit.first_seen_at = event.occurred_at
        unit.demonstration = bool(state["demonstration"])
        if state["status"] != "active" and unit.status in (None, "active"):
            unit.ended_at = event.occurred_at
        unit.status = state["status"]
    return TREE.apply(session, state, fill)


OBLIGATION_KINDS = {names.OBLIGATION_FULFILLED: "fulfilled", names.OBLIGATION_OVERDUE: "overdue",
                    names.OBLIGATION_WAIVED: "waived"}


def apply_obligation(session: Session, event: Event, received_at: datetime) -> bool:
    if _seen(session, ObligationFact, event):
        return False
    p = event.payload
    fact = ObligationFact(
        event_id=str(event.event_id), obligation_id=p["obligation_id"], kind=OBLIGATION_KINDS[event.type],
        unit_code=p["unit_code"], entry_code=p["entry_code"], matter=p["matter"][:320], period=p["period"],
        due_on=p["due_on"], on_time=p.get("on_time"), occurred_at=event.occurred_at, received_at=received_at)
    session.add(fact)
    marks.record(session, fact)
    return True


FEEDBACK_KINDS = {names.FEEDBACK_RECEIVED: ("received", "received_at"),
                  names.FEEDBACK_ANSWERED: ("answered", "answered_at"),
                  names.FEEDBACK_RATED: ("rated", "rated_at"), names.FEEDBACK_OVERDUE: ("overdue", None)}


def apply_feedback(session: Session, event: Event, received_at: datetime) -> bool:
    if _seen(session, FeedbackFact, event):
        return False
    p = event.payload
    kind, when = FEEDBACK_KINDS[event.type]
    day = county_date(p[when]) if when else p.get("answer_due") or county_date(event.occurred_at)
    session.add(FeedbackFact(
        event_id=str(event.event_id), feedback_id=p["feedback_id"], kind=kind, unit_code=p["unit_code"], day=day,
        on_time=p.get("on_time"), rating=p.get("rating"), occurred_at=event.occurred_at, received_at=received_at))
    return True


def apply_item(session: Session, event: Event, received_at: datetime) -> bool:
    if _seen(session, ItemFact, event):
        return False
    p = event.payload
    session.add(ItemFact(event_id=str(event.event_id), item_id=p["item_id"], unit_code=p["unit_code"],
                         audience=p["audience"], obligation_id=p.get("obligation_id"),
                         day=county_date(p["published_at"]), occurred_at=event.occurred_at, received_at=received_at))
    return True


DESIGNATION_CHANGES = {names.DEMONSTRATION_DESIGNATED: "designated", names.DEMONSTRATION_EXPIRED: "expired",
                       names.DEMONSTRATION_REVOKED: "revoked"}


def apply_designation(session: Session, event: Event, received_at: datetime) -> bool:
    if _seen(session, DesignationFact, event):
        return False
    p = event.payload
    session.add(DesignationFact(
        event_id=str(event.event_id), designation_id=p["designation_id"], unit_code=p["unit"]["code"],
        kind=p["kind"], change=DESIGNATION_CHANGES[event.type], starts_on=p["starts_on"], ends_on=p["ends_on"],
        occurred_at=event.occurred_at, received_at=received_at))
    apply_unit(session, event, received_at)
    return True


def apply_kept(session: Session, event: Event, received_at: datetime) -> bool:
    if _seen(session, KeptFact, event):
        return False
    p = event.payload
    session.add(KeptFact(event_id=str(event.event_id), designation_id=p["designation_id"], unit_code=p["unit_code"],
                         period=p["period"], occurred_at=event.occurred_at, received_at=received_at))
    return True


HANDLERS: dict[str, Callable[[Session, Event, datetime], bool]] = {
    **{t: apply_unit for t in UNIT_EVENTS},
    **{t: apply_obligation for t in OBLIGATION_KINDS},
    **{t: apply_feedback for t in FEEDBACK_KINDS},
    names.ITEM_PUBLISHED: apply_item,
    **{t: apply_designation for t in DESIGNATION_CHANGES},
    names.DESIGNATION_KEPT: apply_kept,
    names.CALENDAR_ARRANGED: lambda session, event, _received_at: calendar_store.store(session, event.payload),
}


def apply(session: Session, event: Event, received_at: datetime | None = None) -> bool:
    """Record the event's fact; False when it was known already (or an older unit revision)."""
    return HANDLERS[event.type](session, event, received_at or utcnow())
