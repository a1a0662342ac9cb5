"""The channels, each behind one small interface: `send(delivery) -> None`, raising
Transient (worth retrying: a timeout, a 5xx, the peer's rate-limit code) or Permanent
(a 4xx, an unknown number, an error code that retrying will not fix). A robot or SMS
provider that answers HTTP 200 with a non-zero errcode has not delivered."""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import logging
import math
import smtplib
import threading
import time
import urllib.parse
from collections import deque
from datetime import datetime, timezone
from typing import Any, Callable

import requests
from standardwebhooks.webhooks import Webhook as Signer

from . import mail
from .models import Delivery

log = logging.getLogger(__name__)


class Transient(Exception):
    """Try again later; `delay` (seconds) when the peer said how long. `counts` is False when
    nothing was sent (our own rate limit), so no attempt is used up."""

    def __init__(self, reason: str, delay: float | None = None, status_code: int | None = None,
                 counts: bool = True) -> None:
        super().__init__(reason)
        self.delay, self.status_code, self.counts = delay, status_code, counts


class Permanent(Exception):
    def __init__(self, reason: str, status_code: int | None = None) -> None:
        super().__init__(reason)
        self.status_code = status_code


class Session(requests.Session):
    """requests.Session, but the environment's proxy settings (HTTP_PROXY, NO_PROXY …) and CA
    bundle (REQUESTS_CA_BUNDLE) are looked up once per scheme and host, not for every request:
    the environment does not change while the service runs, and the look-up walks all of it."""

    def merge_environment_settings(self, url: str, proxies: dict[str, str] | None, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        if proxies or not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urllib.parse.urlsplit(url)
        settings = _environment(self, f"{parts.scheme}://{parts.netloc}/", stream, verify, cert)
        return {**settings, "proxies": dict(settings["proxies"])}


@functools.lru_cache(maxsize=256)
def _environment(session: Session, origin: str, stream: Any, verify: Any, cert: Any) -> dict[str, Any]:
    return requests.Session.merge_environment_settings(session, origin, {}, stream, verify, cert)


# one pool of kept-alive connections per peer, shared by the sender's green threads
HTTP = Session()
HTTP.mount("http://", requests.adapters.HTTPAdapter(pool_connections=32, pool_maxsize=32))
HTTP.mount("https://", requests.adapters.HTTPAdapter(pool_connections=32, pool_maxsize=32))


def _timeout(settings: dict[str, Any]) -> tuple[float, float]:
    return float(settings.get("CONNECT_TIMEOUT_SECONDS", 3)), float(settings.get("READ_TIMEOUT_SECONDS", 5))


def post_json(url: str, body: Any, settings: dict[str, Any], headers: dict[str, str] | None = None,
              data: bytes | None = None) -> requests.Response:
    """One POST; network trouble and 5xx are Transient, other 4xx Permanent (429 Transient)."""
    try:
        response = HTTP.post(url, data=data if data is not None else json.dumps(body, ensure_ascii=False).encode(),
                                 headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
                                 timeout=_timeout(settings), allow_redirects=False)
    except requests.Timeout:
        raise Transient("the peer did not answer in time") from None
    except requests.RequestException as exc:
        raise Transient(f"{type(exc).__name__}: {exc}"[:300]) from None
    if response.status_code == 429 or response.status_code >= 500:
        retry_after = response.headers.get("Retry-After", "")
        raise Transient(f"HTTP {response.status_code}", float(retry_after) if retry_after.isdigit() else None,
                        response.status_code)
    if not 200 <= response.status_code < 300:
        raise Permanent(f"HTTP {response.status_code}: {response.text[:200]}", response.status_code)
    return response


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        raise Transient(f"the peer answered something that is not JSON: {response.text[:100]!r}") from None
    if not isinstance(answer, dict):
        raise Transient(f"the peer answered unexpected JSON: {str(answer)[:100]}")
    return answer


# --- email ------------------------------------------------------------------------------

def send_email(smtp: dict[str, Any], delivery: Delivery, connection: mail.Connection | None = None) -> None:
    """Over `connection` when the sender carries one across a batch, else over a connection of its own."""
    message = mail.compose(smtp["FROM"], delivery.recipient, delivery.subject, delivery.message_id,
                           delivery.delivery_key or str(delivery.id), delivery.body)
    own = connection is None
    connection = connection or mail.Connection(smtp)  # plain, STARTTLS or TLS, and AUTH (mail.py)
    try:
        connection.send(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise Permanent(f"the mail server refused the address: {exc.recipients}") from None
        raise Transient(f"SMTPRecipientsRefused: {exc.recipients}") from None
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise Permanent(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
        raise Transient(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise Transient(f"{type(exc).__name__}: {exc}") from None
    finally:
        if own:
            connection.close()


# --- SMS: sms_vendors.py ----------------------------------------------------------------

def segments(text: str) -> int:
    return max(1, math.ceil(len(text) / 70))


# --- group robots: 企业微信 and 钉钉 --------------------------------------------------------

class RateLimiter:
    """At most `limit` messages per `window` seconds to one robot, in this process."""

    def __init__(self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._sent: dict[str, deque] = {}
        self._lock = threading.Lock()

    def wait_for(self, robot: str) -> float:
        """0 and the slot taken, or how many seconds until one frees."""
        now = self.clock()
        with self._lock:
            sent = self._sent.setdefault(robot, deque())
            while sent and sent[0] <= now - self.window:
                sent.popleft()
            if len(sent) < self.limit:
                sent.append(now)
                return 0.0
            return sent[0] + self.window - now


ROBOT_LIMITS = RateLimiter()
WECOM_RATE_LIMITED = (45009,)          # api freq out of limit
DINGTALK_RATE_LIMITED = (130101, 130102)  # send too fast / exceed limit: throttled for 10 minutes


def _robot_errcode(answer: dict[str, Any], rate_limited: tuple[int, ...], throttle: float) -> None:
    try:
        errcode = int(answer.get("errcode"))
    except (TypeError, ValueError):
        raise Transient(f"the robot answered without an errcode: {str(answer)[:100]}") from None
    if errcode == 0:
        return
    if errcode in rate_limited:
        raise Transient(f"the robot is throttled: errcode {errcode} {answer.get('errmsg', '')}", throttle)
    if errcode == -1:  # system busy
        raise Transient(f"the robot's platform is busy: {answer.get('errmsg', '')}")
    raise Permanent(f"the robot refused it: errcode {errcode} {answer.get('errmsg', '')}"[:300])


def _check_limit(name: str, limiter: RateLimiter) -> None:
    wait = limiter.wait_for(name)
    if wait > 0:
        raise Transient(f"the robot's 20-a-minute limit: waiting {wait:.0f} s", wait, counts=False)


def send_wecom(robot: dict[str, Any], delivery: Delivery, limiter: RateLimiter = ROBOT_LIMITS) -> None:
    """企业微信 group robot: {"msgtype": "text", "text": {"content", "mentioned_mobile_list"}}."""
    _check_limit("wecom:" + robot["URL"], limiter)
    mentions = [m for m in delivery.recipient.split(",") if m and not m.startswith("(")]
    body = {"msgtype": "text", "text": {"content": delivery.body, "mentioned_mobile_list": mentions}}
    _robot_errcode(_json(post_json(robot["URL"], body, robot)), WECOM_RATE_LIMITED, 60.0)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 custom robot's 加签: base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def send_dingtalk(robot: dict[str, Any], delivery: Delivery, limiter: RateLimiter = ROBOT_LIMITS) -> None:
    """钉钉 custom robot: {"msgtype": "text", "text": {"content"}, "at": {"atMobiles", "isAtAll"}},
    signed with timestamp and sign in the URL when a secret is configured."""
    _check_limit("dingtalk:" + robot["URL"], limiter)
    mentions = [m for m in delivery.recipient.split(",") if m and not m.startswith("(")]
    content = delivery.body + "".join(f" @{m}" for m in mentions)
    body = {"msgtype": "text", "text": {"content": content}, "at": {"atMobiles": mentions, "isAtAll": False}}
    url = robot["URL"]
    if robot.get("SECRET"):
        timestamp = int(time.time() * 1000)
        url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={dingtalk_sign(robot['SECRET'], timestamp)}"
    _robot_errcode(_json(post_json(url, body, robot)), DINGTALK_RATE_LIMITED, 600.0)


# --- subscribers' webhooks, signed per Standard Webhooks ------------------------------------

def sign_headers(secret: str, message_id: str, body: str, now: datetime | None = None) -> dict[str, str]:
    now = now or datetime.now(timezone.utc)  # aware UTC: sign() takes any datetime's clock as UTC
    signer = Signer(secret) if secret.startswith("whsec_") else Signer(secret.encode())
    return {"webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signer.sign(message_id, now, body)}


def send_webhook(url: str, secret: str, delivery: Delivery, settings: dict[str, Any]) -> int:
    """POST the event; any 2xx is delivered. Returns the status code."""
    headers = sign_headers(secret, delivery.message_id, delivery.body)
    response = post_json(url, None, settings, headers, data=delivery.body.encode())
    return response.status_code
