"""Liveness and readiness of one Gongkai process, served beside /metrics on its metrics port.

- /healthz: the process works (its hub answers this request). Only a hung or dead process fails
  it, so an orchestrator restarts a process only when a restart helps.
- /readyz: every broker consumer of the process is connected and every database it owns answers
  `SELECT 1` within CHECK_TIMEOUT_SECONDS. A lost broker or database makes it 503 until they are
  back; the process keeps running and reconnects by itself (kombu's consumer loop retries the
  broker, the engine's pool_pre_ping replaces dead database connections). The answer names each
  check and whether it passed, never an exception's text.
"""
from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Iterable

import eventlet
import sqlalchemy as sa
from nameko.messaging import QueueConsumer
from prometheus_client import make_wsgi_app
from werkzeug.serving import WSGIRequestHandler, make_server

log = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0


class BrokerState:
    """Follows one nameko QueueConsumer: connected once kombu has set its consumers up on a
    connection, disconnected from the first failed (re)connection until the next success."""

    def __init__(self, consumer: QueueConsumer) -> None:
        self.consumer = consumer
        self.connected = False
        on_ready, on_error = consumer.on_consume_ready, consumer.on_connection_error

        def consume_ready(*args: Any, **kwargs: Any) -> None:
            self.connected = True
            on_ready(*args, **kwargs)

        def connection_error(exc: Exception, interval: float) -> None:
            self.connected = False
            on_error(exc, interval)

        # kombu calls these hooks on the instance after every (re)connection and failed attempt
        consumer.on_consume_ready, consumer.on_connection_error = consume_ready, connection_error
        ready = getattr(consumer, "_consumers_ready", None)
        self.connected = bool(ready is not None and ready.ready() and not ready.has_exception)

    def ok(self) -> bool:
        thread = getattr(self.consumer, "_gt", None)
        return self.connected and thread is not None and not thread.dead


class Checks:
    """The named readiness checks of this process; each returns True when it passes."""

    def __init__(self) -> None:
        self._checks: dict[str, Callable[[], bool]] = {}
        self._sessions: dict[str, Callable[[], dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def add(self, name: str, check: Callable[[], bool]) -> Callable[[], None]:
        with self._lock:
            self._checks[name] = check
        return lambda: self.remove(name, check)

    def remove(self, name: str, check: Callable[[], bool]) -> None:
        with self._lock:
            if self._checks.get(name) is check:
                del self._checks[name]

    def watch_consumers(self, service: str, extensions: Iterable[Any]) -> Callable[[], None]:
        """A check per QueueConsumer among a container's extensions (RPC, events, replies)."""
        consumers = _unique(e for e in extensions if isinstance(e, QueueConsumer))
        removers = [self.add(f"{service}.broker" + (f".{i}" if i else ""), BrokerState(consumer).ok)
                    for i, consumer in enumerate(consumers)]
        return lambda: [remove() for remove in removers]

    def watch_database(self, service: str, sessions: Callable) -> Callable[[], None]:
        return self.add(f"{service}.database", lambda: _database_answers(sessions))

    def run(self) -> dict[str, bool]:
        with self._lock:
            checks = dict(self._checks)
        return {name: _passes(name, check) for name, check in sorted(checks.items())}


def _unique(items: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if all(item is not other for other in seen):
            seen.append(item)
    return seen


def _database_answers(sessions: Callable) -> bool:
    with sessions() as session:
        session.execute(sa.text("SELECT 1"))
    return True


def _passes(name: str, check: Callable[[], bool]) -> bool:
    try:
        with eventlet.Timeout(CHECK_TIMEOUT_SECONDS):
            return bool(check())
    except eventlet.Timeout:
        log.warning("readiness: %s did not answer within %.0f s", name, CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # the reason goes to the log, not to the caller
        log.warning("readiness: %s failed: %s: %s", name, type(exc).__name__, exc)
    return False


CHECKS = Checks()


def _json(start_response: Callable, status: str, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body, sort_keys=True).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
                            ("Cache-Control", "no-store")])
    return [payload]


def make_app(checks: Checks = CHECKS) -> Callable:
    """/healthz and /readyz; every other path is prometheus_client's /metrics app."""
    metrics_app = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _json(start_response, "200 OK", {"status": "alive"})
        if path == "/readyz":
            results = checks.run()
            ready = bool(results) and all(results.values())
            return _json(start_response, "200 OK" if ready else "503 Service Unavailable",
                         {"ready": ready, "checks": results})
        return metrics_app(environ, start_response)

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # probes every few seconds
        pass


def serve(host: str, port: int, checks: Checks = CHECKS) -> None:
    """Serve /metrics, /healthz and /readyz on a daemon thread (a greenthread under nameko)."""
    server = make_server(host, port, make_app(checks), threaded=True, request_handler=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
