"""The connection to the county's mail server (config SMTP): plain on a trusted local relay,
STARTTLS, or implicit TLS (SMTPS, port 465), and AUTH with a user name and password.

SECURITY is `none`, `starttls` or `tls`. The server's certificate is always verified (the
system's CAs, or CA_FILE for a county's own CA) and its name checked. A password is only ever
sent over an encrypted connection: with SECURITY=none and a PASSWORD set, or when the socket
is not TLS for any reason at login time, the send is refused (InsecureAuth) and nothing is sent.
A server that does not offer STARTTLS when it is asked for is refused as well, never used in
clear."""
from __future__ import annotations

import functools
import io
import re
import smtplib
import ssl
from email import policy as policies
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any, NamedTuple

SECURITIES = ("none", "starttls", "tls")


class InsecureAuth(smtplib.SMTPException):
    """A password would have gone over an unencrypted connection."""


class Flat(NamedTuple):
    """A message as smtplib's send_message would send it: its envelope and its bytes."""
    sender: str
    recipients: list[str]
    data: bytes


# how send_message flattens a message (email.policy.default, CRLF line ends)
POLICY = policies.default.clone(linesep="\r\n")
# values whose header line the policy writes as they are, when the line fits in 78 characters
ATOMS = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
PLAIN = {"To": re.compile(f"{ATOMS}@{ATOMS}"), "Message-ID": re.compile(f"<{ATOMS}@{ATOMS}>"),
         "X-Gongkai-Delivery": re.compile(r"[A-Za-z0-9._:@+-]+")}


def compose(sender: str, recipient: str, subject: str, message_id: str | None, key: str,
            body: str) -> EmailMessage | Flat:
    """A delivery's email: From, To, Subject, Message-ID, X-Gongkai-Delivery and the text. What a
    batch's messages share (From, Subject, the body's part) is made once (_shared); each message
    adds its own three header lines. The bytes are those send_message makes of the EmailMessage;
    an address that is not plain ASCII gets the EmailMessage itself."""
    shared = _shared(sender, subject, body)
    if shared is None or not PLAIN["To"].fullmatch(recipient) or message_id is None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, recipient, subject
        message["Message-ID"] = message_id  # fixed per delivery: a resend is recognisably the same
        message["X-Gongkai-Delivery"] = key
        message.set_content(body)
        return message
    from_line, subject_line, rest, envelope = shared
    return Flat(envelope, [recipient], b"".join((from_line, _line("To", recipient), subject_line,
                                                 _line("Message-ID", message_id), _line("X-Gongkai-Delivery", key),
                                                 rest)))


@functools.lru_cache(maxsize=32)
def _shared(sender: str, subject: str, body: str) -> tuple[bytes, bytes, bytes, str] | None:
    """The From and Subject lines, the content headers and body, and the envelope's sender."""
    message = EmailMessage()
    message["From"], message["Subject"] = sender, subject
    message.set_content(body)
    envelope = getaddresses([message["From"]])[0][1]
    if not envelope.isascii():
        return None  # SMTPUTF8: send_message's own way
    with io.BytesIO() as out:
        BytesGenerator(out).flatten(message, linesep="\r\n")
        flat = out.getvalue()
    from_line, subject_line = (POLICY.fold_binary(name, value) for name, value in list(message.raw_items())[:2])
    if not flat.startswith(from_line + subject_line):
        return None
    return from_line, subject_line, flat[len(from_line + subject_line):], envelope


def _line(name: str, value: str) -> bytes:
    line = f"{name}: {value}\r\n"
    if len(line) <= POLICY.max_line_length + 2 and PLAIN[name].fullmatch(value):
        return line.encode("ascii")
    return POLICY.fold_binary(*POLICY.header_store_parse(name, value))


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


def open_client(smtp: dict[str, Any]) -> smtplib.SMTP:
    """A connected, encrypted as configured and signed-in client; the caller closes it."""
    security, password = security_of(smtp), str(smtp.get("PASSWORD") or "")
    if password and security == "none":
        raise InsecureAuth("SMTP PASSWORD is set but SECURITY is none: refusing to send a password in clear")
    host, port, timeout = smtp["HOST"], int(smtp["PORT"]), float(smtp.get("TIMEOUT_SECONDS", 10))
    if security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(smtp))
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    try:
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
    except BaseException:
        client.close()
        raise
    return client


class Connection:
    """One SMTP connection carried across a batch of messages: opened at the first send, QUIT
    at close (when the batch's sender has nothing more to send). After any error it is dropped
    (unless the server refused only this message) and the next message opens a new one, so a connection the server closed (its idle timeout,
    a restart) costs one message a retry, never the rest of the batch."""

    def __init__(self, smtp: dict[str, Any]) -> None:
        self.smtp, self.client, self.opened = smtp, None, 0

    def send(self, message: EmailMessage | Flat) -> None:
        if self.client is None:
            self.client = open_client(self.smtp)
            self.opened += 1
        try:
            if isinstance(message, Flat):
                self.client.sendmail(*message)
            else:
                self.client.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException):
            if self.client.sock is None:  # the server said 421: smtplib has closed it
                self.drop()
            raise  # refused, and smtplib has reset the transaction: the connection serves the next
        except BaseException:
            self.drop()
            raise

    def drop(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.drop()
