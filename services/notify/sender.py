"""Sending what is due, on every channel, each delivery once.

A sender claims deliveries in batches with a conditional update (pending → sending, with a
short lease that it renews while the sends run; services/notify/claims.py), so two replicas
never send the same one, and a claim left by a sender that died is taken over within
LEASE_SECONDS. Each batch is one peer's and is sent, in order, by its own green thread over
one connection (one SMTP session for up to BATCH emails; a subscriber's kept-alive HTTP
connection for its webhooks), which claims the peer's next batch when it is done and closes
the connection (QUIT) when nothing more is due. At most PER_PEER batches go to one peer at a
time, so a slow peer holds up only its own deliveries; a subscription's webhooks one batch
at a time, in order. The claim returns the rows it took, so a batch is not read again. The
outcomes are recorded RECORD_EVERY at a time and at the batch's end (services/notify/recording.py),
so a sender killed mid-batch may send up to that many again, each with its fixed id; a
connection lost mid-batch costs only the message it was carrying a retry. The handler that
queues deliveries wakes the sender when its transaction commits; a poll every POLL_SECONDS
is the safety net."""
from __future__ import annotations

import collections
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable

import eventlet
import sqlalchemy as sa
from eventlet.event import Event as Signal
from sqlalchemy.orm import sessionmaker

from services.common.records import utcnow

from . import channels, claims, mail, netcheck, recording, robots, sms_vendors
from .models import Delivery, Webhook

log = logging.getLogger(__name__)


