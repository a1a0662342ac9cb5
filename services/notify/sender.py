"""Sending what is due, on every channel, each delivery once.

A sender claims a delivery with a conditional update (pending → sending, with a short
lease that it renews while the send runs), so two replicas never send the same one, and a
claim left by a sender that died is taken over within LEASE_SECONDS. Each claimed delivery
is sent in its own green thread, at most PER_PEER at a time to one peer, so a slow peer
holds up only its own deliveries. A subscription's webhooks go one at a time, in order.
The handler that queues deliveries wakes the sender when its transaction commits; a
poll every POLL_SECONDS is the safety net."""
from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable

import eventlet
import sqlalchemy as sa
from eventlet.event import Event as Signal
from prometheus_client import Counter
from sqlalchemy.orm import sessionmaker

from services.common import tracing
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.records import utcnow

from . import channels, netcheck, robots, sms_vendors
from .planner import when_allowed
from .models import Delivery, Webhook, WebhookAttempt
from .outcomes import NOTIFICATIONS, forget_sender_address, mask, ref

log = logging.getLogger(__name__)

RETRIES = Counter("gongkai_notification_retries_total", "Delivery attempts that failed and will be tried again.",
                  ["channel"])
ACTIVE = ("pending", "sending")


class Sender:
    def __init__(self, sessions: sessionmaker, config: dict[str, Any], on_outbox_commit: Callable[[], None] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions, self.config, self.on_outbox_commit, self.clock = sessions, config, on_outbox_commit, clock
        self.settings = config.get("NOTIFY") or {}
        self.instance = f"{uuid.uuid4().hex[:12]}"
        self.lease = float(self.settings.get("LEASE_SECONDS", 10))
        self.poll = float(self.settings.get("POLL_SECONDS", 1))
        self.max_attempts = int(self.settings.get("MAX_ATTEMPTS", 5))
        self.per_peer = int(self.settings.get("PER_PEER", 4))
        self.pool = eventlet.GreenPool(int(self.settings.get("CONCURRENCY", 32)))
        self.robot_limit = robots.SharedLimit(
            sessions, int((self.settings.get("ROBOTS") or {}).get("LIMIT_PER_MINUTE") or 20), clock)
        self.in_flight: dict[int, str] = {}  # delivery id → peer
        self._signal = Signal()
        self._running = False

    # --- waking ------------------------------------------------------------------------
    def wake(self) -> None:
        if not self._signal.ready():
            self._signal.send(True)

    def run(self) -> None:
        self._running = True
        last_renewal = time.monotonic()
        while self._running:
            try:
                self.pass_once()
                if time.monotonic() - last_renewal > self.lease / 3:
                    self._renew()
                    last_renewal = time.monotonic()
            except Exception:  # the database may be away for a moment: try again shortly
                log.exception("notify's sender pass failed")
            with eventlet.Timeout(self.poll, False):
                self._signal.wait()
            self._signal = Signal()

    def stop(self) -> None:
        self._running = False
        self.wake()
        self.pool.waitall()

    # --- one pass ------------------------------------------------------------------------
    def pass_once(self, wait: bool = False) -> int:
        """Claim what is due and send each in the pool; `wait` to finish them (tests)."""
        claimed = self._claim()
        for delivery_id, peer in claimed:
            self.in_flight[delivery_id] = peer
            self.pool.spawn_n(self._send_safely, delivery_id)
        if wait:
            self.pool.waitall()
        return len(claimed)

    def _peer_busy(self, peer: str) -> bool:
        limit = 1 if peer.startswith("webhook:") else self.per_peer
        return sum(1 for p in self.in_flight.values() if p == peer) >= limit

    def _claim(self) -> list[tuple[int, str]]:
        now = self.clock()
        room = self.pool.free()
        if room <= 0:
            return []
        with self.sessions() as session:
            rows = session.execute(
                sa.select(Delivery.id, Delivery.channel, Delivery.webhook_id)
                .where(Delivery.status.in_(ACTIVE), Delivery.next_attempt_at <= now, Delivery.channel != "webhook")
                .order_by(Delivery.next_attempt_at, Delivery.id).limit(max(room * 4, 50))).all()
            # a subscription's oldest unfinished delivery only, when due and the webhook active:
            # the ones waiting behind a subscriber that is down never crowd out the others
            heads = (sa.select(sa.func.min(Delivery.id)).where(Delivery.channel == "webhook",
                                                                Delivery.status.in_(ACTIVE))
                     .group_by(Delivery.webhook_id).scalar_subquery())
            rows += session.execute(
                sa.select(Delivery.id, Delivery.channel, Delivery.webhook_id)
                .join(Webhook, Webhook.id == Delivery.webhook_id)
                .where(Delivery.id.in_(heads), Delivery.next_attempt_at <= now, Webhook.active.is_(True))
                .order_by(Delivery.next_attempt_at, Delivery.id).limit(max(room * 4, 50))).all()
            claimed = []
            for row in rows:
                if len(claimed) >= room or row.id in self.in_flight:
                    continue
                peer = f"webhook:{row.webhook_id}" if row.channel == "webhook" else row.channel
                if self._peer_busy(peer) or sum(1 for _, p in claimed if p == peer) >= (
                        1 if row.channel == "webhook" else self.per_peer):
                    continue
                updated = session.execute(
                    sa.update(Delivery).where(Delivery.id == row.id, Delivery.status.in_(ACTIVE),
                                              Delivery.next_attempt_at <= now)
                    .values(status="sending", claimed_by=self.instance,
                            next_attempt_at=now + timedelta(seconds=self.lease))).rowcount
                if updated:
                    claimed.append((row.id, peer))
            session.commit()
        return claimed

    def _renew(self) -> None:
        if not self.in_flight:
            return
        with self.sessions() as session:
            session.execute(sa.update(Delivery).where(Delivery.id.in_(list(self.in_flight)),
                                                      Delivery.claimed_by == self.instance,
                                                      Delivery.status == "sending")
                            .values(next_attempt_at=self.clock() + timedelta(seconds=self.lease)))
            session.commit()

    def _send_safely(self, delivery_id: int) -> None:
        try:
            self.send_one(delivery_id)
        except Exception:
            log.exception("delivery %s could not be sent or recorded; its lease will expire", delivery_id)
        finally:
            self.in_flight.pop(delivery_id, None)
            self.wake()  # room for the next: a backlog does not wait for the poll

    # --- one delivery ---------------------------------------------------------------------
    def send_one(self, delivery_id: int) -> str:
        with self.sessions() as session:  # read, then give the connection back before the network
            delivery = session.get(Delivery, delivery_id)
            session.expunge(delivery)
            hook = session.get(Webhook, delivery.webhook_id) if delivery.webhook_id else None
            if hook is not None:
                session.expunge(hook)
        started = time.monotonic()
        status_code, outcome = None, None
        try:
            status_code = self._deliver(delivery, hook)
        except channels.Transient as exc:
            outcome, error, delay, counts, status_code = "retry", str(exc), exc.delay, exc.counts, exc.status_code
        except channels.Permanent as exc:
            outcome, error, delay, counts, status_code = "failed", str(exc), None, True, exc.status_code
        except netcheck.InvalidInput as exc:  # the subscriber's host now resolves inside the network
            outcome, error, delay, counts = "retry", str(exc.args[0]), None, True
        else:
            outcome, error, delay, counts = "delivered", None, None, True
        elapsed_ms = int((time.monotonic() - started) * 1000)
        self._record_when_possible(delivery_id, outcome, error, delay, counts, status_code, elapsed_ms)
        return outcome

    def _record_when_possible(self, delivery_id: int, *outcome: Any) -> None:
        """What the peer answered is known only here: when the database is away for a moment (a
        restart, a failover), keep trying to record it, every second, for up to RECORD_PATIENCE
        seconds, rather than let the claim's lease expire and the delivery be sent again. The
        delivery stays in flight meanwhile, so this sender's lease renewal keeps it its own."""
        patience = float(self.settings.get("RECORD_PATIENCE_SECONDS", 120))
        deadline = time.monotonic() + patience
        while True:
            try:
                return self._record(delivery_id, *outcome)
            except sa.exc.DBAPIError as exc:
                if not exc.connection_invalidated and not isinstance(exc, sa.exc.OperationalError) \
                        or time.monotonic() > deadline:
                    raise
                log.warning("delivery %s was sent but its outcome could not be recorded yet (%s); trying again",
                            delivery_id, type(exc.orig).__name__)
                eventlet.sleep(1)

    def _deliver(self, delivery: Delivery, hook: Webhook | None) -> int | None:
        if delivery.channel == "email":
            channels.send_email(self.config["SMTP"], delivery)
        elif delivery.channel == "sms":
            sms_vendors.send(self.settings.get("SMS") or {}, delivery)
        elif delivery.channel == "wecom":
            channels.send_wecom(self._robot(delivery), delivery, self.robot_limit)
        elif delivery.channel == "dingtalk":
            channels.send_dingtalk(self._robot(delivery), delivery, self.robot_limit)
        elif delivery.channel == "webhook":
            if hook is None:
                raise channels.Permanent("the webhook was deleted")
            netcheck.check(hook.url, self.settings.get("WEBHOOK_ALLOW"))
            return channels.send_webhook(hook.url, hook.secret, delivery, self.settings)
        else:
            raise channels.Permanent(f"unknown channel {delivery.channel}")
        return None

    def _robot(self, delivery: Delivery) -> dict[str, Any]:
        robot = robots.config(self.settings, delivery.channel, delivery.destination)
        if robot is None:
            raise channels.Permanent(f"the {delivery.destination or delivery.channel} robot is no longer configured "
                                     f"(NOTIFY ROBOTS)")
        return {**robot, "CONNECT_TIMEOUT_SECONDS": self.settings.get("CONNECT_TIMEOUT_SECONDS", 3),
                "READ_TIMEOUT_SECONDS": self.settings.get("READ_TIMEOUT_SECONDS", 5)}

    def _backoff(self, attempts: int, channel: str) -> float:
        base = float(self.settings.get("RETRY_BASE_SECONDS", 5))
        most = float(self.settings.get("WEBHOOK_RETRY_MAX_SECONDS" if channel == "webhook" else "RETRY_MAX_SECONDS",
                                       3600 if channel == "webhook" else 600))
        return min(base * 2 ** max(attempts - 1, 0), most)

    def _record(self, delivery_id: int, outcome: str, error: str | None, delay: float | None, counts: bool,
                status_code: int | None, elapsed_ms: int) -> None:
        uow = UnitOfWork(self.sessions, f"delivery-{delivery_id}", on_outbox_commit=self.on_outbox_commit)
        try:
            delivery = uow.session.get(Delivery, delivery_id)
            if delivery.traceparent:  # its outcome events go on in the trace of the event it tells
                uow.traceparent = tracing.child(delivery.traceparent)
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
                        seconds=delay if delay is not None else self._backoff(delivery.attempts, delivery.channel))
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
            uow.commit()
        finally:
            uow.close()

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
