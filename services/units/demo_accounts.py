"""Demo accounts for each role on the sample county, for local runs only.

    python -m services.units.demo_accounts

Idempotent; prints the accounts with their password.
"""
from __future__ import annotations

from services.common.db import standalone_unit_of_work

from . import accounts
from .models import Account

DEMO_PASSWORD = "gongkai-demo-2026"
DEMO_ACCOUNTS = (
    ("office", "inspector", None, "县委领导小组办公室"),
    ("admin", "admin", None, "系统管理员"),
    ("op-a001", "operator", "A001", "县委办 党务干事"),
    ("rv-a001", "reviewer", "A001", "县委办 书记"),
    ("member-a001", "member", "A001", "县委办 党员"),
)


def main() -> None:
    uow = standalone_unit_of_work("units")
    try:
        for username, role, unit, name in DEMO_ACCOUNTS:
            if uow.session.get(Account, username) is None:
                accounts.create(uow.session, username, DEMO_PASSWORD, role, name, unit)
        uow.commit()
    finally:
        uow.close()
    print(f"demo accounts (password {DEMO_PASSWORD}): " +
          ", ".join(f"{u} ({r}{'@' + unit if unit else ''})" for u, r, unit, _ in DEMO_ACCOUNTS))


if __name__ == "__main__":
    main()
