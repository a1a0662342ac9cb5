"""The recorder takes a batch's plain deliveries (delivered, read by the sender at the claim)
a run at a time, by a few statements, and any other outcome one by one, in order: what each
delivery, subscription, attempt log and outbox row holds afterwards is what recording them
one by one gave."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.records import OutboxRecord
from services.notify import recording, webhooks
from services.notify.models import Delivery, Webhook, WebhookAttempt
from services.notify.outcomes import mask
from tests.notify.test_notify_channels import settings

TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)  # the test's clock, set: 14:00 county time


def delivery(n, channel="email", key=None, **extra):
    now = NOW
    return Delivery(cause_event_id=f"00000000-0000-4000-8000-{n:012d}", cause_type="ItemPublished", unit_code="V01",
                    channel=channel, recipient=f"u{n}@example.gov.cn", subject="s", body="b", status="sending",
                    attempts=1, next_attempt_at=now, created_at=now, delivery_key=key or f"run:{n}:{channel}",
                    message_id=f"<run-{n}@gk>", urgency="normal", claimed_by="me", **extra)


def test_runs_of_plain_deliveries_and_the_others_between_them(uow_factory):
    uow = uow_factory("notify")
    hook = webhooks.create(uow.session, Actor("archive", "subscriber"), "http://127.0.0.1:9/h", ["ItemPublished"],
                           "127.0.0.1")["id"]
    uow.session.execute(sa.update(Webhook).values(consecutive_failures=2))
    rows = [delivery(1, traceparent=TRACE), delivery(2, "webhook", webhook_id=hook, destination=str(hook)),
            delivery(3), delivery(4, key="feedback:4:email:sender"), delivery(5), delivery(6)]
    uow.session.add_all(rows)
    uow.commit()
    ids = [row.id for row in rows]
    outcome = recording.Outcome
    recorder = recording.Recorder(uow._sessions, settings(), lambda: NOW)
    recorder.record([outcome(ids[0], "delivered", None, None, True, None, 12),
                     outcome(ids[1], "delivered", None, None, True, 204, 7),
                     outcome(ids[2], "retry", "SMTP 451", None, True, None, 3),
                     outcome(ids[3], "delivered", None, None, True, None, 4),
                     outcome(ids[4], "delivered", None, None, True, None, 5),
                     outcome(ids[5], "failed", "SMTP 550", None, True, None, 6)],
                    {row.id: row for row in rows[:5]})  # the last one as if the sender had not read it
    uow.session.expire_all()
    stored = {d.id: d for d in uow.session.scalars(sa.select(Delivery))}
    assert [(stored[i].status, stored[i].attempts, stored[i].claimed_by) for i in ids] == [
        ("delivered", 2, None), ("delivered", 2, None), ("pending", 2, None), ("delivered", 2, None),
        ("delivered", 2, None), ("failed", 2, None)]
    assert all(stored[i].delivered_at is not None and stored[i].last_error is None for i in (ids[0], ids[1], ids[4]))
    assert stored[ids[2]].last_error == "SMTP 451" and stored[ids[5]].last_error == "SMTP 550"
    assert stored[ids[3]].recipient == mask("u4@example.gov.cn")  # a feedback sender's address is forgotten
    assert stored[ids[0]].recipient == "u1@example.gov.cn"
    assert uow.session.get(Webhook, hook).consecutive_failures == 0
    (attempt,) = uow.session.scalars(sa.select(WebhookAttempt)).all()
    assert (attempt.delivery_id, attempt.outcome, attempt.status_code, attempt.duration_ms) == (ids[1], "delivered",
                                                                                                 204, 7)
    events = uow.session.scalars(sa.select(OutboxRecord).order_by(OutboxRecord.id)).all()
    assert [(e.type, e.correlation_id) for e in events] == [
        ("NotificationDelivered", f"delivery-{ids[0]}"), ("NotificationDelivered", f"delivery-{ids[3]}"),
        ("NotificationDelivered", f"delivery-{ids[4]}"), ("NotificationFailed", f"delivery-{ids[5]}")]
    assert events[0].traceparent.split("-")[1] == TRACE.split("-")[1] and events[1].traceparent is None
    assert '"recipient": "u1***@example.gov.cn"' in events[0].body
