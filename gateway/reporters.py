"""Who reports a public answer as abusive, as feedback counts reporters (one report per reader
and answer): a signed-in reader by account, anyone else by address, hashed so neither is kept."""
from __future__ import annotations

import hashlib
from typing import Any


def reporter_key(actor: dict[str, Any] | None, remote_addr: str | None) -> str:
    who = f"user:{actor['username']}" if actor else f"addr:{remote_addr or 'unknown'}"
    return hashlib.sha256(who.encode()).hexdigest()[:32]
