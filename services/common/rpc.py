"""nameko's `@rpc`, but a reply the broker can no longer take does not stop the service.

nameko sends an RPC's reply from the worker; when the broker goes away in the middle (a
restart, a network cut) the publish raises, the worker thread dies with the error and nameko
kills the whole container: every service that happened to be answering a call exited with the
broker. Here the reply that cannot be sent is logged and dropped. The request is not acked, so
the broker hands it to a consumer again once it is back (every RPC that changes something is
idempotent or refuses a repeat); the caller, whose reply queue went with the connection, has
timed out and retries or reports it. The queue consumer reconnects as it always does.
"""
from __future__ import annotations

import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko import rpc as nameko_rpc

log = logging.getLogger(__name__)

LOST_BROKER = (OSError, OperationalError, AmqpConnectionError)


class Rpc(nameko_rpc.Rpc):
    def handle_result(self, message, worker_ctx, result, exc_info):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except LOST_BROKER as exc:
            log.warning("%s: the reply could not be sent (%s: %s); the request goes back to the queue",
                        worker_ctx.call_id, type(exc).__name__, exc)
            return result, exc_info


rpc = Rpc.decorator
