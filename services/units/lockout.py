"""Wrong passwords (and wrong second-factor codes), counted per account AND source address, so
that nobody can lock an official out by guessing at their username from somewhere else:

- from one address, from the third failure in a row each attempt waits a few seconds (doubling),
  and the fifth locks THAT ADDRESS out of that account for 15 minutes; the official signing in
  from their own office is not touched;
- from many addresses (ACCOUNT_LOCK_AFTER failures within an hour from at least
  ACCOUNT_LOCK_ADDRESSES addresses: a spread guessing campaign) the account itself is locked
  for 15 minutes, the security administrator is alerted (an AccountLockedOut event that notify
  sends them, and `gongkai_account_lockouts_total`) and may unlock it earlier.

A right password from an address ends that address's count. Every attempt is kept in
sign_in_records (the account's sign-in history reads them too), an attempt refused by a lock
as `locked` (not a wrong password: it counts towards no lock); every lock is audited.
The counts are in the database, so every replica of units and every restart sees the same.

`gongkai_login_failures_total` counts refusals by outcome in this process;
`gongkai_accounts_locked` and `gongkai_address_locks` are read from the database at scrape time.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from services.common.contract import names, new_event
from services.common.db import outbox_record
from services.common.errors import AccountLocked, SignInSlowed
from services.common.records import utcnow
from services.common.workdays import COUNTY_TIMEZONE

from . import audit
from .models import Account, AddressLock, SignInRecord

LOCK_AFTER = 5  # failures in a row from one address lock that address out of the account
LOCK_FOR = timedelta(minutes=15)
SLOW_FROM = 3  # failures in a row from one address before each attempt must wait
SLOW_SECONDS = 2  # the wait after the third failure; doubled after the fourth
ACCOUNT_LOCK_AFTER = 20  # failures within ACCOUNT_WINDOW, from at least ACCOUNT_LOCK_ADDRESSES addresses
ACCOUNT_LOCK_ADDRESSES = 3
ACCOUNT_WINDOW = timedelta(hours=1)
KEEP_RECORDS = timedelta(days=180)
UNKNOWN = "unknown"  # an attempt whose address the caller did not give
LOCKED = "locked"  # the result of an attempt refused by a lock

LOGIN_FAILURES = Counter("gongkai_login_failures_total",
                         "Sign-ins refused, by outcome (wrong_password, slowed, locked).", ["outcome"])
ACCOUNT_LOCKOUTS = Counter("gongkai_account_lockouts_total",
                           "Accounts locked after failures from many addresses (the security administrator is told).")


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _county_time(moment: datetime) -> str:
    """To the minute in the county's time, rounded up (never earlier than the lock ends)."""
    local = (moment.astimezone(COUNTY_TIMEZONE) + timedelta(seconds=59)).replace(second=0, microsecond=0)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _address(address: str | None) -> str:
    return (address or UNKNOWN).strip()[:64] or UNKNOWN


def _row(session: Session, username: str, address: str) -> AddressLock | None:
    return session.get(AddressLock, (username, address))


def check(session: Session, account: Account, address: str | None, now: datetime | None = None) -> None:
    """Refuse an attempt on a locked account, from an address locked out of it, or one that
    comes too soon after wrong passwords from that address, before the password is looked at
    (so it is not counted either)."""
    now, address = now or utcnow(), _address(address)
    if is_locked(account, now):
        _refused_by_lock(session, account, address, now)
        until = _county_time(account.locked_until)
        raise AccountLocked(f"此账号在多个网络地址被输错密码，为安全已锁定，{until} 自动解锁；如需提前解锁，请联系安全管理员。",
                            {"retry_after_seconds": _seconds(account.locked_until - now)})
    row = _row(session, account.username, address)
    if row is None:
        return
    if row.locked_until is not None and row.locked_until > now:
        _refused_by_lock(session, account, address, now)
        until = _county_time(row.locked_until)
        raise AccountLocked(f"从您所在的网络地址连续输错密码 {LOCK_AFTER} 次，此地址登录该账号已暂停，{until} 自动解锁；"
                            "如需提前解锁，请联系安全管理员。",
                            {"retry_after_seconds": _seconds(row.locked_until - now)})
    if row.failures >= SLOW_FROM and row.last_failed_at is not None:
        ready_at = row.last_failed_at + timedelta(seconds=slow_seconds(row.failures))
        if ready_at > now:
            LOGIN_FAILURES.labels("slowed").inc()
            wait = _seconds(ready_at - now)
            raise SignInSlowed(f"密码已连续输错 {row.failures} 次，请 {wait} 秒后再试；"
                               f"输错 {LOCK_AFTER} 次将暂停从此地址登录 15 分钟。", {"retry_after_seconds": wait})


def _refused_by_lock(session: Session, account: Account, address: str, now: datetime) -> None:
    """An attempt while the account or this address is locked: in the account's sign-in history."""
    LOGIN_FAILURES.labels(LOCKED).inc()
    record(session, account.username, address, LOCKED, now)


