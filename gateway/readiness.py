"""Readiness: the broker carries RPC and every service answers, with the reason when not."""
from __future__ import annotations

from typing import Any

from .errors import ApiError
from . import rpc


def check_services(services: dict[str, Any], timeout: float) -> dict[str, Any]:
    checks = {}
    for name, proxy in services.items():
        try:
            rpc.call(proxy, "health", min(timeout, 3.0))
            checks[name] = {"ok": True}
        except ApiError as exc:
            checks[name] = {"ok": False, "reason": exc.message}
        except Exception as exc:  # the service answered with an error: its database, most likely
            checks[name] = {"ok": False, "reason": f"{type(exc).__name__}: {exc}"}
    return {"ready": all(c["ok"] for c in checks.values()), "services": checks}
