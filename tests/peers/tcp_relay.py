"""A TCP relay between a service and its broker or database that a test can cut and restore:
cut, it drops every relayed connection and refuses new ones (as a restarting server does).

It runs as a process of its own with plain threads (the tests' process is under eventlet's
patching): `python -m tests.peers.tcp_relay HOST PORT` prints the port it listens on; SIGUSR1
cuts, SIGUSR2 restores, SIGTERM ends it. TcpRelay starts and drives it."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading

from services.common.config import ROOT


class TcpRelay:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.peers.tcp_relay", target_host, str(target_port)],
                                     cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def cut(self) -> None:
        self.proc.send_signal(signal.SIGUSR1)

    def restore(self) -> None:
        self.proc.send_signal(signal.SIGUSR2)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class _Relay:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.up = target, True
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))

    def cut(self, *_: object) -> None:
        self.up = False
        with self.lock:
            for sock in self.open:
                _close(sock)
            self.open.clear()

    def restore(self, *_: object) -> None:
        self.up = True

    def serve(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if not self.up:
                _close(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self.lock:
                self.open.extend((client, server))
            threading.Thread(target=_pipe, args=(client, server), daemon=True).start()
            threading.Thread(target=_pipe, args=(server, client), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    _close(source)
    _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


if __name__ == "__main__":
    relay = _Relay((sys.argv[1], int(sys.argv[2])))
    signal.signal(signal.SIGUSR1, relay.cut)
    signal.signal(signal.SIGUSR2, relay.restore)
    print(relay.listener.getsockname()[1], flush=True)
    relay.serve()
