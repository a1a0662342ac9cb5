"""A lost broker or database must not stop a service (nameko stops the whole container when one
of its threads dies of an error). The services' @rpc: a reply that cannot be sent because the
broker went away is logged and dropped (the request goes back to the queue); any other error
still propagates. The event consumer: a processed marker that cannot be read returns the message
to the broker. The fault suite's broker and PostgreSQL phases check the same on real processes."""
from types import SimpleNamespace

import pytest
from kombu.exceptions import OperationalError
from nameko import rpc as nameko_rpc

from services.common import inbox as inbox_module
from services.common.contract import names, to_message
from services.common.rpc import Rpc
from tests.feedback.test_feedback_and_notify_rules import published


@pytest.mark.parametrize("lost", [ConnectionResetError(104, "Connection reset by peer"),
                                  OperationalError("[Errno 111] ECONNREFUSED")])
def test_a_reply_the_broker_cannot_take_is_dropped(monkeypatch, caplog, lost):
    def send(self, message, worker_ctx, result, exc_info):
        raise lost

    monkeypatch.setattr(nameko_rpc.Rpc, "handle_result", send)
    entrypoint = Rpc.__new__(Rpc)
    answer = entrypoint.handle_result(object(), SimpleNamespace(call_id="units.health.1"), {"ok": True}, None)
    assert answer == ({"ok": True}, None)
    assert "units.health.1: the reply could not be sent" in caplog.text


def test_other_errors_still_propagate(monkeypatch):
    def send(self, message, worker_ctx, result, exc_info):
        raise ValueError("a bug")

    monkeypatch.setattr(nameko_rpc.Rpc, "handle_result", send)
    with pytest.raises(ValueError):
        Rpc.__new__(Rpc).handle_result(object(), SimpleNamespace(call_id="x"), None, None)


def test_an_event_whose_processed_marker_cannot_be_read_goes_back_to_the_queue(monkeypatch):
    """The consumer's own thread reads the processed marker: with the database away (a restart)
    that read fails, and the message is returned to the broker instead of the thread dying."""

    class Away:
        service = "notify"

        def already_processed(self, event_id, consumer):
            raise OperationalError("the database system is shutting down")

    returned = []
    subscriber = inbox_module.EventSubscriber.__new__(inbox_module.EventSubscriber)
    subscriber.event_type, subscriber.consumer = names.ITEM_PUBLISHED, "gongkai.notify.ItemPublished"
    subscriber.database = SimpleNamespace(inbox=Away())
    subscriber.queue_consumer = SimpleNamespace(requeue_message=returned.append,
                                                ack_message=lambda m: pytest.fail("acked"))
    monkeypatch.setattr(inbox_module, "REQUEUE_PAUSE_SECONDS", 0)
    message = object()
    subscriber.handle_message(to_message(published()), message)
    assert returned == [message]
