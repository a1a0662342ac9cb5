"""Second factors: a TOTP code (RFC 6238: six digits, 30-second steps, SHA-1, as every
authenticator app reads from a QR code) after the password, for the county office and every
administrator (ALWAYS) and for the roles the county adds in config.yaml (UNITS.SECOND_FACTOR_ROLES).

Enrolment makes a secret, unconfirmed until a code from the app is typed back; confirming it
gives ten one-time recovery codes, shown once and kept only as keyed hashes
(services/common/crypto.py `blind_index`). A code is taken from the step before, the step now
or the step after (a phone's clock a little off); the step of the code taken is kept, and a
code of that step or an earlier one is refused, so a code seen once cannot be used again.
A recovery code is spent when used. The security administrator resets an account's factor
(a lost phone): the secret and its codes go, its sessions end, and the next sign-in enrols again.
"""
from __future__ import annotations

import re
import secrets
import time
from typing import Any, Iterable

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import crypto
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.common.records import utcnow

from .models import Account, RecoveryCode, SecondFactor

ALWAYS = frozenset({"inspector", "admin", "secadmin", "auditor"})
ISSUER = "党务公开"
STEP_SECONDS = 30
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_LENGTH = 10
DIGITS = re.compile(r"^\d{6}$")
WRONG_CODE = "动态验证码不对或已过期：请打开验证器应用，输入当前显示的 6 位数字。"
REPLAYED = "这个动态验证码刚才已经用过：请等验证器显示下一个新的验证码再输入。"
RECOVERY_SPENT = "这个恢复码已经用过，每个恢复码只能用一次：请换一个未用过的恢复码。"
NOT_ENROLLED = "此账号尚未绑定动态验证码：请先在工作台登录页按提示用手机扫码绑定。"


def required_roles(extra: str | Iterable[str] | None) -> frozenset[str]:
    """The roles that sign in with a second factor: ALWAYS, and those config.yaml adds
    (a comma-separated string, or a list)."""
    if isinstance(extra, str):
        extra = [part.strip() for part in extra.split(",")]
    return ALWAYS | frozenset(role for role in (extra or ()) if role)


def enrolled(session: Session, username: str) -> bool:
    factor = session.get(SecondFactor, username)
    return factor is not None and factor.confirmed_at is not None


def begin(session: Session, username: str) -> dict[str, str]:
    """The secret being enrolled (a new one, or the one not yet confirmed, so a mistyped code
    needs no second scan): its base32 text and the otpauth:// URI its QR code carries."""
    factor = session.get(SecondFactor, username)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("此账号已绑定动态验证码；如手机丢失，请联系安全管理员重置。")
    if factor is None:
        factor = SecondFactor(username=username, secret=pyotp.random_base32(), created_at=utcnow())
        session.add(factor)
    secret = factor.secret
    return {"secret": secret, "uri": pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)}


def _normal(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (step before, now or after) whose code this is, or None."""
    now = time.time() if now is None else now
    totp, current = pyotp.TOTP(secret), int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def confirm(session: Session, username: str, code: str, now: float | None = None) -> dict[str, Any]:
    """Confirm the enrolment with a code from the app: the ten recovery codes, in this answer only."""
    factor = session.get(SecondFactor, username)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("没有等待确认的动态验证码绑定：请重新开始绑定。")
    step = _step(factor.secret, _normal(code), now) if DIGITS.match(_normal(code)) else None
    if step is None:
        raise Forbidden(WRONG_CODE)
    factor.confirmed_at, factor.last_step = utcnow(), step
    return {"recovery_codes": _new_recovery_codes(session, username)}


def enrol_with(session: Session, username: str, secret: str) -> None:
    """Enrol a known secret at once (the demo accounts of a local run only)."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.username == username))
    factor = session.get(SecondFactor, username)
    if factor is None:
        session.add(SecondFactor(username=username, secret=secret, created_at=utcnow(), confirmed_at=utcnow()))
    else:
        factor.secret, factor.confirmed_at, factor.last_step = secret, utcnow(), None


def _recovery_hash(code: str) -> str:
    return crypto.blind_index(code, "recovery_codes.code")


def _new_recovery_codes(session: Session, username: str) -> list[str]:
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.username == username))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(username=username, code_hash=_recovery_hash(code), created_at=utcnow()))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def verify(session: Session, username: str, code: str | None, now: float | None = None) -> str:
    """Take a code (TOTP, or a recovery code) for the account: 'totp' or 'recovery_code'.
    Forbidden, with the reason in Chinese, for a wrong, replayed or spent code."""
    factor = session.get(SecondFactor, username)
    if factor is None or factor.confirmed_at is None:
        raise Forbidden(NOT_ENROLLED)
    code = _normal(code)
    if DIGITS.match(code):
        step = _step(factor.secret, code, now)
        if step is None:
            raise Forbidden(WRONG_CODE)
        if factor.last_step is not None and step <= factor.last_step:
            raise Forbidden(REPLAYED, {"reason": "replayed"})
        factor.last_step = step
        return "totp"
    if len(code) == RECOVERY_LENGTH:
        spare = session.scalar(sa.select(RecoveryCode).where(RecoveryCode.username == username,
                                                             RecoveryCode.code_hash == _recovery_hash(code)))
        if spare is not None and spare.used_at is not None:
            raise Forbidden(RECOVERY_SPENT, {"reason": "recovery_code_spent"})
        if spare is not None:
            spare.used_at = utcnow()
            return "recovery_code"
    raise Forbidden(WRONG_CODE)


def reset(session: Session, username: str) -> dict[str, Any]:
    """The security administrator's reset: the secret and the recovery codes go, the account's
    sessions end; its next sign-in enrols a new phone."""
    account = session.get(Account, username)
    if account is None:
        raise InvalidInput(f"没有账号 {username}：请核对用户名。")
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.username == username))
    session.execute(sa.delete(SecondFactor).where(SecondFactor.username == username))
    account.auth_version += 1
    account.updated_at = utcnow()
    return status(session, username)


def status(session: Session, username: str) -> dict[str, Any]:
    factor = session.get(SecondFactor, username)
    left = session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.username == username, RecoveryCode.used_at.is_(None))) or 0
    return {"username": username, "enrolled": factor is not None and factor.confirmed_at is not None,
            "enrolled_at": factor.confirmed_at.isoformat() if factor and factor.confirmed_at else None,
            "recovery_codes_left": left}
