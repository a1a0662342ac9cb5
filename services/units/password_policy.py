"""The rules a password a person chooses must meet (GB/T 22239-2019 8.1.4.1 a, as assessors read
it): at least 8 characters from 3 of the 4 classes (lower case, upper case, digits, anything
else), or a passphrase of 16 characters or more; not containing the username; none of the
account's last 5 passwords; not on the common-password list (data/common_passwords.txt).
A password also expires after a number of days set per role (UNITS.PASSWORD_MAX_AGE_DAYS,
0 = never): an expired one signs in only to the change-password page (sessions.login).

One-time passwords made by the administrators are random and must be changed at the first
sign-in: they are not chosen, so these rules and the history do not apply to them."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Mapping

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from services.common.config import ROOT
from services.common.errors import InvalidInput
from services.common.records import utcnow

from .models import Account, PasswordHistory

MIN_LENGTH = 8
PASSPHRASE_LENGTH = 16
MAX_LENGTH = 128
MIN_CLASSES = 3
HISTORY = 5  # the new password is none of the account's last five
COMMON_LIST = ROOT / "data" / "common_passwords.txt"
# the office and the three administrators, unless configured otherwise; other roles never expire
DEFAULT_MAX_AGE_DAYS = {"inspector": 90, "admin": 90, "secadmin": 90, "auditor": 90}


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The list, in lower case (read once per process)."""
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def classes(password: str) -> int:
    """How many of lower case, upper case, digits (ASCII) and other characters (symbols, spaces,
    Chinese characters) the password has."""
    return sum((any("a" <= c <= "z" for c in password), any("A" <= c <= "Z" for c in password),
                any("0" <= c <= "9" for c in password), any(not (c.isascii() and c.isalnum()) for c in password)))


def encodable(text: str | None) -> bool:
    """Text that can be stored and hashed: no lone surrogate, no NUL."""
    try:
        (text or "").encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in (text or "")


def check(password: str | None, username: str) -> None:
    """InvalidInput naming the rule the password breaks; nothing when it keeps them all."""
    password = password or ""
    if not encodable(password):
        raise InvalidInput("密码中有无法识别的字符，请只用常见的文字、数字和符号。")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"密码最多 {MAX_LENGTH} 个字符：请设短一些。")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_LENGTH} 个字符，并包含大写字母、小写字母、数字、符号中的至少 3 类；"
                           f"或用 {PASSPHRASE_LENGTH} 个字符以上的一句好记的话。")
    if len(password) < PASSPHRASE_LENGTH and classes(password) < MIN_CLASSES:
        raise InvalidInput(f"密码须包含大写字母、小写字母、数字、符号中的至少 {MIN_CLASSES} 类；"
                           f"或用 {PASSPHRASE_LENGTH} 个字符以上的一句好记的话。")
    lowered = password.lower()
    if username and username.lower() in lowered:
        raise InvalidInput("密码不能包含用户名：请另设一个。")
    if lowered in common_passwords() or "".join(lowered.split()) in common_passwords():
        raise InvalidInput("这个密码在常见密码表中，很容易被猜中：请另设一个。")


def _matches(hasher: PasswordHasher, digest: str, password: str) -> bool:
    try:
        return hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def recent_hashes(session: Session, username: str) -> list[str]:
    return list(session.scalars(sa.select(PasswordHistory.password_hash)
                                .where(PasswordHistory.username == username)
                                .order_by(PasswordHistory.id.desc()).limit(HISTORY)))


def check_not_reused(hasher: PasswordHasher, hashes: list[str], password: str) -> None:
    """InvalidInput if the password is one of these (the account's last five)."""
    if any(_matches(hasher, digest, password) for digest in hashes):
        raise InvalidInput(f"新密码不能与最近 {HISTORY} 次用过的密码相同：请另设一个。")


def remember(session: Session, username: str, digest: str, now: datetime | None = None) -> None:
    """The chosen password's hash kept in the history; only the last five are kept."""
    session.add(PasswordHistory(username=username, password_hash=digest, set_at=now or utcnow()))
    session.flush()
    keep = sa.select(PasswordHistory.id).where(PasswordHistory.username == username) \
        .order_by(PasswordHistory.id.desc()).limit(HISTORY).scalar_subquery()
    session.execute(sa.delete(PasswordHistory).where(PasswordHistory.username == username,
                                                     PasswordHistory.id.not_in(keep)))


def max_ages(setting: str | Mapping[str, int] | None) -> dict[str, int]:
    """UNITS.PASSWORD_MAX_AGE_DAYS: "role=days,role=days" (or a mapping); a role not named
    never expires (0). Without a setting, the office and the administrators: 90 days."""
    if setting is None or (isinstance(setting, str) and not setting.strip()):
        return dict(DEFAULT_MAX_AGE_DAYS)
    if isinstance(setting, Mapping):
        return {str(role): int(days) for role, days in setting.items()}
    ages = {}
    for part in setting.split(","):
        role, _, days = part.partition("=")
        if not role.strip() or not days.strip().isdigit():
            raise ValueError(f"UNITS.PASSWORD_MAX_AGE_DAYS: expected role=days, got {part!r}")
        ages[role.strip()] = int(days)
    return ages


def expired(account: Account, ages: Mapping[str, int], now: datetime | None = None) -> int:
    """The role's maximum age in days if the account's password is older than it, else 0."""
    days = int(ages.get(account.role, 0) or 0)
    changed = account.password_changed_at or account.created_at
    if days <= 0 or changed is None:
        return 0
    return days if (now or utcnow()) - changed > timedelta(days=days) else 0