def slow_seconds(failures: int) -> int:
    return SLOW_SECONDS * 2 ** (failures - SLOW_FROM) if failures >= SLOW_FROM else 0


def record(session: Session, username: str, address: str | None, result: str, now: datetime | None = None) -> None:
    """One attempt in the account's sign-in records (those older than KEEP_RECORDS go)."""
    now = now or utcnow()
    session.add(SignInRecord(username=username, address=_address(address), at=now, result=result))
    session.execute(sa.delete(SignInRecord).where(SignInRecord.username == username,
                                                  SignInRecord.at < now - KEEP_RECORDS))


def history(session: Session, username: str, limit: int = 30) -> list[dict[str, str]]:
    """The account's last sign-in attempts, newest first: when (UTC), from where, and the result."""
    rows = session.scalars(sa.select(SignInRecord).where(SignInRecord.username == username)
                           .order_by(SignInRecord.id.desc()).limit(max(1, min(limit, 100))))
    return [{"at": r.at.isoformat(), "address": r.address, "result": r.result} for r in rows]


def _audit(session: Session, action: str, account: Account, target: str, now: datetime) -> None:
    audit.append(session, {"actor": "system", "role": "system", "unit": None, "action": action,
                           "target": target, "result": 423, "at": now.isoformat(), "request_id": "lockout"})


def failed(session: Session, account: Account, address: str | None, now: datetime | None = None,
           result: str = "wrong_password") -> None:
    """One more failure from this address; the fifth in a row locks the address out of the
    account, and enough of them from enough addresses lock the account itself."""
    now, address = now or utcnow(), _address(address)
    LOGIN_FAILURES.labels("wrong_password").inc()
    record(session, account.username, address, result, now)
    row = _row(session, account.username, address)
    if row is None:
        row = AddressLock(username=account.username, address=address, failures=0)
        session.add(row)
    if row.locked_until is not None and row.locked_until <= now:
        row.failures, row.locked_until = 0, None  # a lock that ran out starts a new count
    row.failures += 1
    row.last_failed_at = now
    account.failed_logins = (account.failed_logins or 0) + 1
    account.last_failed_at = now
    if row.failures >= LOCK_AFTER and row.locked_until is None:
        row.locked_until = now + LOCK_FOR
        _audit(session, "lockout.address", account, f"{account.username} from {address}", now)
    session.flush()
    _lock_account_if_spread(session, account, now)


def _lock_account_if_spread(session: Session, account: Account, now: datetime) -> None:
    if is_locked(account, now):
        return
    failures, addresses = session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(SignInRecord.address)))
        .where(SignInRecord.username == account.username, SignInRecord.result.not_in(("ok", LOCKED)),
               SignInRecord.at > now - ACCOUNT_WINDOW)).one()
    if failures < ACCOUNT_LOCK_AFTER or addresses < ACCOUNT_LOCK_ADDRESSES:
        return
    account.locked_until = now + LOCK_FOR
    ACCOUNT_LOCKOUTS.inc()
    _audit(session, "lockout.account", account,
           f"{account.username}: {failures} failures from {addresses} addresses within the hour", now)
    session.add(outbox_record(new_event(names.ACCOUNT_LOCKED_OUT, {
        "username": account.username, "role": account.role, "unit_code": account.unit_code,
        "locked_until": account.locked_until, "failures": failures, "addresses": addresses})))


def succeeded(session: Session, account: Account, address: str | None, now: datetime | None = None) -> None:
    """A right password (and code) from this address: its count ends."""
    address = _address(address)
    record(session, account.username, address, "ok", now)
    row = _row(session, account.username, address)
    if row is not None:
        session.delete(row)
    account.failed_logins, account.last_failed_at = 0, None


def unlock(session: Session, account: Account) -> None:
    """The security administrator's unlock (or a reset): the account's lock and every
    address's lock on it end."""
    account.failed_logins, account.last_failed_at, account.locked_until = 0, None, None
    session.execute(sa.delete(AddressLock).where(AddressLock.username == account.username))


def is_locked(account: Account, now: datetime | None = None) -> bool:
    return account.locked_until is not None and account.locked_until > (now or utcnow())


def gauges(session: Session):
    """Accounts locked now (the security administrator may unlock them), and address locks now."""
    now = utcnow()
    locked = session.scalar(sa.select(sa.func.count()).select_from(Account).where(Account.locked_until > now)) or 0
    family = GaugeMetricFamily("gongkai_accounts_locked",
                               "Accounts locked after wrong passwords from many addresses, now.")
    family.add_metric([], locked)
    yield family
    addresses = session.scalar(sa.select(sa.func.count()).select_from(AddressLock)
                               .where(AddressLock.locked_until > now)) or 0
    family = GaugeMetricFamily("gongkai_address_locks",
                               "Addresses locked out of an account after wrong passwords from them, now.")
    family.add_metric([], addresses)
    yield family
