"""The one place tests compute a second factor's code: from the account's base32 secret, or
from the demo secrets the demo loader writes (var/demo-otp.json, services/units/demo_accounts.py).

The units service refuses a code of a time step it has already taken for the account, so two
sign-ins within one 30-second step need two steps: the steps handed out are remembered per
(place, username) in a small file shared by every test process (a browser script in a
subprocess included), and the next code is the one of the next step, waiting for it when it is
not yet acceptable (units takes the step before, now and after;
the step now or the next is used, so a code never goes stale on the way)."""
from __future__ import annotations

import fcntl
import json
import tempfile
import time
from pathlib import Path

import pyotp

from services.units.demo_accounts import demo_otp_secrets

STEP = 30
STATE = Path(tempfile.gettempdir()) / "gongkai-test-otp-steps.json"


def secret_of(username: str) -> str:
    return demo_otp_secrets()[username]


def code_for(username: str, place: str = "", secret: str | None = None) -> str:
    """A fresh code for the account at `place` (a gateway's address, or a database URL): one of a
    step not handed out there before."""
    secret = secret or secret_of(username)
    with open(STATE.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        used = json.loads(STATE.read_text()) if STATE.exists() else {}
        key = f"{place}|{username}|{secret}"
        now = int(time.time() // STEP)
        step = max(now, used.get(key, now - 1) + 1)
        if step > now + 1:
            time.sleep(max(0.0, (step - 1) * STEP - time.time()) + 0.5)
        used[key] = step
        STATE.write_text(json.dumps(used))
    return pyotp.TOTP(secret).at(step * STEP)


def wrong_code(secret: str) -> str:
    """A six-digit code that is none of the account's codes near now (the steps units takes and
    the next ones code_for hands out); it takes no step, so the right code after it waits for none."""
    now = int(time.time() // STEP)
    near = {pyotp.TOTP(secret).at(s * STEP) for s in range(now - 2, now + 4)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555", "666666") if c not in near)
