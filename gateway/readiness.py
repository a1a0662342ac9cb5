"""Readiness: the broker carries RPC and every service answers (its client's health()), with the reason when not.
All services are asked at once, so a slow one costs one timeout, not one each."""
from __future__ import annotations

from typing import Any

import eventlet

from .errors import ApiError

CHECK_TIMEOUT_SECONDS = 3.0


def _check(client: Any) -> dict[str, Any]:
    try:
        client.health(timeout=CHECK_TIMEOUT_SECONDS)
        return {"ok": True}
    except ApiError as exc:
        return {"ok": False, "reason": exc.message}
    except Exception as exc:  # the service answered with an error: its database, most likely
        return {"ok": False, "reason": f"{type(exc).__name__}: {exc}"}


def check_services(services: dict[str, Any]) -> dict[str, Any]:
    pool = eventlet.GreenPool(len(services))
    checks = dict(zip(services, pool.imap(_check, services.values())))
    return {"ready": all(c["ok"] for c in checks.values()), "services": checks}
