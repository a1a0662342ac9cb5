"""The backfill: an empty supervision database first fills itself from the producers'
published-event history (each service's `event_history` RPC, which the gateway's event
feed reads too), then answers. Each event is applied as the live handler would and marked
processed in the inbox, so the copy arriving on the live queue is skipped."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.common.contract import (
    SUBSCRIPTIONS,
    ContractError,
    from_message,
    queue_name,
)
from services.common.contract.catalogue import CATALOGUE
from services.common.db import UnitOfWork
from services.common.errors import NotReady
from services.common.records import ProcessedEvent, utcnow

from . import facts
from .models import Backfill

log = logging.getLogger(__name__)
SERVICE = "supervision"
PAGE = 500
TYPES = SUBSCRIPTIONS[SERVICE]
PRODUCERS = tuple(sorted({CATALOGUE[t].producer for t in TYPES}))

Fetch = Callable[[str, int, list[str], int], list[dict[str, Any]]]


def ready(uow: UnitOfWork) -> bool:
    done = set(uow.session.scalars(sa.select(Backfill.producer).where(Backfill.done_at.is_not(None))))
    return done >= set(PRODUCERS)


def require_ready(uow: UnitOfWork) -> None:
    if not ready(uow):
        raise NotReady("考核服务正在从历史事件中补齐数据，请稍后再试")


def start(uow: UnitOfWork) -> None:
    """Once, on a new database (no backfill rows yet): every producer's history is to be taken.
    Live events may arrive meanwhile; both paths are idempotent by event id."""
    if uow.session.scalar(sa.select(sa.func.count()).select_from(Backfill)):
        return
    for producer in PRODUCERS:
        uow.session.add(Backfill(producer=producer, last_id=0, done_at=None))
    try:
        uow.commit()
    except IntegrityError:  # another replica decided at the same time
        uow.rollback()


def run(uow: UnitOfWork, fetch: Fetch) -> int:
    """Take every pending producer's history page by page (committing each page); returns
    the events applied. A producer that does not answer is tried again at the next call."""
    start(uow)
    applied = 0
    for row in list(uow.session.scalars(sa.select(Backfill).where(Backfill.done_at.is_(None)))):
        producer, after = row.producer, row.last_id
        while True:
            types = [t for t in TYPES if CATALOGUE[t].producer == producer]
            uow.rollback()  # nothing is pending here: hand the connection back while the producer is asked
            try:
                page = fetch(producer, after, types, PAGE)
            except Exception as exc:  # not up yet: the others go on, this one is asked again next time
                log.info("backfill: %s does not answer yet (%s); trying again shortly", producer, type(exc).__name__)
                uow.rollback()
                break
            for entry in page:
                applied += _apply(uow, entry["event"])
            if page:
                after = page[-1]["id"]
            backfill = uow.session.get(Backfill, producer)
            backfill.last_id = after
            if len(page) < PAGE:
                backfill.done_at = utcnow()
            try:
                uow.commit()
            except IntegrityError:  # the live queue delivered one of these meanwhile: take the page again
                uow.rollback()
                after = uow.session.get(Backfill, producer).last_id
                continue
            if len(page) < PAGE:
                log.info("backfill from %s done after event %s", producer, after)
                break
    return applied


def _apply(uow: UnitOfWork, message: dict[str, Any]) -> int:
    try:
        event = from_message(message)
    except ContractError:
        log.warning("backfill skipped an event it cannot read: %s", message.get("event_id"))
        return 0
    consumer = queue_name(SERVICE, event.type)
    if uow.session.get(ProcessedEvent, (str(event.event_id), consumer)) is not None:
        return 0
    facts.apply(uow.session, event)
    uow.session.add(ProcessedEvent(event_id=str(event.event_id), consumer=consumer, processed_at=utcnow()))
    uow.session.flush()
    return 1
