"""Email through a county's mail server with TLS: STARTTLS and implicit TLS against a local
aiosmtpd peer (tests/peers/smtp_tls.py) with a self-signed certificate made here, AUTH required.
The server's certificate is verified (an unknown one is refused), a wrong password is refused,
and a password is never sent over an unencrypted connection."""
import contextlib
import datetime
import ipaddress
import json
import smtplib
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.common.config import ROOT
from services.notify import channels, mail
from tests.conftest import free_port, wait_for

USER, PASSWORD = "gongkai@county.example.gov.cn", "S3cret-mail-pass"


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid around any day the test runs."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.county.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextlib.contextmanager
def mail_server(tmp_path: Path, mode: str):
    cert, key = certificate(tmp_path)
    out = tmp_path / "received"
    out.mkdir()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.peers.smtp_tls", str(port), str(cert), str(key), str(out),
                             mode, USER, PASSWORD], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def accepting():
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        return False

    try:
        wait_for(accepting, 15, message="the TLS mail server")
        yield SimpleNamespace(port=port, cert=cert, out=out)
    finally:
        proc.terminate()
        proc.wait(10)


def delivery(n: int = 1):
    return SimpleNamespace(recipient="liaison@a001.example.gov.cn", subject=f"逾期提醒 {n}", body="请尽快公开。",
                           message_id=f"<test-{n}@gongkai>", delivery_key=f"k{n}", id=n)


def settings(server, **changes):
    return {"HOST": "127.0.0.1", "PORT": server.port, "FROM": USER, "TIMEOUT_SECONDS": 5,
            "CA_FILE": str(server.cert), "USERNAME": USER, "PASSWORD": PASSWORD, **changes}


def received(server):
    return [json.loads(p.read_text()) for p in sorted(server.out.glob("*.json"))]


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_email_is_sent_encrypted_and_signed_in(tmp_path, mode):
    with mail_server(tmp_path, mode) as server:
        channels.send_email(settings(server, SECURITY=mode), delivery())
        assert received(server) == [{"tls": True, "login": USER, "to": ["liaison@a001.example.gov.cn"]}]
        assert "Subject: =?utf-8?" in (server.out / "1.eml").read_text()


def test_a_wrong_password_or_an_unknown_certificate_is_refused(tmp_path):
    with mail_server(tmp_path, "starttls") as server:
        with pytest.raises(channels.Permanent, match="535"):
            channels.send_email(settings(server, SECURITY="starttls", PASSWORD="wrong-password"), delivery())
        with pytest.raises(channels.Transient, match="CERTIFICATE_VERIFY_FAILED"):
            channels.send_email(settings(server, SECURITY="starttls", CA_FILE=""), delivery())
        assert received(server) == []


def test_no_password_goes_over_a_connection_that_is_not_encrypted(tmp_path, monkeypatch):
    with mail_server(tmp_path, "starttls") as server:
        with pytest.raises(channels.Transient, match="refusing to send a password in clear"):
            channels.send_email(settings(server, SECURITY="none"), delivery())
        logins = []
        monkeypatch.setattr(smtplib.SMTP, "login", lambda self, user, password: logins.append(user))
        monkeypatch.setattr(smtplib.SMTP, "starttls", lambda self, context=None: (220, b"pretend"))
        with pytest.raises(channels.Transient, match="not encrypted: refusing to log in"):
            channels.send_email(settings(server, SECURITY="starttls"), delivery())  # STARTTLS that did nothing
        assert logins == [] and received(server) == []
    with pytest.raises(ValueError, match="SECURITY"):
        mail.security_of({"SECURITY": "ssl3"})
