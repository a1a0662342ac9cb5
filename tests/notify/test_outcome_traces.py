"""notify's own events about a delivery go on in the trace of the event it tells: the worker that
handles an event keeps its traceparent with each delivery it plans, and the sender, later, emits
NotificationDelivered or NotificationFailed (a dead letter included) under a span of that trace,
in the outbox's traceparent (the relay sends it as the message's header)."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import sqlalchemy as sa

from services.common import tracing
from services.common.records import OutboxRecord
from services.notify import handling
from services.notify.models import Delivery
from services.notify.sender import Sender
from tests.notify.test_notify_channels import RULES, county, obligation, settings

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
HANDLER_SPAN = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def handled(uow, notify_settings):
    county(uow)
    uow.traceparent = HANDLER_SPAN  # as the notify worker's unit of work has it for a traced event
    engine = SimpleNamespace(rules=RULES, settings=notify_settings, wake_on_commit=lambda session: None)
    handling.handle(uow, engine, obligation("ObligationOverdue"))
    uow.commit()
    email = uow.session.scalars(sa.select(Delivery).where(Delivery.channel == "email")).all()
    assert email and all(d.traceparent == HANDLER_SPAN for d in email)
    uow.session.execute(sa.update(Delivery).values(next_attempt_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    uow.commit()


def outcomes(uow, event_type):
    return list(uow.session.scalars(sa.select(OutboxRecord).where(OutboxRecord.type == event_type)))


def test_a_delivered_email_is_announced_in_the_trace_of_its_event(uow_factory, mail_sink):
    uow = uow_factory("notify")
    handled(uow, settings())
    smtp = {"HOST": "127.0.0.1", "PORT": mail_sink.port, "FROM": "gk@example.gov.cn"}
    assert Sender(uow._sessions, {"SMTP": smtp, "NOTIFY": settings()}).pass_once(wait=True) >= 1
    uow.session.expire_all()
    (delivered, *_) = outcomes(uow, "NotificationDelivered")
    assert tracing.parse(delivered.traceparent)[0] == TRACE_ID and delivered.traceparent != HANDLER_SPAN


def test_a_dead_letter_is_announced_in_the_trace_of_its_event(uow_factory):
    uow = uow_factory("notify")
    handled(uow, settings(MAX_ATTEMPTS=1))
    nowhere = {"HOST": "127.0.0.1", "PORT": 9, "FROM": "gk@example.gov.cn", "TIMEOUT_SECONDS": 1}
    Sender(uow._sessions, {"SMTP": nowhere, "NOTIFY": settings(MAX_ATTEMPTS=1)}).pass_once(wait=True)
    uow.session.expire_all()
    failed = [row for row in outcomes(uow, "NotificationFailed") if '"dead_letter": true' in row.body]
    assert failed and all(tracing.parse(row.traceparent)[0] == TRACE_ID for row in failed)
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Delivery).where(Delivery.status == "dead"))