class Sender:
    def __init__(self, sessions: sessionmaker, config: dict[str, Any], on_outbox_commit: Callable[[], None] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions, self.config, self.on_outbox_commit, self.clock = sessions, config, on_outbox_commit, clock
        self.settings = config.get("NOTIFY") or {}
        self.instance = f"{uuid.uuid4().hex[:12]}"
        self.lease = float(self.settings.get("LEASE_SECONDS", 10))
        self.poll = float(self.settings.get("POLL_SECONDS", 1))
        self.recorder = recording.Recorder(sessions, self.settings, clock, on_outbox_commit)
        self.per_peer = int(self.settings.get("PER_PEER", 4))
        self.pool = eventlet.GreenPool(int(self.settings.get("CONCURRENCY", 32)))
        self.robot_limit = robots.SharedLimit(
            sessions, int((self.settings.get("ROBOTS") or {}).get("LIMIT_PER_MINUTE") or 20), clock)
        self.batch = int(self.settings.get("BATCH", 50))
        self.record_every = int(self.settings.get("RECORD_EVERY", 10))
        self.in_flight: dict[int, str] = {}  # delivery id → peer
        self.lanes: collections.Counter[str] = collections.Counter()  # peer → its batches running here
        self.tried = 0
        self._stopped = False
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
        self._running, self._stopped = False, True
        self.wake()
        self.pool.waitall()

    # --- one pass ------------------------------------------------------------------------
    def pass_once(self, wait: bool = False) -> int:
        """Claim what is due and send each batch in the pool: how many were claimed, or with
        `wait` (tests) how many were tried once every batch has finished."""
        tried = self.tried
        batches = self._claim()
        for peer, batch in batches:
            self._start(peer, batch)
        if wait:
            self.pool.waitall()
            return self.tried - tried
        return sum(len(batch) for _, batch in batches)

    def _claim(self, only: str | None = None) -> list[tuple[str, list[Delivery]]]:
        """New batches, or with `only` (a peer) the next batch of a running one: each delivery as
        its claim returned it; the connection goes back before the network."""
        now, lease = self.clock(), timedelta(seconds=self.lease)
        room = 1 if only is not None else self.pool.free()
        if room <= 0:
            return []
        with self.sessions() as session:
            made = []
            if only is None or not only.startswith(claims.WEBHOOK):
                made = claims.others(session, now, self.instance, lease, room, self.lanes, self.batch,
                                     self.per_peer, only)
            if only is None or only.startswith(claims.WEBHOOK):
                made += claims.webhooks(session, now, self.instance, lease, room - len(made), self.lanes,
                                        self.batch, int(only[len(claims.WEBHOOK):]) if only else None)
            session.expunge_all()
            session.commit()
        return made

    def _start(self, peer: str, batch: list[Delivery]) -> None:
        self.lanes[peer] += 1
        self.in_flight.update({delivery.id: peer for delivery in batch})
        self.pool.spawn_n(self._lane, peer, batch)

    def _lane(self, peer: str, batch: list[Delivery]) -> None:
        """One batch after another for one peer over one connection (one SMTP session; a
        webhook's host keeps its connection alive in channels.HTTP), until nothing more is due."""
        connection = mail.Connection(self.config.get("SMTP") or {}) if peer == "email" else None
        try:
            while batch and self._send_batch(peer, batch, connection) and not self._stopped:
                batch = [delivery for _, claimed in self._claim(peer) for delivery in claimed]
                self.in_flight.update({delivery.id: peer for delivery in batch})
        except Exception:
            log.exception("notify's %s batch stopped; what it still held goes again when its lease runs out", peer)
        finally:
            if connection is not None:
                connection.close()  # QUIT: nothing more to send for now
            self.lanes[peer] -= 1
            self.wake()  # room for the next: a backlog does not wait for the poll

    def _send_batch(self, peer: str, batch: list[Delivery], connection: mail.Connection | None) -> bool:
        """Each in order, its outcome recorded at most RECORD_EVERY sends later (and at the batch's
        end). A webhook's batch stops at its first delivery not delivered and gives the rest back
        unsent, so they go after it, in order. False when it stopped early."""
        hooks = self._hooks(batch)
        known = {delivery.id: delivery for delivery in batch}
        answered: list[recording.Outcome] = []
        try:
            for n, delivery in enumerate(batch):
                outcome = self._attempt(delivery, hooks.get(delivery.webhook_id), connection)
                answered.append(outcome)
                self.tried += 1
                if self._stopped or (peer.startswith(claims.WEBHOOK) and outcome.outcome != "delivered"):
                    self._record_when_possible(answered, known)
                    answered = []
                    rest = [later.id for later in batch[n + 1:]]
                    if rest:
                        with self.sessions() as session:
                            claims.release(session, rest, self.clock(), self.instance)
                            session.commit()
                    return False
                if len(answered) >= self.record_every:
                    self._record_when_possible(answered, known)
                    answered = []
            return True
        finally:
            try:
                if answered:
                    self._record_when_possible(answered, known)
            finally:
                for delivery_id in known:  # anything left unrecorded is taken over when its lease runs out
                    self.in_flight.pop(delivery_id, None)

    def _hooks(self, batch: list[Delivery]) -> dict[int, Webhook]:
        """The batch's webhooks, read at once (a webhook's batch is one subscription's)."""
        wanted = {delivery.webhook_id for delivery in batch if delivery.webhook_id}
        if not wanted:
            return {}
        with self.sessions() as session:
            hooks = {hook.id: hook for hook in session.scalars(sa.select(Webhook).where(Webhook.id.in_(wanted)))}
            session.expunge_all()
        return hooks

    def _renew(self) -> None:
        if not self.in_flight:
            return
        with self.sessions() as session:
            session.execute(sa.update(Delivery).where(Delivery.id.in_(list(self.in_flight)),
                                                      Delivery.claimed_by == self.instance,
                                                      Delivery.status == "sending")
                            .values(next_attempt_at=self.clock() + timedelta(seconds=self.lease)))
            session.commit()

    # --- one delivery ---------------------------------------------------------------------
    def _attempt(self, delivery: Delivery, hook: Webhook | None,
                 connection: mail.Connection | None = None) -> recording.Outcome:
        started = time.monotonic()
        status_code = None
        try:
            status_code = self._deliver(delivery, hook, connection)
        except channels.Transient as exc:
            outcome, error, delay, counts, status_code = "retry", str(exc), exc.delay, exc.counts, exc.status_code
        except channels.Permanent as exc:
            outcome, error, delay, counts, status_code = "failed", str(exc), None, True, exc.status_code
        except netcheck.InvalidInput as exc:  # the subscriber's host now resolves inside the network
            outcome, error, delay, counts = "retry", str(exc.args[0]), None, True
        else:
            outcome, error, delay, counts = "delivered", None, None, True
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return recording.Outcome(delivery.id, outcome, error, delay, counts, status_code, elapsed_ms)

    def _record_when_possible(self, outcomes: list[recording.Outcome], known: dict[int, Delivery]) -> None:
        """What the peer answered is known only here: when the database is away for a moment (a
        restart, a failover), keep trying to record it, every second, for up to RECORD_PATIENCE
        seconds, rather than let the claim's lease expire and the delivery be sent again. The
        deliveries stay in flight meanwhile, so this sender's lease renewal keeps it its own."""
        patience = float(self.settings.get("RECORD_PATIENCE_SECONDS", 120))
        deadline = time.monotonic() + patience
        while True:
            try:
                return self._record(outcomes, known)
            except sa.exc.DBAPIError as exc:
                if not exc.connection_invalidated and not isinstance(exc, sa.exc.OperationalError) \
                        or time.monotonic() > deadline:
                    raise
                log.warning("deliveries %s were sent but their outcomes could not be recorded yet (%s); trying again",
                            [o.delivery_id for o in outcomes], type(exc.orig).__name__)
                eventlet.sleep(1)

    def _deliver(self, delivery: Delivery, hook: Webhook | None, connection: mail.Connection | None) -> int | None:
        if delivery.channel == "email":
            channels.send_email(self.config["SMTP"], delivery, connection)
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

    def _record(self, outcomes: list[recording.Outcome], known: dict[int, Delivery]) -> None:
        self.recorder.record(outcomes, known)
