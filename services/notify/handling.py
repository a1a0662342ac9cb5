"""One event, handled: what notify learns from it, what it tells, and to which webhooks."""
from __future__ import annotations

from services.common.contract import UNIT_EVENTS, Event, names, unit_state_of
from services.common.db import UnitOfWork
from services.common.records import utcnow

from . import directory, planner, webhooks
from .engine import Engine
from .outcomes import report_unreachable

ACCOUNT_EVENTS = (names.ACCOUNT_CREATED, names.ACCOUNT_CHANGED, names.ACCOUNT_DISABLED)


def handle(uow: UnitOfWork, engine: Engine, event: Event) -> None:
    session = uow.session
    now = utcnow()
    if event.type in UNIT_EVENTS:
        directory.apply_unit_state(session, unit_state_of(event))
    elif event.type in ACCOUNT_EVENTS:
        directory.apply_account_state(session, event.payload)
    elif event.type == names.ITEM_SUBMITTED:
        directory.remember_author(session, event.payload)
    deliveries = planner.plan(session, event, engine.rules, engine.settings, now)
    report_unreachable(uow, deliveries)
    hooks = webhooks.fan_out(session, event, now)
    if any(d.status == "pending" for d in deliveries) or hooks:
        engine.wake_on_commit(session)
