"""The subscriber's webhook receiver, a process of its own: answers 204 to every POST and
appends a line `<webhook-id> <event_id>` to a file for each one.

    python -m tests_fault.receiver PORT FILE
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                event_id = json.loads(body).get("event_id")
            except (ValueError, AttributeError):
                event_id = None
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"{self.headers.get('webhook-id')} {event_id}\n")
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
