"""Calling services from the gateway with a deadline: a service that does not answer
becomes a 503 in the envelope instead of a request that hangs."""
from __future__ import annotations

from typing import Any

import eventlet

from nameko.exceptions import UnknownService

from .errors import ApiError


def call(proxy, method: str, timeout: float, *args: Any, **kwargs: Any) -> Any:
    unavailable = ApiError(503, "service_unavailable",
                           f"the {proxy.service_name} service is not answering; try again shortly")
    try:
        reply = getattr(proxy, method).call_async(*args, **kwargs)
        with eventlet.Timeout(timeout):
            return reply.result()
    except (eventlet.Timeout, UnknownService):
        raise unavailable from None
