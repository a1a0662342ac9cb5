"""Access tokens: short-lived HS256 JWTs carrying who the caller is, their role, their
unit and their account's auth_version. People get them from POST /api/v1/auth/token (with
a password, then with the rotating refresh token); other county systems use API keys.

Roles are those of the design: public (no token), member, operator, reviewer, inspector,
admin, subscriber. For scripts and local runs an operator of the system can also mint one:

    python -m gateway.auth --user op-a001 --role operator --unit A001
"""
from __future__ import annotations

import argparse
import hashlib
import time
from typing import Any

import jwt

from services.common.actor import ROLES
from services.common.config import load_config

from .errors import unauthorized

ISSUER = "gongkai"


def mint_token(secret: str, username: str, role: str, unit: str | None, ttl_seconds: int = 900,
               auth_version: int = 0) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    now = int(time.time())
    claims = {"sub": username, "role": role, "unit": unit, "ver": auth_version, "iat": now,
              "exp": now + ttl_seconds, "iss": ISSUER}
    return jwt.encode(claims, secret, algorithm="HS256")


# API keys in force, by SHA-256 digest: refreshed from the units service every half
# minute and at once when this gateway makes or revokes one, so no call per request
_api_keys: dict[str, str] = {}


def set_api_keys(keys: list[dict[str, str]]) -> None:
    global _api_keys
    _api_keys = {key["digest"]: key["name"] for key in keys}


def actor_from_request(headers: Any, secret: str) -> dict[str, Any] | None:
    """The caller, from a bearer token or an API key; None for an anonymous caller."""
    api_key = headers.get("X-API-Key")
    if api_key:
        name = _api_keys.get(hashlib.sha256(api_key.encode()).hexdigest())
        if name is None:
            raise unauthorized("the API key is not valid")
        return {"username": name, "role": "subscriber", "unit": None}
    return actor_from_header(headers.get("Authorization"), secret)


def actor_from_header(header: str | None, secret: str) -> dict[str, Any] | None:
    """The caller a bearer token names; None without one."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("use 'Authorization: Bearer <token>'")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["exp", "sub", "role"]})
    except jwt.ExpiredSignatureError:
        raise unauthorized("the token has expired; get a new one") from None
    except jwt.InvalidTokenError:
        raise unauthorized("the token is not valid") from None
    if claims["role"] not in ROLES:
        raise unauthorized("the token names an unknown role")
    return {"username": claims["sub"], "role": claims["role"], "unit": claims.get("unit")}


def main() -> None:
    parser = argparse.ArgumentParser(description="Mint an access token for the gateway.")
    parser.add_argument("--user", required=True)
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--unit")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="seconds (default 8 hours)")
    args = parser.parse_args()
    secret = load_config()["GATEWAY"]["JWT_SECRET"]
    print(mint_token(secret, args.user, args.role, args.unit, args.ttl))


if __name__ == "__main__":
    main()
