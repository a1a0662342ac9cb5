"""Accounts of officials and of the county office's staff: a login, a password hashed with
Argon2 (argon2-cffi), a role and a unit scope. Disabling an account, changing its role or
unit, or setting its password raises its auth_version, which ends its sessions (a refresh
under an older version is refused).

The admin hands out one-time passwords (a reset, or bulk provisioning in provisioning.py):
the account must change it at its first sign-in. Wrong passwords are counted per account and
source address (lockout.py): an address is slowed, then locked out of the account for 15
minutes; failures from many addresses lock the account and alert the security administrator."""
from __future__ import annotations

import re
import secrets
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from eventlet import tpool
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from services.common import i18n, production
from services.common.actor import ADMINISTRATORS
from services.common.contract import names, new_event
from services.common.db import outbox_record
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.records import utcnow

from . import lockout, password_policy
from .models import Account, AddressLock, Unit

ROLES = ("member", "operator", "reviewer", "inspector", "admin", "secadmin", "auditor")
UNIT_ROLES = ("member", "operator", "reviewer")  # these act for one unit
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

# argon2-cffi's default cost; PASSWORD_HASH_COST=test (the test clusters' setting, refused in
# production by services/common/production.py) takes its least, as the rule tests do
hasher = (PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if production.cheap_password_hashes()
          else PasswordHasher())
# one-time passwords are long random strings, not words a person chose, so a cheaper hash
# does (a batch of hundreds is made at once); the first sign-in replaces it with a chosen one
one_time_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
# verified against when the username is unknown, so both failures take as long
_DUMMY_HASH = hasher.hash("not-a-real-password")
# no 0/O, 1/l/I: read aloud or copied from paper without mistakes
ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH = 12
WRONG_PASSWORD = "用户名或密码不对，请核对后重试。"


def view(account: Account) -> dict[str, Any]:
    """An account as callers see it: never the hash."""
    return {"username": account.username, "display_name": account.display_name, "role": account.role,
            "unit_code": account.unit_code, "enabled": account.enabled, "auth_version": account.auth_version,
            "must_change_password": bool(account.must_change_password),
            "failed_logins": account.failed_logins or 0, "locked": lockout.is_locked(account),
            "locked_until": account.locked_until.isoformat() if lockout.is_locked(account) else None}


def off_hub(fn, *args):
    """Argon2 takes the CPU for a good part of a second by design: run it in a native thread,
    so the rest of this process (other RPCs, the outbox relay, timers) goes on meanwhile
    instead of queueing behind every sign-in."""
    return tpool.execute(fn, *args)


