"""Rate limits per client and route class, so that one caller cannot drown the others
(public feedback is the spam target; the sign-in route the password-guessing one). A sign-in
takes a token from two buckets: its address and username together (`login`, the guesser's),
and its address alone (`login_address`, high enough for a township office behind one NAT).

A token bucket per (client, route class), kept IN PROCESS MEMORY: each gateway replica
counts on its own, so with N replicas behind a balancer a client gets up to N times the
configured rate, and a restart forgets every bucket. That is the accepted trade-off for
not needing a shared store; put a shared limiter at the proxy if an exact global rate matters.

Memory is bounded: buckets live in an LRU of at most `max_keys` entries, so idle clients
are evicted first (an evicted bucket simply starts full again). Under eventlet there are
no real threads and `check` never yields, so each check is atomic without a lock.
"""
from __future__ import annotations

import math
import re
import time
from collections import OrderedDict
from typing import Any, Callable, NamedTuple

from prometheus_client import Counter

RATE_LIMITED = Counter("gongkai_rate_limited_total", "Requests refused with 429 by the gateway's rate limits.",
                       ["route_class"])

PERIODS = {"second": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
FEEDBACK_PATHS = frozenset({"/api/v1/feedback", "/feedback"})  # the API's and the portal's form
# a password is tried: the API's token and password change, the browser's sign-in forms
LOGIN_PATHS = frozenset({"/api/v1/auth/token", "/api/v1/auth/password", "/login", "/login/password"})
LOGIN_BODY_BYTES = 16_384  # a sign-in's body read for its username


def login_name(request: Any) -> str:
    """The username a sign-in names (the JSON body's or the form's), lower case; empty if none.
    Its body, when small, is read here and kept by the request for the route (a large or
    unsized one is left to the route's own limit, and counts under the empty name)."""
    name = None
    if request.content_length is not None and 0 < request.content_length <= LOGIN_BODY_BYTES:
        request.get_data(cache=True)
        if request.is_json:
            body = request.get_json(silent=True)
            name = body.get("username") if isinstance(body, dict) else None
        else:
            name = request.form.get("username")
    if not name and request.path == "/login/password":  # a signed-in change names no one: the cookie's
        name = (getattr(request, "actor", None) or {}).get("username")
    return str(name or "")[:64].strip().lower()


def buckets(request: Any, client: str, address: str) -> list[tuple[str, str]]:
    """The (client, route class) buckets a request takes a token from. A sign-in counts per
    address and username together (a guesser at one name is slowed, not the 200 people of a
    township office behind one NAT), and per address alone at a far higher ceiling."""
    kind = route_class(request.method, request.path)
    if kind is None:
        return []
    if kind != "login":
        return [(client, kind)]
    return [(f"addr:{address}|user:{login_name(request)}", "login"), (f"addr:{address}", "login_address")]


class Rate(NamedTuple):
    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """'10/minute', '5/min', '600/m', '3/10s': N requests per period."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*", str(text))
        if not match or match.group(3) not in PERIODS or int(match.group(1)) < 1:
            raise ValueError(f"a rate limit is 'N/second|minute|hour|day', not {text!r}")
        count, digits, unit = match.group(1), match.group(2) or "1", match.group(3)
        return cls(int(count), float(digits) * PERIODS[unit])


def route_class(method: str, path: str) -> str | None:
    """The class whose limit applies to a request; None for routes never limited."""
    if path in UNLIMITED_PATHS:
        return None
    if method == "POST" and path in LOGIN_PATHS:
        return "login"
    if method == "POST" and path in FEEDBACK_PATHS:
        return "feedback"
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        return "write"
    return "read"


class RateLimiter:
    """Token buckets by (client, route class); `check` answers how long to wait, or None."""

    def __init__(self, limits: dict[str, Rate], max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic):
        self.limits, self.max_keys, self.clock = limits, max_keys, clock
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()  # tokens, updated at

    def check(self, client: str, route_class: str) -> float | None:
        """Take one token; None when allowed, else the seconds until a token is back."""
        rate = self.limits.get(route_class)
        if rate is None:
            return None
        key, now = (client, route_class), self.clock()
        tokens, updated = self._buckets.pop(key, (float(rate.count), now))
        tokens = min(float(rate.count), tokens + (now - updated) * rate.count / rate.seconds)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)  # the least recently seen client
        if allowed:
            return None
        RATE_LIMITED.labels(route_class).inc()
        return (1 - tokens) * rate.seconds / rate.count

    @staticmethod
    def retry_after(wait: float) -> str:
        """Retry-After in whole seconds, never 0 (a client retrying at once would be refused again)."""
        return str(max(1, math.ceil(wait)))


def limiter_from_config(gateway: dict[str, Any]) -> RateLimiter:
    """The limits of GATEWAY.RATE_LIMITS; none at all when RATE_LIMITS_ENABLED is false."""
    enabled = gateway.get("RATE_LIMITS_ENABLED", True)
    if enabled is False or str(enabled).strip().lower() in ("false", "0", "no", "off"):
        return RateLimiter({})
    limits = {name: Rate.parse(text) for name, text in (gateway.get("RATE_LIMITS") or {}).items()}
    return RateLimiter(limits, int(gateway.get("RATE_LIMIT_MAX_KEYS") or 100_000))
