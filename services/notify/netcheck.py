"""Where a subscriber's webhook may point: http(s) only, never at private, loopback,
link-local or otherwise internal addresses (SSRF), unless the config's allow-list
(NOTIFY WEBHOOK_ALLOW: addresses or networks, e.g. 127.0.0.1 or 10.20.0.0/16) names it.
Checked when the webhook is made and again before each POST (DNS may change)."""
from __future__ import annotations

import ipaddress
import socket
from typing import Iterable
from urllib.parse import urlsplit

from services.common.errors import InvalidInput

MAX_URL = 2000


def networks(allow: Iterable[str] | str | None) -> list[ipaddress._BaseNetwork]:
    if isinstance(allow, str):
        allow = [a for a in allow.replace(",", " ").split() if a]
    return [ipaddress.ip_network(a.strip(), strict=False) for a in (allow or []) if str(a).strip()]


def _internal(address: ipaddress._BaseAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified)


def parse(url: str) -> tuple[str, str, int]:
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise InvalidInput(f"推送地址须为不超过 {MAX_URL} 个字符的网址")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput("推送地址不是有效的网址") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("推送地址须以 http:// 或 https:// 开头并带主机名")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check(url: str, allow: Iterable[str] | str | None, resolve=socket.getaddrinfo, strict: bool = True) -> None:
    """InvalidInput unless every address the URL's host resolves to is public or allowed.
    A name that does not resolve passes when not `strict` (a webhook may be registered
    before its DNS name exists; each POST checks again, strictly)."""
    _, host, port = parse(url)
    allowed = networks(allow)
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in resolve(host, port)}
        except (OSError, UnicodeError, ValueError):
            if not strict:
                return
            raise InvalidInput(f"推送地址的主机 {host} 无法解析，请检查网址") from None
    for address in addresses:
        if _internal(address) and not any(address in network for network in allowed):
            raise InvalidInput(f"推送地址 {host} 指向内部网络地址（{address}），不允许；"
                               "如确需推送到内部系统，请管理员在 WEBHOOK_ALLOW 中加入该地址")