def one_time_password() -> str:
    """12 characters with a lower-case letter, a capital and a digit among them, so that the
    password handed out meets the password rules it is checked against (password_policy)."""
    chosen = [secrets.choice([ch for ch in ONE_TIME_ALPHABET if kind(ch)]) for kind in (str.islower, str.isupper, str.isdigit)]
    chosen += [secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_LENGTH - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def _check_scope(session: Session, role: str, unit_code: str | None) -> None:
    if role not in ROLES:
        raise InvalidInput(f"角色应为其中之一：{'、'.join(ROLES)}")
    if role in UNIT_ROLES:
        if not unit_code:
            raise InvalidInput(f"{i18n.term('role', role)}账号须指定所属单位（unit_code）。")
        unit = session.get(Unit, unit_code)
        if unit is None or unit.status != "active":
            raise InvalidInput(f"单位 {unit_code} 不是在册的现有单位：请先核对单位代码。")
    elif unit_code:
        raise InvalidInput(f"{i18n.term('role', role)}账号在全县范围工作，不指定单位：请去掉 unit_code。")


def create(session: Session, username: str, password: str | None, role: str, display_name: str,
           unit_code: str | None = None) -> dict[str, Any]:
    """A new account. Without a password it gets a one-time password, to be changed at the
    first sign-in: it is in this answer (`password`) only."""
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput("用户名为 3–64 位小写字母、数字、点、横线或下划线，以字母或数字开头。")
    if password is not None:
        password_policy.check(password, username)
    _check_scope(session, role, unit_code)
    if session.get(Account, username) is not None:
        raise Conflict(f"用户名 {username} 已被占用：请换一个。")
    one_time = one_time_password() if password is None else None
    digest = one_time_hasher.hash(one_time) if one_time else off_hub(hasher.hash, password)
    account = Account(username=username, display_name=display_name or username, password_hash=digest,
                      role=role, unit_code=unit_code, enabled=True, auth_version=1, created_at=utcnow(),
                      updated_at=utcnow(), must_change_password=one_time is not None, failed_logins=0,
                      password_changed_at=utcnow())
    session.add(account)
    if one_time is None:
        session.flush()
        password_policy.remember(session, username, digest)
    announce(session, account, names.ACCOUNT_CREATED)
    return {**view(account), **({"password": one_time} if one_time else {})}


def _load(session: Session, username: str) -> Account:
    account = session.get(Account, (username or "").strip().lower())
    if account is None:
        raise NotFound(f"没有账号 {username}：请核对用户名。")
    return account


def authenticate(session: Session, username: str, password: str,
                 second_factor_roles: frozenset[str] = frozenset(), address: str | None = None) -> dict[str, Any]:
    """The account, if the password is right and the account enabled. The refusal does not
    say which of username or password was wrong. A wrong password counts towards the
    account's lockout (the caller commits the count: refusals included). For a role in
    `second_factor_roles` the count ends only when the second factor is taken too."""
    # a lone surrogate, say: no such password
    if not (password_policy.encodable(username) and password_policy.encodable(password)):
        raise Forbidden(WRONG_PASSWORD)
    account = session.get(Account, (username or "").strip().lower())
    if account is not None:
        lockout.check(session, account, address)
    try:
        off_hub(hasher.verify, account.password_hash if account else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        if account is not None:
            lockout.failed(session, account, address)
        raise Forbidden(WRONG_PASSWORD) from None
    if account is None:
        raise Forbidden(WRONG_PASSWORD)
    if not account.enabled:
        raise Forbidden("这个账号已停用：请联系县委领导小组办公室或系统管理员。")
    if account.role not in second_factor_roles:
        lockout.succeeded(session, account, address)
    if not account.must_change_password and hasher.check_needs_rehash(account.password_hash):
        account.password_hash = off_hub(hasher.hash, password)
    return view(account)


def change_password(session: Session, username: str, current: str, new: str,
                    address: str | None = None) -> Account:
    """The account's own new password, given the current one (a one-time one included).
    Ends its other sessions (auth_version); the caller opens a new one."""
    account = session.get(Account, (username or "").strip().lower())
    authenticate(session, username, current, address=address)
    password_policy.check(new, account.username)
    if new == current:
        raise InvalidInput("新密码不能与当前密码相同：请另设一个。")
    off_hub(password_policy.check_not_reused, hasher, password_policy.recent_hashes(session, account.username), new)
    account.password_hash, account.must_change_password = off_hub(hasher.hash, new), False
    account.auth_version += 1
    account.updated_at = account.password_changed_at = utcnow()
    password_policy.remember(session, account.username, account.password_hash)
    return account


def reset_password(session: Session, username: str) -> dict[str, Any]:
    """A one-time password for the account, in this answer only; its sessions end, a lock
    is lifted, and the next sign-in must change it."""
    account = _load(session, username)
    password = one_time_password()
    account.password_hash, account.must_change_password = one_time_hasher.hash(password), True
    account.auth_version += 1
    account.updated_at = utcnow()
    lockout.unlock(session, account)
    return {**view(account), "password": password}


def unlock(session: Session, username: str) -> dict[str, Any]:
    account = _load(session, username)
    lockout.unlock(session, account)
    account.updated_at = utcnow()
    return view(account)


def announce(session: Session, account: Account, event_type: str) -> None:
    """AccountCreated / AccountChanged / AccountDisabled into the outbox, in this transaction:
    who holds which account (never the hash nor any secret), for notify's inbox and preferences."""
    session.add(outbox_record(new_event(event_type, {
        "username": account.username, "revision": account.auth_version, "display_name": account.display_name,
        "role": account.role, "unit_code": account.unit_code, "enabled": account.enabled})))


def _not_the_last(session: Session, account: Account, what: str) -> None:
    """The last enabled account of one of the three administrators is never disabled nor given
    another role: the county would be left without that administrator."""
    if account.role not in ADMINISTRATORS or not account.enabled:
        return
    others = session.scalar(sa.select(sa.func.count()).select_from(Account).where(
        Account.role == account.role, Account.enabled.is_(True), Account.username != account.username)) or 0
    if not others:
        username, role = account.username, i18n.term("role", account.role)
        raise Conflict(f"{username} 是最后一个在用的{role}账号，不能{what}：请先开设另一个。")


def set_enabled(session: Session, username: str, enabled: bool) -> dict[str, Any]:
    account = _load(session, username)
    if not enabled:
        _not_the_last(session, account, "停用")
    if account.enabled != enabled:
        account.enabled, account.updated_at = enabled, utcnow()
        account.auth_version += 1
        announce(session, account, names.ACCOUNT_CHANGED if enabled else names.ACCOUNT_DISABLED)
    return view(account)


def change_role(session: Session, username: str, role: str, unit_code: str | None) -> dict[str, Any]:
    account = _load(session, username)
    _check_scope(session, role, unit_code)
    if account.role != role:
        _not_the_last(session, account, "改为其他角色")
    if (account.role, account.unit_code) != (role, unit_code):
        account.role, account.unit_code, account.updated_at = role, unit_code, utcnow()
        account.auth_version += 1
        announce(session, account, names.ACCOUNT_CHANGED)
    return view(account)


def get(session: Session, username: str) -> dict[str, Any]:
    return view(_load(session, username))


def list_accounts(session: Session, unit_code: str | None = None, role: str | None = None,
                  limit: int | None = None, after: str | None = None, q: str | None = None,
                  locked: bool = False) -> list[dict[str, Any]]:
    """Accounts in username order, by unit and role (after a username, for the next page)."""
    query = sa.select(Account).order_by(Account.username)
    if unit_code:
        query = query.where(Account.unit_code == unit_code)
    if role:
        query = query.where(Account.role == role)
    if after:
        query = query.where(Account.username > after)
    if q:
        pattern = "%" + q.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(sa.or_(Account.username.like(pattern), Account.display_name.like(pattern)))
    if locked:  # the account locked, or an address locked out of it: the security administrator unlocks both
        query = query.where(sa.or_(Account.locked_until > utcnow(), Account.username.in_(
            sa.select(AddressLock.username).where(AddressLock.locked_until > utcnow()))))
    if limit:
        query = query.limit(limit)
    return [view(a) for a in session.scalars(query)]
