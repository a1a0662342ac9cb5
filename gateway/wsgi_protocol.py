"""The gateway's HTTP connections without Nagle's algorithm (TCP_NODELAY).

eventlet's server writes an answer through a 16 KB buffer: an answer larger than that (the
catalogue, 公开榜) leaves in two writes, the headers and then the body. With Nagle's algorithm
on, the body's last partial segment waits for the client to acknowledge the headers, and a
client that delays its ACK (as most do, up to 40 ms on Linux) holds every large answer that
long: the catalogue answered about a fifth as often as the item list. With TCP_NODELAY each
write leaves at once; small answers (one write) are unchanged."""
from __future__ import annotations

import socket

from nameko.web.server import HttpOnlyProtocol


class NoDelayProtocol(HttpOnlyProtocol):
    def setup(self) -> None:
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):  # not a TCP socket (a test's socket pair): nothing to turn off
            pass
        super().setup()
