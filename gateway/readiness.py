"""The gateway's public readiness: whether the broker carries RPC and every service answers.

Public, so it says only which services answer, never why one does not (the reason goes to the
log). The answer is kept for CACHE_SECONDS: however many probes and clients ask, the gateway
asks each service once per period, and concurrent askers wait for the one check in flight.
All services are asked at once, so a slow one costs one timeout, not one each.

This is not the gateway's own readiness for a load balancer (one service down would take every
gateway out of rotation): that is /readyz on its metrics port (services.common.health)."""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import eventlet
from eventlet.semaphore import Semaphore

from .errors import ApiError

log = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 3.0
CACHE_SECONDS = 2.0


def _check(name: str, client: Any) -> bool:
    try:
        client.health(timeout=CHECK_TIMEOUT_SECONDS)
        return True
    except ApiError as exc:
        log.warning("readiness: %s: %s", name, exc.message)
    except Exception as exc:  # the service answered with an error: its database, most likely
        log.warning("readiness: %s answered %s: %s", name, type(exc).__name__, exc)
    return False


def check_services(services: dict[str, Any]) -> dict[str, Any]:
    pool = eventlet.GreenPool(len(services))
    checks = dict(zip(services, pool.starmap(_check, services.items())))
    return {"ready": all(checks.values()), "services": {name: {"ok": ok} for name, ok in checks.items()}}


class CachedReadiness:
    """check_services' last answer, renewed at most once per `ttl` seconds."""

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._answer: dict[str, Any] | None = None
        self._taken_at = float("-inf")
        self._lock = Semaphore()

    def report(self, services: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:  # one check in flight; the others wait for it and share its answer
            if self._answer is None or self.clock() - self._taken_at >= self.ttl:
                self._answer = check_services(services())
                self._taken_at = self.clock()
            return self._answer


READINESS = CachedReadiness()
