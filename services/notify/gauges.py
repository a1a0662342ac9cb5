"""notify's gauges, read from its database at scrape time: deliveries by channel and status,
the age of the oldest delivery waiting to go (by channel), and webhooks disabled."""
from __future__ import annotations

from typing import Iterator

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from services.common.records import utcnow

from .models import Delivery, Webhook


def gauges(session: Session) -> Iterator[GaugeMetricFamily]:
    by_status = GaugeMetricFamily("gongkai_deliveries", "Deliveries by channel and status.",
                                  labels=["channel", "status"])
    for channel, status, count in session.execute(
            sa.select(Delivery.channel, Delivery.status, sa.func.count()).group_by(Delivery.channel, Delivery.status)):
        by_status.add_metric([channel, status], count)
    yield by_status
    now = utcnow()
    age = GaugeMetricFamily("gongkai_delivery_queue_age_seconds",
                            "How long the longest-waiting delivery has been due and not sent, by channel "
                            "(0 when none; a delivery held for quiet hours or a backoff is not due yet).",
                            labels=["channel"])
    oldest = dict(session.execute(
        sa.select(Delivery.channel, sa.func.min(Delivery.next_attempt_at))
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .group_by(Delivery.channel)).all())
    for channel in ("email", "sms", "wecom", "dingtalk", "webhook"):
        created = oldest.get(channel)
        if created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=now.tzinfo)
        age.add_metric([channel], max((now - created).total_seconds(), 0) if created else 0)
    yield age
    disabled = GaugeMetricFamily("gongkai_webhooks_disabled", "Subscribers' webhooks disabled after failures.")
    disabled.add_metric([], session.scalar(sa.select(sa.func.count()).select_from(Webhook)
                                           .where(Webhook.active.is_(False))) or 0)
    yield disabled
