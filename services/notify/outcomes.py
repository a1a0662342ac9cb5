"""What a delivery's outcome tells others: its reference with the recipient masked, and the
deliveries that failed before any attempt (no address, a template that does not render),
announced at once; with the counter of attempts by channel and outcome."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from prometheus_client import Counter
from sqlalchemy.orm import Session

from services.common.contract import names
from services.common.db import UnitOfWork

from .models import Delivery

NOTIFICATIONS = Counter("gongkai_notifications_total", "Notification attempts by channel and outcome.",
                        ["channel", "outcome"])


def ref(delivery: Delivery) -> dict[str, Any]:
    return {"delivery_id": delivery.id, "channel": delivery.channel, "recipient": mask(delivery.recipient),
            "cause_event_id": delivery.cause_event_id, "cause_type": delivery.cause_type}


def report_unreachable(uow: UnitOfWork, deliveries: list[Delivery]) -> None:
    """Deliveries that failed before any attempt (no address, a template that does not
    render) are announced at once."""
    for delivery in deliveries:
        if delivery.status == "failed" and delivery.attempts == 0 and delivery.delivered_at is None:
            NOTIFICATIONS.labels(delivery.channel, "no_address").inc()
            uow.emit(names.NOTIFICATION_FAILED, {**ref(delivery), "reason": delivery.last_error or "", "attempts": 0})


def forget_sender_address(delivery: Delivery) -> None:
    """A feedback sender's address is kept (sealed) only until its delivery is finished: then
    only the masked form stays in the delivery log. Officials' addresses are not affected."""
    if (delivery.delivery_key or "").endswith(":sender") and delivery.status not in ("pending", "sending", "held"):
        delivery.recipient = mask(delivery.recipient)


def drop_sender_sends(session: Session, tracking_code: str) -> int:
    """The sender erased their contact: the sends to them still waiting (quiet hours, a retry)
    do not go, and their address goes with them."""
    waiting = session.scalars(sa.select(Delivery).where(
        Delivery.delivery_key.like("%:sender"), Delivery.status.in_(("pending", "held")),
        Delivery.link.like(f"%/track/{tracking_code}")))
    dropped = 0
    for delivery in waiting:
        delivery.status, delivery.next_attempt_at = "failed", None
        delivery.last_error = "发送人已删除联系方式，不再发送"
        forget_sender_address(delivery)
        NOTIFICATIONS.labels(delivery.channel, "erased").inc()
        dropped += 1
    return dropped


def mask(address: str) -> str:
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{address[:3]}***" if address else "***"
