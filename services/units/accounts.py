"""Accounts of officials and of the county office's staff: a login, a password hashed with
Argon2 (argon2-cffi), a role and a unit scope. Disabling an account, or changing its role
or unit, raises its auth_version, which the gateway checks to refuse older tokens."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.records import utcnow

from .models import Account, Unit

ROLES = ("member", "operator", "reviewer", "inspector", "admin")
UNIT_ROLES = ("member", "operator", "reviewer")  # these act for one unit
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 10

hasher = PasswordHasher()
# verified against when the username is unknown, so both failures take as long
_DUMMY_HASH = hasher.hash("not-a-real-password")



def view(account: Account) -> dict[str, Any]:
    """An account as callers see it: never the hash."""
    return {"username": account.username, "display_name": account.display_name, "role": account.role,
            "unit_code": account.unit_code, "enabled": account.enabled, "auth_version": account.auth_version}


def _check_scope(session: Session, role: str, unit_code: str | None) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if role in UNIT_ROLES:
        if not unit_code:
            raise InvalidInput(f"a {role} account needs the unit it acts for")
        unit = session.get(Unit, unit_code)
        if unit is None or unit.status != "active":
            raise InvalidInput(f"unit {unit_code} is not an active unit")
    elif unit_code:
        raise InvalidInput(f"a {role} account acts county-wide and takes no unit")


def create(session: Session, username: str, password: str, role: str, display_name: str,
           unit_code: str | None = None) -> dict[str, Any]:
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput("a username is 3–64 lower-case letters, digits, dots, dashes or underscores")
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters")
    _check_scope(session, role, unit_code)
    if session.get(Account, username) is not None:
        raise Conflict(f"the username {username} is taken")
    account = Account(username=username, display_name=display_name or username, password_hash=hasher.hash(password),
                      role=role, unit_code=unit_code, enabled=True, auth_version=1, created_at=utcnow(),
                      updated_at=utcnow())
    session.add(account)
    return view(account)


def _load(session: Session, username: str) -> Account:
    account = session.get(Account, (username or "").strip().lower())
    if account is None:
        raise NotFound(f"no account {username}")
    return account


def authenticate(session: Session, username: str, password: str) -> dict[str, Any]:
    """The account, if the password is right and the account enabled. The refusal does not
    say which of username or password was wrong."""
    account = session.get(Account, (username or "").strip().lower())
    try:
        hasher.verify(account.password_hash if account else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        raise Forbidden("wrong username or password") from None
    if account is None:
        raise Forbidden("wrong username or password")
    if not account.enabled:
        raise Forbidden("this account is disabled; ask the county office")
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    return view(account)


def set_enabled(session: Session, username: str, enabled: bool) -> dict[str, Any]:
    account = _load(session, username)
    if account.enabled != enabled:
        account.enabled, account.updated_at = enabled, utcnow()
        account.auth_version += 1
    return view(account)


def change_role(session: Session, username: str, role: str, unit_code: str | None) -> dict[str, Any]:
    account = _load(session, username)
    _check_scope(session, role, unit_code)
    if (account.role, account.unit_code) != (role, unit_code):
        account.role, account.unit_code, account.updated_at = role, unit_code, utcnow()
        account.auth_version += 1
    return view(account)


def get(session: Session, username: str) -> dict[str, Any]:
    return view(_load(session, username))


def list_accounts(session: Session, unit_code: str | None = None, role: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(Account).order_by(Account.username)
    if unit_code:
        query = query.where(Account.unit_code == unit_code)
    if role:
        query = query.where(Account.role == role)
    return [view(a) for a in session.scalars(query)]
