"""A throw-away RabbitMQ vhost for a benchmark, through the management API."""
from __future__ import annotations

import base64
import contextlib
import json
import os
import urllib.request
import uuid

MANAGEMENT = os.environ.get("RABBIT_MANAGEMENT_URL", "http://127.0.0.1:15672")
USER, PASSWORD = "guest", "guest"


def _call(method: str, path: str, body: dict | None = None) -> None:
    request = urllib.request.Request(f"{MANAGEMENT}/api/{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    urllib.request.urlopen(request, timeout=10).read()


@contextlib.contextmanager
def temporary_vhost():
    """Yields an AMQP URI on a new vhost, deleted afterwards with all it holds."""
    vhost = f"gongkai-bench-{uuid.uuid4().hex[:8]}"
    _call("PUT", f"vhosts/{vhost}")
    _call("PUT", f"permissions/{vhost}/{USER}", {"configure": ".*", "write": ".*", "read": ".*"})
    try:
        yield f"amqp://{USER}:{PASSWORD}@127.0.0.1:5672/{vhost}"
    finally:
        _call("DELETE", f"vhosts/{vhost}")
