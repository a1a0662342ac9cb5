"""A small HTTP server on 127.0.0.1 standing in for an outside system: the SMS provider, a
企业微信 or 钉钉 robot, a subscriber's webhook endpoint. It records every request and answers
with what `answer(request)` returns: (status, body) or a callable that may sleep; DROP (for
status) closes the connection without an answer. It speaks HTTP/1.1 and keeps connections
alive, and notes each request's connection (the client's port)."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit


DROP = -1


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # senders open many connections at once: the standard 5 drops some before accept


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    raw_query: str = ""  # as sent, for peers that check a signature over it
    client_port: int = 0  # which connection it came over

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Peer:
    answer: Callable[[Request], tuple[int, Any]] = lambda request: (200, {"errcode": 0, "errmsg": "ok"})
    requests: list[Request] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "Peer":
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Request(parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length), parts.query, self.client_address[1])
                peer.requests.append(request)
                status, body = peer.answer(request)
                if status == DROP:
                    self.close_connection = True
                    return
                data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
