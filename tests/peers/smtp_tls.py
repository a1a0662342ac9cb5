"""A mail server on 127.0.0.1 standing in for a county's SMTP relay with TLS: STARTTLS (and
nothing accepted before it) or implicit TLS, AUTH required, with the certificate and key it is
given. Each message is written to OUT as <n>.eml, with <n>.json telling whether the session was
encrypted and who logged in. Run in its own process (aiosmtpd's loop wants real threads):

    python -m tests.peers.smtp_tls PORT CERT KEY OUT starttls|tls USER PASSWORD
"""
from __future__ import annotations

import json
import ssl
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Recorder:
    def __init__(self, out: Path):
        self.out, self.count = out, 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        (self.out / f"{self.count}.eml").write_bytes(envelope.original_content or envelope.content)
        (self.out / f"{self.count}.json").write_text(json.dumps({
            "tls": server.transport.get_extra_info("ssl_object") is not None, "login": session.auth_data if session.authenticated else None,
            "to": envelope.rcpt_tos}))
        return "250 OK"


def main(argv: list[str]) -> None:
    port, cert, key, out, mode, user, password = argv
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, data):
        good = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
        return AuthResult(success=good, handled=False, auth_data=user if good else None)

    options = {"authenticator": authenticate, "auth_required": True, "auth_require_tls": True}
    if mode == "tls":  # the whole session is TLS, which aiosmtpd's auth_require_tls does not see
        controller = Controller(Recorder(Path(out)), hostname="127.0.0.1", port=int(port), ssl_context=context,
                                **{**options, "auth_require_tls": False})
    else:
        controller = Controller(Recorder(Path(out)), hostname="127.0.0.1", port=int(port), tls_context=context,
                                require_starttls=True, **options)
    controller.start()
    try:
        while True:
            time.sleep(1)
    finally:
        controller.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
