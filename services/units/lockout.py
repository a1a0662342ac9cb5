"""Wrong passwords, counted per account (never per address, which a guesser changes at will
and a whole village office shares): from the third one in a row the account takes no new
attempt for a few seconds, doubling each time; the fifth locks it for 15 minutes, or until
the admin unlocks it. A right password ends the count. The counts are in the database, so
every replica of units and every restart sees the same.

`gongkai_login_failures_total` counts refusals by outcome in this process;
`gongkai_accounts_locked` is read from the database at scrape time.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from services.common.errors import AccountLocked, SignInSlowed
from services.common.records import utcnow

from .models import Account

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
SLOW_FROM = 3  # failures in a row before each attempt must wait
SLOW_SECONDS = 2  # the wait after the third failure; doubled after the fourth

LOGIN_FAILURES = Counter("gongkai_login_failures_total",
                         "Sign-ins refused, by outcome (wrong_password, slowed, locked).", ["outcome"])


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def check(account: Account, now: datetime | None = None) -> None:
    """Refuse an attempt on a locked account, or one that comes too soon after wrong
    passwords, before the password is looked at (so it is not counted either)."""
    now = now or utcnow()
    if account.locked_until is not None and account.locked_until > now:
        LOGIN_FAILURES.labels("locked").inc()
        wait = _seconds(account.locked_until - now)
        raise AccountLocked(f"密码连续输错 {LOCK_AFTER} 次，账号已锁定，请 {math.ceil(wait / 60)} 分钟后再试，"
                            "或请系统管理员解锁。", {"retry_after_seconds": wait})
    if account.failed_logins >= SLOW_FROM and account.last_failed_at is not None:
        ready_at = account.last_failed_at + timedelta(seconds=slow_seconds(account.failed_logins))
        if ready_at > now:
            LOGIN_FAILURES.labels("slowed").inc()
            wait = _seconds(ready_at - now)
            raise SignInSlowed(f"密码已连续输错 {account.failed_logins} 次，请 {wait} 秒后再试；"
                               f"输错 {LOCK_AFTER} 次账号将锁定 15 分钟。", {"retry_after_seconds": wait})


def slow_seconds(failures: int) -> int:
    return SLOW_SECONDS * 2 ** (failures - SLOW_FROM) if failures >= SLOW_FROM else 0


def failed(account: Account, now: datetime | None = None) -> None:
    """One more wrong password; the fifth in a row locks the account."""
    now = now or utcnow()
    LOGIN_FAILURES.labels("wrong_password").inc()
    if account.locked_until is not None and account.locked_until <= now:
        account.failed_logins = 0  # a lock that ran out starts a new count
        account.locked_until = None
    account.failed_logins += 1
    account.last_failed_at = now
    if account.failed_logins >= LOCK_AFTER:
        account.locked_until = now + LOCK_FOR


def succeeded(account: Account) -> None:
    account.failed_logins, account.last_failed_at, account.locked_until = 0, None, None


def unlock(account: Account) -> None:
    succeeded(account)


def is_locked(account: Account, now: datetime | None = None) -> bool:
    return account.locked_until is not None and account.locked_until > (now or utcnow())


def gauges(session: Session):
    """Accounts locked now (the admin may unlock them)."""
    locked = session.scalar(sa.select(sa.func.count()).select_from(Account)
                            .where(Account.locked_until > utcnow())) or 0
    family = GaugeMetricFamily("gongkai_accounts_locked",
                               "Accounts locked after too many wrong passwords, now.")
    family.add_metric([], locked)
    yield family
