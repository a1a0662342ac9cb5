"""CSRF tokens for every form, the anonymous ones too: a random nonce, an expiry and whom the
form was given to (the signed-in username, or nobody), signed with HMAC-SHA256 under a key
derived from the gateway's secret. A token is good once: the nonces of accepted tokens are
remembered until they expire, so a replayed post is refused.

The memory of used nonces is this process's, like the rate limits: behind several replicas
without sticky sessions, a token replayed to another replica within its lifetime gets through
that replica once. The nonce store is bounded (oldest forgotten first; a forgotten nonce's token
has long expired at the default sizes)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from typing import Callable

from ...errors import ApiError

FIELD = "csrf_token"
TTL_SECONDS = 2 * 3600
MAX_REMEMBERED = 200_000


class CsrfRefused(ApiError):
    def __init__(self, message: str):
        super().__init__(403, "csrf_refused", message)


class CsrfTokens:
    def __init__(self, secret: str, ttl_seconds: int = TTL_SECONDS, clock: Callable[[], float] = time.time,
                 max_remembered: int = MAX_REMEMBERED):
        self.key = hashlib.sha256(b"gongkai-csrf:" + secret.encode()).digest()
        self.ttl, self.clock, self.max_remembered = ttl_seconds, clock, max_remembered
        self._used: OrderedDict[str, float] = OrderedDict()

    def _sign(self, nonce: str, expires: int, subject: str) -> str:
        return hmac.new(self.key, f"{nonce}.{expires}.{subject}".encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, subject: str = "") -> str:
        nonce, expires = secrets.token_urlsafe(12), int(self.clock()) + self.ttl
        return f"{nonce}.{expires}.{self._sign(nonce, expires, subject)}"

    def check(self, token: str | None, subject: str = "") -> None:
        """Accept a token once; CsrfRefused (403) when it is missing, forged, someone else's,
        expired or already used."""
        parts = (token or "").split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            raise CsrfRefused("表单缺少有效的安全校验码，请返回上一页刷新后重新填写提交。")
        nonce, expires, signature = parts[0], int(parts[1]), parts[2]
        if not hmac.compare_digest(signature, self._sign(nonce, expires, subject)):
            raise CsrfRefused("表单的安全校验码不正确，请返回上一页刷新后重新填写提交。")
        now = self.clock()
        if expires < now:
            raise CsrfRefused("表单已过期（超过 2 小时未提交），请刷新页面后重新填写提交。")
        self._forget_expired(now)
        if nonce in self._used:
            raise CsrfRefused("这份表单已经提交过了，不能重复提交；如需再次提交，请重新打开表单。")
        self._used[nonce] = expires
        while len(self._used) > self.max_remembered:
            self._used.popitem(last=False)

    def _forget_expired(self, now: float) -> None:
        while self._used:
            nonce, expires = next(iter(self._used.items()))
            if expires >= now:
                break
            self._used.popitem(last=False)
