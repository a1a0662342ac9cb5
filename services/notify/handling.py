"""One event, handled: what notify learns from it, what it tells, and to which webhooks."""
from __future__ import annotations

from typing import Any, Callable

from services.common.contract import UNIT_EVENTS, Event, names, unit_state_of
from services.common.db import UnitOfWork
from services.common.records import utcnow

from . import directory, planner, webhooks
from .engine import Engine
from .outcomes import drop_sender_sends, report_unreachable

ACCOUNT_EVENTS = (names.ACCOUNT_CREATED, names.ACCOUNT_CHANGED, names.ACCOUNT_DISABLED)


SenderLookup = Callable[[int], "dict[str, Any] | None"]


def handle(uow: UnitOfWork, engine: Engine, event: Event, sender_lookup: SenderLookup | None = None) -> None:
    """`sender_lookup(feedback_id)` asks feedback where its sender can be reached; called only
    for an event whose rule tells the sender, and before anything is written here."""
    rule = engine.rules.for_event(event.type)
    sender = None
    if rule is not None and rule.tells_sender and sender_lookup is not None:
        sender = sender_lookup(int(event.payload["feedback_id"]))
    session = uow.session
    now = utcnow()
    if event.type in UNIT_EVENTS:
        directory.apply_unit_state(session, unit_state_of(event))
    elif event.type in ACCOUNT_EVENTS:
        directory.apply_account_state(session, event.payload)
    elif event.type == names.ITEM_SUBMITTED:
        directory.remember_author(session, event.payload)
    elif event.type == names.FEEDBACK_CONTACT_ERASED:
        drop_sender_sends(session, event.payload["tracking_code"])
    deliveries = planner.plan(session, event, engine.rules, engine.settings, now, sender)
    report_unreachable(uow, deliveries)
    hooks = webhooks.fan_out(session, event, now)
    for delivery in (*deliveries, *hooks):  # sent later, by the sender: in the trace of the event they tell
        delivery.traceparent = delivery.traceparent or uow.traceparent
    if any(d.status == "pending" for d in deliveries) or hooks:
        engine.wake_on_commit(session)
