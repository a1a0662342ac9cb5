"""The audit trail: every state-changing request (POST, PUT, PATCH, DELETE) whose route
worker ran, and every read its route marked (a person's contacts shown, an export:
audit_entry.audited_read), is appended to the units service's hash-chained log — who, role, unit, the
method and route rule, the path, the status the caller got, when, and the request id.
Bodies are never recorded (they carry passwords, tokens and personal data); paths only.

Requests refused before their route ran — by the policy table (401, 403), an invalid
token or the rate limiter (429) — are in the trail too: the HTTP entrypoint starts a
worker on `audit_refused_request`, an entrypoint with no trigger of its own. CORS
preflights change nothing and are not recorded.

No entry is lost when units is busy or down. The entry is written first to this gateway's
spool, a small SQLite file (GATEWAY.AUDIT_SPOOL_PATH; by default one under var/ per broker
and listen address), durably (synchronous=FULL) and after the caller's answer has been
handed over (nameko's worker_result hook), so auditing adds no wait to a request and never
changes an answer. The spool's writes wait for the disk (an fsync each, 3 ms and more) in
eventlet's pool of OS threads, not on the hub, which would stop every other request meanwhile.
A drainer then sends the oldest entries, in the order their requests finished, to units'
`append_audit_batch` (a short batch waits GATEWAY.AUDIT_LINGER_SECONDS, 50 ms, for the
requests finishing with it: a burst of posts is one call and one delete, not one
per request) and removes them from the spool only once units confirms; units appends each entry once (by its entry_id), so a retry after a timeout or a
restart never doubles one. `gongkai_audit_backlog` shows how many entries wait; only an
entry the spool itself could not store (a full disk) is counted in
gongkai_audit_failures_total and logged with its request id.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import eventlet
from eventlet import tpool
from nameko.extensions import DependencyProvider, Entrypoint
from prometheus_client import Counter, Gauge
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from services.common.config import ROOT
from services.common.errors import DomainError

from .audit_entry import entry_for, is_audited
from .auth import actor_from_request
from .clients.standalone import StandaloneClients
from .errors import response_for
from .http import ApiEndpoint

log = logging.getLogger(__name__)

AUDIT_FAILURES = Counter("gongkai_audit_failures_total",
                         "State-changing requests whose audit entry could not be stored.")
AUDIT_BACKLOG = Gauge("gongkai_audit_backlog",
                      "Audit entries in this gateway's spool, waiting to be appended by units.")
BATCH = 100
LINGER_SECONDS = 0.05  # GATEWAY.AUDIT_LINGER_SECONDS: how long a short batch waits for company


class RefusedRequest(Entrypoint):
    """Runs a worker to audit a state-changing request refused before its route ran."""
    audits_refusals = True


audit_refusal = RefusedRequest.decorator


def status_of(result: Any, exc_info: Any, request_id: str) -> int:
    """The status the caller got: the Response's, or the envelope's for an exception."""
    if exc_info is not None:
        exc = exc_info[1]
        known = isinstance(exc, (DomainError, HTTPException))
        return response_for(exc, request_id).status_code if known else 500  # 500 is logged once, by http.py
    if isinstance(result, Response):
        return result.status_code
    if isinstance(result, tuple) and result and isinstance(result[0], int):
        return result[0]
    return 200


def build_entry(worker_ctx: Any, result: Any, exc_info: Any, secret: str) -> dict[str, Any] | None:
    """The audit entry of an API worker on a state-changing method; None for anything else."""
    if not isinstance(worker_ctx.entrypoint, ApiEndpoint) or not worker_ctx.args:
        return None
    request = worker_ctx.args[0]
    if not isinstance(request, Request) or not is_audited(request):
        return None
    request_id = str(worker_ctx.data.get("correlation_id", ""))
    try:  # the caller the entrypoint resolved (a page's session included), else the headers'
        actor = request.actor if hasattr(request, "actor") else actor_from_request(request.headers, secret)
    except Exception:  # the token expired while the worker ran, say: still audit the request
        actor = None
    return entry_for(request, worker_ctx.entrypoint.url, actor, status_of(result, exc_info, request_id),
                     request_id)


class AuditSpool:
    """Entries waiting for units, oldest first, in a SQLite file only this process uses. Its
    calls never wait for another process, but a write waits for the disk: the gateway makes
    them through `tpool` (SQLite serialises the threads' use of the one connection)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")  # an entry is on disk before the next request's
        self.conn.execute("CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                          "entry_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)")

    def put(self, entry: dict[str, Any]) -> str:
        entry = {**entry, "entry_id": entry.get("entry_id") or uuid.uuid4().hex}
        self.conn.execute("INSERT INTO spool (entry_id, body) VALUES (?, ?)",
                          (entry["entry_id"], json.dumps(entry, ensure_ascii=False)))
        return entry["entry_id"]

    def oldest(self, limit: int = BATCH) -> list[tuple[int, dict[str, Any]]]:
        rows = self.conn.execute("SELECT seq, body FROM spool ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [(seq, json.loads(body)) for seq, body in rows]

    def remove_through(self, seq: int) -> None:
        self.conn.execute("DELETE FROM spool WHERE seq <= ?", (seq,))

    def count(self) -> int:
        try:
            return self.conn.execute("SELECT count(*) FROM spool").fetchone()[0]
        except sqlite3.ProgrammingError:  # closed: the gateway is stopping
            return 0

    def close(self) -> None:
        """Close the file; an empty spool is removed, so test runs leave nothing behind."""
        empty = self.count() == 0
        self.conn.close()
        if empty:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def spool_path(config: dict[str, Any]) -> Path:
    """GATEWAY.AUDIT_SPOOL_PATH, else one file per broker (vhost) and listen address under
    var/, so two gateways on one machine never drain each other's entries."""
    configured = str((config.get("GATEWAY") or {}).get("AUDIT_SPOOL_PATH") or "").strip()
    if configured:
        return Path(configured) if Path(configured).is_absolute() else ROOT / configured
    key = f"{config.get('AMQP_URI', '')}|{config.get('WEB_SERVER_ADDRESS', '')}"
    return ROOT / "var" / "audit-spool" / f"gateway-{hashlib.sha256(key.encode()).hexdigest()[:16]}.db"


class AuditDrain:
    """Sends the spool's oldest entries to units, in order, until stopped; a failure (units
    busy or down, the broker away) keeps them and tries again with a growing pause."""

    def __init__(self, spool: AuditSpool, config: dict[str, Any], timeout: float, linger: float = LINGER_SECONDS):
        self.spool, self.config, self.timeout, self.linger = spool, config, timeout, linger
        self._wake = threading.Event()
        self._stopped = False
        self.clients = StandaloneClients(config, timeout)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def run(self) -> None:
        failures = 0
        while not self._stopped:
            pending = self.spool.oldest()
            if not pending:
                self._wait(1.0)
                continue
            if len(pending) < BATCH and self.linger > 0:  # the requests finishing with this one travel with it:
                eventlet.sleep(self.linger)               # one call to units and one delete for a burst
                pending = self.spool.oldest()
            try:
                self._send([entry for _, entry in pending])
            except Exception as exc:
                failures += 1
                self._close_proxy()
                log.warning("audit: %d entries wait for units (%s); trying again", self.spool.count(),
                            type(exc).__name__)
                self._wait(min(0.5 * 2 ** failures, 10.0))
                continue
            failures = 0
            tpool.execute(self.spool.remove_through, pending[-1][0])
        self._close_proxy()

    def _send(self, entries: list[dict[str, Any]]) -> None:
        self.clients.units.append_audit_batch(entries)

    def _close_proxy(self) -> None:
        self.clients.close()

    def _wait(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()


class AuditRecorder:
    """What a worker gets as `self.audit`: `record(entry)` spools an entry."""

    def __init__(self, trail: "AuditTrail"):
        self._trail = trail

    def record(self, entry: dict[str, Any]) -> None:
        self._trail.record(entry)


class AuditTrail(DependencyProvider):
    """Spools the audit entry of each state-changing API request (and of each refused one,
    through `self.audit.record`) and drains the spool to units in the background."""

    def setup(self) -> None:
        config = self.container.config
        gateway = config.get("GATEWAY", {})
        self.secret = gateway["JWT_SECRET"]
        self.spool = AuditSpool(spool_path(config))
        AUDIT_BACKLOG.set_function(self.spool.count)
        self.drain = AuditDrain(self.spool, config, float(gateway.get("AUDIT_TIMEOUT_SECONDS", 10)),
                                float(gateway.get("AUDIT_LINGER_SECONDS", LINGER_SECONDS)))

    def start(self) -> None:
        self.thread = self.container.spawn_managed_thread(self.drain.run, identifier="audit-drain")

    def stop(self) -> None:
        """Stop draining (what is left waits in the spool for the next start) and close it."""
        self.drain.stop()
        try:
            with eventlet.Timeout(2):
                self.thread.wait()
        except eventlet.Timeout:  # in the middle of a call to units: the entries stay spooled
            self.thread.kill()
        self.spool.close()

    def kill(self) -> None:
        self.drain.stop()

    def get_dependency(self, worker_ctx: Any) -> AuditRecorder:
        return AuditRecorder(self)

    def record(self, entry: dict[str, Any]) -> None:
        try:
            tpool.execute(self.spool.put, entry)
        except Exception:
            AUDIT_FAILURES.inc()
            log.error("request %s: could not spool its audit entry %s", entry.get("request_id"), entry,
                      exc_info=True)
            return
        self.drain.wake()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        try:
            entry = build_entry(worker_ctx, result, exc_info, self.secret)
        except Exception:
            AUDIT_FAILURES.inc()
            log.error("request %s: could not build its audit entry", worker_ctx.data.get("correlation_id"),
                      exc_info=True)
            return
        if entry is not None:
            self.record(entry)
