"""Demo accounts for each role on the sample county, for local runs only.

    python -m services.units.demo_accounts

Idempotent; prints the accounts with their password. The accounts whose role signs in with a
second factor (services/units/second_factor.py) are enrolled with a TOTP secret written to
var/demo-otp.json (`{"username": "BASE32SECRET"}`; GONGKAI_DEMO_OTP_FILE puts it elsewhere) and
printed, so that scripts and a newcomer can sign in: a secret already in that file is reused, so
every database loaded on this machine takes the same codes. Demo only: never in production.
"""
from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pyotp

from services.common.config import ROOT
from services.common.db import standalone_unit_of_work

from . import accounts, second_factor
from .models import Account, SecondFactor

DEMO_PASSWORD = "gongkai-demo-2026"
DEMO_ACCOUNTS = (
    ("office", "inspector", None, "县委领导小组办公室"),
    ("admin", "admin", None, "系统管理员"),
    ("secadmin", "secadmin", None, "安全管理员"),
    ("auditor", "auditor", None, "审计管理员"),
    ("op-a001", "operator", "A001", "县委办 党务干事"),
    ("rv-a001", "reviewer", "A001", "县委办 书记"),
    ("member-a001", "member", "A001", "县委办 党员"),
)


def demo_otp_file() -> Path:
    return Path(os.environ.get("GONGKAI_DEMO_OTP_FILE") or ROOT / "var" / "demo-otp.json")


def demo_otp_secrets() -> dict[str, str]:
    path = demo_otp_file()
    return json.loads(path.read_text()) if path.exists() else {}


def _enrol_demo(session, usernames: list[str]) -> dict[str, str]:
    """Each account enrolled with its secret from the file (made and written when missing)."""
    path = demo_otp_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # loaders of several databases at once agree on one secret
        secrets = demo_otp_secrets()
        for username in usernames:
            secrets.setdefault(username, pyotp.random_base32())
            factor = session.get(SecondFactor, username)
            if factor is None or factor.confirmed_at is None or factor.secret != secrets[username]:
                second_factor.enrol_with(session, username, secrets[username])
        path.write_text(json.dumps(secrets, indent=2) + "\n")
    return {u: secrets[u] for u in usernames}


def main() -> None:
    uow = standalone_unit_of_work("units")
    try:
        for username, role, unit, name in DEMO_ACCOUNTS:
            if uow.session.get(Account, username) is None:
                accounts.create(uow.session, username, DEMO_PASSWORD, role, name, unit)
        factor_roles = second_factor.required_roles(os.environ.get("SECOND_FACTOR_ROLES"))
        enrolled = _enrol_demo(uow.session, [u for u, role, _, _ in DEMO_ACCOUNTS if role in factor_roles])
        uow.commit()
    finally:
        uow.close()
    print(f"demo accounts (password {DEMO_PASSWORD}): " +
          ", ".join(f"{u} ({r}{'@' + unit if unit else ''})" for u, r, unit, _ in DEMO_ACCOUNTS))
    print(f"second factor (TOTP secrets, demo only, in {demo_otp_file()}): " +
          ", ".join(f"{u} {s}" for u, s in enrolled.items()))


if __name__ == "__main__":
    main()
