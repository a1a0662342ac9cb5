"""Sending queued deliveries over SMTP, with bounded retries.

A sender claims a delivery by moving it from pending to sending in a conditional
update, so two replicas never send the same message; a claim left by a crashed sender
expires and the delivery is tried again.
"""
from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from prometheus_client import Counter

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.records import utcnow

from .models import Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_SECONDS = 120
BATCH = 20

NOTIFICATIONS = Counter("gongkai_notifications_total", "Notification attempts by channel and outcome.",
                        ["channel", "outcome"])



def mask(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:2]}***@{domain}" if domain else "***"


def send_email(smtp: dict[str, Any], delivery: Delivery) -> None:
    message = EmailMessage()
    message["From"] = smtp["FROM"]
    message["To"] = delivery.recipient
    message["Subject"] = delivery.subject
    message["Message-ID"] = make_msgid(domain=smtp["FROM"].partition("@")[2] or None)
    message["X-Gongkai-Delivery"] = str(delivery.id)
    message.set_content(delivery.body)
    with smtplib.SMTP(smtp["HOST"], int(smtp["PORT"]), timeout=float(smtp.get("TIMEOUT_SECONDS", 10))) as client:
        client.send_message(message)


def _claim_due(uow: UnitOfWork) -> list[int]:
    now = utcnow()
    session = uow.session
    due = session.scalars(sa.select(Delivery.id).where(
        sa.or_(sa.and_(Delivery.status == "pending", Delivery.next_attempt_at <= now),
               sa.and_(Delivery.status == "sending", Delivery.next_attempt_at <= now)))
        .order_by(Delivery.id).limit(BATCH)).all()
    claimed = []
    for delivery_id in due:
        updated = session.execute(
            sa.update(Delivery).where(Delivery.id == delivery_id, Delivery.next_attempt_at <= now,
                                      Delivery.status.in_(("pending", "sending")))
            .values(status="sending", next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))).rowcount
        if updated:
            claimed.append(delivery_id)
    uow.commit()
    return claimed


def send_due(uow: UnitOfWork, smtp: dict[str, Any]) -> int:
    """Send what is due; each outcome is committed with its event, one delivery at a time."""
    claimed = _claim_due(uow)
    for delivery_id in claimed:
        delivery = uow.session.get(Delivery, delivery_id)
        delivery.attempts += 1
        try:
            send_email(smtp, delivery)
        except (OSError, smtplib.SMTPException) as exc:
            _failed_attempt(uow, delivery, f"{type(exc).__name__}: {exc}")
        else:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), None
            NOTIFICATIONS.labels("email", "delivered").inc()
            uow.emit(names.NOTIFICATION_DELIVERED, {**_ref(delivery), "delivered_at": delivery.delivered_at})
        uow.commit()
    return len(claimed)


def _failed_attempt(uow: UnitOfWork, delivery: Delivery, error: str) -> None:
    delivery.last_error = error
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = "failed", None
        NOTIFICATIONS.labels(delivery.channel, "failed").inc()
        uow.emit(names.NOTIFICATION_FAILED, {**_ref(delivery), "reason": error, "attempts": delivery.attempts})
        log.error("delivery %s to %s failed for good: %s", delivery.id, mask(delivery.recipient), error)
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = utcnow() + timedelta(seconds=min(5 * 2 ** delivery.attempts, 600))
        NOTIFICATIONS.labels(delivery.channel, "retry").inc()


def _ref(delivery: Delivery) -> dict[str, Any]:
    return {"delivery_id": delivery.id, "channel": delivery.channel, "recipient": mask(delivery.recipient),
            "cause_event_id": delivery.cause_event_id, "cause_type": delivery.cause_type}


def report_unreachable(uow: UnitOfWork, deliveries: list[Delivery]) -> None:
    """Deliveries that failed before any attempt (no address) are announced at once."""
    for delivery in deliveries:
        if delivery.status == "failed":
            uow.session.flush()
            NOTIFICATIONS.labels(delivery.channel, "no_address").inc()
            uow.emit(names.NOTIFICATION_FAILED, {**_ref(delivery), "reason": delivery.last_error, "attempts": 0})


def list_deliveries(session, unit: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = sa.select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if unit:
        query = query.where(Delivery.unit_code == unit)
    return [{"id": d.id, "cause_type": d.cause_type, "cause_event_id": d.cause_event_id, "unit_code": d.unit_code,
             "channel": d.channel, "recipient": mask(d.recipient), "subject": d.subject, "status": d.status,
             "attempts": d.attempts, "last_error": d.last_error,
             "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}
            for d in session.scalars(query)]
