"""The services' @rpc: a reply that cannot be sent because the broker went away is logged and
dropped (the request goes back to the queue), instead of killing the container; any other error
still propagates. The fault suite's broker phase checks the same on real processes."""
from types import SimpleNamespace

import pytest
from kombu.exceptions import OperationalError
from nameko import rpc as nameko_rpc

from services.common.rpc import Rpc


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
