"""Recording what a peer answered for one delivery: delivered, a retry after the back-off
(or the peer's own delay), failed for good, or a dead letter when the retries run out; the
webhook's attempt log and its disabling after WEBHOOK_DISABLE_AFTER failures in a row; the
outcome's event in the outbox, in the trace of the event the delivery tells."""
from __future__ import annotations

import collections
import itertools
import logging
from datetime import datetime, timedelta
from typing import Any, Callable, NamedTuple

import sqlalchemy as sa
from prometheus_client import Counter
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.util import identity_key

from services.common import tracing
from services.common.contract import names
from services.common.db import UnitOfWork, insert_many

from . import netcheck
from .models import Delivery, Webhook, WebhookAttempt
from .outcomes import NOTIFICATIONS, forget_sender_address, mask, ref
from .planner import when_allowed

log = logging.getLogger(__name__)

RETRIES = Counter("gongkai_notification_retries_total", "Delivery attempts that failed and will be tried again.",
                  ["channel"])


_deliveries = Delivery.__table__
# built once: a batch's outcomes are recorded every RECORD_EVERY sends, by the same statements
_DELIVERED = (sa.update(_deliveries).where(_deliveries.c.id.in_(sa.bindparam("ids", expanding=True)))
              .values(status="delivered", delivered_at=sa.bindparam("now", type_=_deliveries.c.delivered_at.type),
                      last_error=None, claimed_by=None, attempts=_deliveries.c.attempts + 1)
              .returning(_deliveries.c.id))
_FAILURES = sa.select(Webhook.id, Webhook.consecutive_failures).where(
    Webhook.id.in_(sa.bindparam("ids", expanding=True)))


class Outcome(NamedTuple):
    """What the peer answered for one delivery; `counts` is False when nothing was sent."""
    delivery_id: int
    outcome: str  # delivered, retry or failed
    error: str | None
    delay: float | None
    counts: bool
    status_code: int | None
    elapsed_ms: int


