"""The connection to the county's mail server (config SMTP): plain on a trusted local relay,
STARTTLS, or implicit TLS (SMTPS, port 465), and AUTH with a user name and password.

SECURITY is `none`, `starttls` or `tls`. The server's certificate is always verified (the
system's CAs, or CA_FILE for a county's own CA) and its name checked. A password is only ever
sent over an encrypted connection: with SECURITY=none and a PASSWORD set, or when the socket
is not TLS for any reason at login time, the send is refused (InsecureAuth) and nothing is sent.
A server that does not offer STARTTLS when it is asked for is refused as well, never used in
clear."""
from __future__ import annotations

import contextlib
import smtplib
import ssl
from typing import Any, Iterator

SECURITIES = ("none", "starttls", "tls")


class InsecureAuth(smtplib.SMTPException):
    """A password would have gone over an unencrypted connection."""


def security_of(smtp: dict[str, Any]) -> str:
    security = str(smtp.get("SECURITY") or "none").strip().lower()
    if security not in SECURITIES:
        raise ValueError(f"SMTP SECURITY 应为 {'、'.join(SECURITIES)} 之一，而不是 {security!r} / "
                         f"SMTP SECURITY must be one of {', '.join(SECURITIES)}")
    return security


def tls_context(smtp: dict[str, Any]) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(smtp["CA_FILE"]) if smtp.get("CA_FILE") else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@contextlib.contextmanager
def connect(smtp: dict[str, Any]) -> Iterator[smtplib.SMTP]:
    """A connected, encrypted as configured and signed-in client; closed on leaving."""
    security, password = security_of(smtp), str(smtp.get("PASSWORD") or "")
    if password and security == "none":
        raise InsecureAuth("SMTP PASSWORD is set but SECURITY is none: refusing to send a password in clear")
    host, port, timeout = smtp["HOST"], int(smtp["PORT"]), float(smtp.get("TIMEOUT_SECONDS", 10))
    if security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(smtp))
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if security == "starttls":
            client.ehlo()
            if not client.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError(f"{host}:{port} does not offer STARTTLS")
            client.starttls(context=tls_context(smtp))
            client.ehlo()
        if password:
            if not isinstance(client.sock, ssl.SSLSocket):
                raise InsecureAuth("the connection to the mail server is not encrypted: refusing to log in")
            client.login(str(smtp.get("USERNAME") or ""), password)
        yield client
