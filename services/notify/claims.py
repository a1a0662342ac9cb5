"""Claiming due deliveries in batches, each batch for one peer and sent by one green thread
over one connection (services/notify/sender.py).

A claim is one conditional UPDATE … RETURNING over a batch's ids (pending, or a lease run
out, and due → sending under this sender's lease), so two replicas never hold the same
delivery. Email goes in batches of up to BATCH over one SMTP connection, at most PER_PEER
batches at a time; SMS and the group robots one delivery at a time, PER_PEER at a time. A
subscription's webhooks go in order: a batch is its oldest unfinished delivery and the ones
right behind it (only the oldest while the subscriber is failing), and only an unbroken run
from that oldest is kept, so nothing is ever sent ahead of one still waiting."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import takewhile
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Delivery, Webhook

ACTIVE = ("pending", "sending")
CHANNELS = ("email", "sms", "wecom", "dingtalk")  # the others than webhooks
WEBHOOK = "webhook:"


def peer_of(channel: str, webhook_id: int | None) -> str:
    return f"{WEBHOOK}{webhook_id}" if channel == "webhook" else channel


_due_at = Delivery.__table__.c.next_attempt_at.type
# built once: a sender claims a batch each time one ends
_CLAIM = (sa.update(Delivery).where(Delivery.id.in_(sa.bindparam("ids", expanding=True)), Delivery.status.in_(ACTIVE),
                                    Delivery.next_attempt_at <= sa.bindparam("now", type_=_due_at))
          .values(status="sending", claimed_by=sa.bindparam("instance"),
                  next_attempt_at=sa.bindparam("until", type_=_due_at)).returning(Delivery)
          .execution_options(synchronize_session=False))
_RUN = (sa.select(Delivery.id, Delivery.next_attempt_at, Webhook.consecutive_failures)
        .join(Webhook, Webhook.id == Delivery.webhook_id)
        .where(Delivery.webhook_id == sa.bindparam("webhook_id"), Delivery.channel == "webhook",
               Delivery.status.in_(ACTIVE), Webhook.active.is_(True))
        .order_by(Delivery.id).limit(sa.bindparam("batch")))


def claim(session: Session, ids: list[int], now: datetime, instance: str, lease: timedelta) -> list[Delivery]:
    """Those of `ids` still free and due, now this sender's until now + lease; in id order, each
    row as the claim left it (RETURNING), so the sender need not read it again."""
    if not ids:
        return []
    taken = session.scalars(_CLAIM, {"ids": ids, "now": now, "instance": instance, "until": now + lease}).all()
    return sorted(taken, key=lambda delivery: delivery.id)


def release(session: Session, ids: Iterable[int], now: datetime, instance: str) -> None:
    """Give claimed deliveries back unsent (no attempt used), due at once."""
    ids = list(ids)
    if ids:
        session.execute(sa.update(Delivery).where(Delivery.id.in_(ids), Delivery.claimed_by == instance,
                                                  Delivery.status == "sending")
                        .values(status="pending", claimed_by=None, next_attempt_at=now),
                        execution_options={"synchronize_session": False})


def others(session: Session, now: datetime, instance: str, lease: timedelta, room: int, lanes: dict[str, int],
           batch: int, per_peer: int, only: str | None = None) -> list[tuple[str, list[Delivery]]]:
    """Batches of due email, SMS and robot deliveries: at most `room` batches, and per channel
    at most per_peer less the batches it has running (`lanes`); each channel is read apart, for
    no more rows than its free batches take, so a backlog on one never hides another's."""
    made: list[tuple[str, list[Delivery]]] = []
    for channel in [only] if only is not None else CHANNELS:
        size = batch if channel == "email" else 1
        free = min(1 if only is not None else per_peer - lanes.get(channel, 0), room - len(made))
        if free <= 0:
            continue
        ids = session.scalars(sa.select(Delivery.id).where(
            Delivery.channel == channel, Delivery.status.in_(ACTIVE), Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id).limit(free * size)).all()
        for start in range(0, len(ids), size):
            taken = claim(session, ids[start:start + size], now, instance, lease)
            if taken:
                made.append((channel, taken))
    return made


def webhooks(session: Session, now: datetime, instance: str, lease: timedelta, room: int, lanes: dict[str, int],
             batch: int, only: int | None = None) -> list[tuple[str, list[Delivery]]]:
    """A batch per subscription whose oldest unfinished delivery is due, its webhook active,
    and no batch of it running here: that oldest and the due ones right behind it. With
    `only` (a subscription whose batch just ended here) its next batch, read by one query."""
    if only is not None:
        run = session.execute(_RUN, {"webhook_id": only, "batch": batch}).all()
        kept = _take(session, run[:1] if run and run[0].consecutive_failures else run, now, instance, lease)
        return [(peer_of("webhook", only), kept)] if kept else []
    heads = sa.select(sa.func.min(Delivery.id)).where(Delivery.channel == "webhook", Delivery.status.in_(ACTIVE))
    query = (sa.select(Delivery.id, Delivery.webhook_id, Webhook.consecutive_failures)
             .join(Webhook, Webhook.id == Delivery.webhook_id)
             .where(Delivery.id.in_(heads.group_by(Delivery.webhook_id).scalar_subquery()),
                    Delivery.next_attempt_at <= now, Webhook.active.is_(True))
             .order_by(Delivery.next_attempt_at, Delivery.id).limit(max(room * 4, 50)))
    made: list[tuple[str, list[Delivery]]] = []
    for head in session.execute(query).all():
        peer = peer_of("webhook", head.webhook_id)
        if len(made) >= room or lanes.get(peer, 0):
            continue
        run = session.execute(
            sa.select(Delivery.id, Delivery.next_attempt_at).where(
                Delivery.webhook_id == head.webhook_id, Delivery.status.in_(ACTIVE), Delivery.id >= head.id)
            .order_by(Delivery.id).limit(batch if not head.consecutive_failures else 1)).all()
        kept = _take(session, run, now, instance, lease)
        if kept:
            made.append((peer, kept))
    return made


def _take(session: Session, run: list, now: datetime, instance: str, lease: timedelta) -> list[Delivery]:
    """Claim a subscription's run (rows with id and next_attempt_at, in id order) from its
    oldest: only the unbroken run of due ones that the claim took, the rest given back."""
    due = []
    for row in run:  # stop at one not due (held elsewhere, or waiting for its retry)
        if row.next_attempt_at > now:
            break
        due.append(row.id)
    taken = claim(session, due, now, instance, lease)
    kept = [t for i, t in takewhile(lambda pair: pair[0] == pair[1].id, zip(due, taken))]  # from the oldest on
    release(session, [t.id for t in taken[len(kept):]], now, instance)
    return kept
