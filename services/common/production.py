"""With GONGKAI_ENV=production a process refuses to start on a development setting, saying why
in Chinese and English (and naming the variable to set):

- the token signing key, which also keys the pages' CSRF tokens (GATEWAY.JWT_SECRET, held by
  the gateway): empty, shorter than 32 characters, or a development value (config.yaml's
  default contains "dev-only" and "change-me", the Kubernetes Secret's placeholder "REPLACE-ME");
- the broker's guest account, a password equal to the user name or a placeholder (AMQP_URI;
  every process);
- PASSWORD_HASH_COST=test, the tests' cheap password hashes (every process);
- a missing data key file: services/common/crypto.py refuses it in every service already.

Subscribers' webhook signing secrets are made per subscription from the system's random source
(services/notify/webhooks.py) and have no default to refuse. Each process checks the secrets it
holds: the services are not given the gateway's signing key.
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit

from nameko.extensions import DependencyProvider

DEVELOPMENT_MARKS = ("dev-only", "change-me", "changeme", "replace-me", "insecure", "example")
MIN_SECRET_LENGTH = 32


class RefusedInProduction(RuntimeError):
    """A development setting found by a production process; the message says which and what to do."""


def in_production() -> bool:
    return os.environ.get("GONGKAI_ENV", "").strip().lower() == "production"


def cheap_password_hashes() -> bool:
    """PASSWORD_HASH_COST=test: the test clusters' setting (tests/processes.py), under which units
    hashes chosen passwords at Argon2's least cost (services/units/accounts.py); refused here."""
    return os.environ.get("PASSWORD_HASH_COST", "").strip().lower() == "test"


def secret_problem(name: str, variable: str, value: Any) -> str | None:
    text = str(value or "")
    if len(text) < MIN_SECRET_LENGTH:
        return (f"{name}（{variable}）未设置或短于 {MIN_SECRET_LENGTH} 个字符 / {variable} is unset or shorter "
                f"than {MIN_SECRET_LENGTH} characters")
    if any(mark in text.lower() for mark in DEVELOPMENT_MARKS):
        return f"{name}（{variable}）仍是开发用的默认值 / {variable} is still a development default"
    return None


def broker_problem(amqp_uri: str) -> str | None:
    parts = urlsplit(str(amqp_uri or ""))
    user, password = unquote(parts.username or "guest"), unquote(parts.password or "guest")
    if user == "guest" or password == "guest":
        return "消息队列仍用 guest 账号 / the broker is reached with its guest account (set AMQP_URI)"
    if password == user:
        return "消息队列账号的密码与用户名相同 / the broker account's password equals its user name (set AMQP_URI)"
    if any(mark in password.lower() for mark in DEVELOPMENT_MARKS):
        return "消息队列密码仍是占位值 / the broker password is still a placeholder (set AMQP_URI)"
    return None


def problems(config: dict[str, Any], service_name: str) -> list[str]:
    """What a production process named `service_name` would refuse in this config."""
    found = [broker_problem(config.get("AMQP_URI", ""))]
    if cheap_password_hashes():
        found.append("口令哈希仍是测试用的最低强度 / passwords are hashed at the test cost (unset PASSWORD_HASH_COST)")
    if service_name == "gateway":
        gateway = config.get("GATEWAY") or {}
        found.append(secret_problem("令牌签名密钥（同时用于表单 CSRF）", "GATEWAY_JWT_SECRET", gateway.get("JWT_SECRET")))
    return [problem for problem in found if problem]


def check(config: dict[str, Any], service_name: str) -> None:
    if not in_production():
        return
    found = problems(config, service_name)
    if found:
        raise RefusedInProduction(f"{service_name} 在生产环境拒绝启动 / refusing to start in production: "
                                  + "；".join(found))


class ProductionGuard(DependencyProvider):
    """Checks the process's settings when its container is set up, before anything starts."""

    def setup(self) -> None:
        check(self.container.config, self.container.service_name)
