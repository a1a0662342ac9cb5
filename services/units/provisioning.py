"""Bulk provisioning: every active unit of the registry (or of one town's subtree) gets an
operator (党务干事) and a reviewer (书记) account, op-<code> and rv-<code>, each with a
one-time password to be changed at the first sign-in.

Idempotent: a unit that already has an enabled account in that role keeps it (the row says
so, without a password), so running it again creates nothing and shows no password twice.
A username already taken by an account of another unit or role is reported, not changed.

It works a page of units at a time (in code order, after the last code of the page before),
so each call is short; the gateway pages through and builds the .xlsx to hand out.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.errors import InvalidInput

from . import accounts
from .models import Account, Unit
from .registry import load_unit
from .tree import subtree_codes

ROLES = (("operator", "op", "党务干事"), ("reviewer", "rv", "书记"))
PAGE = 50


def username_for(prefix: str, code: str) -> str:
    return f"{prefix}-{code.lower()}"


def provision(session: Session, town: str | None = None, after: str | None = None,
              limit: int = PAGE) -> dict[str, Any]:
    """One page: {"rows": [...], "next": the last code when there may be more}. A row is
    {unit_code, unit_name, role, username, display_name, status (created, existing,
    taken), password (created ones only)}."""
    if town:
        unit = load_unit(session, town)
        if unit.status != "active":
            raise InvalidInput(f"单位 {town} 已{'合并' if unit.status == 'merged' else '撤销'}，不能为它开设账号。")
    limit = max(1, min(int(limit), 200))
    query = sa.select(Unit).where(Unit.status == "active").order_by(Unit.code).limit(limit)
    if town:
        query = query.where(Unit.code.in_(subtree_codes(town)))
    if after:
        query = query.where(Unit.code > after)
    units = list(session.scalars(query))
    held = _enabled_accounts(session, [u.code for u in units])
    rows = []
    for unit in units:
        for role, prefix, title in ROLES:
            rows.append(_one(session, unit, role, prefix, title, held.get((unit.code, role))))
    return {"rows": rows, "next": units[-1].code if len(units) == limit else None}


def _enabled_accounts(session: Session, codes: list[str]) -> dict[tuple[str, str], Account]:
    if not codes:
        return {}
    found = session.scalars(sa.select(Account).where(Account.unit_code.in_(codes), Account.enabled.is_(True))
                            .order_by(Account.username))
    held: dict[tuple[str, str], Account] = {}
    for account in found:
        held.setdefault((account.unit_code, account.role), account)
    return held


def _one(session: Session, unit: Unit, role: str, prefix: str, title: str,
         existing: Account | None) -> dict[str, Any]:
    row = {"unit_code": unit.code, "unit_name": unit.name, "role": role, "password": None}
    if existing is not None:
        return {**row, "username": existing.username, "display_name": existing.display_name, "status": "existing"}
    username = username_for(prefix, unit.code)
    taken = session.get(Account, username)
    if taken is not None:
        return {**row, "username": username, "display_name": taken.display_name, "status": "taken"}
    made = accounts.create(session, username, None, role, f"{unit.name} {title}", unit.code)
    session.flush()
    return {**row, "username": username, "display_name": made["display_name"], "status": "created",
            "password": made["password"]}
