"""Who reports a public answer as abusive, as feedback counts reporters (one report per reader
and answer): a signed-in reader by account, anyone else by address, hashed so neither is kept.
Who scans an item's QR code, as disclosure counts scans (one per reader, item and day): the
address keyed with a salt of the county day made from the gateway's secret, so the key
changes each day, cannot be reversed without the secret, and the address goes nowhere."""
from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any


def reporter_key(actor: dict[str, Any] | None, remote_addr: str | None) -> str:
    who = f"user:{actor['username']}" if actor else f"addr:{remote_addr or 'unknown'}"
    return hashlib.sha256(who.encode()).hexdigest()[:32]


def scan_reader(secret: str, day: date, client: str) -> str:
    """The reader's key for `day`: HMAC-SHA256 of the client (its address, as rate limits see
    it) under the day's salt, itself HMAC-SHA256 of the day under the gateway's secret."""
    salt = hmac.new(secret.encode(), f"item-scan-salt:{day.isoformat()}".encode(), hashlib.sha256).digest()
    return hmac.new(salt, client.encode(), hashlib.sha256).hexdigest()[:32]
