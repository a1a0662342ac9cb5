"""The step between a right password and the second factor: a random token, good for five
minutes and five codes, of which only the SHA-256 is kept. The console's second page and the
enrolment page present it instead of asking for the password again."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from services.common.errors import Forbidden
from services.common.records import utcnow

from .models import Account, SignInChallenge

LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
EXPIRED = "这一步登录已过期或已用过：请重新输入用户名和密码登录。"


def _digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def issue(session: Session, username: str) -> str:
    token = secrets.token_urlsafe(32)
    session.add(SignInChallenge(token_hash=_digest(token), username=username, expires_at=utcnow() + LIFETIME,
                                attempts=0))
    return token


def take(session: Session, token: str, attempt: bool = True) -> tuple[SignInChallenge, Account]:
    """The challenge and its account while it is good; one more attempt counted on it (a code
    tried; not the enrolment page shown)."""
    challenge = session.get(SignInChallenge, _digest(token))
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= utcnow() \
            or challenge.attempts >= MAX_ATTEMPTS:
        raise Forbidden(EXPIRED)
    account = session.get(Account, challenge.username)
    if account is None or not account.enabled:
        raise Forbidden(EXPIRED)
    challenge.attempts += 1 if attempt else 0
    return challenge, account


def spend(challenge: SignInChallenge) -> None:
    challenge.used_at = utcnow()
