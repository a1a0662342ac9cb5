"""An SMTP server on loopback that writes down, for each message it takes, the connection it
came over and its Message-ID, and can drop a connection mid-batch as a server restarting
or timing out does. It runs in a process of its own (aiosmtpd, asyncio; the tests' process
is under eventlet's patching):

    python -m aiosmtpd -n -l 127.0.0.1:PORT -c tests.peers.smtp_peer.Ledger FILE [N|N:after ...]

`N` closes the connection while the Nth message's DATA ends, before taking it (the client
never hears 250); `N:after` takes the Nth message, answers 250, then closes the connection.
SmtpPeer starts it and reads the ledger."""
from __future__ import annotations

import email
import email.policy
import socket
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any


class Ledger:
    def __init__(self, path: str, drops: list[str]) -> None:
        self.path, self.seen = Path(path), 0
        self.before = {int(d) for d in drops if not d.endswith(":after")}
        self.after = {int(d.split(":")[0]) for d in drops if d.endswith(":after")}

    @classmethod
    def from_cli(cls, parser: ArgumentParser, *args: str) -> "Ledger":
        if not args:
            parser.error("Ledger needs the file to write to")
        return cls(args[0], list(args[1:]))

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.seen += 1
        if self.seen in self.before:
            server.transport.close()
            return "421 closing"  # never read: the connection is gone
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.path.open("a") as out:
            out.write(f"{session.peer[1]} {message['Message-ID']}\n")
        if self.seen in self.after:
            server.loop.call_soon(server.transport.close)
        return "250 OK"


class SmtpPeer:
    def __init__(self, directory: Path, drops: tuple[str, ...] = ()) -> None:
        self.ledger = directory / "ledger.txt"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}", "-c",
                                      "tests.peers.smtp_peer.Ledger", str(self.ledger), *drops],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def taken(self) -> list[tuple[int, str]]:
        """(the client's port, the Message-ID) of every message taken, in order."""
        if not self.ledger.exists():
            return []
        return [(int(port), message_id) for port, message_id in
                (line.split(" ", 1) for line in self.ledger.read_text().splitlines() if line)]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
