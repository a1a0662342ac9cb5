"""The sender's batches against real loopback peers: one SMTP session and one kept-alive HTTP
connection carry several deliveries, a connection dropped mid-batch loses nothing and sends
nothing twice, and a subscription's webhooks arrive in order. No timing is asserted."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook as Verifier

from services.common.actor import Actor
from services.notify import webhooks
from services.notify.models import Delivery, WebhookAttempt
from services.notify.sender import Sender
from tests.notify.test_notify_channels import due_now, event_number, settings
from tests.peers.http_peer import DROP, Peer
from tests.peers.smtp_peer import SmtpPeer

SUBSCRIBER = Actor("archive", "subscriber")


@pytest.fixture
def smtp_peer(tmp_path):
    made = []

    def start(*drops):
        directory = tmp_path / f"smtp{len(made)}"
        directory.mkdir()
        made.append(SmtpPeer(directory, drops))
        return made[-1]
    yield start
    for peer in made:
        peer.close()


@pytest.fixture
def http_peer():
    made = []

    def start(answer):
        made.append(Peer(answer).start())
        return made[-1]
    yield start
    for peer in made:
        peer.stop()


def queue_emails(uow, count):
    now = datetime.now(timezone.utc)
    for n in range(count):
        uow.session.add(Delivery(
            cause_event_id=f"00000000-0000-4000-8000-{n:012d}", cause_type="ItemPublished", unit_code="V01",
            channel="email", recipient=f"u{n}@example.gov.cn", subject="【党务公开】新公开事项", body=f"第 {n} 条",
            status="pending", attempts=0, next_attempt_at=now, created_at=now, delivery_key=f"batch:{n}:email",
            message_id=f"<batch-{n}@gk.example>", urgency="normal"))
    uow.commit()
    return [f"<batch-{n}@gk.example>" for n in range(count)]


def email_sender(uow, peer, **extra):
    return Sender(uow._sessions, {"SMTP": {"HOST": "127.0.0.1", "PORT": peer.port, "FROM": "gk@example.gov.cn",
                                           "TIMEOUT_SECONDS": 5}, "NOTIFY": settings(**extra)})


def statuses(uow):
    uow.session.expire_all()
    return Counter(uow.session.scalars(sa.select(Delivery.status)))


def test_one_smtp_connection_carries_a_batch(uow_factory, smtp_peer):
    uow = uow_factory("notify")
    sent = queue_emails(uow, 12)
    peer = smtp_peer()
    assert email_sender(uow, peer, PER_PEER=1, BATCH=5).pass_once(wait=True) == 12  # 3 batches, one after another
    taken = peer.taken()
    assert [message_id for _, message_id in taken] == sent
    assert len({port for port, _ in taken}) == 1  # one connection for all, QUIT when nothing more was due
    assert statuses(uow) == {"delivered": 12}


@pytest.mark.parametrize("drop", ["4", "4:after"])
def test_an_smtp_connection_dropped_mid_batch_loses_nothing_and_sends_nothing_twice(uow_factory, smtp_peer, drop):
    """Dropped while the 4th message's DATA ends (not taken: the client never heard 250), or just
    after the 4th was taken (the 5th finds the connection gone): that one message is retried
    later, the rest of the batch goes on over a new connection."""
    uow = uow_factory("notify")
    sent = queue_emails(uow, 10)
    peer = smtp_peer(drop)
    sender = email_sender(uow, peer, PER_PEER=1, BATCH=10)
    assert sender.pass_once(wait=True) == 10
    assert statuses(uow) == {"delivered": 9, "pending": 1}
    retried = uow.session.scalars(sa.select(Delivery).where(Delivery.status == "pending")).one()
    assert retried.attempts == 1 and "SMTPServerDisconnected" in retried.last_error
    assert retried.message_id == sent[3 if drop == "4" else 4]
    due_now(uow)
    assert sender.pass_once(wait=True) == 1
    taken = [message_id for _, message_id in peer.taken()]
    assert sorted(taken) == sorted(sent) and len(taken) == len(set(taken)) == 10  # each once
    assert len({port for port, _ in peer.taken()}) == 3  # the dropped one, the rest of the batch, the retry
    assert statuses(uow) == {"delivered": 10}


def fan_out(uow, numbers):
    """One delivery per subscription for each event, in the events' order."""
    for n in numbers:
        webhooks.fan_out(uow.session, event_number(n), datetime.now(timezone.utc))
    uow.commit()


def subscribe(uow, url):
    hook = webhooks.create(uow.session, SUBSCRIBER, url, ["ObligationDueSoon"], "127.0.0.1")
    uow.commit()
    return hook


def test_a_subscriber_sees_one_kept_alive_connection_and_each_subscription_in_order(uow_factory, http_peer):
    """Two subscribers (two hosts), 15 events each, in batches of 4: each subscriber's host sees
    one connection for all its deliveries, in the events' order, each signed."""
    uow = uow_factory("notify")
    secrets = {}

    def answer(request):
        payload = Verifier(secrets[request.path]).verify(request.body, request.headers)  # Standard Webhooks
        return 200, {"obligation_id": payload["payload"]["obligation_id"]}
    peers = {"/a": http_peer(answer), "/b": http_peer(answer)}
    for path, peer in peers.items():
        secrets[path] = subscribe(uow, peer.url + path)["secret"]
    fan_out(uow, range(1, 16))
    sender = Sender(uow._sessions, {"SMTP": {}, "NOTIFY": settings(BATCH=4)})
    assert sender.pass_once(wait=True) == 30
    for peer in peers.values():
        assert [r.json()["payload"]["obligation_id"] for r in peer.requests] == list(range(1, 16))
        assert len({r.client_port for r in peer.requests}) == 1  # one kept-alive connection
        assert len({r.headers["webhook-id"] for r in peer.requests}) == 15
    assert statuses(uow) == {"delivered": 30}


def test_a_webhook_connection_dropped_mid_batch_loses_nothing_sends_nothing_twice_and_keeps_the_order(
        uow_factory, http_peer):
    uow = uow_factory("notify")
    seen = Counter()
    accepted = []

    def answer(request):
        seen["requests"] += 1
        if seen["requests"] == 5:
            return DROP, b""  # the connection goes while the 5th is in flight: not taken
        accepted.append((request.headers["webhook-id"], request.json()["payload"]["obligation_id"]))
        return 204, b""
    peer = http_peer(answer)
    hook = subscribe(uow, peer.url + "/hook")
    fan_out(uow, range(1, 11))
    sender = Sender(uow._sessions, {"SMTP": {}, "NOTIFY": settings(BATCH=10)})
    assert sender.pass_once(wait=True) == 5  # the batch stops at the 5th; the 6th to 10th wait behind it
    assert [number for _, number in accepted] == [1, 2, 3, 4]
    assert statuses(uow) == {"delivered": 4, "pending": 6}
    behind = uow.session.scalars(sa.select(Delivery).where(Delivery.status == "pending").order_by(Delivery.id)).all()
    assert behind[0].attempts == 1 and all(d.attempts == 0 for d in behind[1:])  # given back unsent: no attempt
    due_now(uow)
    assert sender.pass_once(wait=True) == 6
    assert [number for _, number in accepted] == list(range(1, 11))  # in order, each once
    assert len({webhook_id for webhook_id, _ in accepted}) == 10
    assert len({r.client_port for r in peer.requests}) == 2  # the dropped connection and the next
    outcomes = Counter(uow.session.scalars(sa.select(WebhookAttempt.outcome)))
    assert outcomes == {"delivered": 10, "retry": 1}
    assert statuses(uow) == {"delivered": 10}
