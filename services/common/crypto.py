"""Personal data encrypted at rest: contacts, officials' phones and emails.

One small interface, `Sealer`, does all of it, so a certified cryptographic module (a hardware
module or a key service) can replace the software one: `seal` and `unseal` a value bound to
the column it belongs to, `blind_index` for the lookups that need equality (a keyed HMAC), and
`key_id` to tell which key sealed a stored value (the re-encrypt command's question).

The software sealer, `KeyRing`, reads its keys from a JSON key file (GONGKAI_DATA_KEY_FILE,
default var/data-keys.json, made on first use outside production) or from the environment
(GONGKAI_DATA_KEYS, the same JSON inline)::

    {"current": "k2026a",
     "keys": {"k2026a": {"cipher": "SM4-GCM", "key": "<base64, 16 bytes>"},
              "k2025":  {"cipher": "AES-256-GCM", "key": "<base64, 32 bytes>", "expired": true}},
     "index_key": "<base64, 32 bytes>"}

A stored value reads `gk1:<key id>:<base64 of nonce, ciphertext and tag>`; the column's name
and the key id are the associated data, so a value copied into another column does not open.
The current key seals; older keys only open until `python -m services.common.rekey` has moved
their values to the current one; an expired or unknown key opens nothing: `KeyUnavailable`.

GONGKAI_DATA_SEALER=`package.module:factory` puts another implementation in place.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .config import ROOT
from .errors import DomainError

PREFIX = "gk1"
NONCE_BYTES, TAG_BYTES = 12, 16
CIPHERS = {"AES-256-GCM": (algorithms.AES, 32), "SM4-GCM": (algorithms.SM4, 16)}
DEFAULT_CIPHER = "AES-256-GCM"
DEFAULT_KEY_FILE = ROOT / "var" / "data-keys.json"


class KeyUnavailable(DomainError):
    """A stored value sealed under a key this process does not have, or has expired."""
    status, code = 500, "key_unavailable"


class CipherUnavailable(RuntimeError):
    """The configured cipher is not offered by this host's OpenSSL, or the key file is unusable:
    the process refuses to start."""


class Sealer(Protocol):
    def seal(self, plaintext: str, column: str) -> str: ...

    def unseal(self, stored: str, column: str) -> str: ...

    def blind_index(self, value: str, column: str) -> str: ...

    def key_id(self, stored: str) -> str: ...

    def usable(self, key_id: str) -> bool: ...

    @property
    def current(self) -> str: ...

    def check(self) -> None: ...


@dataclass(frozen=True)
class Key:
    id: str
    cipher: str
    secret: bytes
    expired: bool = False


def cipher_offered(name: str) -> bool:
    """Whether this host's OpenSSL offers the cipher (SM4 is left out of some builds)."""
    algorithm, size = CIPHERS[name]
    try:
        encryptor = Cipher(algorithm(bytes(size)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
        encryptor.update(b"x")
        encryptor.finalize()
        return True
    except UnsupportedAlgorithm:
        return False


class KeyRing:
    """The software sealer: keys with ids, GCM from `cryptography` (OpenSSL)."""

    def __init__(self, spec: dict[str, Any]):
        try:
            self.keys = {kid: Key(kid, k.get("cipher", DEFAULT_CIPHER), base64.b64decode(k["key"]),
                                  bool(k.get("expired"))) for kid, k in spec["keys"].items()}
            self._current = spec["current"]
            self.index_key = base64.b64decode(spec["index_key"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CipherUnavailable(f"数据密钥配置不完整（{exc!r}）/ the data key file is incomplete ({exc!r})") from None

    @property
    def current(self) -> str:
        return self._current

    def check(self) -> None:
        """Refuse to start on a cipher the host lacks, a wrong key size, or an unusable current key."""
        for key in self.keys.values():
            if key.cipher not in CIPHERS:
                raise CipherUnavailable(f"密钥 {key.id} 的算法 {key.cipher} 不受支持（可用：{'、'.join(CIPHERS)}）/ "
                                        f"key {key.id}: cipher {key.cipher} is not supported ({', '.join(CIPHERS)})")
            if not cipher_offered(key.cipher):
                raise CipherUnavailable(f"本机 OpenSSL 不提供 {key.cipher}，拒绝启动 / "
                                        f"this host's OpenSSL does not offer {key.cipher}: refusing to start")
            if len(key.secret) != CIPHERS[key.cipher][1]:
                raise CipherUnavailable(f"密钥 {key.id} 长度应为 {CIPHERS[key.cipher][1]} 字节 / "
                                        f"key {key.id} must be {CIPHERS[key.cipher][1]} bytes for {key.cipher}")
        current = self.keys.get(self._current)
        if current is None or current.expired:
            raise CipherUnavailable(f"当前数据密钥 {self._current} 不存在或已过期 / "
                                    f"the current data key {self._current} is missing or expired")
        if len(self.index_key) < 32:
            raise CipherUnavailable("索引密钥至少 32 字节 / the index key must be at least 32 bytes")

    def _key(self, kid: str) -> Key:
        key = self.keys.get(kid)
        if key is None:
            raise KeyUnavailable(f"密钥 {kid} 不存在，无法解密个人信息", {"key_id": kid})
        if key.expired:
            raise KeyUnavailable(f"密钥 {kid} 已过期，无法解密个人信息", {"key_id": kid})
        return key

    def seal(self, plaintext: str, column: str) -> str:
        key = self._key(self._current)
        nonce = secrets.token_bytes(NONCE_BYTES)
        encryptor = Cipher(CIPHERS[key.cipher][0](key.secret), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(f"{column}|{key.id}".encode())
        body = encryptor.update(plaintext.encode()) + encryptor.finalize()
        return f"{PREFIX}:{key.id}:{base64.b64encode(nonce + body + encryptor.tag).decode()}"

    def unseal(self, stored: str, column: str) -> str:
        kid = self.key_id(stored)
        key = self._key(kid)
        try:
            raw = base64.b64decode(stored.split(":", 2)[2], validate=True)
        except ValueError:
            raw = b""
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise KeyUnavailable("个人信息未加密或格式不符", {"key_id": kid})
        nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        decryptor = Cipher(CIPHERS[key.cipher][0](key.secret), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(f"{column}|{kid}".encode())
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode()
        except InvalidTag:
            raise KeyUnavailable(f"个人信息密文校验失败（密钥 {kid}）", {"key_id": kid}) from None

    def usable(self, key_id: str) -> bool:
        key = self.keys.get(key_id)
        return key is not None and not key.expired

    def key_id(self, stored: str) -> str:
        prefix, kid, _ = (stored.split(":", 2) + ["", ""])[:3]
        if prefix != PREFIX or not kid:
            raise KeyUnavailable("个人信息未加密或格式不符", {"key_id": None})
        return kid

    def blind_index(self, value: str, column: str) -> str:
        normal = value.strip().lower()
        return hmac.new(self.index_key, f"{column}\x00{normal}".encode(), hashlib.sha256).hexdigest()


def new_key_spec(cipher: str = DEFAULT_CIPHER, kid: str | None = None) -> dict[str, Any]:
    """A fresh key file's content: one current key of `cipher` and an index key."""
    kid = kid or "k" + secrets.token_hex(4)
    return {"current": kid, "keys": {kid: {"cipher": cipher, "key": _b64(secrets.token_bytes(CIPHERS[cipher][1]))}},
            "index_key": _b64(secrets.token_bytes(32))}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _key_file() -> Path:
    return Path(os.environ.get("GONGKAI_DATA_KEY_FILE") or DEFAULT_KEY_FILE)


def _load_spec() -> dict[str, Any]:
    inline = os.environ.get("GONGKAI_DATA_KEYS")
    if inline:
        return json.loads(inline)
    path = _key_file()
    if not path.exists():
        if os.environ.get("GONGKAI_ENV") == "production":
            raise CipherUnavailable(f"缺少数据密钥文件 {path}，拒绝启动 / the data key file {path} is missing: refusing to start")
        _create_key_file(path, os.environ.get("GONGKAI_DATA_CIPHER") or DEFAULT_CIPHER)
    return json.loads(path.read_text(encoding="utf-8"))


def _create_key_file(path: Path, cipher: str) -> None:
    """A development key file, made once: two processes starting together keep the first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as tmp:
        json.dump(new_key_spec(cipher), tmp, indent=2)
    os.chmod(tmp.name, 0o600)
    try:
        os.link(tmp.name, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp.name)


_sealer: Sealer | None = None


def sealer() -> Sealer:
    """The process's sealer, made and checked on first use."""
    global _sealer
    if _sealer is None:
        factory = os.environ.get("GONGKAI_DATA_SEALER")
        if factory:
            module, _, name = factory.partition(":")
            made = getattr(importlib.import_module(module), name)()
        else:
            made = KeyRing(_load_spec())
        made.check()
        _sealer = made
    return _sealer


def reset(replacement: Sealer | None = None) -> None:
    """Forget the process's sealer (the key file changed), or put `replacement` in its place."""
    global _sealer
    _sealer = replacement


def check() -> None:
    """At a service's start: the keys load and the host offers their ciphers, or it stops."""
    sealer()


def blind_index(value: str | None, column: str) -> str | None:
    return None if value is None else sealer().blind_index(value, column)


class Sealed(sa.types.TypeDecorator):
    """A text column holding its value sealed: the model reads and writes plaintext."""
    impl = sa.Text
    cache_ok = True

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else sealer().seal(value, self.column)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else sealer().unseal(value, self.column)
