"""A webhook subscriber in a process of its own (plain threads, no eventlet), for the latency
benchmark: it answers 200 at once and appends "<event_id> <unix time>" for each POST to a file."""
from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main(port: int, path: str) -> None:
    out = open(path, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrived = time.time()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            try:
                out.write(f"{json.loads(body)['event_id']} {arrived}\n")
            except (ValueError, KeyError):
                pass

        def log_message(self, *args) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever(poll_interval=0.05)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