class Recorder:
    def __init__(self, sessions: sessionmaker, settings: dict[str, Any], clock: Callable[[], datetime],
                 on_outbox_commit: Callable[[], None] | None = None) -> None:
        self.sessions, self.settings, self.clock, self.on_outbox_commit = sessions, settings, clock, on_outbox_commit
        self.max_attempts = int(settings.get("MAX_ATTEMPTS", 5))

    def backoff(self, attempts: int, channel: str) -> float:
        base = float(self.settings.get("RETRY_BASE_SECONDS", 5))
        most = float(self.settings.get("WEBHOOK_RETRY_MAX_SECONDS" if channel == "webhook" else "RETRY_MAX_SECONDS",
                                       3600 if channel == "webhook" else 600))
        return min(base * 2 ** max(attempts - 1, 0), most)

    def record(self, outcomes: list[Outcome], known: dict[int, Delivery] | None = None) -> None:
        """Each outcome of a batch, in one transaction, in order. `known` holds the batch's
        deliveries as the sender read them when it claimed them: a run of plain deliveries
        among them is recorded by a few statements for the whole run (_delivered); any other
        outcome (a retry, a failure, a feedback sender's address to forget) one by one."""
        known = known or {}
        uow = UnitOfWork(self.sessions, f"delivery-{outcomes[0].delivery_id}", on_outbox_commit=self.on_outbox_commit)
        try:
            others = [o.delivery_id for o in outcomes if not _plain(o, known.get(o.delivery_id))]
            if others:  # read at once, not one by one
                loaded = uow.session.scalars(sa.select(Delivery).where(Delivery.id.in_(others))).all()
                hooks = {d.webhook_id for d in loaded if d.webhook_id}
                if hooks:
                    uow.session.scalars(sa.select(Webhook).where(Webhook.id.in_(hooks))).all()
            for plain, run in itertools.groupby(outcomes, key=lambda o: _plain(o, known.get(o.delivery_id))):
                run = list(run)
                if plain:
                    self._delivered(uow, [known[o.delivery_id] for o in run], {o.delivery_id: o for o in run})
                else:
                    for outcome in run:
                        self._one(uow, *outcome)
            uow.commit()
        finally:
            uow.close()

    def _delivered(self, uow: UnitOfWork, deliveries: list[Delivery], outcomes: dict[int, Outcome]) -> None:
        """Delivered, each attempt counted: one UPDATE for the run, the attempt log's rows by one
        INSERT, the subscriptions' failures in a row back to 0, and NotificationDelivered for
        each one not a webhook; what the ORM would have written for each, one by one."""
        session, now = uow.session, self.clock()
        session.flush()  # an earlier outcome's changes, before these statements
        found = set(session.scalars(_DELIVERED, {"ids": list(outcomes), "now": now}))
        wanted = {d.webhook_id for d in deliveries if d.webhook_id and d.id in found}
        hooks = dict(session.execute(_FAILURES, {"ids": list(wanted)}).all()) if wanted else {}
        failing = [hook for hook, failures in hooks.items() if failures]
        if failing:
            session.execute(sa.update(Webhook.__table__).where(Webhook.__table__.c.id.in_(failing))
                            .values(consecutive_failures=0))
            for hook in failing:  # a subscription read earlier in this transaction is read again
                held = session.identity_map.get(identity_key(Webhook, hook))
                if held is not None:
                    session.expire(held)
        insert_many(session, WebhookAttempt.__table__, [
            {"webhook_id": d.webhook_id, "delivery_id": d.id, "attempted_at": now,
             "status_code": outcomes[d.id].status_code, "outcome": "delivered", "error": None,
             "duration_ms": outcomes[d.id].elapsed_ms} for d in deliveries if d.id in found and d.webhook_id in hooks])
        counted = collections.Counter(d.channel for d in deliveries if d.id in found)
        for channel, count in counted.items():
            NOTIFICATIONS.labels(channel, "delivered").inc(count)
        for delivery in deliveries:
            if delivery.id in found and not (delivery.webhook_id and delivery.webhook_id in hooks):
                uow.correlation_id = f"delivery-{delivery.id}"
                uow.traceparent = tracing.child(delivery.traceparent) if delivery.traceparent else None
                uow.emit(names.NOTIFICATION_DELIVERED, {**ref(delivery), "delivered_at": now})

    def _one(self, uow: UnitOfWork, delivery_id: int, outcome: str, error: str | None, delay: float | None,
             counts: bool, status_code: int | None, elapsed_ms: int) -> None:
        delivery = uow.session.get(Delivery, delivery_id)
        uow.correlation_id = f"delivery-{delivery_id}"
        # its outcome events go on in the trace of the event it tells
        uow.traceparent = tracing.child(delivery.traceparent) if delivery.traceparent else None
        now = self.clock()
        delivery.claimed_by = None
        if counts:
            delivery.attempts += 1
        hook = uow.session.get(Webhook, delivery.webhook_id) if delivery.webhook_id else None
        if hook is not None:
            uow.session.add(WebhookAttempt(webhook_id=hook.id, delivery_id=delivery.id, attempted_at=now,
                                           status_code=status_code, outcome=outcome, error=error,
                                           duration_ms=elapsed_ms))
        if outcome == "delivered":
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
            NOTIFICATIONS.labels(delivery.channel, "delivered").inc()
            if hook is not None:
                hook.consecutive_failures = 0
            else:
                uow.emit(names.NOTIFICATION_DELIVERED, {**ref(delivery), "delivered_at": now})
        else:
            delivery.last_error = error
            if hook is not None:
                self._webhook_failed(uow, hook, error or "", now)
            out_of_time = (delivery.channel == "webhook" and now - delivery.created_at >= timedelta(
                seconds=float(self.settings.get("WEBHOOK_RETRY_WINDOW_SECONDS", 86400))))
            out_of_attempts = delivery.channel != "webhook" and delivery.attempts >= self.max_attempts
            if outcome == "retry" and not (out_of_time or out_of_attempts):
                delivery.status = "pending"
                after = now + timedelta(
                    seconds=delay if delay is not None else self.backoff(delivery.attempts, delivery.channel))
                delivery.next_attempt_at = when_allowed(after, delivery.channel, delivery.urgency, self.settings,
                                                        delivery.quiet_hours)
                RETRIES.labels(delivery.channel).inc()
                NOTIFICATIONS.labels(delivery.channel, "retry").inc()
            else:
                dead = outcome == "retry"
                delivery.status, delivery.next_attempt_at = ("dead" if dead else "failed"), None
                NOTIFICATIONS.labels(delivery.channel, "dead" if dead else "failed").inc()
                if hook is None:
                    uow.emit(names.NOTIFICATION_FAILED, {**ref(delivery), "reason": error or "",
                                                         "attempts": delivery.attempts, "dead_letter": dead})
                log.error("delivery %s (%s) to %s %s: %s", delivery.id, delivery.channel,
                          mask(delivery.recipient), "is a dead letter" if dead else "failed for good", error)
        forget_sender_address(delivery)

    def _webhook_failed(self, uow: UnitOfWork, hook: Webhook, error: str, now: datetime) -> None:
        hook.consecutive_failures += 1
        limit = int(self.settings.get("WEBHOOK_DISABLE_AFTER", 20))
        if hook.active and hook.consecutive_failures >= limit:
            hook.active, hook.disabled_at = False, now
            hook.disabled_reason = f"{hook.consecutive_failures} consecutive failures; the last: {error}"[:1000]
            NOTIFICATIONS.labels("webhook", "disabled").inc()
            uow.emit(names.WEBHOOK_DISABLED, {"webhook_id": hook.id, "owner": hook.owner,
                                              "url_host": netcheck.parse(hook.url)[1],
                                              "consecutive_failures": hook.consecutive_failures,
                                              "reason": error[:500] or "failed", "disabled_at": now})


def _plain(outcome: Outcome, delivery: Delivery | None) -> bool:
    """Delivered, its attempt counted, read by the sender, and no feedback sender's address to forget."""
    return outcome.outcome == "delivered" and outcome.counts and delivery is not None \
        and not (delivery.delivery_key or "").endswith(":sender")
